"""Peak memory of fitting an RNNForecaster on one very long series.

Bar (issue 7): an LSTM forecaster with lookback 168 trained for 200 optimiser steps on a
5,000,000-row single series peaks under 2 GB resident memory. The fit runs in a fresh Python
process (so nothing from this one counts) and reports its peak resident memory after the
imports, after building the data, and after fit + predict; the difference between the first and
the last is what tsrnn itself costs. The peak is ``VmHWM`` from /proc (Linux), which starts
afresh in the new process; ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is reported beside it
(``ru_maxrss_mb``) but Linux carries it over from the parent across ``exec``, so it is only
right when the parent was smaller.

    python benchmarks/memory.py [--rows 5000000] [--steps 200] [--lookback 168] [--horizon 24]
                                [--hidden-size 64]

Prints one JSON line: ``{"rows": ..., "data_mb": ..., "import_mb": ..., "data_built_mb": ...,
"peak_mb": ..., "ru_maxrss_mb": ..., "fit_seconds": ..., "optimizer_steps": ...}``
(MB = 2**20 bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

__all__ = ["measure", "main"]

_CHILD_FLAG = "--in-child"


def _maxrss_mb() -> float:
    """``ru_maxrss`` of this process, in MB (KB on Linux, bytes on macOS).

    Caveat: Linux carries ru_maxrss across ``exec``, so a process started by a big parent
    (Python's subprocess uses vfork) reports at least the parent's peak; see :func:`_rss_mb`.
    """
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _rss_mb() -> float:
    """Peak resident memory of this process's own address space, in MB: ``VmHWM`` where
    /proc has it (it starts afresh at ``exec``), else :func:`_maxrss_mb`."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def _child(rows: int, steps: int, lookback: int, horizon: int, hidden_size: int) -> dict:
    """Build the series, fit, predict; runs inside the fresh process."""
    import time

    import numpy as np
    import pandas as pd
    import torch

    from tsrnn import RNNForecaster

    torch.set_num_threads(1)
    after_import = _rss_mb()
    t = np.arange(rows, dtype=np.float64)
    noise = np.random.default_rng(0).standard_normal(rows)
    values = 10 + np.sin(2 * np.pi * t / 1440) + 0.1 * noise  # a daily cycle of minutes
    del t, noise
    data = pd.DataFrame({"y": values},
                        index=pd.date_range("2000-01-01", periods=rows, freq="min"))
    del values
    built = _rss_mb()
    model = RNNForecaster(n_models=1, validate=False,  # the memory of one network's fit
                          lookback=lookback, horizon=horizon, hidden_size=hidden_size, epochs=1,
                          max_steps=steps, batch_size=128, random_state=0, device="cpu")
    tic = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - tic
    forecast = model.predict()
    assert np.isfinite(forecast.to_numpy()).all() and len(forecast) == horizon
    data_mb = (data.memory_usage(index=True, deep=True).sum()) / 2**20
    return {"rows": rows, "steps": steps, "lookback": lookback, "data_mb": round(data_mb, 1),
            "import_mb": round(after_import, 1), "data_built_mb": round(built, 1),
            "peak_mb": round(_rss_mb(), 1), "ru_maxrss_mb": round(_maxrss_mb(), 1),
            "fit_seconds": round(seconds, 1),
            "optimizer_steps": _adam_steps(model)}


def _adam_steps(model) -> int:
    """Optimiser steps actually taken (Adam counts them per parameter)."""
    state = next(iter(model.optimizer_.state.values()), {})
    return int(state.get("step", 0))


def measure(rows: int = 5_000_000, steps: int = 200, lookback: int = 168, horizon: int = 24,
            hidden_size: int = 64, timeout: float = 1800) -> dict:
    """Run the fit in a fresh interpreter and return its report (see the module docstring)."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, os.path.abspath(__file__), _CHILD_FLAG, "--rows", str(rows),
           "--steps", str(steps), "--lookback", str(lookback), "--horizon", str(horizon),
           "--hidden-size", str(hidden_size)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--lookback", type=int, default=168)
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument(_CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if getattr(args, _CHILD_FLAG.strip("-").replace("-", "_")):
        print(json.dumps(_child(args.rows, args.steps, args.lookback, args.horizon,
                                args.hidden_size)))
        return
    report = measure(args.rows, args.steps, args.lookback, args.horizon, args.hidden_size)
    print(json.dumps(report))
    verdict = "meets" if report["peak_mb"] < 2048 else "MISSES"
    print(f"peak RSS {report['peak_mb']:.0f} MB ({report['peak_mb'] - report['import_mb']:.0f} MB "
          f"above the imports) for {report['rows']:,} rows: {verdict} the 2 GB bar",
          file=sys.stderr)


if __name__ == "__main__":
    main()
