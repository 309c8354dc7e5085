"""Save and load models as a directory of safetensors + JSON; atomic writes; never unpickles.

A saved model is a directory with two files:

``model.safetensors``
    Every tensor (network weights, carried hidden state, other arrays) as a flat dict
    ``name -> tensor``, stored contiguous and on CPU.
``model.json``
    Everything else, as one JSON object with this schema (``null`` is allowed for every
    optional key and means "absent"):

    ==================  ===========================  ==========================================
    key                 JSON type                    holds
    ==================  ===========================  ==========================================
    ``format_version``  integer >= 1 (required)      file format, written by :func:`save_model`
    ``tsrnn_version``   string (required)            tsrnn release, written by :func:`save_model`
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
    ``extra``           object                       anything else a caller needs
    ==================  ===========================  ==========================================

Any other top-level key is an error unless the caller names it in ``extra_keys``, either as
names (any JSON value) or as a mapping ``name -> type or tuple of types``. NaN and infinity are
not allowed anywhere in ``model.json``.

:func:`save_model` builds the new model in a hidden temporary directory next to ``path``, fsyncs
it, then swaps it into place (an atomic exchange on Linux; elsewhere two renames, undone on
error), so ``path`` holds the old model or the new one, never a half-written one.
:func:`load_model` reads both files without ``pickle`` or ``torch.load`` and turns every problem
into a :class:`~tsrnn._validation.ModelFileError` that names the path and says what to do.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.metadata
import json
import math
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as _st_load
from safetensors.torch import save as _st_save

from .._validation import ConfigError, ModelFileError

__all__ = [
    "FORMAT_VERSION",
    "META_FILE",
    "TENSORS_FILE",
    "REQUIRED_KEYS",
    "OPTIONAL_KEYS",
    "save_model",
    "load_model",
    "atomic_write_text",
    "atomic_write_bytes",
]

FORMAT_VERSION = 1
META_FILE = "model.json"
TENSORS_FILE = "model.safetensors"
_MODEL_FILES = frozenset({META_FILE, TENSORS_FILE})

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


def _tsrnn_version() -> str:
    """The installed tsrnn version, or ``"0+unknown"`` when run from an uninstalled tree."""
    try:
        return importlib.metadata.version("tsrnn")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


# ---------------------------------------------------------------- atomic file helpers


def _existing_parent(path: Path) -> Path:
    """The parent folder of ``path``; raise ModelFileError if it does not exist."""
    parent = path.parent
    if not parent.is_dir():
        raise ModelFileError(f"folder {parent} does not exist; create it before writing {path}")
    return parent


def _temp_sibling(path: Path, tag: str) -> Path:
    """A fresh hidden name next to ``path``, e.g. ``.model.tmp-1a2b3c4d``."""
    return path.parent / f".{path.name}.{tag}-{secrets.token_hex(4)}"


def _write_synced(path: Path, data: bytes) -> None:
    """Create ``path`` (must not exist; mode from the umask), write ``data`` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with open(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _write_error(path: Path, exc: OSError) -> ModelFileError:
    return ModelFileError(
        f"cannot write {path} ({exc.strerror or exc}); check permissions and free space"
    )


def _fsync_dir(path: Path) -> None:
    """Make a rename inside folder ``path`` durable (a no-op where folders cannot be opened)."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    Parameters
    ----------
    path : str or path-like
        File to write; its folder must exist.
    data : bytes
        The new content.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    parent = _existing_parent(path)
    tmp = _temp_sibling(path, "tmp")
    try:
        _write_synced(tmp, bytes(data))
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    _fsync_dir(parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded with ``encoding``."""
    return atomic_write_bytes(path, text.encode(encoding))


# ---------------------------------------------------------------- directory swap


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux ``renameat2``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    c_int, c_path = ctypes.c_int, ctypes.c_char_p
    renameat2.argtypes = [c_int, c_path, c_int, c_path, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_into_place(new: Path, target: Path) -> Path | None:
    """Move folder ``new`` to ``target``; return where the old ``target`` now lies (or None)."""
    if not target.exists():
        os.rename(new, target)
        return None
    if _exchange(new, target):
        return new
    backup = _temp_sibling(target, "old")
    os.rename(target, backup)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(backup, target)
        raise
    return backup


def _check_replaceable(path: Path) -> None:
    """Refuse to overwrite anything but a missing path, an empty folder or a tsrnn model."""
    if path.is_symlink():
        raise ModelFileError(f"{path} is a symbolic link; save the model to a real directory")
    if not path.exists():
        return
    if not path.is_dir():
        raise ModelFileError(f"{path} is a file, not a model directory; choose another path")
    others = sorted(p.name for p in path.iterdir() if p.name not in _MODEL_FILES)
    if others:
        raise ModelFileError(
            f"{path} exists and is not a tsrnn model directory (it holds {others[:3]}); "
            "choose another path or empty it first"
        )


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


def _schema_problem(meta: Any, allowed: dict[str, tuple[type, ...]]) -> str | None:
    """What is wrong with ``meta`` against the schema, or None if it is valid."""
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
    parent = _existing_parent(path)
    _check_replaceable(path)
    if not isinstance(meta, Mapping):
        raise ModelFileError(f"cannot save {path}: meta must be a dict, got {type(meta)}")
    full = {**meta, "format_version": FORMAT_VERSION, "tsrnn_version": _tsrnn_version()}
    full = _to_json(full, f"cannot save {path}: meta")
    problem = _schema_problem(full, _allowed_keys(extra_keys))
    if problem:
        raise ModelFileError(f"cannot save {path}: in meta, {problem}; fix the meta passed in")
    text = json.dumps(full, allow_nan=False, indent=2, sort_keys=True) + "\n"
    try:
        blob = _st_save(_cpu_tensors(tensors, path), metadata={"format": "pt"})
    except (SafetensorError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelFileError(f"cannot save {path}: safetensors refused a tensor ({exc})") from exc
    try:
        _write_model_dir(path, parent, blob, text.encode("utf-8"))
    except OSError as exc:
        raise _write_error(path, exc) from exc
    return path


def _write_model_dir(path: Path, parent: Path, blob: bytes, meta_bytes: bytes) -> None:
    """Write both files into a temporary sibling folder, fsync, and swap it into ``path``."""
    tmp = _temp_sibling(path, "tmp")
    os.mkdir(tmp, 0o777)
    try:
        _write_synced(tmp / TENSORS_FILE, blob)
        _write_synced(tmp / META_FILE, meta_bytes)
        _fsync_dir(tmp)
        old = _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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


def _read_meta(file: Path, extra_keys: ExtraKeys) -> dict[str, Any]:
    """Parse and validate ``model.json``."""
    try:
        meta = json.loads(
            _read(file).decode("utf-8"),
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
    problem = _schema_problem(meta, _allowed_keys(extra_keys))
    if problem:
        raise ModelFileError(f"{file} is invalid: {problem}; save the model again with tsrnn")
    return meta


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
    meta = _read_meta(meta_file, extra_keys)
    if expected_kind is not None and meta["kind"] != expected_kind:
        raise ModelFileError(
            f"model {path} is a {meta['kind']!r} model, not {expected_kind!r}; load it with "
            f"the matching tsrnn class"
        )
    tensors = _read_tensors(tensor_file)
    return {k: v.to(device) for k, v in tensors.items()}, meta
