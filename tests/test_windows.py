"""Windowing: views, shapes, series boundaries, errors, stateful streams, time splits."""

import numpy as np
import pytest

from tsrnn import DataError, TsrnnError
from tsrnn.data import (
    batchify,
    series_offsets,
    sliding_windows,
    time_split,
    window_starts,
)


def test_windows_are_views_with_the_right_values():
    values = np.arange(40, dtype=np.float32).reshape(20, 2)
    w = sliding_windows(values, lookback=5, horizon=3)
    assert w.inputs.shape == (13, 5, 2)
    assert w.targets.shape == (13, 3, 2)
    assert np.shares_memory(w.inputs, values)
    assert np.shares_memory(w.targets, values)
    np.testing.assert_array_equal(w.inputs[4], values[4:9])
    np.testing.assert_array_equal(w.targets[4], values[9:12])


def test_target_columns_and_stride():
    values = np.arange(60, dtype=np.float64).reshape(20, 3)
    w = sliding_windows(values, 4, 2, stride=3, targets=[1, 2])
    assert np.shares_memory(w.targets, values)  # contiguous columns stay a view
    assert w.inputs.shape == (5, 4, 3) and w.targets.shape == (5, 2, 2)
    np.testing.assert_array_equal(w.inputs[1], values[3:7])
    np.testing.assert_array_equal(w.targets[1], values[7:9, 1:3])
    w = sliding_windows(values, 4, 2, targets=0)
    np.testing.assert_array_equal(w.targets[0, :, 0], values[4:6, 0])


def test_per_step_targets_are_shifted_inputs():
    values = np.arange(10.0)
    w = sliding_windows(values, lookback=4, horizon=1, per_step=True)
    assert w.targets.shape == (6, 4, 1)
    np.testing.assert_array_equal(w.targets[2, :, 0], values[3:7])
    np.testing.assert_array_equal(w.inputs[2, :, 0], values[2:6])
    assert np.shares_memory(w.targets, values)


def test_too_short_series_names_the_numbers():
    msg = "series has 10 rows; lookback 12 \\+ horizon 6 needs at least 18"
    with pytest.raises(DataError, match=msg):
        sliding_windows(np.zeros(10), 12, 6)


@pytest.mark.parametrize("kwargs, word", [
    ({"lookback": 0, "horizon": 1}, "lookback"),
    ({"lookback": 3, "horizon": -1}, "horizon"),
    ({"lookback": 3, "horizon": 1, "stride": 0}, "stride"),
    ({"lookback": 2.5, "horizon": 1}, "lookback"),
])
def test_bad_specs_are_tsrnn_errors(kwargs, word):
    with pytest.raises(TsrnnError, match=word):
        sliding_windows(np.zeros(30), **kwargs)


def test_nan_is_an_error_unless_allowed():
    values = np.arange(20.0)
    values[7] = np.nan
    with pytest.raises(DataError, match="non-finite"):
        sliding_windows(values, 3, 1)
    w = sliding_windows(values, 3, 1, allow_nan=True)
    assert np.isnan(w.inputs).any()
    values[7] = np.inf
    with pytest.raises(DataError, match="inf"):
        sliding_windows(values, 3, 1, allow_nan=True)


def test_panel_windows_never_cross_series_boundaries():
    lengths = [7, 12, 5, 9]
    ids = np.repeat(np.arange(4), lengths)  # which series each row belongs to
    lookback, horizon = 3, 2
    starts = window_starts(lengths, lookback, horizon)
    expected = sum(n - lookback - horizon + 1 for n in lengths)
    assert len(starts) == expected
    span = starts[:, None] + np.arange(lookback + horizon)
    assert (ids[span] == ids[span[:, :1]]).all()  # every row of a window is in one series
    # the most recent window of each series is present even with a stride
    starts = window_starts(lengths, lookback, horizon, stride=4)
    ends = series_offsets(lengths)[1:]
    for end in ends:
        assert end - lookback - horizon in starts


def test_panel_short_series_error_or_skip():
    with pytest.raises(DataError, match="series 'b' has 3 rows"):
        window_starts([10, 3], 4, 2, names=["a", "b"])
    starts = window_starts([10, 3], 4, 2, skip_short=True)
    assert starts.max() + 6 <= 10
    assert list(window_starts([10, 8], 4, 2, last_only=True)) == [4, 12]


def test_batchify_streams_continue_across_chunks():
    values = np.arange(103, dtype=np.float32)
    streams = batchify(values, 4)
    assert streams.shape == (4, 25, 1)
    assert np.shares_memory(streams, values)
    chunks = [streams[:, k : k + 7] for k in range(0, streams.shape[1], 7)]
    assert [c.shape[1] for c in chunks] == [7, 7, 7, 4]
    for k in range(len(chunks) - 1):
        for b in range(4):
            # row b of chunk k+1 starts right after row b of chunk k ends
            assert chunks[k + 1][b, 0, 0] == chunks[k][b, -1, 0] + 1
    with pytest.raises(DataError):
        batchify(np.zeros(3), 4)


def test_time_split_keeps_validation_at_the_end():
    train, val = time_split(100, 0.2)
    assert (train, val) == (slice(0, 80), slice(80, 100))
    assert time_split(100, 5) == (slice(0, 95), slice(95, 100))
    assert time_split(10, None) == (slice(0, 10), slice(10, 10))
    with pytest.raises(DataError, match="nothing to train"):
        time_split(3, 3)
    with pytest.raises(TsrnnError):
        time_split(10, 1.5)
