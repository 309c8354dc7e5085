"""RNNRegressor and RNNClassifier learning real mappings, with sklearn tooling around them."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from tsrnn import ConfigError, DataError, RNNClassifier, RNNRegressor, TrainingError
from tsrnn.data import sliding_windows

FAST = dict(hidden_size=24, random_state=0, device="cpu")


def _encode(words, alphabet):
    """Token ids (1-based, 0 = padding) of ``words``, right-padded to the longest."""
    ids = {c: i + 1 for i, c in enumerate(alphabet)}
    width = max(map(len, words))
    return np.array([[ids[c] for c in w] + [0] * (width - len(w)) for w in words])


PAIRS = [("hello", "ohlol"), ("beyond", "ynbode")]
ALPHABET = sorted(set("".join(a + b for a, b in PAIRS)))


def test_char_transduction_with_embedding_and_padding():
    X = _encode([a for a, _ in PAIRS], ALPHABET)  # (2, 6), "hello" padded with one 0
    y = np.array([list(b.ljust(6, "-")) for _, b in PAIRS])  # "-" sits in the padding only
    clf = RNNClassifier(head="per_step", embedding_dim=8, epochs=150, lr=0.03, **FAST)
    clf.fit(X, y)
    assert "-" not in clf.classes_
    pred = clf.predict(X)
    assert "".join(pred[0, :5]) == "ohlol"
    assert "".join(pred[1]) == "ynbode"
    assert clf.score(X, y) == 1.0


@pytest.mark.parametrize("src, tgt", PAIRS)
def test_char_transduction_with_one_hot_input(src, tgt):
    X = np.eye(len(ALPHABET) + 1, dtype=np.float32)[_encode([src], ALPHABET)]  # (1, L, V)
    y = np.array([list(tgt)])
    clf = RNNClassifier(head="per_step", epochs=150, lr=0.03, **FAST).fit(X, y)
    assert "".join(clf.predict(X)[0]) == tgt


def _sine_windows(n=2000, period=16, noise=0.05, lookback=24):
    rng = np.random.default_rng(0)
    t = np.arange(n)
    series = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)
    w = sliding_windows(series.astype(np.float32), lookback, 1)
    X, y = w.inputs[..., 0], w.targets[:, 0, 0]
    split = int(0.8 * len(X))
    return X[:split], y[:split], X[split:], y[split:]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_noisy_sine_beats_last_value_by_half(cell):
    X_tr, y_tr, X_te, y_te = _sine_windows()
    model = RNNRegressor(cell=cell, epochs=8, lr=5e-3, **FAST).fit(X_tr, y_tr)
    rmse = np.sqrt(np.mean((model.predict(X_te) - y_te) ** 2))
    baseline = np.sqrt(np.mean((X_te[:, -1] - y_te) ** 2))
    print(f"{cell}: RMSE {rmse:.4f}, last-value baseline {baseline:.4f}")
    assert rmse <= 0.5 * baseline


def _seasonal_6_to_6(n=720, period=12):
    rng = np.random.default_rng(1)
    t = np.arange(n)
    series = 10 * np.sin(2 * np.pi * t / period) + 0.002 * t + rng.standard_normal(n)
    w = sliding_windows(series.astype(np.float32), 6, 6)
    X, y = w.inputs[..., 0], w.targets[..., 0]
    split = int(0.8 * len(X))
    # seasonal naive: the value one period before each target step
    starts = np.arange(len(X)) + 6
    snaive = series[starts[:, None] + np.arange(6) - period]
    return X[:split], y[:split], X[split:], y[split:], snaive[split:]


@pytest.mark.parametrize("head", ["last", "encoder_decoder"])
def test_six_to_six_beats_seasonal_naive(head):
    X_tr, y_tr, X_te, y_te, snaive = _seasonal_6_to_6()
    model = RNNRegressor(head=head, epochs=40, lr=5e-3, **FAST).fit(X_tr, y_tr)
    pred = model.predict(X_te)
    assert pred.shape == y_te.shape == (len(X_te), 6)
    mae, naive_mae = np.mean(np.abs(pred - y_te)), np.mean(np.abs(snaive - y_te))
    print(f"{head}: MAE {mae:.3f}, seasonal naive {naive_mae:.3f}")
    assert mae < naive_mae


def test_multifeature_per_step_regression_shapes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 10, 3)).astype(np.float32)
    y = np.cumsum(X[..., :2], axis=1)  # (64, 10, 2): running sums, one per step
    model = RNNRegressor(head="per_step", epochs=30, lr=1e-2, **FAST).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (64, 10, 2)
    assert np.mean((pred - y) ** 2) < 0.1 * np.var(y)


def test_fit_restarts_and_partial_fit_continues():
    X_tr, y_tr, _, _ = _sine_windows(n=600)
    model = RNNRegressor(epochs=3, **FAST).fit(X_tr, y_tr)
    first = model.history_[-1]["train_loss"]
    model.partial_fit(X_tr, y_tr)
    assert len(model.history_) == 4 and model.history_[-1]["train_loss"] < first
    model.fit(X_tr, y_tr)
    assert len(model.history_) == 3


def test_same_seed_is_bitwise_repeatable_and_other_seed_differs():
    X_tr, y_tr, X_te, _ = _sine_windows(n=500)
    a = RNNRegressor(epochs=2, dropout=0.2, num_layers=2, **FAST).fit(X_tr, y_tr).predict(X_te)
    b = RNNRegressor(epochs=2, dropout=0.2, num_layers=2, **FAST).fit(X_tr, y_tr).predict(X_te)
    params = dict(FAST, random_state=1)
    c = RNNRegressor(epochs=2, dropout=0.2, num_layers=2, **params).fit(X_tr, y_tr).predict(X_te)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_pickle_and_clone():
    X_tr, y_tr, X_te, _ = _sine_windows(n=500)
    model = RNNRegressor(epochs=2, **FAST).fit(X_tr, y_tr)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X_te), model.predict(X_te))
    restored.partial_fit(X_tr, y_tr)  # the optimiser state came along
    fresh = clone(model)
    assert not hasattr(fresh, "network_") and fresh.get_params() == model.get_params()


def test_grid_search_with_time_series_split():
    X_tr, y_tr, X_te, y_te = _sine_windows(n=800)
    search = GridSearchCV(
        RNNRegressor(epochs=5, lr=1e-2, **FAST),
        {"cell": ["gru", "lstm"], "hidden_size": [8, 16]},
        cv=TimeSeriesSplit(3),
        scoring="neg_root_mean_squared_error",
    )
    search.fit(X_tr, y_tr)
    assert set(search.best_params_) == {"cell", "hidden_size"}
    assert len(search.cv_results_["mean_test_score"]) == 4
    last_value_rmse = np.sqrt(np.mean((X_te[:, -1] - y_te) ** 2))
    assert -search.score(X_te, y_te) < last_value_rmse


def test_early_stopping_uses_the_most_recent_samples_and_restores_best():
    X_tr, y_tr, _, _ = _sine_windows(n=800)
    model = RNNRegressor(epochs=60, early_stopping=True, patience=3, validation_fraction=0.2,
                         lr=0.05, **FAST).fit(X_tr, y_tr)
    losses = [r["val_loss"] for r in model.history_]
    assert len(losses) < 60  # it stopped
    assert min(losses) == losses[-1 - 3]  # best epoch was `patience` epochs before the end


def test_huge_learning_rate_raises_training_error_naming_the_epoch():
    X_tr, y_tr, _, _ = _sine_windows(n=400)
    model = RNNRegressor(cell="rnn", nonlinearity="relu", lr=1e12, clip_grad=None, epochs=5,
                         **FAST)
    with pytest.raises(TrainingError, match=r"in epoch \d+; lower the learning rate"):
        model.fit(X_tr, y_tr)


@pytest.mark.parametrize("params, word", [
    ({"cell": "transformer"}, "cell"),
    ({"hidden_size": 0}, "hidden_size"),
    ({"dropout": 1.5}, "dropout"),
    ({"loss": "cross_entropy"}, "loss"),
    ({"device": "tpu"}, "device"),
])
def test_bad_parameters_are_named(params, word):
    X = np.zeros((10, 5), dtype=np.float32)
    with pytest.raises(ConfigError, match=word):
        RNNRegressor(**params).fit(X, np.zeros(10))


def test_data_errors_are_clear():
    with pytest.raises(DataError, match="3 samples but y has 4"):
        RNNRegressor(epochs=1).fit(np.zeros((3, 5)), np.zeros(4))
    with pytest.raises(DataError, match="token ids"):
        RNNClassifier(embedding_dim=4, epochs=1).fit(np.full((4, 3), 0.5), [0, 1, 0, 1])
    clf = RNNClassifier(embedding_dim=4, epochs=1, **FAST).fit(np.ones((4, 3)), [0, 1, 0, 1])
    with pytest.raises(DataError, match="token id 9 is outside the vocabulary"):
        clf.predict(np.full((2, 3), 9))


def test_verbose_progress_bar_runs(capsys):
    X_tr, y_tr, _, _ = _sine_windows(n=300)
    RNNRegressor(epochs=2, verbose=True, **FAST).fit(X_tr, y_tr)
    assert "fit" in capsys.readouterr().err
