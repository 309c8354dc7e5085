"""Side by side on M4 Hourly: tsrnn, a bare torch loop, Darts and NeuralForecast (issue 6).

One command trains the same network on the same data with each library and prints one markdown
table: parameters, fit seconds, training windows/s, training GFLOP/s, predict seconds for all
series, sMAPE and MASE (M4 definitions, ``benchmarks/m4_hourly.py``), beside seasonal naive.

The same-config rows share: LSTM, 2 layers x 128 hidden, 1 input channel, input window 144,
direct 48-step output, 128 windows per optimiser step, Adam lr 1e-3, MAE loss, ``--steps``
optimiser steps (default 1000), no dropout, no gradient clipping unless ``--clip`` (the peers'
defaults), the same seed. Every side sees the series standardised by the mean and standard
deviation of its own training rows (tsrnn's default per-series scaler; the script computes the
same numbers for the other three and unscales their forecasts), and no window normalisation:

* ``tsrnn``: ``RNNForecaster(cell="lstm", num_layers=2, hidden_size=128, lookback=144,
  horizon=48, head="direct", batch_size=128, lr=1e-3, loss="mae", max_steps=...)`` on the long
  frame; the final hidden state of the top layer -> ``Linear(128, 48)``.
* ``bare``: a hand-written loop, no tsrnn code: ``nn.LSTM(1, 128, 2, batch_first=True)`` +
  ``Linear(128, 48)`` on the same windows (every window of every series, stride 1), shuffled
  mini-batches gathered by index, the same seed: the same initial weights and batch order as
  tsrnn, so its training loss should match tsrnn's.
* ``darts``: ``BlockRNNModel(model="LSTM", hidden_dim=128, n_rnn_layers=2,
  input_chunk_length=144, output_chunk_length=48, batch_size=128)``, L1 loss, trained for
  ``ceil(steps / batches per epoch)`` epochs with Lightning's ``max_steps=steps``.
* ``nf``: NeuralForecast ``LSTM(input_size=144, h=48, encoder_n_layers=2,
  encoder_hidden_size=128, decoder_layers=1, batch_size=32, windows_batch_size=128,
  scaler_type="identity", max_steps=steps)``, MAE: each step samples 32 series, then 128 windows
  among them.

Darts' and NeuralForecast's LSTM "direct" heads differ from tsrnn's: both read the LSTM output at
each of the last 48 input steps and map it with one shared ``Linear(128, 1)`` (129 parameters)
instead of mapping the final hidden state with ``Linear(128, 48)`` (6,192); the table prints the
parameter count of every model. ``--recipe`` adds tsrnn's recommended M4 recipe (BENCHMARKS.md).

FLOPs (multiply-adds count 2) per window, forward: each LSTM layer ``2 * 4H * (I + H) * L``
(input and recurrent matmuls of the four gates, I = layer input width, L = 144 steps), plus the
head ``2 * H * 48``; elementwise gate work and biases are left out. Backward ~= 2 x forward, so a
training window costs ~3 x forward (~170 MFLOP here). Training GFLOP/s = that x windows / fit
seconds; the fp32 peak printed beside it is the best of 5 timed ``torch.mm`` of 2048 x 2048.

Each fit runs in a fresh forked worker (``--no-fork``: all in this process), so no side inherits
another's allocator or thread-pool state. Timings on a loaded machine mean little: the load
average is printed. Smoke run: ``python benchmarks/peers.py --steps 50 --max-series 40``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import torch
from bench_train import cpu_model
from m4_hourly import HORIZON, SEASON, data_dir, load, long_frame, scores, to_block
from peers_libs import epochs_for, fit_darts, fit_nf, preload, version, windows_done

from tsrnn import RNNForecaster
from tsrnn.data import window_starts
from tsrnn.metrics import seasonal_naive_forecast
from tsrnn.nn import count_parameters

SIDES = ("tsrnn", "bare", "darts", "nf")
RECIPE = dict(lookback=168, patch=24, hidden_size=128, num_layers=1, head_hidden=256,
              window_norm="standard", season=24, target_transform="log", stride=4,
              batch_size=512, lr=3e-3, lr_schedule="cosine", loss="mae")


@dataclass(frozen=True)
class Setup:
    """The shared network and training configuration."""

    lookback: int = 144
    hidden: int = 128
    layers: int = 2
    batch: int = 128
    lr: float = 1e-3
    steps: int = 1000
    seed: int = 0
    clip: float | None = None
    threads: int = 0


@dataclass
class Row:
    """One trained model: what it cost and how good its forecasts are."""

    name: str
    params: int
    steps: int
    windows: int  # training windows processed
    fit_s: float
    predict_s: float
    forecast: np.ndarray  # (n_series, 48), original scale
    flops: float  # training FLOPs per window
    loss: float | None = None  # mean training loss of the last epoch (scaled data)
    threads: int = 0  # torch threads when the fit ended
    cpu_s: float = math.nan  # process CPU time of fit + predict (all threads)
    scored: tuple[float, float] = field(default=(math.nan, math.nan))


# --------------------------------------------------------------------------- data and counts


_DATA: dict = {}  # filled before the workers fork; never pickled


def standardise(train: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Each series by the mean and (population) std of its training rows, as tsrnn's scaler."""
    mean = np.array([s.mean() for s in train])
    std = np.array([s.std() for s in train])
    std = np.where(std > 0, std, 1.0)
    return [(s - m) / d for s, m, d in zip(train, mean, std)], mean, std


def train_flops(lookback: int, hidden: int, layers: int, head: tuple[int, ...],
                patch: int = 1) -> float:
    """Training FLOPs per window: 3 x (LSTM matmuls + head matmuls), see the module docstring.
    With ``patch`` the LSTM runs ``lookback / patch`` steps on ``patch`` inputs each."""
    widths = [patch] + [hidden] * layers
    steps = lookback // patch
    lstm = sum(2 * 4 * hidden * (widths[i] + hidden) * steps for i in range(layers))
    mlp = sum(2 * a * b for a, b in zip(head[:-1], head[1:]))
    return 3.0 * (lstm + mlp)


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = math.inf
    for _ in range(repeats):
        tic = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - tic)
    return 2 * n**3 / best / 1e9


# --------------------------------------------------------------------------- tsrnn and bare


def _tsrnn_row(name: str, model: RNNForecaster, steps: int, windows: int, flops: float) -> Row:
    frame, ids = _DATA["frame"], _DATA["ids"]
    tic = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - tic
    tic = time.perf_counter()
    block = to_block(model.predict(), ids)
    predict_s = time.perf_counter() - tic
    return Row(name, count_parameters(model.network_), steps, windows, fit_s, predict_s, block,
               flops, model.history_[-1]["train_loss"])


def fit_tsrnn(setup: Setup) -> Row:
    n = _DATA["n_windows"]
    model = RNNForecaster(
        id_col="id", time_col="t", target="y", cell="lstm", num_layers=setup.layers,
        hidden_size=setup.hidden, lookback=setup.lookback, horizon=HORIZON, head="direct",
        batch_size=setup.batch, lr=setup.lr, loss="mae", max_steps=setup.steps,
        epochs=epochs_for(n, setup.batch, setup.steps), clip_grad=setup.clip,
        scaler="standard", random_state=setup.seed, device="cpu")
    flops = train_flops(setup.lookback, setup.hidden, setup.layers, (setup.hidden, HORIZON))
    return _tsrnn_row("tsrnn (same config)", model, setup.steps,
                      windows_done(n, setup.batch, setup.steps), flops)


def fit_recipe(setup: Setup, epochs: int) -> Row:
    r = RECIPE
    lengths = [len(s) for s in _DATA["train"]]
    n = len(window_starts(lengths, r["lookback"], HORIZON, r["stride"]))
    model = RNNForecaster(id_col="id", time_col="t", target="y", cell="lstm", horizon=HORIZON,
                          epochs=epochs, random_state=setup.seed, device="cpu", **r)
    flops = train_flops(r["lookback"], r["hidden_size"], r["num_layers"],
                        (r["hidden_size"], r["head_hidden"], HORIZON), r["patch"])
    return _tsrnn_row(f"tsrnn recipe ({epochs} epoch{'s' if epochs > 1 else ''})", model,
                      epochs * math.ceil(n / r["batch_size"]), n * epochs, flops)


class BareNet(torch.nn.Module):
    """``nn.LSTM`` + ``Linear`` on the final hidden state of the top layer."""

    def __init__(self, setup: Setup):
        super().__init__()
        self.rnn = torch.nn.LSTM(1, setup.hidden, setup.layers, batch_first=True)
        self.head = torch.nn.Linear(setup.hidden, HORIZON)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h, _) = self.rnn(x)  # (B, L, 1) -> h (layers, B, H)
        return self.head(h[-1])  # (B, H) -> (B, 48)


def _bare_train(net, values, starts, setup: Setup) -> float:
    """``setup.steps`` Adam steps on shuffled windows; mean loss of the last epoch."""
    opt = torch.optim.Adam(net.parameters(), lr=setup.lr)
    gen = torch.Generator().manual_seed(setup.seed)
    span = torch.arange(setup.lookback + HORIZON)
    step, total, seen = 0, 0.0, 0
    while step < setup.steps:
        total, seen = 0.0, 0
        for idx in torch.randperm(len(starts), generator=gen).split(setup.batch):
            if step == setup.steps:
                break
            w = values[starts[idx, None] + span]  # (B, L + 48)
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.l1_loss(net(w[:, :setup.lookback, None]),
                                               w[:, setup.lookback:])
            loss.backward()
            if setup.clip is not None:
                torch.nn.utils.clip_grad_norm_(net.parameters(), setup.clip)
            opt.step()
            step, total, seen = step + 1, total + loss.item() * len(idx), seen + len(idx)
    return total / max(seen, 1)


def fit_bare(setup: Setup) -> Row:
    tic = time.perf_counter()
    scaled, mean, std = standardise(_DATA["train"])
    lengths = np.array([len(s) for s in scaled])
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    span = setup.lookback + HORIZON
    starts = np.concatenate([o + np.arange(n - span + 1) for o, n in zip(offsets, lengths)])
    values = torch.from_numpy(np.concatenate(scaled).astype(np.float32))
    torch.manual_seed(setup.seed)
    net = BareNet(setup)
    loss = _bare_train(net, values, torch.from_numpy(starts), setup)
    fit_s = time.perf_counter() - tic
    tic = time.perf_counter()
    last = torch.from_numpy(np.stack([s[-setup.lookback:] for s in scaled]).astype(np.float32))
    with torch.no_grad():
        out = net.eval()(last[..., None]).double().numpy()  # (S, L) -> (S, 48)
    block = out * std[:, None] + mean[:, None]
    predict_s = time.perf_counter() - tic
    return Row("bare torch loop", sum(p.numel() for p in net.parameters()), setup.steps,
               windows_done(len(starts), setup.batch, setup.steps), fit_s, predict_s, block,
               train_flops(setup.lookback, setup.hidden, setup.layers, (setup.hidden, HORIZON)),
               loss)


def fit_peer(side: str, setup: Setup) -> Row:
    """Darts or NeuralForecast on the standardised series; forecasts mapped back."""
    tic = time.perf_counter()
    scaled, mean, std = standardise(_DATA["train"])
    prep_s = time.perf_counter() - tic
    name, fit = {"darts": ("Darts BlockRNNModel", fit_darts),
                 "nf": ("NeuralForecast LSTM", fit_nf)}[side]
    res = fit(scaled, setup)
    block = res["forecast"] * std[:, None] + mean[:, None]  # (S, 48), original scale
    return Row(f"{name} {version(side)}", res["params"], res["steps"], res["windows"],
               prep_s + res["fit_s"], res["predict_s"], block,
               train_flops(setup.lookback, setup.hidden, setup.layers, (setup.hidden, HORIZON)),
               res["loss"])


# --------------------------------------------------------------------------- running


def _worker(side: str, setup: Setup, recipe_epochs: int):
    if setup.threads:
        torch.set_num_threads(setup.threads)
    runners = {"tsrnn": fit_tsrnn, "bare": fit_bare,
               "darts": lambda s: fit_peer("darts", s), "nf": lambda s: fit_peer("nf", s),
               "recipe": lambda s: fit_recipe(s, recipe_epochs)}
    try:
        preload(side)
        cpu = time.process_time()
        row = runners[side](setup)
        return replace(row, threads=torch.get_num_threads(), cpu_s=time.process_time() - cpu)
    except ImportError as exc:
        return f"{side}: skipped, not installed ({exc}); `make bench-peers` installs the peers"
    except Exception as exc:  # noqa: BLE001 -- one failing side must not lose the others
        traceback.print_exc()
        return f"{side}: failed: {type(exc).__name__}: {exc}"


def run_side(side: str, setup: Setup, recipe_epochs: int, fork: bool):
    """A Row, or a note saying why there is none."""
    print(f"# {side}: fitting (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    if not fork:
        return _worker(side, setup, recipe_epochs)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_worker, (side, setup, recipe_epochs))


# --------------------------------------------------------------------------- report


def fmt_row(row: Row) -> str:
    rate = row.windows / row.fit_s
    loss = "-" if row.loss is None else f"{row.loss:.4f}"
    return (f"| {row.name} | {row.params:,} | {row.steps:,} | {row.windows:,} | {row.fit_s:.1f} "
            f"| {row.cpu_s:.1f} | {rate:,.0f} | {row.flops * rate / 1e9:.1f} | {row.predict_s:.2f} "
            f"| {row.scored[0]:.3f} | {row.scored[1]:.3f} | {loss} |")


def report(args, setup: Setup, rows: list[Row], notes: list[str], extra: dict) -> None:
    n = len(_DATA["ids"])
    print(f"## M4 Hourly peers ({n} series, horizon {HORIZON}, m={SEASON}) -- {date.today()}\n")
    print(f"- command: `python benchmarks/peers.py {' '.join(sys.argv[1:])}`")
    print(f"- machine: {cpu_model()}, {platform.machine()}, {os.cpu_count()} CPU(s); torch "
          f"{torch.__version__}, {extra['threads']} thread(s); Python {platform.python_version()}")
    print(f"- fp32 matmul (torch.mm 2048x2048, best of 5): {extra['gflops']:.1f} GFLOP/s")
    print(f"- 1-min load average {extra['load'][0]:.2f} at start, {extra['load'][1]:.2f} at "
          f"end{' (busy machine: timings are unreliable)' if max(extra['load']) > 1.5 else ''}")
    print(f"- same config: LSTM {setup.layers}x{setup.hidden}, lookback {setup.lookback}, direct "
          f"{HORIZON}-step output, batch {setup.batch}, Adam lr {setup.lr}, MAE, {setup.steps} "
          f"steps, clip {setup.clip}, seed {setup.seed}; {_DATA['n_windows']:,} training "
          "windows (stride 1)\n")
    print("| method | params | steps | windows | fit s | CPU s | windows/s | train GFLOP/s "
          "| predict s | sMAPE | MASE | train loss |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(fmt_row(row))
    print(f"| seasonal naive | - | - | - | - | - | - | - | {extra['snaive_s']:.2f} "
          f"| {extra['snaive'][0]:.3f} | {extra['snaive'][1]:.3f} | - |")
    print("\n- windows/s: training windows / fit seconds (fit: the whole call, from raw series "
          "to trained model); train GFLOP/s: 3 x forward FLOPs per window x windows/s; CPU s: "
          "CPU time of the process over fit + predict (all threads), less sensitive to other "
          "load than the wall-clock columns.")
    print("- train loss: mean MAE of the last epoch's steps on the standardised series (the "
          "recipe's: on its own window-normalised log targets); the peers log none comparable.")
    print("- torch threads when each fit ended: "
          + ", ".join(f"{r.name} {r.threads}" for r in rows))
    if any(r.name.startswith(("Darts", "NeuralForecast")) for r in rows):
        print("- params: Darts' and NeuralForecast's LSTMs map the LSTM output at each of the "
              "last 48 input steps with one shared Linear(128, 1) (129 parameters) where tsrnn "
              "and the bare loop map the final hidden state with Linear(128, 48) (6,192); the "
              "LSTMs are the same (199,168) and so are the FLOPs per window.")
    if any(r.name.startswith("tsrnn recipe") for r in rows):
        print("- recipe: " + ", ".join(f"{k}={v}" for k, v in RECIPE.items())
              + ", clip_grad=1.0 (tsrnn's default); windows at stride 4.")
    for note in notes:
        print(f"- {note}")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", help="shared data folder (holding m4/); default "
                   "$TSRNN_SHARED_DATA or ../shared/data")
    p.add_argument("--steps", type=int, default=1000, help="optimiser steps of every model")
    p.add_argument("--only", default=",".join(SIDES), help="comma-separated sides to run")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    p.add_argument("--recipe", action="store_true", help="add tsrnn's recommended M4 recipe")
    p.add_argument("--recipe-epochs", type=int, default=16, help="epochs of the recipe row")
    p.add_argument("--clip", type=float, default=None, help="gradient-norm clip for all sides")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-series", type=int, default=0,
                   help="evenly spaced subset of series for a smoke run (0 = all 414)")
    p.add_argument("--no-fork", action="store_true", help="run every fit in this process")
    args = p.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SIDES))
    if unknown:
        p.error(f"--only: unknown side(s) {unknown}; choose from {', '.join(SIDES)}")
    if args.steps < 1 or args.recipe_epochs < 1:
        p.error("--steps and --recipe-epochs must be >= 1")
    args.fork = not args.no_fork and "fork" in multiprocessing.get_all_start_methods()
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    setup = Setup(steps=args.steps, seed=args.seed, clip=args.clip, threads=args.threads)
    ids, train, test = load(data_dir(args.data), args.max_series)
    _DATA.update(ids=ids, train=train, frame=long_frame(ids, train),
                 n_windows=sum(len(s) - setup.lookback - HORIZON + 1 for s in train))
    load_start = os.getloadavg()[0]
    rows, notes = [], []
    for side in args.only + (["recipe"] if args.recipe else []):
        out = run_side(side, setup, args.recipe_epochs, args.fork)
        if isinstance(out, Row):
            rows.append(replace(out, scored=scores(test, out.forecast, train)))
        else:
            notes.append(out)
    load_end = os.getloadavg()[0]
    if setup.threads:
        torch.set_num_threads(setup.threads)
    tic = time.perf_counter()
    snaive = np.stack([seasonal_naive_forecast(s, HORIZON, SEASON) for s in train])
    extra = {"snaive_s": time.perf_counter() - tic, "snaive": scores(test, snaive, train),
             "gflops": matmul_gflops(), "threads": torch.get_num_threads(),
             "load": (load_start, load_end)}
    report(args, setup, rows, notes, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
