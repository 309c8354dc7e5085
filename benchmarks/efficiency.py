"""Training efficiency on the CPU: what moves GFLOP/s for the peers' same-config network (issue 6).

The network is tsrnn's ``RNNNetwork`` as ``benchmarks/peers.py`` trains it: LSTM 2 x 128, one
input channel, 144 input steps, last hidden state -> Linear(128, 48); Adam, L1 loss, random
windows (the data does not change the cost). Each variant runs ``--steps`` timed optimiser
steps after 5 warm-up steps and prints windows/s and training GFLOP/s (3 x forward matmul FLOPs,
as peers.py counts them) beside the best fp32 ``torch.mm`` of 2048 x 2048. Variants:

* ``fp32``: the default (torch's threads, batch 128);
* ``threads=1``: one intra-op thread;
* ``batch=256``, ``batch=512``: larger batches (fewer, larger matmuls per step);
* ``bf16 autocast``: ``torch.autocast("cpu", torch.bfloat16)`` around forward and loss;
* ``torch.compile``: the whole network compiled (``--compile``; compiling takes minutes);
* ``gru``: the same size with a GRU (3 gates instead of 4: FLOPs counted as such);
* ``patch=24``: tsrnn's ``patch`` option, 6 recurrent steps of 24 inputs (a different model:
  listed for its windows/s).

    python benchmarks/efficiency.py [--steps 40] [--compile]
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import time

import torch
from peers import matmul_gflops

from tsrnn.nn import NetConfig, RNNNetwork

LOOKBACK, HORIZON, HIDDEN, LAYERS = 144, 48, 128, 2


def flops_per_window(cell: str, patch: int = 1) -> float:
    gates = {"lstm": 4, "gru": 3}[cell]
    widths = [patch] + [HIDDEN] * LAYERS
    steps = LOOKBACK // patch
    rnn = sum(2 * gates * HIDDEN * (widths[i] + HIDDEN) * steps for i in range(LAYERS))
    return 3.0 * (rnn + 2 * HIDDEN * HORIZON)


def run(name: str, steps: int, *, cell="lstm", batch=128, threads=0, bf16=False,
        compile_=False, patch=1) -> tuple[str, float, float]:
    torch.manual_seed(0)
    previous = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    net = RNNNetwork(NetConfig(cell=cell, input_size=1, hidden_size=HIDDEN, num_layers=LAYERS,
                               horizon=HORIZON, patch=patch))
    model = torch.compile(net) if compile_ else net
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(batch, LOOKBACK, 1)
    y = torch.randn(batch, HORIZON, 1)

    def cast():
        return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

    def step():
        optimizer.zero_grad(set_to_none=True)
        with cast():
            out, _ = model(x)
            loss = torch.nn.functional.l1_loss(out.float(), y)
        loss.backward()
        optimizer.step()

    for _ in range(5):
        step()
    tic = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - tic
    torch.set_num_threads(previous)
    rate = steps * batch / seconds
    return name, rate, rate * flops_per_window(cell, patch) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    args = parser.parse_args()
    peak = matmul_gflops()
    variants = [("fp32 (default)", {}), ("threads=1", {"threads": 1}),
                ("batch=256", {"batch": 256}), ("batch=512", {"batch": 512}),
                ("bf16 autocast", {"bf16": True}), ("gru", {"cell": "gru"}),
                ("patch=24", {"patch": 24})]
    if args.compile:
        variants.append(("torch.compile", {"compile_": True}))
    flags = set(open("/proc/cpuinfo").read().split()) if platform.system() == "Linux" else set()
    print(f"- torch {torch.__version__}, {torch.get_num_threads()} thread(s); fp32 matmul peak "
          f"{peak:.1f} GFLOP/s; avx512_bf16: {'yes' if 'avx512_bf16' in flags else 'no'}, "
          f"amx_bf16: {'yes' if 'amx_bf16' in flags else 'no'}\n")
    print("| variant | windows/s | train GFLOP/s | % of matmul peak |")
    print("|---|---:|---:|---:|")
    for name, kw in variants:
        try:
            name, rate, gflops = run(name, args.steps, **kw)
        except Exception as exc:  # e.g. no bf16 LSTM kernel on this CPU
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            print(f"| {name} | fails: {type(exc).__name__}: {first[:90]} | - | - |", flush=True)
            continue
        print(f"| {name} | {rate:,.0f} | {gflops:.1f} | {100 * gflops / peak:.0f}% |", flush=True)


if __name__ == "__main__":
    main()
