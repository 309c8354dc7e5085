"""The built wheel maps cli/ and datasets/ under tsrnn and installs no top-level cli or datasets."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = out.glob("tsrnn-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist(), build.stdout + build.stderr


def test_pyproject_gives_setuptools_nothing_to_warn_about(wheel_build):
    _, log = wheel_build
    for warning in ("is deprecated", "Package would be ignored", "absent from the `packages`"):
        assert warning not in log, log


@pytest.fixture(scope="module")
def wheel_files(wheel_build):
    return wheel_build[0]


def test_wheel_maps_subpackages_under_tsrnn(wheel_files):
    assert "tsrnn/__init__.py" in wheel_files
    assert "tsrnn/cli/__init__.py" in wheel_files
    assert "tsrnn/datasets/__init__.py" in wheel_files


def test_wheel_ships_every_module_of_the_library(wheel_files):
    modules = [f"tsrnn/{p.relative_to(ROOT / 'tsrnn').as_posix()}"
               for p in (ROOT / "tsrnn").rglob("*.py")]
    missing = [m for m in modules if m not in wheel_files]
    assert not missing, missing


def test_wheel_ships_the_bundled_data(wheel_files):
    for name in ("weather.csv", "house_prices.csv"):
        assert f"tsrnn/datasets/data/{name}" in wheel_files
    assert "tsrnn/datasets/SOURCES.md" in wheel_files


def test_wheel_has_no_top_level_cli_or_datasets(wheel_files):
    top = {name.split("/")[0] for name in wheel_files}
    assert not top & {"cli", "datasets", "tests", "benchmarks", "notebooks"}, top
    assert all(t == "tsrnn" or t.startswith("tsrnn-") for t in top), top


def test_wheel_declares_the_console_script(wheel_files):
    assert any(name.endswith("entry_points.txt") for name in wheel_files)
