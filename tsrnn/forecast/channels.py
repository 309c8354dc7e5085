"""The input channels of a forecaster, and the fitted facts they are built from (numpy).

:class:`Channels` turns a :class:`~tsrnn.data.Panel` into the array the network reads, ``(N, C)``
float32, channels in this order: targets (log-transformed with ``target_transform="log"``),
past covariates, future covariates, all scaled per series, then calendar features. It owns
the fitted attributes of that step, which :class:`~tsrnn.RNNForecaster` exposes under their
sklearn names (``roles_``, ``freq_``, ``target_names_``, ``scaler_``, ``ids_``, ``context_``):

- :meth:`fit` fits the per-series scaler on each series' training rows only and keeps the last
  ``lookback`` raw rows of every series (the *context*), so ``predict()`` needs no data;
- :meth:`encode` scales any panel: a series seen in ``fit`` with its fitted statistics, a new
  one with its own (:meth:`scaler_for`);
- :meth:`unscale` maps scaled forecasts ``(n, h, K)`` or quantiles ``(n, h, K, Q)`` back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DataError
from ..data import (
    Panel,
    Roles,
    Scaler,
    calendar_feature_names,
    calendar_features,
    future_index,
    read_like,
    to_panel,
)
from ..data.checks import series_label
from ..data.missing import carry_forward
from .missing import read_checked
from .statics import Statics
from .transforms import per_value

__all__ = ["Channels", "kept_by_channels"]


class Channels:
    """Builds the network's input channels; holds the per-series scaler and the context.

    Parameters
    ----------
    roles : Roles
        Column roles found by reading the training data.
    freq : str or None
        Frequency of the data (None: integer steps).
    lookback : int
        Rows of context kept per series.
    scaler : {"standard", "robust", "minmax", None}
        Per-series scaling method.
    target_transform : {None, "log"}
        Transform of the targets before scaling.
    time_features : bool
        Whether calendar features are appended.
    missing : {"mask", "raise"}, default="raise"
        Whether later data may hold NaN (see :mod:`tsrnn.forecast.missing`).
    id_embedding : bool, default=False
        Whether the network learns an embedding of each series id (see
        :mod:`tsrnn.forecast.statics`, which also encodes ``roles.static``).
    static_mode : {"state", "input"}, default="state"
        How static covariates condition the network (see :mod:`tsrnn.nn.statics`).
    """

    def __init__(self, roles: Roles, freq, lookback: int, scaler, target_transform,
                 time_features: bool, missing: str = "raise", id_embedding: bool = False,
                 static_mode: str = "state"):
        self.roles, self.freq, self.lookback = roles, freq, lookback
        self.method, self.target_transform = scaler, target_transform
        self.time_features, self.missing = time_features, missing
        self.id_embedding = bool(id_embedding)
        self.target_names = list(roles.target)
        self.statics: Statics | None = None
        self.static_mode = static_mode

    @classmethod
    def of(cls, roles: Roles, freq, c) -> Channels:
        """The channels of a forecaster with the resolved configuration ``c``."""
        return cls(roles, freq, c["lookback"], c["scaler"], c["target_transform"],
                   c["time_features"], c.get("missing", "raise"), c.get("id_embedding", False),
                   c.get("static_mode", "state"))

    # -- layout -----------------------------------------------------------------------------

    @property
    def n_targets(self) -> int:
        return len(self.roles.target)

    @property
    def n_calendar(self) -> int:
        return len(calendar_feature_names(self.freq)) if self.time_features else 0

    @property
    def future_cols(self) -> list[int]:
        """Input channels known ahead: future covariates, then calendar features."""
        k, p, f = len(self.roles.target), len(self.roles.past), len(self.roles.future)
        return list(range(k + p, k + p + f + self.n_calendar))

    def calendar(self, index: pd.Index) -> np.ndarray:
        if not self.time_features:
            return np.zeros((len(index), 0), np.float32)
        return calendar_features(index, self.freq)

    def read(self, data, name: str = "data", static=None) -> Panel:
        """``data`` read with the fitted roles and frequency (NaN only with missing="mask";
        static covariates from ``data`` or the frame ``static``, when it has them)."""
        return read_checked(lambda: read_like(data, self.roles, self.freq, name, static,
                                              allow_nan=self.missing == "mask"),
                            "fit with missing='mask'")

    def static_dims(self) -> dict:
        """The static fields of the network's configuration (none without statics)."""
        return {} if self.statics is None else self.statics.net_dims(self.static_mode)

    def static_rows(self, panel: Panel | None) -> np.ndarray | None:
        """Encoded static covariates of every series of ``panel`` (None: the training series),
        ``(S, n_static)`` float32; None for a model without them."""
        if self.statics is None:
            return None
        return self.statics.codes if panel is None else self.statics.rows(panel, self.ids)

    # -- fit ----------------------------------------------------------------------------------

    def fit(self, panel: Panel, fit_rows: np.ndarray, pads: np.ndarray | None = None
            ) -> np.ndarray:
        """Fit the scaler on the first ``fit_rows`` of each series (after its first ``pads``
        rows, which padding invented), keep the context, and return the panel's channels
        ``(N, C)``."""
        raw = self.raw_blocks(panel)
        if pads is None or not pads.any():
            self.scaler = Scaler(self.method).fit(raw, panel.lengths, fit_rows)
        else:
            real = np.concatenate([np.arange(panel.series(i).start + p, panel.series(i).stop)
                                   for i, p in enumerate(pads)])
            self.scaler = Scaler(self.method).fit(raw[real], panel.lengths - pads,
                                                  np.asarray(fit_rows) - pads)
        self.ids = list(panel.ids)
        if self.roles.static or self.id_embedding:
            self.statics = Statics(self.roles.static, self.id_embedding).fit(panel.static,
                                                                             self.ids)
        values = self.encode(panel, raw, np.arange(panel.n_series))
        L = self.lookback
        last = [slice(s.stop - L, s.stop) for s in map(panel.series, range(panel.n_series))]
        pick = (lambda a: None if a is None else np.stack([a[r] for r in last]).astype(  # noqa: E731
            np.float64))
        self.context = {"target": pick(panel.target), "past": pick(panel.past),
                        "future": pick(panel.future), "index": [ix[-L:] for ix in panel.index]}
        return values

    def raw_blocks(self, panel: Panel) -> np.ndarray:
        """Targets (log-transformed if asked), past and future covariates side by side:
        ``(N, K + P + Fu)``."""
        target = panel.target
        if self.target_transform:
            target = _log_targets(panel, self.target_transform)
        blocks = [b for b in (target, panel.past, panel.future) if b is not None]
        return np.concatenate(blocks, axis=1, dtype=np.float64)  # one allocation, no astype copy

    def encode(self, panel: Panel, raw: np.ndarray, series_idx: np.ndarray,
               scaler: Scaler | None = None) -> np.ndarray:
        """Scaled channels ``(N, C)``: targets, past, future covariates, calendar features."""
        scaler = scaler or self.scaler
        k, offsets = raw.shape[1], panel.offsets
        out = np.empty((len(raw), k + self.n_calendar), dtype=np.float32)  # (N, C)
        for i, j in enumerate(series_idx):  # series by series: no (N, C) float64 temporaries
            rows = slice(int(offsets[i]), int(offsets[i + 1]))
            scaled = raw[rows] - scaler.center_[j]
            scaled /= scaler.scale_[j]
            out[rows, :k] = scaled
            out[rows, k:] = self.calendar(panel.index[i])
        return carry_forward(out, offsets, self.future_cols[: len(self.roles.future)])

    def scaler_for(self, panel: Panel) -> tuple[Scaler, np.ndarray]:
        """Fitted statistics for known series, each new series' own for the others."""
        known = {sid: i for i, sid in enumerate(self.ids)}
        raw = self.raw_blocks(panel)
        scaler = Scaler(self.method)
        centers, scales = [], []
        for i, sid in enumerate(panel.ids):
            if sid in known:
                centers.append(self.scaler.center_[known[sid]])
                scales.append(self.scaler.scale_[known[sid]])
            else:
                c, s = scaler.fit_one(raw[panel.series(i)])
                centers.append(c)
                scales.append(s)
        scaler.center_, scaler.scale_ = np.array(centers), np.array(scales)
        return scaler, np.arange(panel.n_series)

    def panel_values(self, panel: Panel) -> tuple[np.ndarray, np.ndarray, Scaler]:
        """``(channels (N, C), scaler rows, scaler)`` of any panel (see :meth:`scaler_for`)."""
        scaler, idx = self.scaler_for(panel)
        return self.encode(panel, self.raw_blocks(panel), idx, scaler), idx, scaler

    # -- the windows to forecast from --------------------------------------------------------

    def context_windows(self):
        """(ids, per-series index, scaled windows ``(S, L, C)``, scaler rows, None) from the
        kept context: the end of the training data."""
        ctx, L = self.context, self.lookback
        blocks = [b for b in (ctx["target"], ctx["past"], ctx["future"]) if b is not None]
        raw = np.concatenate(blocks, axis=2).astype(np.float64)  # (S, L, K+P+Fu)
        if self.target_transform:  # the context keeps the data as given
            log = np.log1p if self.target_transform == "log1p" else np.log
            raw[..., : self.n_targets] = log(raw[..., : self.n_targets])
        panel = Panel(self.ids, ctx["index"], np.full(len(self.ids), L),
                      raw[..., 0].reshape(-1, 1), None, None, self.freq, self.roles)
        idx = np.arange(len(self.ids))
        x = self.encode(panel, raw.reshape(-1, raw.shape[2]), idx)
        return self.ids, ctx["index"], x.reshape(len(idx), L, -1), idx, None

    def last_windows(self, panel: Panel):
        """As :meth:`context_windows`, from the last ``lookback`` rows of each series of
        ``panel`` (with the panel's own scaler)."""
        L = self.lookback
        for i, n in enumerate(panel.lengths):
            if n < L:
                raise DataError(f"{series_label(panel.ids[i])} has {n} rows; forecasting needs "
                                f"the last lookback {L} rows")
        values, idx, scaler = self.panel_values(panel)
        ends = panel.offsets[1:]
        x = values[ends[:, None] - L + np.arange(L)]  # the last L rows: (S, L, C)
        return panel.ids, [ix[-L:] for ix in panel.index], x, idx, scaler

    def future_inputs(self, ids, index, steps: int, horizon: int, future_covariates, idx,
                      scaler) -> np.ndarray:
        """Known-ahead channels for ``steps`` forecast steps of each series, ``(S, steps,
        Fu + cal)``: the given future covariates (scaled) and the calendar features."""
        given = self._read_future(future_covariates)
        fut = []
        for i, sid in enumerate(ids):
            stamps = future_index(index[i][-1], self.freq, steps)
            cols = [self.calendar(stamps)]
            if given is not None:
                cols.insert(0, self._future_rows(given, sid, stamps, horizon, idx[i], scaler))
            fut.append(np.concatenate(cols, axis=1))
        return np.stack(fut).astype(np.float32)

    def _read_future(self, frame) -> Panel | None:
        names, roles = self.roles.future, self.roles
        if not names:
            return None
        if frame is None:
            raise DataError(f"the model uses future covariates {names}; pass "
                            "future_covariates= with their values for the forecast steps")
        return to_panel(frame, target=[], time_col=roles.time_col, id_col=roles.id_col,
                        future_covariates=names, freq=self.freq, name="future_covariates")

    def _future_rows(self, panel: Panel, sid, stamps, horizon: int, row: int,
                     scaler) -> np.ndarray:
        if sid not in panel.ids:
            raise DataError(f"future_covariates has no rows for series {sid!r}")
        j = panel.ids.index(sid)
        have = pd.Series(range(panel.lengths[j]), index=panel.index[j])
        missing = stamps[:horizon].difference(have.index)
        if len(missing):
            raise DataError(f"future_covariates lacks {len(missing)} forecast step(s) for series "
                            f"{sid!r}, first {missing[0]}; give all {horizon} steps")
        rows = panel.future[panel.series(j)][have.reindex(stamps).ffill().astype(int).to_numpy()]
        k, p = len(self.roles.target), len(self.roles.past)
        s = scaler or self.scaler
        cols = slice(k + p, k + p + len(self.roles.future))
        return (rows - s.center_[row, cols]) / s.scale_[row, cols]

    def origin_future(self, panel: Panel, values: np.ndarray, i: int, origin: int,
                      steps: int) -> np.ndarray:
        """Known-ahead channels after row ``origin`` of series ``i``, read from the data
        itself (the last row repeated past its end): ``(steps, Fu + cal)``."""
        stamps = future_index(panel.index[i][origin - 1], self.freq, steps)
        n_cov, n = len(self.roles.future), int(panel.lengths[i])
        rows = int(panel.offsets[i]) + np.minimum(origin + np.arange(steps), n - 1)
        cov = (values[rows][:, self.future_cols[:n_cov]] if n_cov
               else np.zeros((steps, 0), np.float32))
        return np.concatenate([cov, self.calendar(stamps)], axis=1).astype(np.float32)

    def unscale(self, values: np.ndarray, idx: np.ndarray, scaler: Scaler | None) -> np.ndarray:
        """Scaled forecasts of the series ``idx`` back on the data's scale (``exp`` after a log
        target transform)."""
        s, k = scaler or self.scaler, self.n_targets
        scale, center = s.scale_[idx, None, :k], s.center_[idx, None, :k]  # (n, 1, K)
        out = values * per_value(scale, values) + per_value(center, values)
        if self.target_transform:
            with np.errstate(over="ignore"):
                # log1p was fitted on targets >= 0: no forecast below 0 (expm1 reaches -1)
                out = (np.maximum(np.expm1(out), 0.0) if self.target_transform == "log1p"
                       else np.exp(out))
        return out

    def continuation(self, new_rows, name: str = "new_rows") -> tuple[Panel, np.ndarray]:
        """``new_rows`` read with the fitted roles, and the positions of their series among
        the fitted ones; DataError for a series not seen in fit, or for rows that overlap or
        leave a gap after the last row of their series (naming the expected first row)."""
        panel = self.read(new_rows, name)
        known = {sid: i for i, sid in enumerate(self.ids)}
        unknown = [sid for sid in panel.ids if sid not in known]
        if unknown:
            raise DataError(f"update() got series {unknown[:3]} not seen in fit; forecast new "
                            "series with predict(data)")
        idx = np.array([known[sid] for sid in panel.ids])
        for j, i in enumerate(idx):
            last = self.context["index"][i][-1]
            expected = future_index(last, self.freq, 1)[0]
            if panel.index[j][0] != expected:
                raise DataError(f"update() rows of series {panel.ids[j]!r} start at "
                                f"{panel.index[j][0]}, but the series ended at {last}; give "
                                f"the rows from {expected} on")
        return panel, idx

    def with_context(self, panel: Panel, idx: np.ndarray) -> Panel:
        """``panel`` (rows that continue the series ``idx``) with each series' kept context in
        front: what the windows that end in the new rows read."""
        ctx, blocks, index = self.context, {"target": [], "past": [], "future": []}, []
        for j, i in enumerate(idx):
            for name, parts in blocks.items():
                if getattr(panel, name) is not None:
                    parts.append(np.concatenate([ctx[name][i], getattr(panel, name)[
                        panel.series(j)]]))
            index.append(ctx["index"][i].append(panel.index[j]))
        joined = {k: np.concatenate(v) if v else None for k, v in blocks.items()}
        return Panel(list(panel.ids), index, np.array([len(ix) for ix in index]),
                     joined["target"], joined["past"], joined["future"], panel.freq, panel.roles,
                     panel.static)

    def history(self, panel: Panel | None) -> list:
        """The raw target history of every series: the kept context (None), or ``panel``'s."""
        if panel is None:
            return list(self.context["target"])
        return [panel.target[panel.series(i)] for i in range(panel.n_series)]

    def extend_context(self, panel: Panel, idx: np.ndarray) -> None:
        """Append the rows of ``panel`` (series ``idx``) to the context, keeping ``lookback``."""
        L = self.lookback
        for name, block in (("target", panel.target), ("past", panel.past),
                            ("future", panel.future)):
            if block is None:
                continue
            for j, i in enumerate(idx):
                merged = np.concatenate([self.context[name][i], block[panel.series(j)]])
                self.context[name][i] = merged[-L:]
        for j, i in enumerate(idx):
            self.context["index"][i] = self.context["index"][i].append(panel.index[j])[-L:]


def _log_targets(panel: Panel, how: str) -> np.ndarray:
    """``log`` (targets > 0) or ``log1p`` (targets >= 0) of the targets."""
    if how == "log1p":
        bad = ~(panel.target >= 0) & ~np.isnan(panel.target)
        if bad.any():
            row = int(np.flatnonzero(bad.any(axis=1))[0])
            i = int(np.searchsorted(panel.offsets, row, side="right") - 1)
            raise DataError(f"target_transform='log1p' needs targets >= 0, but "
                            f"{series_label(panel.ids[i])} holds "
                            f"{panel.target[row][bad[row]][0]!r}; use target_transform=None")
        return np.log1p(panel.target)
    bad = ~(panel.target > 0) & ~np.isnan(panel.target)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        i = int(np.searchsorted(panel.offsets, row, side="right") - 1)
        raise DataError(f"target_transform='log' needs targets > 0, but "
                        f"{series_label(panel.ids[i])} holds {panel.target[row][bad[row]][0]!r}; "
                        "use target_transform=None or shift the data to positive values")
    return np.log(panel.target)


def kept_by_channels(name: str, doc: str) -> property:
    """A forecaster's fitted attribute that its ``channels_`` keep (``roles_``, ``scaler_``)."""
    return property(lambda self: getattr(self.channels_, name), doc=doc)
