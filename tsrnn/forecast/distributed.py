"""Data-parallel training on ``torch.distributed``: DDP in processes launched by torchrun.

How ``RNNForecaster(distributed=True).fit(data)`` runs in each of ``W`` processes:

1. :func:`setup` joins the default process group (gloo on CPU, nccl on CUDA, with the timeout
   of :func:`timeout_seconds`) unless the caller already made one.
2. The series are dealt round-robin by their first-appearance position: rank ``r`` trains on the
   series at positions ``r, r + W, r + 2W, ...`` (:func:`share`). Every rank reads only its own
   rows: a DataFrame is filtered, a Parquet file is filtered while it is read.
3. Each rank fits the per-series scaler and keeps the context of its own series;
   :func:`gather_fitted` all-gathers the ids, scaler statistics and contexts, so every rank ends
   with the model of all series, in the order a one-process fit gives them.
4. The network is wrapped in :class:`~torch.nn.parallel.DistributedDataParallel` (gradients are
   averaged over ranks). The global batch stays ``batch_size``: each rank takes
   ``batch_size // W`` windows per step. All ranks take the same number of steps per epoch, the
   largest over ranks of ``ceil(windows / per-rank batch)``; a rank with fewer windows wraps
   around its own (:class:`PaddedData`). Epoch losses are averaged over ranks
   (:meth:`DataParallel.reduce`), so early stopping and the divergence guard decide alike.
5. Rank 0 alone writes checkpoints and the final model (:func:`is_writer`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .._validation import ConfigError, DataError
from ..data import Scaler
from ..io import PARQUET_SUFFIXES, is_table_path, parquet_ids, read_parquet, read_table
from .torchrun import launched

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "TIMEOUT_ENV",
    "Context",
    "DataParallel",
    "PaddedData",
    "Shard",
    "agree",
    "agree_min",
    "all_rows",
    "gather_fitted",
    "is_writer",
    "launched",
    "make_shard",
    "read_shard",
    "setup",
    "share",
    "shutdown",
    "timeout_seconds",
]

#: Seconds a collective waits for the other ranks before failing (a hung peer, not a dead one:
#: a dead peer closes its sockets and fails the others at once).
DEFAULT_TIMEOUT_S = 300.0
TIMEOUT_ENV = "TSRNN_DIST_TIMEOUT"
def timeout_seconds() -> float:
    """The collective timeout: ``$TSRNN_DIST_TIMEOUT`` seconds, else :data:`DEFAULT_TIMEOUT_S`."""
    text = os.environ.get(TIMEOUT_ENV)
    if text is None:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{TIMEOUT_ENV}={text!r} is not a positive number of seconds; set it "
                          "to e.g. 300")
    return value


@dataclass(frozen=True)
class Context:
    """This process's place in the group."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def comm_device(self) -> torch.device:
        """Where tensors for collectives live (nccl needs CUDA tensors)."""
        return self.device if dist.get_backend() == "nccl" else torch.device("cpu")


def setup(device: torch.device) -> Context:
    """Join the default process group (or reuse one the caller made) and return this rank.

    The backend is nccl for a CUDA ``device`` (each process on GPU ``LOCAL_RANK``) and gloo
    otherwise; collectives time out after :func:`timeout_seconds`.
    """
    if not dist.is_available():
        raise ConfigError("distributed=True needs torch.distributed, which this torch build "
                          "lacks; train with distributed=False")
    if device.type == "cuda":
        local, gpus = int(os.environ.get("LOCAL_RANK", 0)), torch.cuda.device_count()
        if local >= gpus:
            raise ConfigError(f"process {local} on this machine has no GPU of its own (there "
                              f"are {gpus}); start at most {gpus} processes per machine, or "
                              "train on the CPU with device='cpu'")
        torch.cuda.set_device(local)
    if not dist.is_initialized():
        if not launched():
            raise ConfigError(
                "distributed=True needs a torchrun launch (the variables RANK, WORLD_SIZE, "
                "MASTER_ADDR and MASTER_PORT are not set); run `tsrnn fit ... --nproc N`, or "
                "`torchrun --nproc-per-node N your_script.py`")
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout_seconds()))
    if device.type == "cuda":
        device = torch.device("cuda", torch.cuda.current_device())
    return Context(dist.get_rank(), dist.get_world_size(), device)


def shutdown() -> None:
    """Leave the default process group, if there is one."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def is_writer() -> bool:
    """True outside a process group and on rank 0: the process that writes files."""
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


def share(ids: list, rank: int, world_size: int) -> list:
    """The ids rank ``rank`` trains on: positions ``rank, rank + W, ...`` of all ``ids``."""
    if len(ids) < world_size:
        raise DataError(f"{world_size} processes share the series, but the data has only "
                        f"{len(ids)}; use at most {len(ids)} processes")
    return list(ids[rank::world_size])


# ---------------------------------------------------------------- reading this rank's series


@dataclass(frozen=True)
class Shard:
    """One rank's part of a long data set, already read.

    Parameters
    ----------
    frame : DataFrame
        The rows of this rank's series (see :func:`share`), in the file's row order.
    ids : list
        The ids of every series, in first-appearance order.
    """

    frame: pd.DataFrame
    ids: list


def _frame_ids(frame: pd.DataFrame, id_col) -> list:
    if id_col not in frame.columns:
        raise DataError(f"id column {id_col!r} not found; columns are {list(frame.columns)}")
    if frame[id_col].isna().any():
        raise DataError(f"id column {id_col!r} has missing values; drop those rows or give "
                        "them an id")
    return pd.factorize(frame[id_col])[1].tolist()  # first-appearance order, as to_panel


def _rows_of(frame: pd.DataFrame, id_col, ids: list) -> pd.DataFrame:
    part = frame[frame[id_col].isin(ids)]
    # a RangeIndex means "row order is time order" to to_panel: keep it one
    return part.reset_index(drop=True) if isinstance(frame.index, pd.RangeIndex) else part


def make_shard(data, id_col, ctx: Context, columns=None) -> Shard:
    """This rank's :class:`Shard` of ``data``: a long DataFrame with all series, or the path
    of a CSV file (read whole, then filtered) or a Parquet file (filtered while it is read,
    only ``columns`` if given; None: all). A Shard is returned as it is."""
    if isinstance(data, Shard):
        return data
    if is_table_path(data) and str(data).lower().endswith(PARQUET_SUFFIXES):
        ids = parquet_ids(data, id_col)
        mine = share(ids, ctx.rank, ctx.world_size)
        return Shard(read_parquet(data, columns, id_col=id_col, ids=mine), ids)
    frame = read_table(data) if is_table_path(data) else data
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"distributed=True needs a long DataFrame with id_col {id_col!r}, a "
                        f"file path or a Shard; got {type(frame).__name__}")
    ids = _frame_ids(frame, id_col)
    return Shard(_rows_of(frame, id_col, share(ids, ctx.rank, ctx.world_size)), ids)


def read_shard(data, id_col, device: torch.device, columns, read):
    """``(context, panel of this rank's series)`` for a data-parallel ``fit(data)``.

    ``data`` is the whole long frame (each rank keeps its series), the path of a CSV or Parquet
    file (a Parquet file is filtered while it is read, only ``columns`` if given), or a
    :class:`Shard`; ``read(frame) -> Panel`` reads the rows with the forecaster's roles.
    """
    if id_col is None:
        raise ConfigError("distributed=True splits the data by series; give id_col (a long "
                          "frame with many series)")
    ctx = setup(device)
    shard = make_shard(data, id_col, ctx, columns)
    mine = share(shard.ids, ctx.rank, ctx.world_size)
    panel = read(shard.frame)
    if list(panel.ids) != mine:
        want, got = set(mine), set(panel.ids)
        extra = [i for i in panel.ids if i not in want][:1]
        missing = [i for i in mine if i not in got][:1]
        raise DataError(f"rank {ctx.rank} holds the wrong series (first extra: {extra}, first "
                        f"missing: {missing}); a Shard must hold exactly the rows of "
                        f"share(ids, {ctx.rank}, {ctx.world_size})")
    return ctx, panel


# ---------------------------------------------------------------- collectives


def agree_min(value: int) -> int:
    """The smallest ``value`` over all ranks (``value`` itself outside a process group)."""
    if not (dist.is_available() and dist.is_initialized()):
        return int(value)
    device = torch.device("cuda") if dist.get_backend() == "nccl" else torch.device("cpu")
    t = torch.tensor([int(value)], dtype=torch.int64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MIN)
    return int(t.item())


def agree(obj):
    """Rank 0's ``obj`` on every rank (``obj`` itself outside a process group): the ranks of
    a data-parallel fit build one network from one resolved configuration."""
    if not (dist.is_available() and dist.is_initialized()):
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def all_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Every rank's ``frame`` stacked in rank order (``frame`` itself outside a group)."""
    if not (dist.is_available() and dist.is_initialized()):
        return frame
    parts = [None] * dist.get_world_size()
    dist.all_gather_object(parts, frame)
    return pd.concat(parts, ignore_index=True)


def _interleave(parts: list, n: int, empty):
    """Rank ``r``'s items go to positions ``r, r + W, ...`` (the inverse of :func:`share`)."""
    world = len(parts)
    out = empty(n)
    for r, part in enumerate(parts):
        out[r::world] = part
    return out


def _merge_context(parts: list[dict], n: int) -> dict:
    context = {}
    for name in ("target", "past", "future"):
        blocks = [p[name] for p in parts]
        if blocks[0] is None:
            context[name] = None
            continue
        shape = blocks[0].shape[1:]
        context[name] = _interleave(blocks, n, lambda k, s=shape: np.empty((k, *s), np.float64))
    context["index"] = _interleave([p["index"] for p in parts], n, lambda k: [None] * k)
    return context


def gather_fitted(channels) -> None:
    """Replace the ``ids``, ``scaler`` and ``context`` of ``channels`` (a
    :class:`~tsrnn.forecast.channels.Channels` fitted on this rank's series) by those of all
    series, in first-appearance order; every rank gets the same."""
    local = {"ids": list(channels.ids), "center": channels.scaler.center_,
             "scale": channels.scaler.scale_, "freq": channels.freq,
             "roles": repr(channels.roles), **channels.context}
    parts = [None] * dist.get_world_size()
    dist.all_gather_object(parts, local)
    for key, what in (("freq", "frequency"), ("roles", "columns")):
        found = {str(p[key]) for p in parts}
        if len(found) > 1:
            raise DataError(f"the processes found different {what} in their series: "
                            f"{sorted(found)}; give {'freq' if key == 'freq' else 'target'}= "
                            "explicitly")
    n = sum(len(p["ids"]) for p in parts)
    k = parts[0]["center"].shape[1]
    channels.ids = _interleave([p["ids"] for p in parts], n, lambda m: [None] * m)
    scaler = Scaler(channels.scaler.method)
    scaler.center_ = _interleave([p["center"] for p in parts], n, lambda m: np.empty((m, k)))
    scaler.scale_ = _interleave([p["scale"] for p in parts], n, lambda m: np.empty((m, k)))
    channels.scaler = scaler
    channels.context = _merge_context(parts, n)


# ---------------------------------------------------------------- training


class PaddedData:
    """Training windows stretched to ``length`` samples: sample ``i`` is window ``i mod n``.

    Every rank then takes the same number of full batches per epoch; a shuffled epoch holds
    each window once or twice.
    """

    def __init__(self, data, length: int):
        self.data, self.length = data, int(length)

    def __len__(self) -> int:
        return self.length

    def to(self, device: torch.device) -> PaddedData:
        return PaddedData(self.data.to(device), self.length)

    def batch(self, index):
        if isinstance(index, slice):
            index = torch.arange(self.length)[index]
        return self.data.batch(index % len(self.data))


class _Replica(DistributedDataParallel):
    """DDP whose state dict is the wrapped network's (no ``module.`` prefix), so early
    stopping's best weights and checkpoints look as they do in a one-process fit."""

    def state_dict(self, *args, **kwargs):
        return self.module.state_dict(*args, **kwargs)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        return self.module.load_state_dict(state_dict, strict=strict, assign=assign)


class DataParallel:
    """One rank's side of a data-parallel fit (see the module docstring).

    Parameters
    ----------
    ctx : Context
        This rank.
    batch_size : int
        The global batch; each rank takes ``batch_size // world_size`` windows per step.
    n_val : int
        This rank's validation windows (weights of the averaged validation loss).
    """

    def __init__(self, ctx: Context, batch_size: int, n_val: int):
        if batch_size < ctx.world_size:
            raise ConfigError(f"batch_size {batch_size} is smaller than the {ctx.world_size} "
                              "processes sharing it; use batch_size >= the number of processes")
        self.ctx, self.n_val = ctx, int(n_val)
        self.batch_size = batch_size // ctx.world_size

    @property
    def writes(self) -> bool:
        """Whether this rank writes checkpoints and models (rank 0)."""
        return self.ctx.rank == 0

    def steps_per_epoch(self, n_train: int) -> int:
        """The most batches any rank needs for one pass over its windows."""
        t = torch.tensor([math.ceil(n_train / self.batch_size)], dtype=torch.int64,
                         device=self.ctx.comm_device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return int(t.item())

    def wrap(self, network, train, config):
        """``(DDP network, padded training data, config with the per-rank batch)``."""
        steps = self.steps_per_epoch(len(train))
        on_cuda = self.ctx.device.type == "cuda"
        # tsrnn's networks hold no buffers, so a forward pass runs no collective: ranks may
        # evaluate different numbers of validation batches
        replica = _Replica(network, device_ids=[self.ctx.device.index] if on_cuda else None)
        return (replica, PaddedData(train, steps * self.batch_size),
                replace(config, batch_size=self.batch_size))

    def reduce(self, record: dict) -> dict:
        """An epoch record with the losses averaged over ranks (validation weighted by each
        rank's windows)."""
        has_val = "val_loss" in record
        t = torch.tensor([record["train_loss"],
                          record["val_loss"] * self.n_val if has_val else 0.0,
                          self.n_val if has_val else 0.0],
                         dtype=torch.float64, device=self.ctx.comm_device)
        dist.all_reduce(t)
        out = dict(record, train_loss=float(t[0]) / self.ctx.world_size)
        if float(t[2]) > 0:
            out["val_loss"] = float(t[1]) / float(t[2])
        return out
