"""The configuration of a recurrent network and the layers built from it (torch only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn

from .._paramdocs import documented
from ..metrics import point_level

__all__ = ["CELLS", "HEADS", "NetConfig", "make_rnn", "mlp"]

CELLS = ("rnn", "lstm", "gru")
HEADS = ("last", "per_step", "encoder_decoder")
_RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


@documented
@dataclass(frozen=True)
class NetConfig:
    """Everything needed to build an :class:`RNNNetwork`.

    Parameters
    ----------
    input_size : int, default=1
        Features per input step (ignored when ``vocab_size`` > 0).
    output_size : int, default=1
        Values per output step (regression) or number of classes (classification).
    horizon : int, default=1
        Output steps of the ``last`` and ``encoder_decoder`` heads.
    [[cell]]
    [[hidden_size]]
    [[num_layers]]
    [[dropout]]
    bidirectional : bool, default=False
        Run the backbone in both directions.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``rnn`` cell.
    vocab_size : int, default=0
        If > 0, inputs are token ids ``(B, L)`` looked up in an ``nn.Embedding``.
    embedding_dim : int, default=0
        Embedding width (used when ``vocab_size`` > 0).
    padding_idx : int or None, default=None
        Token id whose embedding stays zero.
    head : {"last", "per_step", "encoder_decoder"}, default="last"
        ``last``: final hidden state -> MLP -> ``(B, horizon, O)``; ``per_step``: an output at
        every input step ``(B, L, O)``; ``encoder_decoder``: the final state seeds a decoder RNN
        rolled out for ``horizon`` steps ``(B, horizon, O)``.
    [[head_hidden]]
    future_size : int, default=0
        Known-ahead features given to the decoder at every output step.
    feedback : {"value", "onehot"}, default="value"
        What the decoder feeds back: its previous value (regression) or the one-hot of its
        previous class (classification).
    quantiles : tuple of float, default=()
        Quantile levels (ascending, in (0, 1)). When given, every output value becomes ``Q``
        non-crossing quantiles (see :func:`monotone_quantiles`) and the heads return
        ``(B, S, O, Q)``; the decoder feeds back the level nearest 0.5.
    patch : int, default=1
        Consecutive input steps the backbone reads as one recurrent step:
        ``(B, L, F) -> (B, L / patch, patch * F)``, so the cell runs ``patch`` times fewer
        sequential steps. ``L`` must be a multiple of ``patch``; not with packed sequences.
    static_cards : tuple of int, default=()
        Number of categories of each categorical static covariate (one embedding each).
    static_numbers : int, default=0
        Numeric static covariates.
    static_mode : {"state", "input"}, default="state"
        How static covariates condition the network (see :mod:`tsrnn.nn.statics`): they set the
        initial hidden state, or they are appended to every input step.
    """

    input_size: int = 1
    output_size: int = 1
    horizon: int = 1
    cell: str = "lstm"
    hidden_size: int = 64
    num_layers: int = 1
    dropout: float = 0.0
    bidirectional: bool = False
    nonlinearity: str = "tanh"
    vocab_size: int = 0
    embedding_dim: int = 0
    padding_idx: int | None = None
    head: str = "last"
    head_hidden: int = 0
    future_size: int = 0
    feedback: str = "value"
    quantiles: tuple[float, ...] = ()
    patch: int = 1
    static_cards: tuple[int, ...] = ()
    static_numbers: int = 0
    static_mode: str = "state"

    def __post_init__(self) -> None:
        levels = tuple(float(q) for q in self.quantiles)
        object.__setattr__(self, "quantiles", levels)  # JSON gives a list back
        object.__setattr__(self, "static_cards", tuple(int(c) for c in self.static_cards))
        if list(levels) != sorted(set(levels)) or not all(0 < q < 1 for q in levels):
            raise ValueError(f"quantiles must be distinct ascending levels in (0, 1), got "
                             f"{levels}")
        if levels and self.feedback != "value":
            raise ValueError("quantiles need feedback='value' (a regression network)")
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {self.nonlinearity!r}")
        if self.static_mode not in ("state", "input") or min(self.static_cards, default=1) < 1:
            raise ValueError(f"static_mode must be 'state' or 'input' and every static_cards "
                             f"entry >= 1, got {self.static_mode!r}, {self.static_cards}")
        if not (isinstance(self.patch, int) and self.patch >= 1):
            raise ValueError(f"patch must be an integer >= 1, got {self.patch!r}")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def n_levels(self) -> int:
        """Outputs per predicted value: the number of quantiles, or 1 for a point forecast."""
        return max(1, len(self.quantiles))

    @property
    def point_index(self) -> int:
        """The quantile fed back and used as the point forecast: 0.5, or the level nearest."""
        return point_level(self.quantiles) if self.quantiles else 0

    def to_dict(self) -> dict:
        return asdict(self)


def make_rnn(cfg: NetConfig, input_size: int, bidirectional: bool) -> nn.RNNBase:
    kwargs = dict(
        input_size=input_size,
        hidden_size=cfg.hidden_size,
        num_layers=cfg.num_layers,
        dropout=cfg.dropout if cfg.num_layers > 1 else 0.0,
        bidirectional=bidirectional,
        batch_first=True,
    )
    if cfg.cell == "rnn":
        kwargs["nonlinearity"] = cfg.nonlinearity
    return _RNN_CLASSES[cfg.cell](**kwargs)


def mlp(in_features: int, hidden: int, out_features: int, dropout: float) -> nn.Module:
    if hidden <= 0:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, out_features))
    return nn.Sequential(
        nn.Dropout(dropout),
        nn.Linear(in_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, out_features),
    )


