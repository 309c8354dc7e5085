"""The parameters of :class:`~tsrnn.RNNForecaster`, in one place: what each one means
(:data:`PARAMETERS_DOC`, the class docstring's Parameters section) and the checks ``fit``
(and ``load``) run, with the rules that tie them together.

:func:`check_params` takes the estimator's ``get_params()``; every error names the parameter,
its value and what to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._validation import ConfigError, check_choice, check_positive_int
from ..data import SCALER_METHODS
from ..estimators.base import check_training_params
from ..metrics.intervals import check_levels
from ..nn import LOSSES
from .auto import is_auto
from .choices import FORECAST_HEADS, MISSING
from .combine import COMBINE
from .missing import check_missing
from .transforms import WINDOW_NORMS

__all__ = [
    "ATTRIBUTES_DOC",
    "FORECAST_HEADS",
    "NET_HEADS",
    "PARAMETERS_DOC",
    "block_steps",
    "check_given",
    "check_params",
    "levels_of",
]

#: The network head behind each forecasting head (a stateful model always has ``per_step``).
NET_HEADS = {"direct": "last", "seq2seq": "encoder_decoder", "recursive": "last"}


PARAMETERS_DOC = """    lookback : int or "auto", default="auto"
        Past rows the network reads for each forecast. "auto": up to 7 seasons (at least
        twice the horizon), in whole seasons, short enough that three quarters of the series
        hold a window and its target; shorter series are padded at the front with their own
        first season repeated (never dropped, and the padding is never a target).
    horizon : int, default=1
        Steps to forecast.
    [[cell]]
    head : {"direct", "seq2seq", "recursive"}, default="direct"
        ``direct``: the last hidden state emits all ``horizon`` steps at once; ``seq2seq``: an
        encoder-decoder whose decoder rolls out ``horizon`` steps; ``recursive``: a one-step
        model fed its own forecasts.
    hidden_size : int or "auto", default="auto"
        Hidden units per layer and direction. "auto": 64, or 128 from 200,000 training windows.
    [[num_layers]]
    [[dropout]]
    bidirectional_encoder : bool, default=False
        Read each input window in both directions.
    head_hidden : int or "auto", default="auto"
        Hidden width of the head's MLP (0 = a single linear layer). "auto": twice
        ``hidden_size``.
    patch : int or "auto", default="auto"
        Input rows the recurrent cell reads per step: the lookback window is cut into
        ``lookback / patch`` consecutive blocks and each step sees one block, all its rows and
        channels at once. ``patch=24`` on hourly data feeds a day per step, so a 168-hour
        window is 7 recurrent steps instead of 168: training and prediction run many times
        faster and the daily shape is seen whole. ``lookback`` must be a multiple of
        ``patch``; not with ``stateful`` (which steps row by row). "auto": one season when
        the lookback holds whole seasons, else 1.
    scaler : {"standard", "robust", "minmax", None}, default="standard"
        Per-series scaling, fitted on each series' training rows only.
    window_norm : {None, "mean", "last", "standard", "auto"}, default="auto"
        Also normalise each input window by its own statistics: subtract its mean (or last
        value) of the targets, or with "standard" also divide by its standard deviation, so the
        network sees shapes rather than levels (helps series with trends or level shifts).
        "auto": "standard" (None with ``stateful``).
    season : int, None or "auto", default="auto"
        Season length m (e.g. 24 for hourly data): the network then learns corrections to the
        seasonal-naive forecast of each window (its last m rows repeated) instead of the values
        themselves, so an untrained model starts as good as seasonal naive. Needs
        ``lookback >= season``. "auto": from the frequency (hourly 24, half-hourly 48, daily 7,
        business days 5, weekly 52, monthly 12, quarterly 4, yearly none); for an integer
        index, the lag of the clearest autocorrelation of the differenced series, or none.
        Also the period of the seasonal-naive baseline of ``validate``.
    time_features : bool, default=False
        Add calendar features (hour, weekday, month, ... as sin/cos) computed from timestamps;
        they are known ahead, so they also reach the head for the forecast steps.
    epochs : int or "auto", default="auto"
        Passes over the training data. "auto": as many as ``max_steps`` needs (given
        ``epochs`` and ``max_steps="auto"``, the epochs are the budget).
    batch_size : int or "auto", default="auto"
        Windows per optimiser step. "auto": 256, or 64 below 25,600 windows.
    lr : float or "auto", default="auto"
        Adam learning rate. "auto": 0.003.
    [[weight_decay]]
    loss : {"mae", "mse", "huber"}, default="mae"
        Training loss on the scaled targets.
    [[clip_grad]]
    early_stopping : bool or "auto", default="auto"
        Stop when the validation loss stops improving and keep the best weights. "auto":
        False: on the validation windows of M3 and M4 training files, stopping early (which
        also withholds the last ``horizon`` rows from training) scored worse than the fixed
        step budget.
    patience : int, default=5
        Epochs without improvement before stopping.
    validation : int or None, default=None
        Last rows of each series held out for validation (their windows are not trained on,
        and the scaler never sees them). None: ``horizon`` rows with early stopping, else none.
    stride : int, default=1
        Rows between consecutive training windows.
    stateful : bool, default=False
        Carry the hidden state across windows: train on contiguous streams in chunks of
        ``bptt`` steps (truncated BPTT, loss on every step), keep the state after the training
        data (``state_``), and advance it with :meth:`update` without refitting. Helps when the
        future depends on events older than ``lookback``; see the README.
    bptt : int or None, default=None
        Steps per truncated-BPTT chunk of a stateful model (None = 8 * lookback); dependencies
        longer than this are hard to learn.
    [[target]]
    [[time_col]]
    [[id_col]]
    past_covariates : list of str or None, default=None
        Columns observed up to now only.
    future_covariates : list of str or None, default=None
        Columns known ahead (calendar, holidays, prices); ``predict`` needs them for the horizon.
    static_covariates : list of str or None, default=None
        Columns constant within each series (a store's region, a sensor's type): text,
        categorical or bool columns are categories, each learned as an embedding; numbers are
        standardised over the series. Read from the data (repeated on every row of a series)
        or, in ``fit(data, static=frame)``, from a frame with one row per series keyed by
        ``id_col``. A value that varies within a series is an error; a category not seen in
        fit gets the mean of the learned embeddings, with a warning. ``predict(data)`` for a
        series not seen in fit needs its static columns.
    static_mode : {"state", "input"}, default="state"
        How static covariates (and the id embedding) condition the network: "state" sets the
        initial hidden state from them; "input" appends them to every input step as constant
        channels. "state" gave the lower error on the synthetic panel of BENCHMARKS.md.
    id_embedding : bool, default=False
        Learn an embedding of each series id (a global model that still knows which series
        it reads); a series not seen in fit gets the mean embedding.
    [[freq]]
    [[random_state]]
    [[device]]
    [[verbose]]
    quantiles : list of float or None, default=None
        Quantile levels in (0, 1), e.g. ``[0.05, 0.5, 0.95]``: one network forecasts every
        level, trained with the pinball loss (``loss`` must stay "mae"), and the levels never
        cross. :meth:`predict_quantiles` returns them; :meth:`predict` returns the 0.5 level
        (or the level nearest 0.5). Not with ``head="recursive"``.
    error_scale : {None, "mase"}, default=None
        ``"mase"``: divide each window's targets (after ``window_norm`` and ``season``) by the
        window's own mean absolute difference at lag ``season`` (or 1), the in-sample MASE
        scale, so errors and interval widths of series of very different regularity are in
        comparable units. Recommended with ``quantiles`` on many series; training then weighs
        windows as MASE does. Needs ``lookback > season``; not with ``stateful``.
    max_steps : int, None or "auto", default="auto"
        Stop after this many optimiser steps in all, even within an epoch (None: all epochs).
        "auto": 30 passes over the training windows, at least 600 and at most 3,000 steps
        (None when ``epochs`` is given).
    [[on_divergence]]
    lr_schedule : {None, "cosine", "auto"}, default="auto"
        Constant learning rate, or a cosine decay from ``lr`` to zero over the whole fit.
        "auto": "cosine".
    target_transform : {None, "log", "log1p", "auto"}, default="auto"
        "log" models the logarithm of the targets (all must be > 0) and maps forecasts back
        with ``exp``: errors become relative, as sMAPE and MAPE count them, and a seasonal
        pattern that scales with the level becomes additive. Quantiles map back exactly.
        "log1p" does the same with ``log(1 + y)`` for targets >= 0 (counts with zeros).
        "auto": "log" when every target is > 0, "log1p" when every one is >= 0, else None.
    distributed : bool, default=False
        Data-parallel training in a torchrun launch (``tsrnn fit --nproc N``): each process
        trains on its share of the series (by ``id_col``) with gradients averaged by
        ``DistributedDataParallel``; each takes ``batch_size // world_size`` windows per step,
        so the global batch stays ``batch_size``. Every process ends with the model of all
        series; rank 0 alone writes checkpoints and :meth:`save`.
    n_models : int or "auto", default="auto"
        Networks trained and combined by the median of their forecasts (points and each
        quantile level). Members differ in their seed (``random_state + i``) and, with
        ``lookback="auto"``, in their lookback (one season more or less, in turn). "auto": 5,
        or 3 when the network is the wider one (``hidden_size`` 128 from 200,000 windows); 1
        with checkpoints, ``resume``, ``distributed=True`` or ``stateful=True``, which train
        one network.
    validate : bool, default=True
        After fitting, fit a copy of the model (one network) without the last ``horizon``
        rows of every series and score it there beside seasonal naive (``validation_``: sMAPE
        and MASE of both). It costs one more fit; the CLI prints it and warns when the model
        lost.
    fallback : {None, "seasonal_naive"}, default=None
        "seasonal_naive": forecast with seasonal naive the series where it had the lower MAE
        in ``validation_`` (listed in ``fallback_``; needs ``validate=True``). None keeps the
        network for every series: one window of ``horizon`` rows per series is a noisy judge.
    combine : {"auto", None}, default="auto"
        "auto" (with ``validate=True``): on the validation rows, also score the mean of the
        network's forecast and a statistical one (Theta, or naive), and forecast with the mean
        where it beats the network alone on both sMAPE and MASE (``validation_["combine"]``
        names it; :mod:`tsrnn.forecast.combine`). None: the network alone.
    missing : {"auto", "mask", "raise"}, default="auto"
        "mask": NaN in targets and covariates are learned around, in ``fit`` and in every data
        given later: each window keeps its place, the network gets a missing-indicator
        channel and the last observed value, missing targets stay out of the loss and the
        scores (:mod:`tsrnn.forecast.missing`). "raise": a NaN is an error. "auto": "mask" when
        the training data holds a NaN, else "raise".
"""

#: The Attributes section of the class docstring: what ``fit`` (or ``load``) sets.
ATTRIBUTES_DOC = """    Attributes
    ----------
    config_ : dict
        Every parameter as the model was built: each ``"auto"`` resolved from the training
        data (:mod:`tsrnn.forecast.auto`), each value given explicitly kept.
    members_ : list of RNNForecaster
        With ``n_models > 1``: the fitted members, whose forecasts are combined by the median.
    validation_ : dict
        With ``validate=True``: sMAPE and MASE on the last ``horizon`` rows of each series of a
        copy of the model trained without them, beside seasonal naive's
        (:mod:`tsrnn.forecast.safety`).
    fallback_ : list
        Ids of the series forecast by seasonal naive (``fallback="seasonal_naive"``).
    combination_ : Combination
        With a combination chosen (``validation_["combine"]``): the method, and the last rows
        of every series from which ``predict()`` computes its forecast
        (:mod:`tsrnn.forecast.combine`).
    conformal_ : Conformal
        After :meth:`calibrate`: the scaled backtest residuals of every horizon step from
        which ``predict_quantiles()`` draws conformal intervals (:mod:`tsrnn.forecast.conformal`).
    network_ : RNNNetwork
    channels_ : Channels
        Builds the input channels; holds the fitted facts below
        (:mod:`tsrnn.forecast.channels`).
    scaler_ : Scaler
        Per-series statistics of the target, past and future channels.
    roles_ : Roles
    freq_ : str or None
    ids_ : list
        Series ids seen in ``fit``.
    context_ : dict
        The last ``lookback`` raw rows of every series (``target``, ``past``, ``future``) and
        their timestamps (``index``), so ``predict()`` needs no data.
    history_ : list of dict
        Loss per epoch.
    state_ : Tensor, tuple of Tensor or None
        With ``stateful=True``: the hidden state after the end of every series.
"""


def levels_of(p: Mapping) -> tuple[float, ...]:
    """The validated ``quantiles`` parameter, sorted (``()`` for point forecasts)."""
    return () if p["quantiles"] is None else check_levels(p["quantiles"])


def block_steps(p: Mapping) -> int:
    """Steps the network emits per forward pass: 1 for ``head="recursive"``, else the
    horizon."""
    return 1 if p["head"] == "recursive" else p["horizon"]


TARGET_TRANSFORMS = (None, "log", "log1p")


def check_given(p: Mapping) -> None:
    """Check the parameters given explicitly (not ``"auto"``) one by one, before ``fit``
    resolves the others from the data; :func:`check_params` then checks the whole
    configuration."""
    stand_in = {"hidden_size": 1, "head_hidden": 0, "epochs": 1, "batch_size": 1, "lr": 1e-3,
                "max_steps": None, "lr_schedule": None, "early_stopping": False}
    check_training_params({**p, **{k: v for k, v in stand_in.items() if is_auto(p[k])}})
    check_choice("loss", p["loss"], [name for name in LOSSES if name != "cross_entropy"])
    for name in ("lookback", "horizon", "stride", "season", "patch", "n_models", "batch_size",
                 "epochs", "max_steps"):
        if not is_auto(p[name]) and p[name] is not None:
            check_positive_int(name, p[name])
    for name, choices in (("window_norm", WINDOW_NORMS), ("target_transform", TARGET_TRANSFORMS),
                          ("head", FORECAST_HEADS), ("scaler", SCALER_METHODS),
                          ("fallback", (None, "seasonal_naive")), ("combine", COMBINE),
                          ("missing", MISSING)):
        if not is_auto(p[name]):
            check_choice(name, p[name], choices)
    _check_combinations(p)
    if p["fallback"] is not None and not p["validate"]:
        raise ConfigError("fallback='seasonal_naive' chooses by the validation scores; keep "
                          "validate=True, or use fallback=None")


def check_params(p: Mapping) -> None:
    """Raise ConfigError for the first parameter of ``p`` that cannot be used as given."""
    check_training_params(p)
    for name in ("lookback", "horizon", "stride"):
        check_positive_int(name, p[name])
    check_choice("head", p["head"], FORECAST_HEADS)
    check_choice("scaler", p["scaler"], SCALER_METHODS)
    check_choice("window_norm", p["window_norm"], WINDOW_NORMS)
    check_choice("target_transform", p["target_transform"], TARGET_TRANSFORMS)
    check_positive_int("n_models", p["n_models"])
    check_choice("fallback", p["fallback"], (None, "seasonal_naive"))
    check_choice("combine", p["combine"], COMBINE)
    check_choice("missing", p.get("missing", "raise"), MISSING[1:])
    check_missing(p)
    check_choice("loss", p["loss"], [name for name in LOSSES if name != "cross_entropy"])
    if p["validation"] is not None:
        check_positive_int("validation", p["validation"])
    _check_season(p)
    _check_patch(p)
    if p["stateful"]:
        _check_stateful(p)
    _check_error_scale(p)
    _check_quantiles(p)
    _check_combinations(p)
    _check_statics(p)


def _check_combinations(p: Mapping) -> None:
    """The rules between parameters that never take "auto"."""
    if p["distributed"] and p["stateful"]:
        raise ConfigError("distributed=True splits windows over processes, which stateful "
                          "streams cannot be yet; use stateful=False, or train in one process")
    if p["head"] == "recursive" and p["past_covariates"]:
        raise ConfigError("head='recursive' cannot roll past covariates forward (they are "
                          "unknown beyond now); use head='direct' or 'seq2seq'")


def _check_season(p: Mapping) -> None:
    season, lookback = p["season"], p["lookback"]
    if season is None:
        return
    check_positive_int("season", season)
    if season > lookback:
        raise ConfigError(f"season {season} needs lookback >= {season}; got lookback {lookback}")


def _check_patch(p: Mapping) -> None:
    patch, lookback = check_positive_int("patch", p["patch"]), p["lookback"]
    if lookback % patch:
        fit = max(patch, lookback // patch * patch)
        raise ConfigError(f"lookback {lookback} is not a multiple of patch {patch}; use "
                          f"lookback {fit} or {fit + patch}")
    if p["stateful"] and patch > 1:
        raise ConfigError(f"stateful=True steps through the series row by row, so it takes "
                          f"no patch (got patch {patch}); use patch=1")


def _check_statics(p: Mapping) -> None:
    check_choice("static_mode", p["static_mode"], ("state", "input"))
    if not (p["static_covariates"] or p["id_embedding"]):
        return
    if p["stateful"]:
        raise ConfigError("stateful=True carries its own hidden state, so static covariates "
                          "(and id_embedding) cannot set it; use stateful=False with them")
    if p["distributed"]:
        raise ConfigError("distributed=True gives each process its share of the series, whose "
                          "categories differ; fit static covariates (and id_embedding) in one "
                          "process")


def _check_stateful(p: Mapping) -> None:
    if p["bptt"] is not None:
        check_positive_int("bptt", p["bptt"])
    for name, bad in (("future_covariates", p["future_covariates"]),
                      ("window_norm", p["window_norm"]),
                      ("season", p["season"]),
                      ("bidirectional_encoder", p["bidirectional_encoder"]),
                      ("head='seq2seq'", p["head"] == "seq2seq"),
                      ("head='recursive'", p["head"] == "recursive")):
        if bad:
            raise ConfigError(f"stateful=True does not combine with {name}; use "
                              "head='direct' and past covariates, or stateful=False")


def _check_error_scale(p: Mapping) -> None:
    check_choice("error_scale", p["error_scale"], (None, "mase"))
    if p["error_scale"] is None:
        return
    lag = p["season"] or 1
    if p["stateful"]:
        raise ConfigError("error_scale='mase' scales windows; a stateful model has none: "
                          "use error_scale=None with stateful=True")
    if check_positive_int("lookback", p["lookback"]) <= lag:
        raise ConfigError(f"error_scale='mase' compares each window with itself {lag} "
                          f"step(s) back, so it needs lookback > {lag}; got lookback "
                          f"{p['lookback']}")


def _check_quantiles(p: Mapping) -> None:
    if p["quantiles"] is None:
        return
    levels_of(p)
    if p["loss"] != "mae":
        raise ConfigError(f"loss={p['loss']!r} does not combine with quantiles (they train "
                          "with the pinball loss); leave loss='mae'")
    if p["head"] == "recursive":
        raise ConfigError("head='recursive' feeds back one value per step, so its quantiles "
                          "would ignore the uncertainty of earlier steps; use "
                          "head='direct' or 'seq2seq' with quantiles")
