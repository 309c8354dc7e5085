"""The schema of ``model.json`` and its strict JSON reading (no torch).

``model.json`` holds, as one JSON object, everything of a saved model but its tensors (see
:mod:`tsrnn.io.modeldir`). Its schema (``null`` is allowed for every optional key and means
"absent"):

==================  ===========================  ==========================================
key                 JSON type                    holds
==================  ===========================  ==========================================
``format_version``  integer >= 1 (required)      file format, written on save
``tsrnn_version``   string (required)            tsrnn release, written on save
``kind``            string (required)            estimator kind, e.g. ``"forecaster"``
``params``          object (required)            estimator hyperparameters
``config``          object (required)            network config
``roles``           object                       column roles (target, covariates, id, time)
``freq``            string                       frequency of the time index
``scaler``          object                       scaler statistics
``vocab``           object or array              vocabulary of a text encoder
``history``         object or array              training history summary
``data``            object                       facts about the training data
``state``           object                       how carried hidden state is stored
``statics``         object                       static covariates: categories, statistics
``extra``           object                       anything else a caller needs
==================  ===========================  ==========================================

Any other top-level key is an error unless the caller names it in ``extra_keys``, either as
names (any JSON value) or as a mapping ``name -> type or tuple of types``. NaN and infinity are
not allowed anywhere in ``model.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._validation import ModelFileError

__all__ = [
    "FORMAT_VERSION",
    "REQUIRED_KEYS",
    "OPTIONAL_KEYS",
    "ExtraKeys",
    "schema_problem",
    "parse_meta",
]

#: The file format :func:`tsrnn.io.modeldir.save_model` writes; newer ones are refused.
FORMAT_VERSION = 1

REQUIRED_KEYS: dict[str, tuple[type, ...]] = {
    "format_version": (int,),
    "tsrnn_version": (str,),
    "kind": (str,),
    "params": (dict,),
    "config": (dict,),
}
OPTIONAL_KEYS: dict[str, tuple[type, ...]] = {
    "roles": (dict,),
    "freq": (str,),
    "scaler": (dict,),
    "vocab": (dict, list),
    "history": (dict, list),
    "data": (dict,),
    "state": (dict,),
    "extra": (dict,),
    "resolved": (dict,),  # the configuration "auto" parameters resolved to (config_)
    "validation": (dict,),  # the safety net's scores and fallback series
    "members": (list,),  # the members of an ensemble
    "statics": (dict,),  # the static covariates' categories and number statistics
    "conformal": (dict,),  # a conformal calibration (its residuals are the tensor)
}
_ANY_JSON = (dict, list, str, int, float, bool, type(None))
_JSON_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}

ExtraKeys = Mapping[str, Any] | Iterable[str] | None  # names, or name -> type(s)


def _allowed_keys(extra_keys: ExtraKeys) -> dict[str, tuple[type, ...]]:
    """The known keys plus the caller's ``extra_keys`` (known keys keep their types)."""
    if extra_keys is None:
        extra: dict[str, tuple[type, ...]] = {}
    elif isinstance(extra_keys, Mapping):
        extra = {k: t if isinstance(t, tuple) else (t,) for k, t in extra_keys.items()}
    elif isinstance(extra_keys, str):
        extra = {extra_keys: _ANY_JSON}
    else:
        extra = {k: _ANY_JSON for k in extra_keys}
    return {**extra, **REQUIRED_KEYS, **OPTIONAL_KEYS}


def _json_name(value: Any) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def schema_problem(meta: Any, extra_keys: ExtraKeys = None) -> str | None:
    """What is wrong with ``meta`` against the schema, or None if it is valid.

    Parameters
    ----------
    meta : object
        Parsed (or about to be written) ``model.json`` content.
    extra_keys : iterable of str or dict of str to type, default=None
        Top-level keys allowed beside the known ones.

    Returns
    -------
    str or None
        One clause naming the first problem found, e.g. ``"required key(s) ['kind'] are
        missing"``.
    """
    allowed = _allowed_keys(extra_keys)
    if not isinstance(meta, dict):
        return f"the top level is {_json_name(meta)}, not an object"
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        return f"required key(s) {missing} are missing"
    unknown = sorted(k for k in meta if k not in allowed)
    if unknown:
        return f"key(s) {unknown} are not allowed (known: {sorted(allowed)})"
    for key, value in meta.items():
        types = allowed[key]
        optional_null = value is None and key not in REQUIRED_KEYS
        bool_as_int = isinstance(value, bool) and bool not in types
        if not optional_null and (bool_as_int or not isinstance(value, types)):
            wanted = " or ".join(_JSON_NAMES.get(t, t.__name__) for t in types)
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            return f"key {key!r} must be {wanted}, got {_json_name(value)} {shown}"
    if meta["format_version"] < 1:
        return f"format_version must be >= 1, got {meta['format_version']}"
    return None


# ---------------------------------------------------------------- strict JSON


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"duplicate key(s) {dupes}")
    return dict(pairs)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def parse_meta(file: Path, data: bytes, extra_keys: ExtraKeys = None) -> dict[str, Any]:
    """Parse and validate the bytes ``data`` of ``model.json``.

    Parameters
    ----------
    file : Path
        Where ``data`` was read from (named in the errors).
    data : bytes
        The file's content: UTF-8 JSON without NaN, infinity or repeated keys.
    extra_keys : iterable of str or dict of str to type, default=None
        Top-level keys allowed beside the known ones.

    Returns
    -------
    dict
        The meta, checked against the schema.

    Raises
    ------
    ModelFileError
        If ``data`` is not strict JSON, comes from a newer format, or breaks the schema.
    """
    try:
        meta = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_strict_object,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(
            f"{file} is not valid JSON ({exc}); restore it from a backup or save the model again"
        ) from exc
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        made_by = meta.get("tsrnn_version")
        by = f"tsrnn {made_by}" if isinstance(made_by, str) else "tsrnn"
        raise ModelFileError(
            f"model {file.parent} was made by a newer tsrnn ({by}, format {version} > "
            f"{FORMAT_VERSION}); upgrade tsrnn to load it"
        )
    problem = schema_problem(meta, extra_keys)
    if problem:
        raise ModelFileError(f"{file} is invalid: {problem}; save the model again with tsrnn")
    return meta
