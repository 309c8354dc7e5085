"""Shared CLI plumbing: error reporting, ``--set`` parsing, safe output files, small tables."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from tsrnn import ConfigError, TsrnnError
from tsrnn.io import atomic_write_text

__all__ = ["TsrnnGroup", "parse_sets", "check_output", "write_table", "echo_table", "say"]


def say(message: str) -> None:
    """Progress and choices go to stderr, so stdout stays clean for tables and data."""
    click.echo(message, err=True)


class TsrnnGroup(click.Group):
    """A click group that turns tsrnn errors into one sentence and an exit code.

    Exit codes: 2 for usage errors (bad options, unknown ``--set`` keys, missing output folder),
    1 for data and model-file errors, 130 for Ctrl-C. ``--debug`` shows the traceback instead.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            if _debug(ctx):
                raise
            say("Interrupted; nothing was written.")
            sys.exit(130)
        except TsrnnError as exc:
            if _debug(ctx):
                raise
            say(f"Error: {exc}")
            sys.exit(2 if isinstance(exc, ConfigError) else 1)
        except (OSError, MemoryError) as exc:
            if _debug(ctx):
                raise
            say(f"Error: {exc}")
            sys.exit(1)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug"))


def _parse_value(text: str):
    lowered = text.strip().lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_sets(pairs: tuple[str, ...], valid: dict) -> dict:
    """``("lr=0.01", "scaler=robust")`` -> ``{"lr": 0.01, "scaler": "robust"}``; unknown keys are
    a ConfigError listing the valid ones."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ConfigError(f"--set takes KEY=VALUE, got {pair!r}")
        if key not in valid:
            raise ConfigError(f"unknown --set key {key!r}; valid keys: {', '.join(sorted(valid))}")
        out[key] = _parse_value(value)
    return out


def check_output(path: Path | None) -> None:
    """Fail before any work if an output file's folder does not exist."""
    if path is not None and not Path(path).resolve().parent.is_dir():
        raise ConfigError(f"output folder '{Path(path).parent}' does not exist; create it first "
                          "or choose another path")


def write_table(frame: pd.DataFrame, path: Path, fmt: str = "csv") -> None:
    """Write ``frame`` atomically (temp file + rename) as CSV or JSON records."""
    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    if fmt == "json":
        text = flat.to_json(orient="records", date_format="iso", indent=1)
    else:
        text = flat.to_csv(index=False)
    atomic_write_text(path, text)


def echo_table(frame: pd.DataFrame, max_rows: int = 30) -> None:
    """Print a frame as a plain aligned table on stdout."""
    with pd.option_context("display.max_rows", max_rows, "display.width", 120,
                           "display.float_format", "{:.4g}".format):
        click.echo(frame.to_string() if len(frame) <= max_rows else str(frame))



def fmt_score(value) -> str:
    """A MASE for people: 3 decimals, or "-" where it is undefined (an exactly seasonal
    history has no error scale)."""
    return "-" if value is None else f"{value:.3f}"
