"""Missing values learned around (``missing="mask"``): which values a forecaster accepts, and
what the network sees of a window with gaps (torch).

``missing`` is one of :data:`MISSING`:

- ``"mask"``: NaN in the targets and covariates are allowed in ``fit``, ``predict(data=...)``,
  ``backtest`` and ``update``. Every window keeps its place (none is dropped for a gap);
  :class:`MaskedTransform` gives the network, per target and past covariate, a
  missing-indicator channel (1 where the value was missing) and the value imputed from the
  window itself (:func:`fill_window`): the last observation of the same season before it
  (with a ``season``: so the seasonal-naive base of the residual stays seasonal), else the
  last observation before it (the first observed one for a gap at the window's start, 0, the
  series' center, when the window has none). Nothing after a value imputes it, so no target
  leaks into an input. Missing targets are left out of the loss,
  also of the early-stopping validation loss (the window data is ``masked``). A future
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
from .transforms import WindowStats, WindowTransform

__all__ = ["MISSING", "MaskedTransform", "allows_nan", "check_missing", "fill_window",
           "read_checked", "resolve_missing", "window_transform"]

MISSING = ("auto", "mask", "raise")


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
        raise ConfigError("missing='mask' needs windows, but stateful=True carries its state "
                          "through every step; use stateful=False, or fill the gaps and pass "
                          "missing='raise'")


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


def fill_window(v: torch.Tensor, season: int | None = None) -> torch.Tensor:
    """Windows ``(B, L, m)`` with each NaN replaced, from the window's own values: by the
    last observed value of the same season before it (with ``season``), else by the last
    observed value before it, leading NaN by the window's first observed value, and columns
    with none by 0."""
    missing = torch.isnan(v)
    if not missing.any():
        return v
    if season and season > 1:
        v = v.clone()
        for shift in range(season, v.shape[1], season):  # a season back, then two, ...
            back = torch.full_like(v, float("nan"))
            back[:, shift:] = v[:, :-shift]
            hole = torch.isnan(v)
            v = torch.where(hole & ~torch.isnan(back), back, v)
        missing = torch.isnan(v)
    steps = torch.arange(v.shape[1], device=v.device).view(1, -1, 1).expand_as(v)
    last = torch.cummax(torch.where(missing, -1, steps), dim=1).values  # (B, L, m)
    first = (~missing).to(torch.int8).argmax(dim=1, keepdim=True).expand_as(v)
    picked = torch.gather(v, 1, torch.where(last >= 0, last, first))
    return torch.nan_to_num(picked, nan=0.0)


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
