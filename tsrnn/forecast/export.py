"""ONNX export of a fitted :class:`~tsrnn.RNNForecaster`: forecasts served without torch.

:func:`export_onnx` writes one graph that does what ``predict(data=...)`` does after reading
the data: it takes raw history windows on the data's scale and returns forecasts on the data's
scale. Inside the graph are the target transform (``log``/``log1p``) and its inverse, the
per-series scaling, the window normalisation, the seasonal residual and error scale
(:class:`~tsrnn.forecast.transforms.WindowTransform`), the head (the seq2seq decoder rolled
out, the recursive head stepped), the block rollout beyond the fitted horizon, the median over
an ensemble's members and a combination with naive. The exported number of steps is fixed at
export time; the batch (the number of series) is free.

Inputs (``B`` series, ``R = K + P + Fu`` raw channels: targets, past and future covariates):

- ``history`` ``(B, L, R)`` float64: the last ``L`` rows of each series (``L``: the largest
  lookback of the model's networks). A stateful model reads ``(B, T, R)``, any ``T >= 1``.
- ``center``, ``scale`` ``(B, R)`` float64: the per-series statistics the model scales by. A
  series seen in ``fit`` uses its fitted ones (``model.scaler_.center_``/``.scale_``, after
  the log with a target transform); a new series its own, of its whole history (what
  ``predict(data)`` computes; :meth:`tsrnn.data.Scaler.fit_one`).
- ``future`` ``(B, S, Fu)`` float64, with future covariates: their values for the ``S``
  forecast steps, rounded up to whole blocks of the fitted horizon.
- ``calendar`` ``(B, L, n)`` and ``future_calendar`` ``(B, S, n)`` float32, with
  ``time_features=True``: the calendar features of the history's and the forecast steps'
  timestamps (:func:`tsrnn.data.calendar_features`; a stateful model has ``calendar`` only).
- ``static`` ``(B, n_categories + n_numbers)`` float32, with static covariates (or
  ``id_embedding``): each series' category codes (``-1``: not seen in fit, the mean
  embedding) and standardised numbers, as :meth:`~tsrnn.forecast.channels.Channels.static_rows`
  encodes them (a server keeps the fitted codes of its series).
- a stateful model: ``h`` (and ``c`` for an LSTM) ``(layers, B, hidden)`` float32, the carried
  state (zeros: forecast from the history alone, as ``predict(data)``).

Outputs: ``forecast`` ``(B, steps, K)`` float64 (what ``predict`` returns); with quantiles
also ``quantiles`` ``(B, steps, K, Q)`` (within the fitted horizon); a stateful model also
``h_out`` (and ``c_out``), the state after the rows, for the next call: feeding new rows one at
a time streams the carried state as ``update()`` does.

:func:`onnx_inputs` builds the inputs from a model and data, as ``predict`` reads them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .._fitted import check_fitted
from .._validation import ConfigError, check_positive_int
from ..io import atomic_write_bytes
from .combine import WEIGHT
from .onnx_feeds import onnx_inputs

__all__ = ["export_onnx", "onnx_inputs"]

OPSET = 17
INSTALL = "install the ONNX extra: pip install 'tsrnn[onnx]'"


def export_onnx(model, path, horizon=None, network_only=False) -> Path:
    """Write the fitted model as one ONNX graph to ``path`` (atomic); returns the path.

    Parameters
    ----------
    path : str or Path
        The ``.onnx`` file to write.
    horizon : int, default=None
        Steps the graph forecasts (default: the fitted horizon). More steps roll the model
        forward in blocks on its own point forecasts, as ``predict(horizon=...)``; quantiles
        are exported within the fitted horizon only.
    network_only : bool, default=False
        Leave out the parts that need more than the history window: the per-series
        ``fallback_`` to seasonal naive and a combination with Theta (``combination_``). The
        graph then forecasts what the networks forecast (and their median).

    The graph's inputs and outputs: :mod:`tsrnn.forecast.export`. :func:`onnx_inputs` builds
    the inputs from data as ``predict`` reads it. Needs ``tsrnn[onnx]``.
    """
    check_fitted(model, "network_")
    _require_onnx()
    steps = check_positive_int("horizon", model.config_["horizon"] if horizon is None
                               else horizon)
    graph = _graph(model, steps, network_only)
    data = _to_onnx(graph, _examples(model, graph, steps))
    return atomic_write_bytes(path, data)


def _require_onnx() -> None:
    """ImportError in one sentence when the ONNX extra is missing."""
    try:
        import onnx  # noqa: F401  (torch.onnx writes the graph; onnx must be there to check it)
    except ImportError:
        raise ImportError(f"ONNX export needs the package 'onnx'; {INSTALL}") from None


# -- what can be exported --------------------------------------------------------------------

def _check_inputs(model) -> None:
    """Inputs the graph does not take yet: masked gaps."""
    if model.config_.get("missing") == "mask":
        raise ConfigError("the model learned around gaps (missing='mask'), which the ONNX "
                          "graph does not do; export a model fitted on complete data")


def _graph(model, steps: int, network_only: bool) -> nn.Module:
    c = model.config_
    _check_inputs(model)
    combine = _combination(model, network_only)
    if c["stateful"]:
        if steps > c["horizon"]:
            raise ConfigError(f"a stateful model forecasts at most its horizon {c['horizon']}"
                              f"; export with horizon={c['horizon']} or fewer")
        return _StepGraph(model, steps, combine)
    members = model._members()
    _check_scalers(members)
    past, block = model.roles_.past, members[0]._runner().block
    if steps > block and past:
        raise ConfigError(f"horizon={steps} needs rolling the model forward, but its past "
                          f"covariates {past} are unknown beyond now; export at most {block} "
                          f"steps, or fit with horizon={steps}")
    return _WindowGraph(members, model.channels_, steps, combine, c["horizon"])


def _combination(model, network_only: bool) -> str | None:
    """The combination the graph applies ("naive" or None); ConfigError for what it cannot."""
    if network_only:
        return None
    if getattr(model, "fallback_", None):
        raise ConfigError(f"the model forecasts {len(model.fallback_)} series by seasonal "
                          "naive (fallback_), which the ONNX graph cannot know by series; "
                          "export with network_only=True (the networks' forecasts), or refit "
                          "with fallback=None")
    method = getattr(getattr(model, "combination_", None), "method", None)
    if method == "theta":
        raise ConfigError("the model combines its forecasts with Theta (combination_), which "
                          "needs the long history; export with network_only=True (the "
                          "networks' forecasts), or refit with combine=None")
    return method


def _check_scalers(members: list) -> None:
    first = members[0].channels_.scaler
    for m in members[1:]:
        s = m.channels_.scaler
        if not (np.array_equal(s.center_, first.center_) and
                np.array_equal(s.scale_, first.scale_)):
            raise ConfigError("the members of this ensemble scale the series differently, so "
                              "one graph cannot take one center and scale; export a member "
                              "(model.members_[i]) instead")


# -- the graphs ------------------------------------------------------------------------------

class _Scaling(nn.Module):
    """Raw channels on the data's scale -> the scaled float32 channels, and back."""

    def __init__(self, channels):
        super().__init__()
        self.k, self.log = channels.n_targets, channels.target_transform

    def encode(self, raw, center, scale):
        """``(B, T, R)`` float64 -> float32, as :meth:`Channels.encode` after ``raw_blocks``."""
        if self.log:
            log = torch.log1p if self.log == "log1p" else torch.log
            raw = torch.cat([log(raw[..., : self.k]), raw[..., self.k:]], dim=-1)
        return ((raw - center[:, None]) / scale[:, None]).float()

    def decode(self, values, center, scale):
        """Scaled forecasts ``(B, S, K[, Q])`` float32 -> float64 on the data's scale."""
        shape = (-1, 1, self.k) + (1,) * (values.dim() - 3)
        out = (values.double() * scale[:, : self.k].reshape(shape)
               + center[:, : self.k].reshape(shape))
        if self.log:
            # log1p's inverse as exp - 1 (ONNX has no expm1; float64 keeps it exact enough),
            # never below 0, as Channels.unscale
            out = (torch.exp(out).sub(1.0).clamp_min(0.0) if self.log == "log1p"
                   else torch.exp(out))
        return out


class _WindowGraph(nn.Module):
    """Windows in, forecasts out: every member as ``WindowRunner._forecast``, then their
    median and the naive combination, as ``RNNForecaster._predict_values``."""

    def __init__(self, members: list, channels, steps: int, combine: str | None,
                 fitted_horizon: int):
        super().__init__()
        self.nets = nn.ModuleList([m.network_.eval() for m in members])
        self.runners = [m._runner() for m in members]
        self.lookbacks = [m.config_["lookback"] for m in members]
        self.scaling = _Scaling(channels)
        self.k, self.steps, self.combine = channels.n_targets, steps, combine
        self.n_future, self.n_calendar = len(channels.roles.future), channels.n_calendar
        self.point_index = _point_index(members[0])
        self.with_quantiles = self.point_index is not None and steps <= fitted_horizon
        self.names = ["history", "center", "scale"] + (["future"] if self.n_future else []) + (
            ["calendar", "future_calendar"] if self.n_calendar else []) + (
            ["static"] if channels.statics is not None else [])

    def forward(self, *inputs):
        given = dict(zip(self.names, inputs))
        history = given["history"]
        parts = [self._member(i, given) for i in range(len(self.nets))]
        values = _combined(_median(parts), history[:, -1:, : self.k], self.combine)
        point = values if self.point_index is None else values[..., self.point_index]
        return (point, values) if self.with_quantiles else point

    def _member(self, i, given: dict):
        center, scale, lookback = given["center"], given["scale"], self.lookbacks[i]
        x = self.scaling.encode(given["history"][:, -lookback:], center, scale)
        parts = [[], []]  # the known-ahead channels: future covariates, then calendar
        if self.n_future:
            cols = slice(x.shape[-1] - self.n_future, None)
            parts[0] = [((given["future"] - center[:, None, cols]) / scale[:, None, cols])
                        .float()]
        if self.n_calendar:
            x = torch.cat([x, given["calendar"][:, -lookback:]], dim=-1)
            parts[1] = [given["future_calendar"]]
        f = torch.cat(parts[0] + parts[1], dim=-1) if parts[0] or parts[1] else None
        y = _rollout(self.nets[i], self.runners[i], x, f, self.steps, self.point_index,
                     given.get("static"))
        return self.scaling.decode(y, center, scale)


def _rollout(net, runner, x, f, steps: int, point_index, static=None):
    """``WindowRunner._forecast`` (unrolled into the graph): scaled forecasts ``(B, steps,
    K[, Q])`` from scaled windows, in blocks on the point forecast."""
    transform, block = runner.transform, runner.block
    outs, done = [], 0
    while done < steps:
        fut = None if f is None else f[:, done : done + block]
        stats = transform.inputs(x)
        y = transform.outputs(net(stats.x, future=fut, static=static)[0], stats)
        take = min(block, steps - done)
        outs.append(y[:, :take])
        done += take
        if done < steps:
            y = y if point_index is None else y[..., point_index]
            new = y[:, :take] if fut is None else torch.cat([y[:, :take], fut[:, :take]], -1)
            x = torch.cat([x[:, take:], new], dim=1)
    return torch.cat(outs, dim=1)


def _combined(values, last, combine: str | None):
    """``values`` ``(B, S, K[, Q])`` half-and-half with naive (``last``, the last raw value of
    each series ``(B, 1, K)``), as :func:`~tsrnn.forecast.combine.mix`; unchanged for None."""
    if combine != "naive":
        return values
    if values.dim() == 4:  # quantiles move with their median
        median = _median(list(values.unbind(-1)))
        return values + (WEIGHT * (last - median))[..., None]
    return (1 - WEIGHT) * values + WEIGHT * last


def _median(parts: list):
    """The element-wise median of equal-shaped tensors (numpy's: the mean of the two middle
    values for an even count)."""
    if len(parts) == 1:
        return parts[0]
    ordered = torch.sort(torch.stack(parts), dim=0).values
    n = len(parts)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _point_index(model) -> int | None:
    cfg = model.network_.cfg
    return cfg.point_index if cfg.quantiles else None


class _StepGraph(nn.Module):
    """A stateful model: rows and the carried state in, the forecast from the state after the
    rows and that state out (``StatefulRunner.predict`` after ``warm``)."""

    def __init__(self, model, steps: int, combine: str | None):
        super().__init__()
        self.net, self.combine, self.k = model.network_.eval(), combine, model.channels_.n_targets
        self.scaling = _Scaling(model.channels_)
        self.horizon, self.steps = model.config_["horizon"], steps
        self.lstm = model.network_.cfg.cell == "lstm"
        self.point_index = _point_index(model)
        self.n_calendar = model.channels_.n_calendar
        self.names = ["history", "center", "scale"] + (["calendar"] if self.n_calendar else [])
        self.names += ["h", "c"] if self.lstm else ["h"]

    def forward(self, *inputs):
        given = dict(zip(self.names, inputs))
        center, scale = given["center"], given["scale"]
        x = self.scaling.encode(given["history"], center, scale)
        if self.n_calendar:
            x = torch.cat([x, given["calendar"]], dim=-1)
        _, state = self.net.backbone(x, (given["h"], given["c"]) if self.lstm else given["h"])
        top = state[0] if self.lstm else state
        flat = self.net.head(top[-1].unsqueeze(1))[:, 0]  # (B, H*K[, Q])
        values = flat.reshape(flat.shape[0], self.horizon, -1, *flat.shape[2:])
        values = self.scaling.decode(values[:, : self.steps], center, scale)
        values = _combined(values, given["history"][:, -1:, : self.k], self.combine)
        point = values if self.point_index is None else values[..., self.point_index]
        outs = (point,) if self.point_index is None else (point, values)
        return (*outs, *(state if self.lstm else (state,)))


# -- export ----------------------------------------------------------------------------------

def _examples(model, graph, steps: int) -> dict:
    """Example inputs (two series) for tracing, by name in the order of ``graph.names``."""
    r, b, cfg = _raw_width(model), 2, model.network_.cfg
    stateful = isinstance(graph, _StepGraph)
    rows = 3 if stateful else max(graph.lookbacks)
    whole = 0 if stateful else -(-steps // graph.runners[0].block) * graph.runners[0].block
    state = torch.zeros(cfg.num_layers * cfg.num_directions, b, cfg.hidden_size)
    shapes = {"history": torch.ones(b, rows, r, dtype=torch.float64),
              "center": torch.zeros(b, r, dtype=torch.float64),
              "scale": torch.ones(b, r, dtype=torch.float64),
              "future": torch.ones(b, whole, getattr(graph, "n_future", 0),
                                   dtype=torch.float64),
              "calendar": torch.zeros(b, rows, graph.n_calendar),
              "future_calendar": torch.zeros(b, whole, graph.n_calendar),
              "static": torch.zeros(b, _static_width(model)),
              "h": state, "c": state.clone()}
    return {name: shapes[name] for name in graph.names}


def _static_width(model) -> int:
    statics = model.channels_.statics
    return 0 if statics is None else statics.codes.shape[1]


def _raw_width(model) -> int:
    roles = model.roles_
    return len(roles.target) + len(roles.past) + len(roles.future)


def _output_names(graph) -> list[str]:
    quantiles = graph.point_index is not None and getattr(graph, "with_quantiles", True)
    names = ["forecast"] + (["quantiles"] if quantiles else [])
    if isinstance(graph, _StepGraph):
        names += ["h_out"] + (["c_out"] if graph.lstm else [])
    return names


def _to_onnx(graph, inputs: dict) -> bytes:
    """The graph traced on ``inputs`` with a free batch axis (and a free number of rows for a
    stateful history), as ONNX bytes."""
    names = list(inputs)
    outputs = _output_names(graph)
    axes = {n: {0: "batch"} for n in names if n not in ("h", "c")}
    axes.update({n: {1: "batch"} for n in names if n in ("h", "c")})
    axes.update({n: {0: "batch"} for n in outputs if n not in ("h_out", "c_out")})
    axes.update({n: {1: "batch"} for n in outputs if n in ("h_out", "c_out")})
    if isinstance(graph, _StepGraph):
        axes["history"][1] = "rows"
        if "calendar" in axes:
            axes["calendar"][1] = "rows"
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on shapes it fixes (the window length, the steps) and on the
        # LSTM's batch: every state the graph starts from is sized by its inputs
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", "Exporting a model to ONNX with a batch_size")
        # the TorchScript exporter, chosen on purpose: exact, dynamic-batch LSTM/GRU/RNN ops
        # like the dynamo exporter's, but an export in a second instead of half a minute
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(graph.eval(), tuple(inputs.values()), buffer, input_names=names,
                          output_names=outputs, dynamic_axes=axes, opset_version=OPSET,
                          dynamo=False)
    return buffer.getvalue()
