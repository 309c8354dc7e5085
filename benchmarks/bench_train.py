"""Training throughput: ``tsrnn.RNNRegressor.fit`` beside a bare PyTorch loop doing the same steps.

Both sides train the same module (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with ``batch_first`` and a
linear head on the top layer's last hidden state) on the same windows of one long synthetic
series, with the same Adam optimiser and learning rate, gradient clipping at norm 1.0 (tsrnn's
default), the same seed (so the same initial weights and the same shuffled order), standardised
targets and shuffled mini-batches gathered by index from an in-memory tensor. The bare loop uses
no tsrnn code.

What is timed:

* tsrnn: the whole ``RNNRegressor(...).fit(X, y)`` call (input validation, conversion to tensors,
  target scaling, building the network and the optimiser, the epochs). The epochs alone, summed
  from ``history_[i]["seconds"]``, are shown as well.
* bare: the same work written by hand (tensors from the arrays, target scaling, network, optimiser,
  the epochs, the mean loss per epoch).

Each timed fit runs in a fresh worker forked from this process (``--no-fork``: all in this
process), after an untimed warm-up fit of the same side on the first ``--warmup`` windows, so
neither side inherits the other's allocator or thread-pool state: on glibc, which side happened to
run before can move the page-fault count of the next fit, and with it its time, by 10 %. Each cell
is measured ``--repeats`` times, alternating which side goes first; the table shows medians.
windows/s = windows per epoch x epochs / seconds. ``ratio`` = tsrnn / bare (the bar is >= 0.9).
The timings only mean something on an otherwise idle machine: the load average is printed.

Run ``python benchmarks/bench_train.py --help`` for the options; the output is markdown.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view
from torch import nn

from tsrnn import RNNRegressor

CELLS = ("rnn", "lstm", "gru")
RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
BAR = 0.9
ENV_PREFIXES = ("MALLOC_", "OMP_", "MKL_", "LD_PRELOAD")  # echoed with the command


@dataclass(frozen=True)
class Setup:
    """One benchmark configuration (shared by both sides)."""

    batch_size: int
    lookback: int
    horizon: int
    hidden: int
    layers: int
    epochs: int
    lr: float
    seed: int


@dataclass(frozen=True)
class Trial:
    """One timed training run."""

    seconds: float  # whole fit, wall clock
    cpu_seconds: float  # whole fit, CPU time of the process (all threads)
    loop_seconds: float  # epochs only, wall clock
    loss: float  # mean training loss of the last epoch (standardised targets)
    windows: int  # windows processed (per epoch x epochs)
    faults: int = 0  # minor page faults of the process during the fit (allocator churn)

    @property
    def rate(self) -> float:
        return self.windows / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.windows / self.cpu_seconds

    @property
    def loop_rate(self) -> float:
        return self.windows / self.loop_seconds


# -- data ----------------------------------------------------------------------------------------


def make_windows(n_windows: int, lookback: int, horizon: int, seed: int):
    """Windows of a synthetic series (two seasonalities, trend, AR(1) noise), standardised.

    Returns ``X`` of shape ``(n, lookback)`` and ``y`` of shape ``(n,)`` (``horizon == 1``) or
    ``(n, horizon)``, both float32 and C-contiguous.
    """
    rng = np.random.default_rng(seed)
    length = n_windows + lookback + horizon - 1
    t = np.arange(length, dtype=np.float64)
    noise = np.zeros(length)
    shocks = rng.normal(scale=0.3, size=length)
    for i in range(1, length):
        noise[i] = 0.7 * noise[i - 1] + shocks[i]
    series = np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168) + 1e-4 * t + noise
    series = ((series - series.mean()) / series.std()).astype(np.float32)
    X = np.ascontiguousarray(sliding_window_view(series[: length - horizon], lookback))
    y = np.ascontiguousarray(sliding_window_view(series[lookback:], horizon))  # (n, horizon)
    return X, (y[:, 0].copy() if horizon == 1 else y)


# -- the two sides ---------------------------------------------------------------------------


class BareNet(nn.Module):
    """A recurrent module plus a linear head on the last hidden state of the top layer."""

    def __init__(self, cell: str, setup: Setup):
        super().__init__()
        self.rnn = RNN_CLASSES[cell](1, setup.hidden, setup.layers, batch_first=True)
        self.head = nn.Linear(setup.hidden, setup.horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, state = self.rnn(x)  # (B, L, 1) -> state (layers, B, H) or a pair of them
        h = state[0] if isinstance(state, tuple) else state
        return self.head(h[-1])  # (B, H) -> (B, horizon)


def fit_bare(cell: str, X: np.ndarray, y: np.ndarray, setup: Setup) -> Trial:
    """Train with a hand-written loop; everything after receiving the arrays is timed."""
    tic, cpu = time.perf_counter(), time.process_time()
    x_t = torch.from_numpy(X).unsqueeze(-1)  # (n, L) -> (n, L, 1)
    y2 = y.reshape(len(y), -1)  # (n,) -> (n, 1); (n, horizon) stays
    y_t = torch.from_numpy((y2 - y2.mean()) / y2.std())  # one scale for all steps, as tsrnn
    torch.manual_seed(setup.seed)
    net = BareNet(cell, setup)
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=setup.lr)
    gen = torch.Generator().manual_seed(setup.seed)
    n, epoch_seconds, loss_value = len(x_t), [], float("nan")
    net.train()
    for _ in range(setup.epochs):
        t_epoch = time.perf_counter()
        total = torch.zeros(())
        for idx in torch.randperm(n, generator=gen).split(setup.batch_size):
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(net(x_t[idx]), y_t[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            total += loss.detach() * len(idx)
        loss_value = float(total) / n
        epoch_seconds.append(time.perf_counter() - t_epoch)
    seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
    return Trial(seconds, cpu, sum(epoch_seconds), loss_value, n * setup.epochs)


def fit_tsrnn(cell: str, X: np.ndarray, y: np.ndarray, setup: Setup) -> Trial:
    """Train ``RNNRegressor(head="last")``; the whole ``fit`` call is timed."""
    est = RNNRegressor(cell=cell, hidden_size=setup.hidden, num_layers=setup.layers, head="last",
                       epochs=setup.epochs, batch_size=setup.batch_size, lr=setup.lr,
                       clip_grad=1.0, random_state=setup.seed, device="cpu")
    tic, cpu = time.perf_counter(), time.process_time()
    est.fit(X, y)
    seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
    loop = sum(r["seconds"] for r in est.history_)
    return Trial(seconds, cpu, loop, est.history_[-1]["train_loss"], len(X) * setup.epochs)


SIDES = {"bare": fit_bare, "tsrnn": fit_tsrnn}


# -- running and reporting ---------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


_DATA: dict[str, np.ndarray] = {}  # the windows, inherited by forked workers (never pickled)


def _one_run(side: str, cell: str, setup: Setup, warmup: int, threads: int) -> Trial:
    """Warm ``side`` up on the first ``warmup`` windows (untimed), then time one fit."""
    torch.set_num_threads(threads)
    X, y, fit = _DATA["X"], _DATA["y"], SIDES[side]
    fit(cell, X[:warmup], y[:warmup], replace(setup, epochs=1))
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    trial = fit(cell, X, y, setup)
    return replace(trial, faults=resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults)


def run_one(side: str, cell: str, setup: Setup, warmup: int, threads: int, fork: bool) -> Trial:
    """One timed fit, in a fresh forked worker when ``fork`` (so that neither side inherits the
    other's allocator and thread-pool state), else in this process."""
    if not fork:
        return _one_run(side, cell, setup, warmup, threads)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_one_run, (side, cell, setup, warmup, threads))


def bench_cell(cell: str, setup: Setup, args: argparse.Namespace) -> dict[str, list[Trial]]:
    """``args.repeats`` timed fits of each side, alternating which goes first."""
    trials: dict[str, list[Trial]] = {name: [] for name in SIDES}
    warmup = min(args.warmup, len(_DATA["X"]))
    for r in range(args.repeats):
        for name in list(SIDES) if r % 2 == 0 else list(SIDES)[::-1]:
            trial = run_one(name, cell, setup, warmup, args.threads, args.fork)
            trials[name].append(trial)
            print(f"  {cell} run {r + 1}/{args.repeats} {name:5s}: {trial.rate:8,.0f} windows/s "
                  f"({trial.seconds:.2f} s, {trial.faults:,} page faults, "
                  f"load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    return trials


def median(values) -> float:
    return statistics.median(list(values))


def table_row(cell: str, trials: dict[str, list[Trial]]) -> str:
    bare, ts = trials["bare"], trials["tsrnn"]

    def ratio(rate, pick=median) -> float:  # tsrnn / bare
        return pick(rate(t) for t in ts) / pick(rate(t) for t in bare)

    main = ratio(Trial.rate.fget)
    cells = [
        cell,
        f"{median(t.rate for t in bare):,.0f}",
        f"{median(t.rate for t in ts):,.0f}",
        f"**{main:.2f}**",
        f"{ratio(Trial.rate.fget, max):.2f}",
        " / ".join(f"{t.rate / b.rate:.2f}" for b, t in zip(bare, ts)),
        f"{ratio(Trial.cpu_rate.fget):.2f}",
        f"{median(t.loop_rate for t in ts):,.0f}",
        f"{median(t.seconds - t.loop_seconds for t in ts):.3f} / "
        f"{median(t.seconds - t.loop_seconds for t in bare):.3f}",
        f"{median(t.faults for t in ts) / 1e3:,.0f}k / "
        f"{median(t.faults for t in bare) / 1e3:,.0f}k",
        f"{abs(bare[-1].loss - ts[-1].loss):.1e}",
        "yes" if main >= BAR else "**no**",
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| cell | bare loop windows/s | tsrnn fit windows/s | ratio | ratio, best runs "
    "| ratio per run | ratio, CPU time | tsrnn epochs-only windows/s "
    "| outside epochs, s (tsrnn / bare) | page faults (tsrnn / bare) | loss gap | >= 0.9 |\n"
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|:---:|"
)

LEGEND = """
- windows/s: median over the runs of (windows x epochs) / seconds of the whole fit (wall clock).
- ratio: tsrnn / bare of those medians (the bar is >= 0.9); ratio, best runs: of the fastest
  run of each side (timeit's convention: noise only adds time); ratio per run: each tsrnn run
  against the bare run beside it; ratio, CPU time: of the median rates in process CPU time.
- tsrnn epochs-only: from `history_[i]["seconds"]`; outside epochs: the rest of each fit (input
  checks, conversion, target scaling, building the network and the optimiser), median seconds.
- page faults: median minor page faults of the process during the timed fit (glibc returning
  freed heap to the kernel and taking it back costs a fault per 4 KiB page).
- loss gap: |last-epoch training loss of tsrnn - bare|; 0 means both took bit-identical steps.
"""


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cells to run")
    p.add_argument("--epochs", type=int, default=1, help="epochs per timed fit")
    p.add_argument("--windows", type=int, default=20_000, help="training windows per epoch")
    p.add_argument("--repeats", type=int, default=5, help="timed fits per side and cell")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lookback", type=int, default=48)
    p.add_argument("--horizon", type=int, default=1, help=">1 trains a direct multi-step head")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=2048, help="windows in the untimed warm-up fit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-fork", action="store_true",
                   help="run every fit in this process instead of a fresh forked worker")
    args = p.parse_args(argv)
    args.fork = not args.no_fork and "fork" in multiprocessing.get_all_start_methods()
    args.cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    unknown = sorted(set(args.cells) - set(CELLS))
    if unknown:
        p.error(f"unknown cell(s) {unknown}; choose from {', '.join(CELLS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    setup = Setup(args.batch_size, args.lookback, args.horizon, args.hidden, args.layers,
                  args.epochs, args.lr, args.seed)
    # No torch work happens in this process before the workers fork (fork-safe OpenMP).
    _DATA["X"], _DATA["y"] = make_windows(args.windows, args.lookback, args.horizon, args.seed)
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    results = {cell: bench_cell(cell, setup, args) for cell in args.cells}
    total = time.perf_counter() - started
    load_end = os.getloadavg()[0]

    print(f"### Results, {date.today().isoformat()}\n")
    env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIXES)]
    command = " ".join([*env, "python benchmarks/bench_train.py", *sys.argv[1:]])
    print(f"- command: `{command}`")
    print(f"- CPU: {cpu_model()} ({os.cpu_count()} cores); torch {torch.__version__}, "
          f"threads: {args.threads}; Python {platform.python_version()}")
    where = "each in a fresh forked process" if args.fork else "all in one process"
    print(f"- {args.windows:,} windows x {args.epochs} epoch(s), batch {args.batch_size} "
          f"({-(-args.windows // args.batch_size)} steps/epoch), lookback {args.lookback}, "
          f"horizon {args.horizon}, hidden {args.hidden}, {args.layers} layers, 1 feature, "
          f"Adam lr {args.lr}, clip 1.0; median of {args.repeats} alternating runs, {where}")
    print(f"- 1-min load average {load_start:.2f} at start, {load_end:.2f} at end; "
          f"total {total:.0f} s\n")
    print(HEADER)
    for cell, trials in results.items():
        print(table_row(cell, trials))
    print(LEGEND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
