"""tsrnn.sktime: sktime's own estimator checks, a grid search on bundled data, and the wrapper's
forecasts, quantiles and updates equal to those of the RNNForecaster it wraps."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sktime.forecasting.base import ForecastingHorizon
from sktime.forecasting.model_selection import ForecastingGridSearchCV
from sktime.split import ExpandingWindowSplitter
from sktime.utils.estimator_checks import check_estimator

from tsrnn import ConfigError, RNNForecaster, datasets
from tsrnn.sktime import QUANTILE_GRID, TsrnnForecaster, quantiles_at

TINY = {"lookback": 12, "hidden_size": 4, "head_hidden": 4, "max_steps": 6, "batch_size": 16,
        "validate": False, "n_models": 1, "random_state": 0, "season": None, "device": "cpu"}


# sktime 1.2 announces, at every fit, a change of remember_data's default
pytestmark = pytest.mark.filterwarnings("ignore:The default of config:FutureWarning")


def _houses(cities=("Abilene", "Austin")) -> pd.DataFrame:
    """Median house prices of ``cities``, as an sktime panel (city, month)."""
    frame = datasets.load("house_prices").frame
    frame = frame[frame["city"].isin(cities)]
    return frame.set_index(["city", "date"])[["median"]].astype(float)


def _one_city() -> pd.Series:
    y = _houses(("Abilene",)).droplevel("city")["median"]
    y.index = pd.PeriodIndex(y.index, freq="M")
    return y


@pytest.mark.slow
@pytest.mark.parametrize("params", TsrnnForecaster.get_test_params(),
                         ids=["gru-quantiles", "stateful-lstm-point"])
def test_sktime_check_estimator_passes_every_check(params):
    # check_estimator(TsrnnForecaster) runs these checks on exactly these two instances (its
    # get_test_params); one test each lets two pytest workers share the ~2 minutes
    results = check_estimator(TsrnnForecaster(**params), raise_exceptions=False, verbose=False)
    failed = {name: str(result)[:300] for name, result in results.items() if result != "PASSED"}
    assert len(results) > 300  # the forecaster suite ran, not just the object checks
    assert not failed, failed


def test_grid_search_with_expanding_windows_on_house_prices():
    y = _houses(("Abilene", "Austin", "Beaumont"))
    cv = ExpandingWindowSplitter(initial_window=150, step_length=12, fh=[1, 2, 3])
    search = ForecastingGridSearchCV(
        TsrnnForecaster(RNNForecaster(**TINY), quantiles=None), cv=cv,
        param_grid={"forecaster__cell": ["gru", "lstm"]}, backend=None)  # no torch per process
    search.fit(y, fh=[1, 2, 3])
    assert search.best_params_["forecaster__cell"] in ("gru", "lstm")
    assert len(search.cv_results_) == 2
    assert np.isfinite(search.cv_results_["mean_test_MeanAbsolutePercentageError"]).all()
    y_pred = search.predict()
    assert y_pred.index.get_level_values("city").unique().tolist() == [
        "Abilene", "Austin", "Beaumont"]
    assert (y_pred.index.get_level_values("date") > pd.Timestamp("2015-07-01")).all()


def _long(y: pd.DataFrame) -> pd.DataFrame:
    return y.reset_index()


def test_forecasts_equal_those_of_the_rnnforecaster_even_for_a_series_ending_early():
    y = _houses()
    y = y.drop(y.loc["Austin"].index[-2:].map(lambda t: ("Austin", t)))  # ends 2 months early
    wrapped = TsrnnForecaster(RNNForecaster(**TINY), quantiles=None).fit(y, fh=[1, 2, 3])
    plain = RNNForecaster(**TINY, horizon=3, target="median", time_col="date",
                          id_col="city").fit(_long(y))
    direct = plain.predict(horizon=5).set_index(["city", "date"])["median"]
    got = wrapped.predict()["median"]
    assert got.index.equals(pd.MultiIndex.from_product(
        [["Abilene", "Austin"], pd.date_range("2015-08-01", periods=3, freq="MS")]))
    np.testing.assert_allclose(got.to_numpy(), direct.loc[got.index].to_numpy(), rtol=1e-6)
    absolute = ForecastingHorizon(pd.date_range("2015-09-01", periods=2, freq="MS"),
                                  is_relative=False)
    np.testing.assert_allclose(wrapped.predict(absolute).to_numpy(),
                               wrapped.predict([2, 3]).to_numpy())


def test_quantiles_and_intervals_equal_the_fitted_levels_of_the_rnnforecaster():
    y = _one_city()
    wrapped = TsrnnForecaster(RNNForecaster(**TINY)).fit(y, fh=[1, 2, 3])
    frame = pd.DataFrame({"median": y.to_numpy()}, index=y.index.to_timestamp())
    plain = RNNForecaster(**TINY, horizon=3, quantiles=list(QUANTILE_GRID)).fit(frame)
    want = plain.predict_quantiles(levels=[0.05, 0.5, 0.95])
    got = wrapped.predict_quantiles(alpha=[0.05, 0.5, 0.95])
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-6)
    interval = wrapped.predict_interval(coverage=0.9)
    np.testing.assert_allclose(interval.to_numpy(), want.iloc[:, [0, 2]].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(wrapped.predict().to_numpy(), want.iloc[:, 1].to_numpy())


def test_levels_between_the_fitted_ones_are_interpolated_monotonically():
    fitted = [0.1, 0.5, 0.9]
    values = np.array([[1.0, 2.0, 4.0]])
    got = quantiles_at(values, fitted, [0.1, 0.3, 0.5, 0.7, 0.9])
    np.testing.assert_allclose(got, [[1.0, 1.5, 2.0, 3.0, 4.0]])
    with pytest.raises(ConfigError, match="0.05 lies outside the fitted levels 0.1 to 0.9"):
        quantiles_at(values, fitted, [0.05])


def test_update_adds_rows_to_the_context_without_refit_as_rnnforecaster_update_does():
    y = _one_city()
    frame = pd.DataFrame({"median": y.to_numpy()}, index=y.index.to_timestamp())
    wrapped = TsrnnForecaster(RNNForecaster(**TINY), quantiles=None).fit(y[:-6], fh=[1, 2, 3])
    before = wrapped.predict()
    wrapped.update(y[-6:], update_params=False)
    plain = RNNForecaster(**TINY, horizon=3).fit(frame[:-6]).update(frame[-6:])
    assert wrapped.cutoff[0] == y.index[-1]
    after = wrapped.predict()
    assert after.index[0] == y.index[-1] + 1
    np.testing.assert_allclose(after.to_numpy(), plain.predict()["median"].to_numpy(),
                               rtol=1e-6)
    assert not np.allclose(after.to_numpy(), before.to_numpy())
    trained = TsrnnForecaster(RNNForecaster(**TINY), quantiles=None).fit(y[:-6], fh=[1, 2, 3])
    trained.update(y[-6:], update_params=True)  # refit="partial": a few more steps
    assert not np.allclose(trained.predict().to_numpy(), after.to_numpy())


def test_update_params_of_a_stateful_model_refits_on_all_data_seen():
    y = _one_city()
    model = RNNForecaster(**TINY, stateful=True)
    updated = TsrnnForecaster(model, quantiles=None).fit(y[:-6], fh=[1, 2, 3])
    updated.update(y[-6:], update_params=True)
    fresh = TsrnnForecaster(model, quantiles=None).fit(y, fh=[1, 2, 3])
    np.testing.assert_allclose(updated.predict().to_numpy(), fresh.predict().to_numpy())


def test_the_wrapper_sets_the_roles_itself():
    with pytest.raises(ConfigError, match="sets target= of its forecaster itself"):
        TsrnnForecaster(RNNForecaster(target="median")).fit(_one_city(), fh=[1])


def test_without_sktime_the_import_names_the_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "tsrnn.sktime")
    monkeypatch.setitem(sys.modules, "sktime.forecasting.base", None)
    with pytest.raises(ImportError, match=r"pip install 'tsrnn\[sktime\]'"):
        importlib.import_module("tsrnn.sktime")


@pytest.mark.slow
def test_the_readme_sktime_example_runs():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = text.split("## sktime", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102
    assert scope["y_next"].index.get_level_values("date").min() == pd.Timestamp("2015-08-01")
    assert scope["bands"].shape == (20 * 12, 2)
    assert scope["best"]["forecaster__cell"] in ("lstm", "gru")
