"""Atomic writes: a file or a folder appears complete at its path, or not at all (no torch).

Everything is written under a hidden temporary name next to the target (same folder, so the
same file system), flushed to disk, then renamed onto the target in one step. An error or
Ctrl-C part way removes the temporary file or folder and leaves the old target as it was.

:func:`atomic_path` is the one implementation for files: it yields the temporary path for the
caller to write, and renames it into place on a clean exit. :func:`atomic_write_bytes` and
:func:`atomic_write_text` write a whole file through it; :func:`atomic_write_dir` replaces a
folder of files (an atomic exchange on Linux; elsewhere two renames, undone on error).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from .._validation import ModelFileError

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_dir",
    "existing_parent",
]


def existing_parent(path: Path) -> Path:
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


def _fsync_file(path: Path) -> None:
    """Flush the data of the closed file ``path`` to disk."""
    fd = os.open(path, os.O_RDWR if sys.platform == "win32" else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename inside folder ``path`` durable (a no-op where folders cannot be opened)."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- files


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a hidden temporary sibling of ``path`` to write; rename it onto ``path`` at the end.

    Use as ``with atomic_path(path) as tmp: write_into(tmp)``. On a clean exit the temporary
    file is fsynced and replaces ``path`` in one step (:func:`os.replace`); on any exception,
    Ctrl-C included, it is removed and the exception goes on, so ``path`` keeps its old content.

    Parameters
    ----------
    path : str or path-like
        The file the caller means to write; its folder must exist.

    Yields
    ------
    Path
        The temporary file, e.g. ``.name.tmp-1a2b3c4d`` in the folder of ``path``; it does not
        exist yet, and the caller must create it.

    Raises
    ------
    FileNotFoundError
        On a clean exit when the caller wrote nothing (the temporary file does not exist).
    """
    path = Path(path)
    tmp = _temp_sibling(path, "tmp")
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(errno.ENOENT, f"nothing was written for {path}", str(tmp))
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


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
        The file written, as a :class:`~pathlib.Path`.

    Raises
    ------
    ModelFileError
        If the folder is missing or the file cannot be written (permissions, free space).
    """
    path = Path(path)
    existing_parent(path)
    try:
        with atomic_path(path) as tmp:
            _write_synced(tmp, bytes(data))
    except OSError as exc:
        raise _write_error(path, exc) from exc
    return path


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded with ``encoding``."""
    return atomic_write_bytes(path, text.encode(encoding))


# ---------------------------------------------------------------- folders


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


def _write_dir(path: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` into a temporary sibling folder, fsync, and swap it into ``path``."""
    tmp = _temp_sibling(path, "tmp")
    os.mkdir(tmp, 0o777)
    try:
        for name, data in files.items():
            _write_synced(tmp / name, data)
        _fsync_dir(tmp)
        old = _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_dir(path: str | os.PathLike, files: Mapping[str, bytes]) -> Path:
    """Replace folder ``path`` by a new folder holding ``files``, all at once.

    The caller decides whether an existing ``path`` may be replaced; anything it holds is
    deleted once the new folder is in place.

    Parameters
    ----------
    path : str or path-like
        The folder; its parent must exist.
    files : dict of str to bytes
        File name -> content, written in this order.

    Returns
    -------
    Path
        The folder, as a :class:`~pathlib.Path`.

    Raises
    ------
    ModelFileError
        If the parent folder is missing or a file cannot be written or moved.
    """
    path = Path(path)
    existing_parent(path)
    try:
        _write_dir(path, files)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    return path
