"""The library's messages in the CLI's words: ``freq=`` -> ``--freq``, ``data.asfreq('D')`` ->
``--fill ... --freq D``, ``allow_nan=True`` -> ``--fill`` or ``--missing mask``. The Python API
keeps its wording; only what the ``tsrnn`` command prints goes through :func:`cli_words`."""

from __future__ import annotations

import re

__all__ = ["OPTION_OF", "cli_words"]

#: Parameter -> the option that sets it (the others are ``--set KEY=VALUE``).
OPTION_OF = {
    "lookback": "--lookback", "horizon": "--horizon", "cell": "--cell", "head": "--head",
    "hidden_size": "--hidden-size", "num_layers": "--layers", "epochs": "--epochs",
    "stateful": "--stateful", "random_state": "--seed", "quantiles": "--quantiles",
    "verbose": "-q", "time_col": "--time-col", "id_col": "--id-col", "target": "--target",
    "past_covariates": "--past-covariates", "future_covariates": "--future-covariates",
    "freq": "--freq", "start": "--start", "stride": "--stride", "levels": "--quantiles",
    "distributed": "--nproc", "n_models": "--models",
    "refit": "--refit", "missing": "--missing", "static_covariates": "--static-covariates",
    "id_embedding": "--id-embedding",
}

_FILL = "--fill ffill|interpolate|drop"

# Whole phrases first (Python code in a hint), then ``name=value`` pairs.
_PHRASES = [
    (r"update\(\) rows of series", "the DATA rows of series"),
    (r"is a past or future covariate\)", "is a --past-covariates or --future-covariates "
     "column)"),
    (r"give them as columns of data \(or static=\)",
     "give them as columns of DATA (or in --static FILE)"),
    (r"\(or static=\)", "(or --static FILE)"),
    (r"^static (has|must be)", r"--static FILE \1"),
    (r" of static is missing", " of --static FILE is missing"),
    (r"update\(\) got series (.*) not seen in fit; forecast new series with predict\(data\)",
     r"DATA has series \1 the model was not fitted on; forecast them with tsrnn forecast "
     "MODEL_DIR DATA"),
    (r", or update without refit", ", or leave out --refit"),
    (r"export with network_only=True", "export with --network-only"),
    (r"fill the missing timestamps \(e\.g\. data\.asfreq\('([^']+)'\)\) or resample the data",
     r"add the missing timestamps with --freq \1 (as gaps the model learns around) or with "
     r"--freq \1 --fill ffill|interpolate, or resample the data"),
    (r"fill them first, e\.g\. fill_missing\([^)]*\), or pass allow_nan=True",
     f"fill them with {_FILL}, or learn around them with --missing mask"),
    (r"fill them first, e\.g\. fill_missing\([^)]*\), or pass missing='mask'",
     f"fill them with {_FILL}, or learn around them with --missing mask"),
    (r"fill them first, e\.g\. fill_missing\([^)]*\), or fit with missing='mask'",
     f"fill them with {_FILL}, or fit the model with --missing mask"),
    (r"; on the command line: --fill ffill\|interpolate\|drop", ""),
    (r"pass freq=, e\.g\. freq='D'", "pass --freq, e.g. --freq D"),
    (r"(or )?pass freq=(?=$|[;,.) ])", r"\1pass --freq"),
    (r"check freq= or", "check --freq or"),
    (r"freq=('[^']*') was given but the data has an integer time index; pass timestamps or "
     r"leave freq=None", r"--freq \1 was given but the time column holds integer steps; give "
     "dates, or leave out --freq"),
    (r"round them to it first, e\.g\. data\[time_col\]\.dt\.round\('([^']+)'\)",
     r"round them to it with --round \1"),
    (r"pass target= naming", "pass --target naming"),
    (r"pass the right target=", "pass the right --target"),
    (r"call data\.reset_index\(\) and pass time_col= and id_col=", "pass --time-col and --id-col"),
    (r"e\.g\. pd\.to_datetime\(\.\.\., utc=True\), or all naive",
     "e.g. all with a UTC offset such as +00:00, or all without"),
    (r"convert it with pd\.to_datetime\(\.\.\., format=\.\.\.\) first",
     "pass --date-format, e.g. --date-format %d/%m/%Y, or --dayfirst"),
    (r"convert it with pd\.to_datetime\(\.\.\., utc=True\) first",
     "write every timestamp with its UTC offset"),
    (r"convert it with pd\.to_numeric or drop it",
     "fix those values in the file, or choose the columns with --target"),
    (r"convert it first, e\.g\. data\[[^]]*\] = pd\.to_numeric\(data\[[^]]*\]\)",
     "check the file for stray characters in it"),
    (r"replace infinite values, e\.g\. data\.replace\(\[np\.inf, -np\.inf\], np\.nan\), then "
     r"fill them", f"replace infinite values by empty cells, then use {_FILL}"),
    (r"aggregate or drop the duplicates \(e\.g\. data\.drop_duplicates\(\.\.\.\)\)",
     "aggregate or drop the duplicates, or name the series column of a long file with --id-col"),
    (r"steps must be 1 \(fill the missing steps, or call data\.reset_index\(drop=True\) if the "
     r"rows are in time order\)", "steps must be 1; fill the missing steps, or give a date "
     "column with --time-col"),
]
_PAIR = re.compile(r"(?<!--set )\b([a-z_]+)=('([^']*)'|\"([^\"]*)\"|\[[^\]]*\]|[\w.+-]+)?")


def _pair(match: re.Match, valid: set) -> str:
    name, raw = match.group(1), match.group(2)
    if name not in OPTION_OF and name not in valid:
        return match.group(0)
    value = raw
    if raw is not None and raw[:1] in "'\"":
        value = raw[1:-1]
    option = OPTION_OF.get(name)
    if option is None:
        return f"--set {name}={value}" if value is not None else f"--set {name}="
    if name == "stateful":
        return "--stateful" if value != "False" else "no --stateful"
    if value in ("None", None):
        return f"no {option}" if value == "None" else option
    if value in ("True", "False") and option == "-q":
        return "" if value == "True" else "-q"
    return f"{option} {value}"


def cli_words(message: str, params=()) -> str:
    """``message`` with the Python spellings of parameters and fixes replaced by options.
    ``params``: the names ``--set`` accepts (spelled ``--set NAME=VALUE``)."""
    for pattern, replacement in _PHRASES:
        message = re.sub(pattern, replacement, message)
    valid = set(params)
    return _PAIR.sub(lambda m: _pair(m, valid), message)
