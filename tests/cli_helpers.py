"""Helpers for CLI tests: small CSV files and a runner for the installed ``tsrnn`` script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# one network (no ensemble): these tests are about reading files and the messages
FIT_FAST = ["--epochs", "1", "--hidden-size", "8", "--lookback", "24", "--horizon", "6",
            "--models", "1", "-q"]


def tsrnn_script() -> str:
    """The console script installed next to this interpreter."""
    script = Path(sys.executable).with_name("tsrnn")
    return str(script) if script.exists() else shutil.which("tsrnn")


def run_tsrnn(*args, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ, TSRNN_DEBUG="", OMP_NUM_THREADS="1")
    return subprocess.run([tsrnn_script(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env)


def run_cli(*args) -> subprocess.CompletedProcess:
    """The ``tsrnn`` command run in this process (click's runner): the same code as the script
    without its seconds of start-up (torch, sklearn), for tests of what a command reads and
    says; the contracts of the script itself (exit codes, signals) use :func:`run_tsrnn`."""
    from click.testing import CliRunner

    from tsrnn.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def hourly_frame(n=24 * 15, seed=0, promo=False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frame = pd.DataFrame({
        "time": pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
        "load": 20 + 3 * np.sin(2 * np.pi * t / 24) + 0.3 * rng.standard_normal(n),
    })
    if promo:
        frame["promo"] = (rng.random(n) < 0.2).astype(int)
    return frame
