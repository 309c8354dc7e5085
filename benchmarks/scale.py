"""Scale: a 2,000,000-row, 20,000-series Parquet file trained on by 2 processes, peak RSS each.

Writes a long Parquet file ``(id, t, y)`` (``--series`` series of ``--rows`` rows each, daily
and weekly patterns plus noise, row groups of 100,000 rows) to a temporary folder, then runs

    tsrnn fit data.parquet --id-col id --time-col t --target y --nproc 2 --set max_steps=200 ...

and samples ``VmHWM`` (the kernel's peak resident set size) of the launcher and of every worker
from ``/proc`` every 50 ms until they exit (Linux only). Each worker reads only its own series'
rows (filtered while reading, batch by batch), so its memory does not grow with the file.

Run: ``OMP_NUM_THREADS=1 python benchmarks/scale.py`` (about 2 minutes on 2 cores);
``--series 2000`` for a quick check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

GROUP_ROWS = 100_000


def write_data(path: Path, n_series: int, rows: int, seed: int = 0) -> None:
    """The long file, written in row groups (ids ``s00000``..., integer steps ``t``)."""
    rng = np.random.default_rng(seed)
    per_group = max(1, GROUP_ROWS // rows)
    schema = pa.schema([("id", pa.string()), ("t", pa.int64()), ("y", pa.float64())])
    with pq.ParquetWriter(path, schema) as writer:
        for first in range(0, n_series, per_group):
            k = min(per_group, n_series - first)
            t = np.tile(np.arange(rows), k)
            level = np.repeat(rng.uniform(10, 100, k), rows)
            phase = np.repeat(rng.uniform(0, 2 * np.pi, k), rows)
            y = level * (1 + 0.2 * np.sin(2 * np.pi * t / 24 + phase)
                         + 0.1 * np.sin(2 * np.pi * t / 168)) + rng.normal(0, 1, k * rows)
            ids = np.repeat([f"s{i:05d}" for i in range(first, first + k)], rows)
            writer.write_table(pa.table({"id": ids, "t": t, "y": y}, schema=schema))


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _status(pid: int) -> tuple[str | None, int | None]:
    """``(RANK or None, VmHWM in kB)`` of a live process."""
    try:
        env = (Path("/proc") / str(pid) / "environ").read_bytes().split(b"\0")
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return None, None
    rank = next((e[5:].decode() for e in env if e.startswith(b"RANK=")), None)
    hwm = next((int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmHWM:")), None)
    return rank, hwm


def run_fit(data: Path, out: Path, args) -> tuple[int, dict, float, str]:
    """Run the fit, sampling peak RSS; ``(exit code, {process: MB}, seconds, stderr)``."""
    cmd = [str(Path(sys.executable).with_name("tsrnn")), "fit", str(data), "--id-col", "id",
           "--time-col", "t", "--target", "y", "--nproc", str(args.nproc), "--lookback",
           str(args.lookback), "--horizon", str(args.horizon), "--hidden-size", "32",
           "--epochs", "1", "--set", f"max_steps={args.max_steps}", "--set", "batch_size=128",
           "-q", "-o", str(out)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    tic = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    peaks: dict[str, int] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            rank, hwm = _status(pid)
            if hwm is not None:
                own = "launcher" if args.nproc > 1 else "the one process"
                name = own if pid == proc.pid else f"rank {rank}"
                peaks[name] = max(peaks.get(name, 0), hwm)
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - tic
    print(stdout, file=sys.stderr)
    return proc.returncode, {k: v / 1024 for k, v in sorted(peaks.items())}, seconds, stderr


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--series", type=int, default=20_000)
    p.add_argument("--rows", type=int, default=100, help="rows per series")
    p.add_argument("--nproc", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=200)
    p.add_argument("--lookback", type=int, default=48)
    p.add_argument("--horizon", type=int, default=12)
    p.add_argument("--limit-mb", type=float, default=1536, help="the bar per process")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tsrnn-scale-") as tmp:
        data = Path(tmp) / "data.parquet"
        tic = time.perf_counter()
        write_data(data, args.series, args.rows)
        print(f"wrote {args.series * args.rows:,} rows of {args.series:,} series to {data} "
              f"({data.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - tic:.1f} s",
              file=sys.stderr)
        code, peaks, seconds, stderr = run_fit(data, Path(tmp) / "model", args)
        if code != 0:
            sys.exit(f"tsrnn fit failed (exit {code}):\n{stderr}")
    print(f"## Scale: {args.series * args.rows:,} rows, {args.series:,} series, Parquet, "
          f"--nproc {args.nproc}, max_steps={args.max_steps}\n")
    print(f"- machine: {os.cpu_count()} CPU(s); wall time of `tsrnn fit` (read, train, score, "
          f"save): {seconds:.1f} s\n")
    print("| process | peak RSS (MiB) | under the bar |")
    print("|---|---:|---|")
    for name, mb in peaks.items():
        print(f"| {name} | {mb:.0f} | {'yes' if mb < args.limit_mb else 'NO'} |")


if __name__ == "__main__":
    main()
