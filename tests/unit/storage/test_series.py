"""The numpy helpers shared by the drivers."""
import numpy as np
import pytest

from statsvc.storage import series


def records(ts, values):
    out = np.empty(len(ts), dtype=series.RECORD)
    out["t"], out["v"] = ts, values
    return out


def test_normalize_sorts_and_keeps_the_last_duplicate():
    got = series.normalize([5, 1, 5, 3, 1], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert got["t"].tolist() == [1, 3, 5]
    assert got["v"].tolist() == [5.0, 4.0, 3.0]


def test_normalize_accepts_lists_and_sorted_input():
    got = series.normalize([1, 2], [1, 2])
    assert got.dtype == series.RECORD
    assert got["t"].tolist() == [1, 2]


def test_normalize_refuses_mismatched_arrays():
    with pytest.raises(ValueError):
        series.normalize([1, 2], [1.0])
    with pytest.raises(ValueError):
        series.normalize([[1]], [[1.0]])


def test_merge_new_wins_on_equal_timestamps():
    old = records([1, 3, 5], [1.0, 3.0, 5.0])
    new = records([3, 4, 6], [30.0, 40.0, 60.0])
    got = series.merge(old, new)
    assert got["t"].tolist() == [1, 3, 4, 5, 6]
    assert got["v"].tolist() == [1.0, 30.0, 40.0, 5.0, 60.0]


def test_merge_of_disjoint_runs_concatenates():
    got = series.merge(records([1], [1.0]), records([2], [2.0]))
    assert got["t"].tolist() == [1, 2]
    assert series.merge(records([], []), records([2], [2.0]))["t"] == [2]


def test_split_chunks_handles_negative_times():
    data = records([-11, -10, -1, 0, 9, 10, 25], np.zeros(7))
    got = [(c, part["t"].tolist())
           for c, part in series.split_chunks(data, 10)]
    assert got == [(-2, [-11]), (-1, [-10, -1]), (0, [0, 9]), (1, [10]),
                   (2, [25])]


def test_split_chunks_of_nothing_is_nothing():
    assert list(series.split_chunks(records([], []), 10)) == []


@pytest.mark.parametrize("start, stop, expected", [
    (None, None, (None, None)),
    (0, 10, (0, 0)),
    (0, 11, (0, 1)),
    (-1, 10, (-1, 0)),
    (10, None, (1, None)),
])
def test_chunk_range_is_inclusive_of_touched_chunks(start, stop, expected):
    assert series.chunk_range(start, stop, 10) == expected


def test_select_returns_contiguous_arrays():
    ts, values = series.select(records([1, 2, 3, 4], [1, 2, 3, 4]), 2, 4)
    assert ts.tolist() == [2, 3] and values.tolist() == [2.0, 3.0]
    assert ts.flags.c_contiguous and values.flags.c_contiguous


def test_worth_trimming_once_half_is_stale():
    assert not series.worth_trimming(0, 100, 0)
    assert not series.worth_trimming(0, 100, 49)
    assert series.worth_trimming(0, 100, 50)


def test_cutoff_and_later_bound():
    assert series.cutoff(None, 5) is None
    assert series.cutoff(10, None) is None
    assert series.cutoff(10, 4) == 6
    assert series.later_bound(None, 3) == 3
    assert series.later_bound(5, None) == 5
    assert series.later_bound(5, 3) == 5
