"""Long series: chunk boundaries and accuracy against exact two-pass results."""
import math

import numpy as np
import pytest

from statsvc_plugins.ewma import ewma
from statsvc_plugins.percentile import MovingPercentile
from statsvc_plugins import _kernels, _moments, _quantile

RNG = np.random.default_rng(20261123)
# Metric-like: a large offset and noise, longer than a chunk (2**16).
VALUES = RNG.standard_normal(10_000) * 10 + 1e4
# A level shift down to a 200x smaller spread.
SHIFTED = np.concatenate([RNG.standard_normal(5_000) * 10 + 1e4,
                          RNG.standard_normal(5_000) / 20 + 50])


def windows(values, window):
    """Each window minus its last value: exact, so numpy's two-pass
    moments of it are the reference (they are shift-invariant)."""
    view = np.lib.stride_tricks.sliding_window_view(values, window)
    return view - view[:, -1:]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4096 windows, so that short series cross several."""
    monkeypatch.setattr(_kernels, "_CHUNK", 4096)


@pytest.mark.parametrize("window, rtol", [(2, 1e-12), (3, 1e-12), (10, 1e-9),
                                          (1000, 1e-9)])
def test_moving_std_against_two_pass(small_chunks, window, rtol):
    exact = windows(VALUES, window).std(axis=1, ddof=1)
    assert _kernels.move_moment(VALUES, window, "std") == pytest.approx(exact, rel=rtol)


@pytest.mark.parametrize("window", [4, 10, 1000])
def test_moving_std_after_a_drop_in_spread(small_chunks, window):
    # bottleneck's update keeps a residue of the old spread in the variance
    # until the chunk ends: the documented bound is 1e-13 * H**2.
    exact = windows(SHIFTED, window).var(axis=1, ddof=1)
    ours = _kernels.move_moment(SHIFTED, window, "std") ** 2
    spread = np.max(np.abs(SHIFTED - SHIFTED.mean()))
    assert np.max(np.abs(ours - exact)) < 1e-13 * spread ** 2


@pytest.mark.parametrize("window", [2, 3, 10, 1000])
def test_zscore_against_two_pass(small_chunks, window):
    view = windows(VALUES, window)
    exact = -view.mean(axis=1) / view.std(axis=1, ddof=1)
    assert _kernels.move_moment(VALUES, window, "zscore") == pytest.approx(
        exact, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("window", [1, 2, 10, 1000])
@pytest.mark.parametrize("moment", ["sum", "mean"])
def test_moving_sums_against_exact_sums(small_chunks, window, moment):
    # Restarted every chunk, the running sum's error grows with the square
    # root of the chunk's length at most, not of the series'.
    values = np.concatenate([VALUES] * 4)
    exact = [math.fsum(w) for w in
             np.lib.stride_tricks.sliding_window_view(values, window)]
    if moment == "mean":
        exact = np.divide(exact, window)
    assert _kernels.move_moment(values, window, moment) == pytest.approx(
        exact, rel=1e-13)


@pytest.mark.parametrize("moment", _kernels.MOMENTS)
@pytest.mark.parametrize("gap", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("at", [0, 4095, 4096, 9999])
def test_moments_tell_a_gap_anywhere(small_chunks, moment, gap, at):
    values = VALUES.copy()
    assert _kernels.move_moment(values, 10, moment, stop_at_gap=True) \
        is not None
    values[at] = gap
    assert _kernels.move_moment(values, 10, moment, stop_at_gap=True) is None
    # Without stop_at_gap, the windows holding the gap are not finite.
    out = _kernels.move_moment(values, 10, moment)
    assert not np.isfinite(out[max(0, at - 9):at + 1]).any()


def test_moments_tell_an_overflow():
    values = np.full(100, 1e308)
    assert _kernels.move_moment(values, 3, "sum", stop_at_gap=True) is None
    assert np.isinf(_kernels.move_moment(values, 3, "sum")).all()


@pytest.mark.parametrize("window, kind, out, block", [
    (0, 0, 6, 1), (2, 5, 4, 1), (1, 2, 5, 1), (6, 0, 0, 1), (2, 0, 3, 1),
    (2, 0, 4, 0), (2, -1, 4, 1)])
def test_move_moments_refuses_bad_arguments(window, kind, out, block):
    with pytest.raises(ValueError):
        _moments.move_moments(np.arange(5.0), window, np.empty(out), kind,
                              block, False)


def recurrence(values, alpha):
    """pandas' adjusted EWMA loop, in Python."""
    out, weighted, weight = [], 0.0, 0.0
    for x in values:
        weighted = (1 - alpha) * weighted + x
        weight = (1 - alpha) * weight + 1
        out.append(weighted / weight)
    return out


@pytest.mark.parametrize("alpha", [0.99999, 0.9, 0.3, 0.01, 1e-4, 1e-7])
def test_ewma_across_chunks(alpha):
    values = VALUES
    assert ewma(values, alpha) == pytest.approx(recurrence(values, alpha),
                                                rel=1e-9)


def test_ewma_leaves_its_input_alone():
    values = VALUES[:1000].copy()
    ewma(values, 0.5)
    assert np.array_equal(values, VALUES[:1000])
    assert math.isfinite(ewma(values, 1e-9)[-1])


@pytest.mark.parametrize("window", [5, 64, 65, 700])
@pytest.mark.parametrize("q", [0.0, 3.3, 50.0, 62.5, 90.0, 100.0])
def test_percentile_against_numpy(window, q):
    values = VALUES[:3000]
    view = np.lib.stride_tricks.sliding_window_view(values, window)
    expected = np.percentile(view, q, axis=1)
    ours = MovingPercentile().kernel(values, window, q)
    assert ours == pytest.approx(expected, rel=1e-15, abs=1e-12)


def test_move_quantile_small_cases():
    values = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    # Windows [3 1 4], [1 4 1], [4 1 5], [1 5 9], [5 9 2]; k=1, 1/4 of
    # the way to the largest.
    assert _kernels.move_quantile(values, 3, 1, 0.25).tolist() == [
        3.25, 1.75, 4.25, 6.0, 6.0]
    assert _kernels.move_quantile(values, 2, 0, 0.0).tolist() == [
        1.0, 1.0, 1.0, 1.0, 5.0, 2.0]
    assert _kernels.move_quantile(values, 7, 6, 0.0).tolist() == [9.0]
    assert _kernels.move_quantile(values, 1, 0, 0.0).tolist() == values.tolist()
    # A strided view is copied to contiguous memory, not misread.
    assert _kernels.move_quantile(values[::2], 2, 0, 0.5).tolist() == [
        3.5, 4.5, 3.5]


@pytest.mark.parametrize("shape", ["noise", "rising", "falling", "ties",
                                   "sawtooth", "steps", "constant"])
@pytest.mark.parametrize("window", [2, 3, 10, 63, 64, 65, 300, 2500])
def test_move_quantile_against_sorting(shape, window):
    i = np.arange(2500.0)
    values = {"noise": VALUES[:2500], "rising": i, "falling": -i,
              "ties": np.floor(VALUES[:2500] / 10),
              "sawtooth": i % window - (i // window) % 2 * window,
              "steps": np.floor(i / 200) * (-1) ** np.floor(i / 100),
              "constant": np.full(2500, 7.5)}[shape]
    ordered = np.sort(np.lib.stride_tricks.sliding_window_view(values, window),
                      axis=1)
    for k in sorted({0, 1, window // 3, window - 2, window - 1} - {-1}):
        for fraction in (0.0, 0.1, 0.5, 0.999) if k + 1 < window else (0.0,):
            expected = ordered[:, k]
            if fraction:
                expected = expected + fraction * (ordered[:, k + 1] - expected)
            assert np.array_equal(
                _kernels.move_quantile(values, window, k, fraction), expected)


def test_move_quantile_survives_nan():
    # Plugins drop gaps first; called with NaN anyway, the kernel must stay
    # within its buffers (qsort sees a total order) and finish.
    values = VALUES[:500].copy()
    values[::7] = np.nan
    for window, k in [(1, 0), (9, 4), (64, 60), (500, 250)]:
        assert len(_kernels.move_quantile(values, window, k, 0.0)) == (
            501 - window)


@pytest.mark.parametrize("window, k, fraction, out", [
    (0, 0, 0.0, 5), (6, 0, 0.0, 0), (3, 3, 0.0, 3), (3, -1, 0.0, 3),
    (3, 2, 0.5, 3), (3, 0, 1.0, 3), (3, 0, -0.5, 3), (3, 0, 0.0, 2)])
def test_move_quantile_refuses_bad_arguments(window, k, fraction, out):
    # The C code trusts its arguments once checked: each bad one is refused.
    with pytest.raises(ValueError):
        _quantile.move_quantile(np.arange(5.0), window, k, fraction,
                                np.empty(out))


def test_move_quantile_refuses_other_dtypes():
    with pytest.raises(ValueError, match="float64"):
        _quantile.move_quantile(np.arange(5, dtype=np.int32), 2, 0, 0.0,
                                np.empty(4))
    with pytest.raises(TypeError):
        _quantile.move_quantile(np.arange(5.0), 2, 0, 0.0, b"read-only")


def test_moving_std_centring_does_not_overflow():
    # The values' sum overflows, not their std: no gap is reported.
    values = np.full(2000, 1e305)
    for moment in ("std", "zscore"):
        out = _kernels.move_moment(values, 10, moment, stop_at_gap=True)
        assert out is not None and not out.any()
