"""A model folder's two files, and which paths a save may replace (no torch: the ``tsrnn``
command checks its ``-o`` folder before it reads the data, and torch loads after that)."""

from __future__ import annotations

from pathlib import Path

from .._validation import ModelFileError
from .atomic import existing_parent

__all__ = ["META_FILE", "TENSORS_FILE", "check_model_target", "check_replaceable"]

META_FILE = "model.json"
TENSORS_FILE = "model.safetensors"
_MODEL_FILES = frozenset({META_FILE, TENSORS_FILE})


def check_model_target(path) -> None:
    """Raise ModelFileError now if :func:`~tsrnn.io.modeldir.save_model` could not write
    ``path`` (no parent folder, or a file or a folder of other files there)."""
    path = Path(path)
    existing_parent(path)
    check_replaceable(path)


def check_replaceable(path: Path) -> None:
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
