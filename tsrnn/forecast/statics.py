"""The static covariates a forecaster was fitted with, as the numbers its network reads (numpy).

:class:`Statics` is fitted on the static table of the training panel (one row per series, see
:mod:`tsrnn.data.statics`) and encodes any such table as ``(S, n_categories + n_numbers)``
float32, the layout :mod:`tsrnn.nn.statics` expects:

- a categorical column (text, categorical, bool) becomes the code of its value in the sorted
  categories seen in fit; a category not seen in fit becomes ``-1``, which the network reads
  as the mean of its learned embeddings (with a warning naming the value);
- with ``id_embedding=True``, the series id is one more categorical column: every series of
  the training data gets its own learned embedding; a series not seen in fit gets the mean;
- a numeric column is standardised with the mean and standard deviation over the training
  series.

:meth:`rows` gives the rows of the series of any panel: from the panel's own static columns
when it has them, else the fitted rows of the series seen in fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validation import DataError
from ..data.checks import series_label
from ..data.statics import is_categorical

__all__ = ["Statics", "UnseenCategoryWarning"]

ID = "series id"  # the name of the id column, when id_embedding is on


class UnseenCategoryWarning(UserWarning):
    """A static category (or series id) not seen in fit: it gets the mean embedding."""


class Statics:
    """Category codes and standardised numbers of static covariates (see the module docstring).

    Parameters
    ----------
    columns : list
        The static covariate columns, as in ``roles.static``.
    id_embedding : bool
        Whether the series id is a categorical column too.
    """

    def __init__(self, columns: list, id_embedding: bool):
        self.columns, self.id_embedding = list(columns), bool(id_embedding)

    # -- fit ---------------------------------------------------------------------------------

    def fit(self, table: pd.DataFrame | None, ids: list) -> Statics:
        """Learn the categories and number statistics of ``table`` (series ``ids``) and keep
        the encoded rows of the training series (``codes``)."""
        table = self._with_ids(table, ids)
        self.categories = {c: sorted(map(str, table[c].unique())) for c in table.columns
                           if c == ID or is_categorical(table[c])}
        numbers = [c for c in table.columns if c not in self.categories]
        values = table[numbers].to_numpy(np.float64) if numbers else np.zeros((len(table), 0))
        self.numbers = numbers
        self.center = values.mean(axis=0)
        spread = values.std(axis=0)
        self.scale = np.where(spread > 0, spread, 1.0)
        self.codes = self.encode(table.drop(columns=[ID], errors="ignore"), ids)
        return self

    def _with_ids(self, table: pd.DataFrame | None, ids: list) -> pd.DataFrame:
        table = pd.DataFrame(index=range(len(ids))) if table is None else table.copy()
        if self.id_embedding:
            table[ID] = [str(sid) for sid in ids]
        return table

    @property
    def cards(self) -> tuple[int, ...]:
        """Number of categories of each categorical column, in encoding order."""
        return tuple(len(v) for v in self.categories.values())

    def net_dims(self, mode: str) -> dict:
        """The static fields of the network's configuration (:class:`~tsrnn.nn.NetConfig`)."""
        return dict(static_cards=self.cards, static_numbers=len(self.numbers), static_mode=mode)

    # -- encode ------------------------------------------------------------------------------

    def encode(self, table: pd.DataFrame, ids: list) -> np.ndarray:
        """``(S, n_categories + n_numbers)`` float32 of a static table of the series ``ids``."""
        table = self._with_ids(table, ids)
        cols = []
        for name, known in self.categories.items():
            lookup = {v: i for i, v in enumerate(known)}
            values = table[name].map(str)
            codes = values.map(lookup)
            unseen = values[codes.isna()].unique().tolist()
            if unseen:
                what = (f"series {unseen[0]!r} was" if name == ID else
                        f"category {unseen[0]!r} of static covariate {name!r} was")
                warnings.warn(f"{what} not seen in fit ({len(unseen)} such); it gets the mean "
                              "of the learned embeddings", UnseenCategoryWarning, stacklevel=4)
            cols.append(codes.fillna(-1).to_numpy(np.float64))
        if self.numbers:
            numbers = table[self.numbers].to_numpy(np.float64)
            cols.extend(((numbers - self.center) / self.scale).T)
        out = np.stack(cols, axis=1) if cols else np.zeros((len(table), 0))
        return out.astype(np.float32)

    def rows(self, panel, fitted_ids: list) -> np.ndarray:
        """The encoded rows of the series of ``panel``: its own static table, else (for the
        series seen in fit) the fitted rows; DataError for a new series without one."""
        if panel.static is not None:
            return self.encode(panel.static, panel.ids)
        known = {sid: i for i, sid in enumerate(fitted_ids)}
        new = [sid for sid in panel.ids if sid not in known]
        if new and self.columns:
            raise DataError(f"{series_label(new[0])} was not seen in fit, so its static "
                            f"covariates {self.columns} are unknown; give them as columns of "
                            "data (or static=)")
        if new:  # the id embedding alone: a new series gets the mean embedding
            return self.encode(None, panel.ids)
        return self.codes[[known[sid] for sid in panel.ids]]

    # -- files -------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {"columns": self.columns, "id_embedding": self.id_embedding,
                "categories": [[k, v] for k, v in self.categories.items()],
                "numbers": self.numbers, "center": self.center.tolist(),
                "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict, codes: np.ndarray) -> Statics:
        out = cls(d["columns"], d["id_embedding"])
        out.categories = {k: list(map(str, v)) for k, v in d["categories"]}
        out.numbers = list(d["numbers"])
        out.center = np.asarray(d["center"], np.float64)
        out.scale = np.asarray(d["scale"], np.float64)
        out.codes = np.asarray(codes, np.float32)
        if out.codes.shape[1] != len(out.categories) + len(out.numbers):
            raise ValueError(f"static.codes has {out.codes.shape[1]} columns, expected "
                             f"{len(out.categories) + len(out.numbers)}")
        return out
