"""Missing values learned around (``missing="mask"``): which values a forecaster accepts, and
what the network sees of a window with gaps (torch).

``missing`` is one of :data:`MISSING`:

- ``"mask"``: NaN in the targets and covariates are allowed in ``fit``, ``predict(data=...)``,
  ``backtest`` and ``update``. Every window keeps its place (none is dropped for a gap);
  :class:`MaskedTransform` gives the network, per target and past covariate, a
  missing-indicator channel (1 where the value was missing) and the value imputed from the
  window itself (:func:`fill_window`): with a ``season``, seasonal interpolation (the last
  observation of its season plus the change over a season, interpolated from its
  neighbours: a missing peak stays a peak, so the seasonal-naive base of the residual stays
  seasonal); else linear interpolation (the nearest observed value past the window's first
  or last one; 0, the series' center, when the window has none). Only the window's own
  inputs impute, so no target leaks into an input. Missing targets are left out of the
  loss, also of the early-stopping validation loss (the window data is ``masked``). A future
  covariate is known ahead, so a gap in it is carried forward in the data (no indicator).
  The per-series scaler ignores NaN; the statistical forecasts, seasonal naive and the error
  scales read histories with their gaps interpolated
  (:func:`tsrnn.data.missing.interpolate_gaps`), and scores skip missing actuals.
  A series that ends in a gap is forecast from the step after its last row all the same: the
  indicator tells the network that the last values were imputed.
- ``"raise"``: any NaN is an error naming the value and this option (as before ``missing``).
- ``"auto"`` (the default): ``"mask"`` when the training data holds a NaN in a target or
  covariate, else ``"raise"`` (no indicator channels, the network of a model without gaps).

Stateful models carry their state through every step and have no window to mask:
``stateful=True`` with ``"mask"`` is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from .._validation import ConfigError, MissingValuesError
from ..data import Panel
from ..data.missing import has_missing
from .choices import MISSING
from .transforms import WindowStats, WindowTransform

__all__ = ["MISSING", "MaskedTransform", "allows_nan", "check_missing", "fill_window",
           "read_checked", "resolve_missing", "window_transform"]



def resolve_missing(value: str, panel: Panel) -> str:
    """``"auto"`` -> ``"mask"`` when ``panel`` holds a NaN in a target or covariate, else
    ``"raise"``; the other values unchanged."""
    if value != "auto":
        return value
    return "mask" if has_missing(panel.target, panel.past, panel.future) else "raise"


def allows_nan(p: Mapping) -> bool:
    """Whether the parameters (or configuration) ``p`` accept NaN in the data (a model file
    from before ``missing`` does not)."""
    return p.get("missing", "raise") != "raise"


def check_missing(p: Mapping) -> None:
    """ConfigError for a resolved ``missing`` that the rest of the configuration cannot use."""
    if p.get("missing") == "mask" and p["stateful"]:
        raise ConfigError("the data has gaps, which missing='mask' learns around in windows, "
                          "but stateful=True carries its state through every step; use "
                          "stateful=False, or fill the gaps first (fill_missing)")


def read_checked(read: Callable[[], Panel], hint: str = "pass missing='mask'") -> Panel:
    """``read()``, its MissingValuesError naming ``missing='mask'`` (``hint``) as the other
    way out."""
    try:
        return read()
    except MissingValuesError as err:
        raise MissingValuesError(str(err).replace("pass allow_nan=True", hint)) from None


def window_transform(c: Mapping, n_targets: int, n_past: int) -> WindowTransform:
    """The window transform of the configuration ``c``: with ``missing="mask"`` wrapped in a
    :class:`MaskedTransform` over the targets and past covariates."""
    lag = (c["season"] or 1) if c["error_scale"] is not None else None
    inner = WindowTransform(n_targets, c["window_norm"], c["season"], lag)
    return MaskedTransform(inner, n_targets + n_past) if c.get("missing") == "mask" else inner


def _interpolate(v: torch.Tensor) -> torch.Tensor:
    """Windows ``(B, L, m)``, each NaN linear between the observed values around it in its
    window, the nearest observed value beyond them, NaN in columns with none."""
    missing, steps = torch.isnan(v), v.shape[1]
    t = torch.arange(steps, device=v.device).view(1, -1, 1).expand_as(v)
    before = torch.cummax(torch.where(missing, -1, t), dim=1).values  # (B, L, m)
    after = torch.cummin(torch.where(missing, steps, t).flip(1), dim=1).values.flip(1)
    low = torch.gather(v, 1, before.clamp_min(0))
    high = torch.gather(v, 1, after.clamp_max(steps - 1))
    share = (t - before).to(v.dtype) / (after - before).clamp_min(1).to(v.dtype)
    inside = (before >= 0) & (after < steps)
    guess = torch.where(inside, low + share * (high - low), torch.where(before >= 0, low, high))
    return torch.where(missing, guess, v)


def _season_back(v: torch.Tensor, season: int) -> torch.Tensor:
    """Each value's last observation of the same season before it in its window (NaN where
    there is none): ``v[t - season]``, or ``v[t - 2 season]`` where that is missing, ..."""
    seen = v
    for shift in range(season, v.shape[1], season):
        older = torch.full_like(v, float("nan"))
        older[:, shift:] = v[:, :-shift]
        seen = torch.where(torch.isnan(seen), older, seen)
    back = torch.full_like(v, float("nan"))
    back[:, season:] = seen[:, :-season]
    return back


def fill_window(v: torch.Tensor, season: int | None = None) -> torch.Tensor:
    """Windows ``(B, L, m)`` with each NaN imputed from the window's own values: with a
    ``season``, the last observation of its season plus the change over one season,
    interpolated from the values around it (seasonal interpolation: a missing peak stays a
    peak, a trend goes on); else, or where no season back was observed, linear between the
    observed values around it (the nearest one beyond them); 0 in columns with none."""
    missing = torch.isnan(v)
    if not missing.any():
        return v
    plain = _interpolate(v)
    if season and season > 1:
        back = _season_back(v, season)
        seasonal = back + _interpolate(v - back)
        plain = torch.where(torch.isnan(seasonal), plain, seasonal)
    return torch.nan_to_num(torch.where(missing, plain, v), nan=0.0)


class MaskedTransform:
    """A :class:`~tsrnn.forecast.transforms.WindowTransform` for windows with gaps: the first
    ``n_masked`` channels (targets, then past covariates) imputed by :func:`fill_window`, and
    their missing indicators appended as the last channels, before the inner transform. The
    targets ``y`` keep their NaN (the loss leaves them out: ``masked``)."""

    masked = True

    def __init__(self, inner: WindowTransform, n_masked: int):
        self.inner, self.n_masked = inner, n_masked
        self.extra_channels = n_masked

    def _filled(self, x: torch.Tensor) -> torch.Tensor:
        m = self.n_masked
        indicator = torch.isnan(x[..., :m]).to(x.dtype)
        filled = fill_window(x[..., :m], self.inner.season)
        return torch.cat([filled, x[..., m:], indicator], dim=-1)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inner(self._filled(x), y)

    def inputs(self, x: torch.Tensor) -> WindowStats:
        return self.inner.inputs(self._filled(x))

    def outputs(self, y: torch.Tensor, stats: WindowStats) -> torch.Tensor:
        return self.inner.outputs(y, stats)
