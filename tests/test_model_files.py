"""Hostile model directories through ``tsrnn.load`` and the CLI (``tsrnn forecast``, ``tsrnn
info``): pickle payloads that would run code, tampered JSON, truncated weights and symbolic links
out of the directory are each one clear ``ModelFileError`` (exit code 1, one ``Error:`` line), and
no code from a file ever runs. ``tests/test_persistence.py`` covers the file layer itself."""

import io
import json
import pickle
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

import tsrnn
from tsrnn import ModelFileError
from tsrnn.cli import main
from tsrnn.io import META_FILE, TENSORS_FILE

from .fixed import Fixed


class _WritesMarker:
    """Unpickling this calls ``open(path, "w")``: a stand-in for any code a payload could run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small fitted forecaster saved to ``<tmp>/good``, and its forecast."""
    root = tmp_path_factory.mktemp("models")
    t = np.arange(120)
    frame = pd.DataFrame({"y": 5 + np.sin(t / 4)},
                         index=pd.date_range("2024-01-01", periods=120, freq="h"))
    model = Fixed(lookback=8, horizon=3, epochs=1, hidden_size=4, device="cpu",
                          random_state=0).fit(frame)
    model.save(root / "good")
    return root, model.predict()


@pytest.fixture
def copy(saved, tmp_path):
    """A fresh copy of the good model directory, and where a marker file would appear."""
    path = tmp_path / "model"
    shutil.copytree(saved[0] / "good", path)
    return path, tmp_path / "MARKER"


def _cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], env={"TSRNN_DEBUG": ""})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)  # nothing leaked
    return result


def assert_rejected(path, *words, marker=None):
    """``tsrnn.load``, ``tsrnn forecast`` and ``tsrnn info`` all refuse ``path`` clearly."""
    with pytest.raises(ModelFileError) as info:
        tsrnn.load(path)
    for word in words:
        assert word in str(info.value), str(info.value)
    for command in ("forecast", "info"):
        result = _cli(command, path)
        assert result.exit_code == 1, (command, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and all(w in errors[0] for w in words), result.stderr
        assert "Traceback" not in result.stderr + result.output
        assert result.stdout == ""  # no partial forecast or description
    assert marker is None or not marker.exists(), "a payload in the model files ran"


def test_the_good_model_loads(saved):
    root, forecast = saved
    pd.testing.assert_frame_equal(tsrnn.load(root / "good").predict(), forecast)
    assert _cli("info", root / "good").exit_code == 0


# -- pickle payloads: rejected without ever being unpickled ---------------------------------------


def test_the_payload_is_live(tmp_path):
    """The payload used below really runs code when unpickled (so the next tests mean it)."""
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_WritesMarker(probe)))
    assert probe.exists()


def _torch_zip(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("make", [
    pytest.param(lambda m: pickle.dumps(_WritesMarker(m)), id="pickle-protocol-5"),
    pytest.param(lambda m: pickle.dumps(_WritesMarker(m), protocol=2), id="pickle-protocol-2"),
    pytest.param(lambda m: pickle.dumps(_WritesMarker(m), protocol=0), id="pickle-protocol-0"),
    pytest.param(lambda m: _torch_zip({"w": _WritesMarker(m)}), id="torch-save-zip"),
])
def test_pickled_weights_never_run(copy, make):
    path, marker = copy
    (path / TENSORS_FILE).write_bytes(make(marker))
    assert_rejected(path, str(path / TENSORS_FILE), marker=marker)


def test_pickle_in_place_of_the_json_never_runs(copy):
    path, marker = copy
    (path / META_FILE).write_bytes(pickle.dumps(_WritesMarker(marker)))
    assert_rejected(path, "is not valid JSON", marker=marker)


def test_pickle_inside_a_valid_safetensors_file_stays_bytes(copy):
    """A pickle smuggled in as a uint8 tensor is only ever read as numbers."""
    path, marker = copy
    tensors = st_load((path / TENSORS_FILE).read_bytes())
    payload = np.frombuffer(pickle.dumps(_WritesMarker(marker)), dtype=np.uint8).copy()
    tensors["network.payload"] = torch.from_numpy(payload)
    (path / TENSORS_FILE).write_bytes(st_save(tensors))
    assert_rejected(path, "Unexpected key(s)", marker=marker)


# -- tampered JSON -----------------------------------------------------------------------------


def _edit(meta, where, value):
    """Set ``meta[a][b]...`` for ``where = "a.b"``; value ``...`` deletes the key."""
    *parents, key = where.split(".")
    node = meta
    for name in parents:
        node = node[name]
    if value is ...:
        del node[key]
    else:
        node[key] = value


@pytest.mark.parametrize("where, value, words", [
    ("surprise", 1, "key(s) ['surprise'] are not allowed"),
    ("params.colour", "red", "unexpected keyword argument 'colour'"),
    ("roles.extra", [], "unexpected keyword argument 'extra'"),
    ("config.foo", 1, "unexpected keyword argument 'foo'"),
    ("format_version", "1", "'format_version' must be an integer"),
    ("params", [1], "'params' must be an object"),
    ("params.lookback", "abc", "lookback must be a positive integer, got 'abc'"),
    ("params.lookback", 0, "lookback must be a positive integer, got 0"),
    ("params.cell", "gru", "params.cell is 'gru' but the network's config says 'lstm'"),
    ("params.device", "toaster", "got 'toaster'"),
    ("config.hidden_size", "x", "hidden_size"),
    ("roles.target", 5, "not iterable"),
    ("roles.target", [["y"]], "roles.target must be a list of column names"),
    ("freq", None, "freq None does not match the saved time index"),
    ("freq", "XYZ", "XYZ"),
    ("scaler.center", "x", "scaler description is malformed"),
    ("scaler.center", [[1.0, 2.0]], "scaler description is malformed"),
    ("data.ids", ["a", "b", "c"], "expected (3, 8, 1)"),
    ("data.ids", ..., "'ids'"),
    ("history", [1, 2], "history entries must be objects with a train_loss"),
    ("kind", "RNNRegressor", "unknown model kind 'RNNRegressor'"),
])
def test_tampered_json_is_rejected(copy, where, value, words):
    path, _ = copy
    meta = json.loads((path / META_FILE).read_text())
    _edit(meta, where, value)
    (path / META_FILE).write_text(json.dumps(meta))
    assert_rejected(path, words)


@pytest.mark.parametrize("text, words", [
    ('{"kind": "RNNForecaster", "kind": "x"}', "duplicate key(s) ['kind']"),
    ('{"format_version": NaN}', "NaN is not allowed"),
    ('{"format_version": 1e999}', "out of range"),
    ("", "is not valid JSON"),
])
def test_malformed_json_text_is_rejected(copy, text, words):
    path, _ = copy
    (path / META_FILE).write_text(text)
    assert_rejected(path, words)


# -- weights: truncated, reshaped, not finite ------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 7, 40, -1], ids=["empty", "inside-length", "inside-header",
                                                     "last-byte-cut"])
def test_truncated_weights_are_rejected(copy, keep):
    path, _ = copy
    data = (path / TENSORS_FILE).read_bytes()
    (path / TENSORS_FILE).write_bytes(data[:keep])
    assert_rejected(path, str(path / TENSORS_FILE))


@pytest.mark.parametrize("change, words", [
    ("drop", "Missing key(s)"),
    ("reshape", "size mismatch"),
    ("nan", "holds NaN or infinity"),
])
def test_weights_that_do_not_fit_are_rejected(copy, change, words):
    path, _ = copy
    tensors = st_load((path / TENSORS_FILE).read_bytes())
    name = next(k for k in tensors if k.startswith("network.") and k.endswith("weight_ih_l0"))
    if change == "drop":
        del tensors[name]
    elif change == "reshape":
        tensors[name] = tensors[name][:-1].contiguous()
    else:
        tensors[name] = tensors[name].clone()
        tensors[name][0, 0] = float("nan")
    (path / TENSORS_FILE).write_bytes(st_save(tensors))
    assert_rejected(path, words)


# -- symbolic links out of the model directory ---------------------------------------------------


@pytest.mark.parametrize("name", [TENSORS_FILE, META_FILE])
def test_symlink_to_a_file_outside_is_rejected(copy, saved, name):
    path, _ = copy
    outside = path.parent / "elsewhere"
    shutil.copytree(saved[0] / "good", outside)  # a perfectly valid file, but not in the model
    (path / name).unlink()
    (path / name).symlink_to(outside / name)
    assert_rejected(path, "symbolic link", "outside the model directory")


def test_relative_symlink_climbing_out_is_rejected(copy, saved):
    path, _ = copy
    (path / TENSORS_FILE).unlink()
    (path / TENSORS_FILE).symlink_to(f"../../{saved[0].name}/good/{TENSORS_FILE}")
    assert (path / TENSORS_FILE).exists()  # the link works; tsrnn still refuses it
    assert_rejected(path, "outside the model directory")
