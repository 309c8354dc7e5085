"""Save and load models as a directory of safetensors + JSON; atomic writes; never unpickles.

A saved model is a directory with two files:

``model.safetensors``
    Every tensor (network weights, carried hidden state, other arrays) as a flat dict
    ``name -> tensor``, stored contiguous and on CPU.
``model.json``
    Everything else, as one JSON object; its schema and strict reading (no NaN, infinity or
    repeated keys) are in :mod:`tsrnn.io.modelmeta`.

:func:`save_model` builds the new model in a hidden temporary directory next to ``path``, fsyncs
it, then swaps it into place (an atomic exchange on Linux; elsewhere two renames, undone on
error), so ``path`` holds the old model or the new one, never a half-written one.
:func:`load_model` reads both files without ``pickle`` or ``torch.load`` and turns every problem
into a :class:`~tsrnn._validation.ModelFileError` that names the path and says what to do.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as _st_load
from safetensors.torch import save as _st_save

from .._validation import ConfigError, ModelFileError
from .atomic import atomic_write_dir, existing_parent
from .modelmeta import (
    FORMAT_VERSION,
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    ExtraKeys,
    parse_meta,
    schema_problem,
)
from .modelpath import META_FILE, TENSORS_FILE, check_replaceable

__all__ = [
    "FORMAT_VERSION",
    "REQUIRED_KEYS",
    "OPTIONAL_KEYS",
    "save_model",
    "load_model",
]

def _tsrnn_version() -> str:
    """The installed tsrnn version, or ``"0+unknown"`` when run from an uninstalled tree."""
    try:
        return importlib.metadata.version("tsrnn")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


# ---------------------------------------------------------------- meta: JSON and schema


def _to_json(value: Any, where: str) -> Any:
    """``value`` with numpy scalars/arrays and tuples turned into plain JSON values."""
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if value is None or isinstance(value, bool):
        return value
    for kind in (str, int):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, float) and math.isfinite(value):
        return float(value)
    if isinstance(value, float):
        raise ModelFileError(f"{where} is {value}, which JSON cannot hold; use a number or None")
    if isinstance(value, Mapping):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise ModelFileError(f"{where} has non-string key {bad[0]!r}; use string keys")
        return {k: _to_json(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    hint = "; put tensors in `tensors`" if isinstance(value, torch.Tensor) else ""
    raise ModelFileError(
        f"{where} is a {type(value).__name__}, which JSON cannot hold; convert it to "
        f"numbers, strings, lists or dicts{hint}"
    )


# ---------------------------------------------------------------- save


def _cpu_tensors(tensors: Mapping[str, torch.Tensor], path: Path) -> dict[str, torch.Tensor]:
    """Detached, contiguous CPU copies (copies, so shared storage never trips safetensors)."""
    if not isinstance(tensors, Mapping):
        raise ModelFileError(f"cannot save {path}: tensors must be a dict, got {type(tensors)}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(name, str) or not isinstance(t, torch.Tensor):
            raise ModelFileError(
                f"cannot save {path}: tensors[{name!r}] must be a torch.Tensor under a string "
                f"name, got {type(t).__name__}; convert it with torch.as_tensor"
            )
        out[name] = t.detach().to("cpu", copy=True, memory_format=torch.contiguous_format)
    return out


def save_model(
    path: str | os.PathLike,
    tensors: Mapping[str, torch.Tensor],
    meta: Mapping[str, Any],
    *,
    extra_keys: ExtraKeys = None,
) -> Path:
    """Save a model directory (``model.safetensors`` + ``model.json``) atomically.

    Parameters
    ----------
    path : str or path-like
        Model directory; its parent must exist. An existing model there is replaced; anything
        else there (a file, a folder with other files, a symlink) is an error.
    tensors : dict of str to torch.Tensor
        Every array to keep; saved detached, contiguous and on CPU.
    meta : dict
        The other facts (see the module docstring); numpy values and tuples are converted,
        ``format_version`` and ``tsrnn_version`` are set here.
    extra_keys : iterable of str or dict of str to type, default=None
        Top-level keys allowed beside the known ones.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    existing_parent(path)
    check_replaceable(path)
    if not isinstance(meta, Mapping):
        raise ModelFileError(f"cannot save {path}: meta must be a dict, got {type(meta)}")
    full = {**meta, "format_version": FORMAT_VERSION, "tsrnn_version": _tsrnn_version()}
    full = _to_json(full, f"cannot save {path}: meta")
    problem = schema_problem(full, extra_keys)
    if problem:
        raise ModelFileError(f"cannot save {path}: in meta, {problem}; fix the meta passed in")
    text = json.dumps(full, allow_nan=False, indent=2, sort_keys=True) + "\n"
    try:
        blob = _st_save(_cpu_tensors(tensors, path), metadata={"format": "pt"})
    except (SafetensorError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelFileError(f"cannot save {path}: safetensors refused a tensor ({exc})") from exc
    atomic_write_dir(path, {TENSORS_FILE: blob, META_FILE: text.encode("utf-8")})
    return path


# ---------------------------------------------------------------- load


def _model_root(path: Path) -> Path:
    """The resolved model directory; reject missing paths, files and outward symlinks."""
    if path.is_symlink():
        target, outside = _resolve(path), _resolve(path.parent)
        if not target.is_relative_to(outside):
            raise ModelFileError(
                f"model directory {path} is a symbolic link to {target}, outside {path.parent}; "
                "pass the real directory instead if you trust it"
            )
    if not path.exists():
        raise ModelFileError(f"model directory {path} does not exist; check the path")
    if not path.is_dir():
        raise ModelFileError(
            f"{path} is a file, not a model directory; pass the folder that holds "
            f"{META_FILE} and {TENSORS_FILE}"
        )
    return _resolve(path)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:
        raise ModelFileError(f"{path} cannot be resolved ({exc}); fix the symbolic links") from exc


def _model_file(path: Path, root: Path, name: str) -> Path:
    """The real file ``name`` inside ``root``; reject missing files and outward symlinks."""
    file = path / name
    if file.is_symlink() and not _resolve(file).is_relative_to(root):
        raise ModelFileError(
            f"{file} is a symbolic link to {_resolve(file)}, outside the model directory; "
            "copy the real file into the model directory instead"
        )
    if not file.exists():
        raise ModelFileError(
            f"model directory {path} has no {name}; it is incomplete, so save the model again"
        )
    real = _resolve(file)
    if not stat.S_ISREG(real.stat().st_mode):
        raise ModelFileError(f"{file} is not a regular file; replace it with the saved {name}")
    return real


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read {file} ({exc.strerror}); check its permissions") from exc


def _check_safetensors_header(file: Path, data: bytes) -> None:
    """Reject pickle/zip payloads and files whose safetensors header cannot be right.

    A valid header (8-byte little-endian length, then a JSON object) is recognised first: its
    first byte can be anything, 0x80 included, so pickle is only diagnosed for invalid files.
    """
    size = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    valid = size >= 2 and 8 + size <= len(data) and data[8:9] == b"{"
    if not valid and (data[:1] == b"\x80" or data[:4] == b"PK\x03\x04"):
        raise ModelFileError(
            f"{file} holds a pickle / torch.save payload, not safetensors; tsrnn never "
            "unpickles model files, so save the model again with tsrnn"
        )
    if not valid:
        raise ModelFileError(
            f"{file} is truncated or not a safetensors file ({len(data)} bytes, header length "
            f"{size}); restore it from a backup or save the model again"
        )


def _read_tensors(file: Path) -> dict[str, torch.Tensor]:
    """Parse ``model.safetensors`` from bytes (no pickle, no memory map)."""
    data = _read(file)
    _check_safetensors_header(file, data)
    try:
        return _st_load(data)
    except (SafetensorError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelFileError(
            f"{file} is corrupt ({exc}); restore it from a backup or save the model again"
        ) from exc


def load_model(
    path: str | os.PathLike,
    *,
    expected_kind: str | None = None,
    device: str | torch.device = "cpu",
    extra_keys: ExtraKeys = None,
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Load a model directory written by :func:`save_model`, never unpickling anything.

    Parameters
    ----------
    path : str or path-like
        Model directory.
    expected_kind : str, default=None
        If given, the ``kind`` the model must have.
    device : str or torch.device, default="cpu"
        Where to put the tensors.
    extra_keys : iterable of str or dict of str to type, default=None
        Top-level keys allowed beside the known ones.

    Returns
    -------
    tensors : dict of str to torch.Tensor
        The saved tensors on ``device``.
    meta : dict
        The parsed, validated ``model.json``.
    """
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f"device must be like 'cpu' or 'cuda:0', got {device!r}") from exc
    path = Path(path)
    root = _model_root(path)
    meta_file = _model_file(path, root, META_FILE)
    tensor_file = _model_file(path, root, TENSORS_FILE)
    meta = parse_meta(meta_file, _read(meta_file), extra_keys)
    if expected_kind is not None and meta["kind"] != expected_kind:
        raise ModelFileError(
            f"model {path} is a {meta['kind']!r} model, not {expected_kind!r}; load it with "
            f"the matching tsrnn class"
        )
    tensors = _read_tensors(tensor_file)
    return {k: v.to(device) for k, v in tensors.items()}, meta
