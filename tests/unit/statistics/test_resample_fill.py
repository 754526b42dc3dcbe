"""resample-fill against the slow reference, and its bounds."""
import pytest
from hypothesis import given, strategies as st

from statsvc.statistics import ParameterError
from tests.unit.statistics import reference
from tests.unit.statistics.test_properties import (
    SETTINGS, check, scale, series)


@SETTINGS
@given(data=series(max_size=25), step_s=st.integers(1, 3000),
       method=st.sampled_from(["ffill", "linear"]),
       max_gap_s=st.one_of(st.none(), st.integers(1, 3000)))
def test_resample_fill(plugin, data, step_s, method, max_gap_s):
    timestamps, values = data
    query = {"step": f"{step_s}s", "method": method}
    if max_gap_s is not None:
        query["max_gap"] = str(max_gap_s)  # a bare number: seconds
    out = plugin("resample-fill").run(timestamps, values, **query)
    expected = reference.resample_fill(
        timestamps, values, step_s * 10 ** 9, method,
        None if max_gap_s is None else max_gap_s * 10 ** 9)
    check(out, expected, atol=1e-12 * scale(values))


def test_linear_is_exact_at_points_and_between(plugin):
    out = plugin("resample-fill").run([0, 10 * 10 ** 9, 40 * 10 ** 9],
                                      [1.0, 3.0, 0.0], step="10s",
                                      method="linear")
    assert out.values.tolist() == [1.0, 3.0, 2.0, 1.0, 0.0]


def test_a_grid_too_fine_for_the_series_is_the_querys_fault(plugin):
    with pytest.raises(ParameterError) as exc:
        plugin("resample-fill").run([0, 10 ** 9 * 86400 * 365], [1.0, 2.0],
                                    step="1s")
    assert exc.value.parameter == "step"
