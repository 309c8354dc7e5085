"""Shared fixtures: every test starts from the same seeds; shared data is found or fails loudly."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]

# The test networks are tiny: one intra-op thread is faster than two, and immune to the
# oversubscription stalls that hit multi-threaded torch when other processes share the cores.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_everything():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield


def shared_data_dir() -> Path:
    """``$TSRNN_SHARED_DATA`` or ``../shared/data`` next to the project root."""
    return Path(os.environ.get("TSRNN_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The shared data folder; a test that needs it fails (never skips) when it is missing."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set TSRNN_SHARED_DATA to its location")
    return path
