"""Stateful forecasting: chunked state carry is exact, streams line up, update() equals a warm-up,
the one-pass backtest equals predict() per origin, and the state survives save/load."""

import numpy as np
import pandas as pd
import pytest
import torch

import tsrnn
from tsrnn import ConfigError, DataError
from tsrnn.data import series_offsets, stream_layout
from tsrnn.nn import NetConfig, RNNNetwork, StreamData, detach_state

from .fixed import Fixed

FAST = dict(hidden_size=16, random_state=0, device="cpu")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_chunks_of_37_with_carried_state_equal_one_run(cell):
    torch.manual_seed(0)
    net = RNNNetwork(NetConfig(cell=cell, input_size=3, hidden_size=12, num_layers=2,
                               head="per_step", output_size=2)).eval()
    x = torch.randn(2, 1000, 3)
    with torch.no_grad():
        whole, final = net(x)
        state, parts = None, []
        for chunk in x.split(37, dim=1):
            y, state = net(chunk, state)
            state = detach_state(state)
            parts.append(y)
    torch.testing.assert_close(torch.cat(parts, dim=1), whole, atol=1e-6, rtol=0)
    h_chunked = state[0] if cell == "lstm" else state
    h_whole = final[0] if cell == "lstm" else final
    torch.testing.assert_close(h_chunked, h_whole, atol=1e-6, rtol=0)


def test_stream_rows_continue_across_chunks_and_never_cross_series():
    lengths = [230, 95, 410, 61]
    layout = stream_layout(lengths, stream_len=100)
    series_of = np.repeat(np.arange(len(lengths)), lengths)
    offsets = series_offsets(lengths)
    covered = np.sort(layout[layout >= 0])
    np.testing.assert_array_equal(covered, np.arange(sum(lengths)))  # every row exactly once
    x = torch.as_tensor(np.where(layout >= 0, layout, -1), dtype=torch.float32)[..., None]
    data = StreamData(x, torch.zeros_like(x), bptt=37)
    chunks = [batch.x[..., 0].numpy() for batch, _ in data.chunks(slice(None))]
    for k in range(len(chunks) - 1):
        for b in range(len(layout)):
            last, first = chunks[k][b, -1], chunks[k + 1][b, 0]
            if first >= 0:  # not padding: row b of chunk k+1 continues row b of chunk k
                assert first == last + 1
                assert series_of[int(first)] == series_of[int(last)]
    for row in layout:
        rows = row[row >= 0]
        assert len(set(series_of[rows])) == 1  # a stream stays inside one series
        assert (np.diff(rows) == 1).all()
    assert offsets[-1] == sum(lengths)


def hourly(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24) + 0.5 * rng.standard_normal(n)
    return pd.DataFrame({"load": y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


@pytest.fixture(scope="module")
def fitted():
    df = hourly(24 * 40)
    n80, n90 = int(0.8 * len(df)), int(0.9 * len(df))
    model = Fixed(lookback=24, horizon=12, stateful=True, epochs=150, batch_size=4,
                          lr=1e-2, **FAST).fit(df.iloc[:n80])
    return df, n80, n90, model


def test_update_in_pieces_equals_one_warm_up(fitted):
    df, n80, n90, model = fitted
    from sklearn.base import clone  # noqa: F401  (the fitted model is reused, not refit)

    warm = model.predict(df.iloc[:n90])  # state warmed on the first 90% in one go
    pieces = np.array_split(np.arange(n80, n90), 3)
    updated = pickle_copy(model)
    for rows in pieces:
        updated.update(df.iloc[rows])
    got = updated.predict()
    assert got.index.equals(warm.index)
    np.testing.assert_allclose(got.to_numpy(), warm.to_numpy(), atol=1e-6, rtol=0)


def pickle_copy(model):
    import pickle

    return pickle.loads(pickle.dumps(model))


def test_update_errors_and_reset(fitted):
    df, n80, _, model = fitted
    m = pickle_copy(model)
    with pytest.raises(DataError, match="start at"):
        m.update(df.iloc[n80 + 5 : n80 + 10])  # skips five rows
    m.reset_state()
    with pytest.raises(DataError, match="state was reset"):
        m.predict()
    m.update(df.iloc[n80 : n80 + 10])  # starts again from a zero state
    assert len(m.predict()) == 12
    with pytest.raises(DataError, match="start at"):  # a stateless model takes rows in order too
        Fixed(epochs=1, lookback=24, horizon=6, **FAST).fit(df).update(df.iloc[:5])


def test_one_pass_backtest_equals_predict_per_origin(fitted):
    df, _, _, model = fitted
    result = model.backtest(df, start=0.85, stride=7)
    for origin in result.forecasts.origin.unique()[:5]:
        expected = model.predict(df[df.index < origin])["load"].to_numpy()
        got = result.forecasts[result.forecasts.origin == origin].forecast.to_numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_carried_state_survives_save_and_load(fitted, tmp_path):
    df, n80, _, model = fitted
    m = pickle_copy(model)
    m.update(df.iloc[n80 : n80 + 30])
    m.save(tmp_path / "m")
    loaded = tsrnn.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.predict(), m.predict(), check_exact=True)
    loaded.update(df.iloc[n80 + 30 : n80 + 40])
    m.update(df.iloc[n80 + 30 : n80 + 40])
    pd.testing.assert_frame_equal(loaded.predict(), m.predict(), check_exact=True)


def test_stateful_learns_the_seasonal_series(fitted):
    df, n80, _, model = fitted
    pred = model.predict()
    actual = df["load"].iloc[n80 : n80 + 12].to_numpy()
    snaive = df["load"].iloc[n80 - 24 : n80 - 12].to_numpy()
    assert np.mean(np.abs(pred["load"].to_numpy() - actual)) < np.mean(np.abs(snaive - actual))


def test_stateful_rejects_what_it_cannot_do():
    df = hourly(300)
    for bad in (dict(head="seq2seq"), dict(window_norm="mean"),
                dict(bidirectional_encoder=True)):
        with pytest.raises(ConfigError, match="stateful=True does not combine"):
            Fixed(stateful=True, **bad).fit(df)


def echo_series(n=2560, period=32, delay=24, seed=0) -> pd.DataFrame:
    """A sine with, once per period, a small event of random sign and, ``delay`` steps later, a
    large echo of the same sign: only a model that remembers the event can foresee the echo."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = np.sin(2 * np.pi * t / period) + 0.05 * rng.standard_normal(n)
    for start in range(0, n - period, period):
        sign = rng.choice([-1.0, 1.0])
        y[start + 2] += 0.5 * sign  # the event
        y[start + 2 + delay] += 4.0 * sign  # its echo
    return pd.DataFrame({"y": y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


@pytest.mark.parametrize("seed", [0, 1])
def test_stateful_remembers_an_event_beyond_four_lookbacks(seed):
    """Proof 4: the echo follows its event 24 steps later, more than 4 x lookback (5) but within
    bptt (40); the stateful forecaster's held-out RMSE is at most half the stateless one's."""
    df = echo_series(seed=seed)
    split = int(0.8 * len(df))
    common = dict(lookback=5, horizon=3, hidden_size=32, epochs=100, lr=3e-3, loss="mse",
                  random_state=seed, device="cpu")
    stateless = Fixed(**common, batch_size=256).fit(df.iloc[:split])
    stateful = Fixed(**common, stateful=True, batch_size=2).fit(df.iloc[:split])
    assert stateful._runner().bptt > 24 > 4 * 5
    a = stateless.backtest(df, start=split, stride=1).summary["rmse"]
    b = stateful.backtest(df, start=split, stride=1).summary["rmse"]
    print(f"held-out RMSE, seed {seed}: stateless {a:.4f}, stateful {b:.4f}, ratio {b / a:.2f}")
    assert b <= 0.5 * a, (a, b)
