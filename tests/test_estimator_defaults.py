"""RNNRegressor and RNNClassifier with default parameters: they pass every sklearn estimator
check, and the data-dependent defaults (``epochs="auto"``, input scaling) are resolved in fit."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_estimator

from tsrnn import RNNClassifier, RNNRegressor
from tsrnn.data import sliding_windows
from tsrnn.estimators.sequence import AUTO_EPOCHS, AUTO_STEPS, auto_epochs


@pytest.mark.parametrize("cls", [RNNRegressor, RNNClassifier], ids=lambda c: c.__name__)
def test_check_estimator_passes_with_default_parameters(cls):
    # the checks seed what they fit themselves (random_state=0); conftest seeds torch
    results = check_estimator(cls(), on_fail=None)
    failed = [(r["check_name"], repr(r["exception"])) for r in results if r["status"] == "failed"]
    assert failed == []
    assert any(r["check_name"] == ("check_regressors_train" if cls is RNNRegressor
                                   else "check_classifiers_train") for r in results)


def _noisy_seasonal_windows():
    """Next-step prediction on a raw-scale series (level 50, two seasons, unit noise)."""
    rng = np.random.default_rng(0)
    t = np.arange(700)
    series = (50 + 10 * np.sin(2 * np.pi * t / 24) + 4 * np.sin(2 * np.pi * t / 7)
              + rng.normal(0, 1, t.size)).astype("float32")
    w = sliding_windows(series, lookback=24, horizon=1)
    return np.asarray(w.inputs[..., 0]), np.asarray(w.targets[:, 0, 0])


def test_default_regressor_beats_the_mean_on_held_out_windows():
    X, y = _noisy_seasonal_windows()
    n = int(0.75 * len(X))  # train on the past, score on the most recent quarter
    model = RNNRegressor(random_state=0, device="cpu").fit(X[:n], y[:n])
    mse = float(np.mean((model.predict(X[n:]) - y[n:]) ** 2))
    mean_mse = float(np.mean((y[:n].mean() - y[n:]) ** 2))
    assert mean_mse > 50
    assert mse < 0.05 * mean_mse  # measured: 1.37 against 59.1
    assert mse < 2.0  # the noise variance is 1


def test_auto_epochs_follow_the_data_size():
    low, high = AUTO_EPOCHS
    assert auto_epochs(200, 32) == 72  # 7 steps a pass -> about AUTO_STEPS steps
    assert auto_epochs(200, 32) * 7 >= AUTO_STEPS
    assert auto_epochs(10, 32) == high  # one step a pass: capped
    assert auto_epochs(100_000, 32) == low  # thousands of steps a pass: a floor of passes
    doc = RNNRegressor.__doc__
    assert f"about {AUTO_STEPS} optimiser steps, at least {low} and at most {high}" in doc


def test_auto_epochs_resolved_in_fit_while_get_params_keeps_auto():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.normal(size=64)
    model = RNNRegressor(hidden_size=4, random_state=0, device="cpu")
    model.fit(X, y)
    assert model.get_params()["epochs"] == "auto"
    assert clone(model).get_params()["epochs"] == "auto"
    assert model.epochs_ == auto_epochs(64, 32) == model.n_epochs_ == len(model.history_)
    model.set_params(epochs=3).fit(X, y)
    assert model.epochs_ == model.n_epochs_ == 3
    stopped = RNNRegressor(hidden_size=4, early_stopping=True, validation_fraction=0.25,
                           random_state=0, device="cpu").fit(X, y)
    assert stopped.epochs_ == auto_epochs(48, 32)  # the budget of the training part only
    with pytest.raises(ValueError, match="epochs"):
        RNNRegressor(epochs="many").fit(X, y)


def test_inputs_are_standardised_so_their_scale_does_not_matter():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 6, 2)).astype("float32")
    y = X[:, -1, 0] - X[:, 0, 1]
    params = dict(hidden_size=8, epochs=4, random_state=0, device="cpu")
    model = RNNRegressor(**params).fit(X, y)
    np.testing.assert_allclose(model.x_mean_, X.reshape(-1, 2).mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(model.x_scale_, X.reshape(-1, 2).std(axis=0), rtol=1e-5)
    shifted = X * np.float32(100) + np.float32(1000)  # raw values far from unit scale
    again = RNNRegressor(**params).fit(shifted, y)
    np.testing.assert_allclose(again.predict(shifted), model.predict(X), atol=1e-3)
    raw = RNNRegressor(scale_inputs=False, **params).fit(X, y)
    assert raw.x_mean_ is None and raw.x_scale_ is None


def test_constant_features_and_token_ids_are_not_scaled():
    X = np.ones((8, 4))
    model = RNNRegressor(hidden_size=4, epochs=1, random_state=0, device="cpu")
    model.fit(X, np.arange(8.0))
    assert model.x_scale_.tolist() == [1.0]
    tokens = np.array([[1, 2, 3], [3, 2, 0], [2, 1, 0], [1, 3, 2]])
    clf = RNNClassifier(embedding_dim=4, hidden_size=4, epochs=1, random_state=0,
                        device="cpu").fit(tokens, [0, 1, 0, 1])
    assert clf.x_mean_ is None and clf.x_scale_ is None
