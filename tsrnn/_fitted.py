"""``NotFittedError`` and the check that raises it: the one tsrnn error that is also
scikit-learn's, kept apart from :mod:`tsrnn._validation` because importing scikit-learn takes
seconds, and the code that reads and checks data (the CLI's first step) does not need it."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

from ._validation import TsrnnError

__all__ = ["NotFittedError", "check_fitted"]


class NotFittedError(TsrnnError, _SklearnNotFittedError):
    """A method that needs a fitted estimator was called before ``fit`` (also a scikit-learn
    ``NotFittedError``, so ``except`` clauses written for scikit-learn keep working)."""


def check_fitted(estimator: object, attribute: str, action: str = "predicting") -> None:
    """Raise NotFittedError naming ``estimator``'s class if it lacks the fitted ``attribute``."""
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise NotFittedError(f"this {name} is not fitted yet; call fit(...) before {action}")
