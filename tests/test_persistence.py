"""Model files: safetensors + JSON round trips, atomic saves, and every rejected file."""

from __future__ import annotations

import io
import json
import os
import pickle
import stat

import numpy as np
import pytest
import torch

from tsrnn._validation import ConfigError, ModelFileError
from tsrnn.io import (
    META_FILE,
    TENSORS_FILE,
    atomic,
    atomic_write_bytes,
    atomic_write_text,
    load_model,
    save_model,
)
from tsrnn.io import modeldir as persistence
from tsrnn.io.modelmeta import FORMAT_VERSION

META = {
    "kind": "forecaster",
    "params": {"cell": "lstm", "hidden_size": 8, "lr": 1e-3},
    "config": {"input_size": 1, "num_layers": 2},
}


def _tensors() -> dict[str, torch.Tensor]:
    return {
        "net.weight": torch.randn(4, 3),
        "net.bias": torch.tensor([1.0, float("nan"), -0.0, float("inf")]),
        "state.h": torch.randn(2, 5, 8, dtype=torch.float64),
        "counts": torch.arange(6, dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
        "half": torch.randn(3, dtype=torch.bfloat16),
        "scalar": torch.tensor(2.5),
        "empty": torch.empty(0, 3),
    }


def _bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bytes of a tensor, so NaN and -0.0 compare exactly."""
    return t.contiguous().reshape(-1).view(torch.uint8)


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].shape == b[name].shape, name
        assert torch.equal(_bits(a[name]), _bits(b[name])), name


@pytest.fixture
def model(tmp_path):
    """A saved model directory and the tensors in it."""
    tensors = _tensors()
    return save_model(tmp_path / "model", tensors, META), tensors


def _edit_meta(path, **changes):
    meta = json.loads((path / META_FILE).read_text())
    meta.update(changes)
    (path / META_FILE).write_text(json.dumps(meta))


# ---------------------------------------------------------------- round trips


def test_round_trip_is_bitwise_and_keeps_meta(model):
    path, tensors = model
    assert sorted(os.listdir(path)) == [META_FILE, TENSORS_FILE]
    loaded, meta = load_model(path, expected_kind="forecaster")
    _assert_same(tensors, loaded)
    assert all(t.device.type == "cpu" for t in loaded.values())
    version = meta["tsrnn_version"]
    assert meta == {**META, "format_version": FORMAT_VERSION, "tsrnn_version": version}
    assert isinstance(version, str) and version


def test_save_converts_numpy_tuples_views_and_grad(tmp_path):
    base = torch.arange(12.0, requires_grad=True)
    tensors = {"t": base.detach().reshape(3, 4).T, "a": base[:6], "b": base[6:]}
    meta = {
        **META,
        "scaler": {"mean": np.array([1.5, 2.0]), "n": np.int64(7), "ok": np.bool_(True)},
        "roles": {"covariates": ("x", "y")},
        "freq": None,
        "vocab": ["<pad>", "a"],
    }
    loaded, back = load_model(save_model(tmp_path / "m", tensors, meta))
    assert torch.equal(loaded["t"], torch.arange(12.0).reshape(3, 4).T)
    assert torch.equal(loaded["a"], torch.arange(6.0)) and torch.equal(loaded["b"], base[6:])
    assert back["scaler"] == {"mean": [1.5, 2.0], "n": 7, "ok": True}
    assert back["roles"] == {"covariates": ["x", "y"]} and back["freq"] is None
    assert type(back["scaler"]["n"]) is int


def test_save_overwrites_existing_model_and_leaves_no_temp(model):
    path, _ = model
    new = {"w": torch.ones(2)}
    save_model(path, new, {**META, "kind": "regressor"})
    loaded, meta = load_model(path)
    _assert_same(new, loaded)
    assert meta["kind"] == "regressor"
    assert sorted(os.listdir(path.parent)) == ["model"]


def test_save_into_empty_directory_and_empty_tensors(tmp_path):
    (tmp_path / "m").mkdir()
    loaded, _ = load_model(save_model(tmp_path / "m", {}, META))
    assert loaded == {}


def test_save_uses_the_umask_not_private_temp_modes(tmp_path):
    path = save_model(tmp_path / "m", {"w": torch.ones(1)}, META)
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert stat.S_IMODE((path / META_FILE).stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


# ---------------------------------------------------------------- bad saves


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"scaler": {"std": [1.0, float("nan")]}}, "meta['scaler']['std'][1] is nan"),
        ({"scaler": {"std": np.array([np.inf])}}, "meta['scaler']['std'][0] is inf"),
        ({"extra": {1: "a"}}, "non-string key 1"),
        ({"extra": {"t": torch.ones(1)}}, "put tensors in `tensors`"),
        ({"extra": {"s": {1, 2}}}, "is a set"),
        ({"surprise": 1}, "['surprise'] are not allowed"),
        ({"params": [1, 2]}, "'params' must be an object, got an array"),
    ],
)
def test_save_rejects_bad_meta_and_writes_nothing(tmp_path, bad, words):
    with pytest.raises(ModelFileError) as err:
        save_model(tmp_path / "m", {"w": torch.ones(1)}, {**META, **bad})
    assert words in str(err.value)
    assert os.listdir(tmp_path) == []


def test_save_rejects_missing_required_key(tmp_path):
    with pytest.raises(ModelFileError, match=r"required key\(s\) \['kind'\]"):
        save_model(tmp_path / "m", {}, {"params": {}, "config": {}})


def test_save_needs_the_parent_folder(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist") as err:
        save_model(tmp_path / "no" / "such" / "m", {}, META)
    assert str(tmp_path / "no" / "such") in str(err.value)
    assert not (tmp_path / "no").exists()


def test_save_refuses_to_replace_foreign_things(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious")
    with pytest.raises(ModelFileError, match="not a tsrnn model directory"):
        save_model(folder, {}, META)
    assert (folder / "notes.txt").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelFileError, match="is a file"):
        save_model(tmp_path / "file", {}, META)
    with pytest.raises(ModelFileError, match="must be a torch.Tensor"):
        save_model(tmp_path / "m", {"w": [1.0]}, META)


def test_extra_keys_extend_the_schema(tmp_path):
    path = save_model(tmp_path / "m", {}, {**META, "calib": [1, 2]}, extra_keys=["calib"])
    with pytest.raises(ModelFileError, match=r"\['calib'\] are not allowed"):
        load_model(path)
    assert load_model(path, extra_keys=["calib"])[1]["calib"] == [1, 2]
    with pytest.raises(ModelFileError, match="'calib' must be a string"):
        load_model(path, extra_keys={"calib": str})
    assert load_model(path, extra_keys={"calib": (list, dict)})[1]["calib"] == [1, 2]


# ---------------------------------------------------------------- atomicity


def _assert_old_model_intact(path, tensors):
    loaded, meta = load_model(path)
    _assert_same(tensors, loaded)
    assert meta["kind"] == "forecaster"
    assert sorted(os.listdir(path.parent)) == [path.name]


def test_failure_while_serialising_keeps_old_model(model, monkeypatch):
    path, tensors = model

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(persistence, "_st_save", boom)
    with pytest.raises(ModelFileError, match="disk on fire"):
        save_model(path, {"w": torch.zeros(3)}, {**META, "kind": "regressor"})
    _assert_old_model_intact(path, tensors)


@pytest.mark.parametrize(
    ("error", "raised"), [(OSError("no space left"), ModelFileError), (KeyboardInterrupt(), None)]
)
def test_interrupt_before_swap_keeps_old_model(model, monkeypatch, error, raised):
    path, tensors = model
    seen = []

    def fail_swap(new, target):
        seen.append(sorted(os.listdir(new)))  # the temp dir is complete at this point
        raise error

    monkeypatch.setattr(atomic, "_swap_into_place", fail_swap)
    with pytest.raises(raised or type(error), match="no space left" if raised else None):
        save_model(path, {"w": torch.zeros(3)}, {**META, "kind": "regressor"})
    assert seen == [[META_FILE, TENSORS_FILE]]
    _assert_old_model_intact(path, tensors)


def test_interrupt_while_writing_files_keeps_old_model(model, monkeypatch):
    path, tensors = model
    real = atomic._write_synced

    def second_write_fails(file, data):
        if file.name == META_FILE:
            raise KeyboardInterrupt
        real(file, data)

    monkeypatch.setattr(atomic, "_write_synced", second_write_fails)
    with pytest.raises(KeyboardInterrupt):
        save_model(path, {"w": torch.zeros(3)}, META)
    _assert_old_model_intact(path, tensors)


def test_two_rename_fallback_restores_old_model(model, monkeypatch):
    path, tensors = model
    real_rename, calls = os.rename, []

    def rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # old moved aside; moving the new one in fails
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        save_model(path, {"w": torch.zeros(3)}, META)
    monkeypatch.undo()
    _assert_old_model_intact(path, tensors)


def test_two_rename_fallback_succeeds(model, monkeypatch):
    path, _ = model
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    save_model(path, {"w": torch.zeros(3)}, META)
    assert list(load_model(path)[0]) == ["w"]
    assert sorted(os.listdir(path.parent)) == [path.name]


# ---------------------------------------------------------------- atomic file helpers


def test_atomic_write_text_and_bytes(tmp_path):
    target = tmp_path / "out.csv"
    assert atomic_write_text(target, "a,b\n1,2\n") == target
    assert target.read_text() == "a,b\n1,2\n"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert os.listdir(tmp_path) == ["out.csv"]
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def no_replace(src, dst):
        raise OSError("nope")

    monkeypatch.setattr(atomic.os, "replace", no_replace)
    with pytest.raises(ModelFileError, match="nope"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_write_needs_parent(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        atomic_write_text(tmp_path / "missing" / "f.txt", "x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ModelFileError, match="cannot write"):
        atomic_write_text(tmp_path / "folder", "x")
    assert os.listdir(tmp_path) == ["folder"]


# ---------------------------------------------------------------- rejected model files


def _load_error(path, **kwargs) -> str:
    with pytest.raises(ModelFileError) as err:
        load_model(path, **kwargs)
    return str(err.value)


def test_missing_directory_and_file_instead_of_directory(tmp_path):
    assert "does not exist" in _load_error(tmp_path / "nope")
    (tmp_path / "f").write_text("x")
    message = _load_error(tmp_path / "f")
    assert "is a file, not a model directory" in message and str(tmp_path / "f") in message


@pytest.mark.parametrize("name", [META_FILE, TENSORS_FILE])
def test_missing_file(model, name):
    path, _ = model
    (path / name).unlink()
    message = _load_error(path)
    assert f"has no {name}" in message and str(path) in message


def test_model_file_that_is_a_directory(model):
    path, _ = model
    (path / META_FILE).unlink()
    (path / META_FILE).mkdir()
    assert "is not a regular file" in _load_error(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "is not valid JSON"),
        (b"\xff\xfe", "is not valid JSON"),
        ('{"kind": "a", "kind": "b"}', "duplicate key"),
        ('{"x": NaN}', "NaN is not allowed"),
        ('{"x": 1e999}', "out of range"),
        ("[1, 2]", "the top level is an array, not an object"),
        ('"model"', "the top level is a string"),
    ],
)
def test_invalid_json(model, text, words):
    path, _ = model
    data = text if isinstance(text, bytes) else text.encode()
    (path / META_FILE).write_bytes(data)
    message = _load_error(path)
    assert words in message and str(path / META_FILE) in message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"surprise": 1}, "['surprise'] are not allowed"),
        ({"params": "lstm"}, "'params' must be an object, got a string"),
        ({"format_version": "1"}, "'format_version' must be an integer, got a string"),
        ({"format_version": True}, "'format_version' must be an integer, got a boolean"),
        ({"format_version": 0}, "format_version must be >= 1"),
        ({"kind": None}, "'kind' must be a string, got null"),
        ({"freq": 5}, "'freq' must be a string, got an integer"),
        ({"vocab": "abc"}, "'vocab' must be an object or an array"),
    ],
)
def test_schema_violations(model, changes, words):
    path, _ = model
    _edit_meta(path, **changes)
    message = _load_error(path)
    assert words in message and str(path) in message


def test_missing_required_key(model):
    path, _ = model
    meta = json.loads((path / META_FILE).read_text())
    del meta["config"]
    (path / META_FILE).write_text(json.dumps(meta))
    assert "required key(s) ['config'] are missing" in _load_error(path)


def test_optional_keys_may_be_null(model):
    path, _ = model
    _edit_meta(path, scaler=None, state=None, history=None)
    assert load_model(path)[1]["scaler"] is None


def test_newer_format_version(model):
    path, _ = model
    _edit_meta(path, format_version=FORMAT_VERSION + 1, tsrnn_version="9.0", future_key={})
    message = _load_error(path)
    assert f"format {FORMAT_VERSION + 1} > {FORMAT_VERSION}" in message
    assert "upgrade tsrnn" in message and "9.0" in message and str(path) in message


def test_expected_kind_mismatch(model):
    path, _ = model
    message = _load_error(path, expected_kind="classifier")
    assert "'forecaster' model, not 'classifier'" in message and str(path) in message


def test_truncated_safetensors(model):
    path, _ = model
    data = (path / TENSORS_FILE).read_bytes()
    (path / TENSORS_FILE).write_bytes(data[: len(data) // 2])
    message = _load_error(path)
    assert "truncated or corrupt" in message or "is corrupt" in message
    assert str(path / TENSORS_FILE) in message


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01\x02", b"\x10\x00\x00\x00\x00\x00\x00\x00[not a header]xx", b"hello world!!"],
)
def test_garbage_safetensors(model, data):
    path, _ = model
    (path / TENSORS_FILE).write_bytes(data)
    assert "truncated or not a safetensors file" in _load_error(path)


def test_corrupt_safetensors_header(model):
    path, _ = model
    header = b'{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 99]}}'
    (path / TENSORS_FILE).write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 16)
    assert "is corrupt" in _load_error(path)


class _Harmless:
    pass


def _forbid_unpickling(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("load_model tried to unpickle")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)


def test_pickle_payload_is_rejected_without_unpickling(model, monkeypatch):
    path, _ = model
    (path / TENSORS_FILE).write_bytes(pickle.dumps({"w": _Harmless()}))
    _forbid_unpickling(monkeypatch)
    message = _load_error(path)
    assert "pickle" in message and "never unpickles" in message
    assert str(path / TENSORS_FILE) in message


def test_torch_save_payload_is_rejected_without_unpickling(model, monkeypatch):
    path, _ = model
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    (path / TENSORS_FILE).write_bytes(buffer.getvalue())
    _forbid_unpickling(monkeypatch)
    assert "never unpickles" in _load_error(path)


def test_old_pickle_protocol_is_rejected_without_unpickling(model, monkeypatch):
    path, _ = model
    (path / TENSORS_FILE).write_bytes(pickle.dumps([1, 2, 3], protocol=0))
    _forbid_unpickling(monkeypatch)
    assert "not a safetensors file" in _load_error(path)


def test_symlinked_file_outside_the_directory(model, tmp_path):
    path, _ = model
    outside = save_model(tmp_path / "other", {"secret": torch.ones(1)}, META)
    for name in (TENSORS_FILE, META_FILE):
        (path / name).unlink()
        (path / name).symlink_to(outside / name)
        message = _load_error(path)
        assert "symbolic link" in message and "outside the model directory" in message
        assert str(path / name) in message
        (path / name).unlink()
        (path / name).write_bytes((outside / name).read_bytes())


def test_symlink_inside_the_directory_is_fine(model):
    path, tensors = model
    (path / TENSORS_FILE).rename(path / "weights.bin")
    (path / TENSORS_FILE).symlink_to("weights.bin")
    _assert_same(tensors, load_model(path)[0])


def test_symlinked_directory(model, tmp_path):
    path, tensors = model
    sibling = tmp_path / "latest"
    sibling.symlink_to(path, target_is_directory=True)
    _assert_same(tensors, load_model(sibling)[0])
    away = tmp_path / "sub"
    away.mkdir()
    (away / "model").symlink_to(path, target_is_directory=True)
    message = _load_error(away / "model")
    assert "is a symbolic link" in message and str(away / "model") in message


def test_symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "a")


def test_save_refuses_a_symlink(model, tmp_path):
    path, _ = model
    (tmp_path / "latest").symlink_to(path, target_is_directory=True)
    with pytest.raises(ModelFileError, match="symbolic link"):
        save_model(tmp_path / "latest", {}, META)


def test_bad_device(model):
    path, _ = model
    with pytest.raises(ConfigError, match="device"):
        load_model(path, device="toaster")


def test_header_length_starting_with_0x80_is_not_mistaken_for_pickle(tmp_path):
    """A safetensors header whose length's low byte is 0x80 must load (regression)."""
    import json as _json

    from tsrnn.io import load_model as _load
    from tsrnn.io import save_model as _save

    for pad in range(0, 300):
        tensors = {"w" + "x" * pad: torch.zeros(1)}
        _save(tmp_path / "m", tensors, {"kind": "k", "params": {}, "config": {}})
        raw = (tmp_path / "m" / "model.safetensors").read_bytes()
        if raw[:1] == b"\x80":
            loaded, meta = _load(tmp_path / "m")
            assert set(loaded) == set(tensors) and _json.dumps(meta)
            return
    raise AssertionError("no header length with low byte 0x80 was produced")
