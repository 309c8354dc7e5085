"""Model folders saved by an earlier tsrnn still load and predict the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsrnn

SAVED = Path(__file__).parent / "data" / "models_0.1.0"


def _same(got: pd.DataFrame, expected_csv: Path) -> None:
    expected = pd.read_csv(expected_csv)
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    for col in expected.columns:
        if expected[col].dtype.kind == "f":
            np.testing.assert_allclose(got[col].to_numpy(), expected[col].to_numpy(),
                                       rtol=1e-6, atol=1e-9)
        else:
            assert got[col].astype(str).tolist() == expected[col].astype(str).tolist()


@pytest.mark.parametrize("name", ["direct", "direct_q", "stateful"])
def test_a_model_saved_by_0_1_predicts_the_same_numbers(name):
    _same(tsrnn.load(SAVED / name).predict(), SAVED / f"{name}.predict.csv")


def test_a_saved_seq2seq_quantile_model_with_covariates_predicts_the_same_numbers():
    future = pd.read_csv(SAVED / "seq2seq_q.future.csv", parse_dates=["time"])
    model = tsrnn.load(SAVED / "seq2seq_q")
    _same(model.predict(future_covariates=future), SAVED / "seq2seq_q.predict.csv")


def test_saved_quantiles_are_the_same():
    model = tsrnn.load(SAVED / "direct_q")
    _same(model.predict_quantiles(), SAVED / "direct_q.quantiles.csv")
