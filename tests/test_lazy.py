"""Names that import on first use (tsrnn._lazy): ``import tsrnn`` and the ``tsrnn`` command
start without torch and scikit-learn, a bad file is refused before they load, and every public
name still resolves to the object its module defines."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsrnn

ROOT = Path(__file__).resolve().parents[1]
LAZY_PACKAGES = ["tsrnn", "tsrnn.forecast", "tsrnn.io"]
HEAVY = ("torch", "sklearn")


def _fresh(code: str) -> str:
    """stdout of ``code`` run in a new interpreter (nothing imported yet)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={"OMP_NUM_THREADS": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_tsrnn_and_its_command_loads_neither_torch_nor_sklearn():
    out = _fresh("import sys, tsrnn, tsrnn.io, tsrnn.data, tsrnn.forecast\n"
                 "from tsrnn.cli import main\n"
                 f"print([m for m in {HEAVY!r} if m in sys.modules])")
    assert out == "[]"


def test_the_command_refuses_a_bad_file_before_torch_loads(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,load\n2024-01-01,1\n")
    out = _fresh("import sys\nfrom tsrnn.cli import main\n"
                 "try:\n"
                 f"    main(['fit', {str(bad)!r}, '-o', {str(tmp_path / 'm')!r}])\n"
                 "except SystemExit as exc:\n"
                 "    print(exc.code, 'torch' in sys.modules)")
    assert out == "1 False"
    assert not (tmp_path / "m").exists()


def test_a_model_loads_in_a_fresh_process_that_named_no_estimator(tmp_path):
    # the registry of model kinds fills when the forecaster's module is defined: tsrnn.load
    # must import it, though the package's names are lazy
    t = pd.date_range("2024-01-01", periods=120, freq="h")
    frame = pd.DataFrame({"time": t, "y": np.sin(np.arange(120) / 4)})
    model = tsrnn.RNNForecaster(horizon=4, lookback=8, hidden_size=4, max_steps=3,
                                n_models=1, validate=False, random_state=0, device="cpu")
    expected = model.fit(frame).predict()["y"].to_numpy()
    model.save(tmp_path / "m")
    out = _fresh(f"import tsrnn\nprint(list(tsrnn.load({str(tmp_path / 'm')!r}).predict()['y']))")
    np.testing.assert_allclose(eval(out), expected, atol=1e-6)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_resolves_and_is_listed(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))


def _bound_names(package: str) -> tuple[set[str], set[str]]:
    """(names its ``if TYPE_CHECKING:`` block imports: what static tools see, names the
    ``__init__`` binds at once) of ``package``."""
    path = Path(importlib.import_module(package).__file__)
    static, eager = set(), set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            static |= {a.asname or a.name for imp in node.body for a in imp.names}
        elif isinstance(node, ast.ImportFrom):
            eager |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Assign):
            eager |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return static, eager


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_static_tools_see_the_same_names_as_the_lazy_table(package):
    module = importlib.import_module(package)
    static, eager = _bound_names(package)
    assert static == set(module.__all__) - eager
    assert not static & eager


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_no_lazy_name_is_also_a_submodule_name(package):
    # importing a submodule binds its name in the package: a function of the same name (the
    # old forecast.backtest) would then be shadowed by its module
    module = importlib.import_module(package)
    submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    assert not submodules & set(module.__all__)


def test_the_lazy_forecast_names_are_the_defining_objects():
    from tsrnn.forecast.backtesting import backtest
    from tsrnn.forecast.forecaster import RNNForecaster
    from tsrnn.forecast.onnx_feeds import onnx_inputs

    assert tsrnn.forecast.backtest is backtest
    assert tsrnn.forecast.onnx_inputs is onnx_inputs
    assert tsrnn.RNNForecaster is RNNForecaster is tsrnn.forecast.RNNForecaster
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        tsrnn.forecast.nope  # noqa: B018
