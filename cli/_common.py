"""Shared CLI plumbing: error reporting, ``--set`` parsing, safe output files, small tables."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
import numpy as np
import pandas as pd

import tsrnn
from tsrnn import ConfigError, TsrnnError
from tsrnn.io import atomic_write_text, check_model_target

from ._words import cli_words

__all__ = ["TsrnnGroup", "parse_sets", "check_set_keys", "check_output", "check_model_output",
           "check_inputs", "write_table", "echo_table", "say", "PLOT_SUFFIXES"]


def say(message: str) -> None:
    """Progress and choices go to stderr, so stdout stays clean for tables and data."""
    click.echo(message, err=True)


class TsrnnGroup(click.Group):
    """A click group that turns tsrnn errors into one sentence and an exit code.

    Exit codes: 2 for usage errors (bad options, unknown ``--set`` keys, missing output folder),
    1 for data and model-file errors (and, in one sentence, for a failure nobody foresaw), 130
    for Ctrl-C. ``--debug`` shows the traceback instead.
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
            say(f"Error: {cli_words(str(exc), _forecaster_params())}")
            sys.exit(2 if isinstance(exc, ConfigError) else 1)
        except (OSError, MemoryError) as exc:
            if _debug(ctx):
                raise
            say(f"Error: {exc}")
            sys.exit(1)
        except Exception as exc:
            if _debug(ctx):
                raise
            if _interrupted(exc):  # Ctrl-C inside an import or a library, wrapped by it
                say("Interrupted; nothing was written.")
                sys.exit(130)
            say(f"Error: tsrnn failed unexpectedly ({type(exc).__name__}: {exc}); rerun with "
                "--debug for the traceback, and please report it")
            sys.exit(1)


def _forecaster_params() -> dict:
    """The forecaster's parameters, to put an error's ``name=`` in the CLI's words. An error
    raised before the forecaster's module loaded (reading DATA: torch loads after that) can
    only name parameters that have options of their own, so none are needed then."""
    if "tsrnn.forecast.forecaster" not in sys.modules:
        return {}
    return tsrnn.RNNForecaster().get_params()


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the causes of ``exc`` (a Ctrl-C that arrived while
    Python imported a module comes back as a RuntimeError caused by it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


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


def parse_sets(pairs: tuple[str, ...], taken: dict | None = None) -> dict:
    """``("lr=0.01", "scaler=robust")`` -> ``{"lr": 0.01, "scaler": "robust"}``; the keys in
    ``taken`` (parameter -> the option that sets it) are a ConfigError, so that one value
    never overrides another unseen. :func:`check_set_keys` checks the others."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ConfigError(f"--set takes KEY=VALUE, got {pair!r}")
        if key in (taken or {}):
            raise ConfigError(f"--set {key}={value} sets what {taken[key]} sets; use "
                              f"{taken[key]} instead" + (" (the default is verbose)"
                                                         if key == "verbose" else ""))
        out[key] = _parse_value(value)
    return out


def check_set_keys(sets: dict, valid: dict, taken: dict | None = None) -> None:
    """A ConfigError for the first key of ``sets`` that is not in ``valid``, listing the valid
    ones (but those of ``taken``, which have options of their own)."""
    for key in sets:
        if key not in valid:
            keys = sorted(k for k in valid if k not in (taken or {}))
            raise ConfigError(f"unknown --set key {key!r}; valid keys: {', '.join(keys)}")


#: Figure types ``--plot`` writes (matplotlib's savefig formats that need no extra package).
PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff",
                 ".webp")


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried: permissions, read-only disks)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_inputs(path: Path, inputs: dict, option: str) -> None:
    """Refuse an output that is, or (a folder) holds, one of ``inputs`` (name -> path)."""
    for name, source in inputs.items():
        if source is None:
            continue
        source = Path(source)
        holds = path.is_dir() and source.resolve().is_relative_to(path.resolve())
        within = source.is_dir() and path.resolve().is_relative_to(source.resolve())
        if _same(path, source) or holds or within:
            what = "is in" if within and not _same(path, source) else (
                "holds" if holds and not _same(path, source) else "is")
            raise ConfigError(f"{option} '{path}' {what} the input {name} '{source}'; "
                              "choose another output path, so that the input is not lost")


def check_output(path: Path | None, option: str = "-o", inputs: dict | None = None,
                 plot: bool = False) -> None:
    """Fail before any work if an output file cannot be written: its folder is missing or
    read-only, it is a folder, it is an input file, or (``plot``) its type is unknown."""
    if path is None or str(path) == "-":
        return
    path = Path(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise ConfigError(f"output folder '{path.parent}' does not exist; create it first "
                          "or choose another path")
    if path.is_dir():
        raise ConfigError(f"{option} '{path}' is a folder; give a file name")
    if not _writable(parent):
        raise ConfigError(f"cannot write {option} '{path}': folder '{path.parent}' is "
                          "read-only; choose another path")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"cannot write {option} '{path}': the file is read-only; choose "
                          "another path")
    check_inputs(path, inputs or {}, option)
    if plot and path.suffix.lower() not in PLOT_SUFFIXES:
        raise ConfigError(f"--plot '{path}' has no figure type tsrnn can write ("
                          f"{path.suffix or 'no suffix'}); end it in .png, .svg or .pdf")


def check_model_output(path: Path, inputs: dict) -> None:
    """Fail before a fit if the model folder ``path`` could not be written at the end."""
    path = Path(path)
    if not path.resolve().parent.is_dir():
        raise ConfigError(f"output folder '{path.parent}' does not exist; create it first "
                          "or choose another path")
    check_inputs(path, inputs, "-o")
    check_model_target(path)
    parent = path.resolve().parent
    if not _writable(parent) or (path.is_dir() and not _writable(path)):
        raise ConfigError(f"cannot write the model to '{path}': folder "
                          f"'{path if path.is_dir() else path.parent}' is read-only; choose "
                          "another -o")


def _float32(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns at the precision tsrnn computes in (float32: 148091.33, not
    148091.32943241927), as float64 values of their shortest float32 text."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = pd.to_numeric(out[col].astype(np.float32).astype(str))
    return out


def table_text(frame: pd.DataFrame, fmt: str = "csv") -> str:
    """``frame`` as CSV or JSON records text (floats at float32 precision)."""
    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    flat = _float32(flat)
    if fmt == "json":
        return flat.to_json(orient="records", date_format="iso", indent=1)
    return flat.to_csv(index=False)


def write_table(frame: pd.DataFrame, path: Path, fmt: str = "csv") -> None:
    """Write ``frame`` atomically (temp file + rename) as CSV or JSON records; ``-``: stdout."""
    text = table_text(frame, fmt)
    if str(path) == "-":
        click.echo(text, nl=False)
        return
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
