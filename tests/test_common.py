"""sklearn's estimator checks on every tsrnn estimator, two tiny CPU configs each.

Expected failures (listed here with the reason, never more than 3): none.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from tsrnn import RNNClassifier, RNNRegressor

TINY = dict(hidden_size=16, batch_size=32, lr=1e-2, random_state=0, device="cpu")
CONFIGS = [
    RNNRegressor(cell="lstm", epochs=50, **TINY),
    RNNRegressor(cell="rnn", num_layers=2, head_hidden=8, loss="huber", epochs=40, **TINY),
    RNNClassifier(cell="gru", epochs=30, **TINY),
    RNNClassifier(cell="rnn", bidirectional=True, early_stopping=True, patience=5, epochs=30,
                  **TINY),
]
EXPECTED_FAILED = {}


@parametrize_with_checks(CONFIGS, expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_compatible(estimator, check):
    check(estimator)
