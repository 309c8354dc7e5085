"""The README's Python forecasting example runs as written, on the bundled data."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_readme_forecasting_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    block = text.split("## Forecasting DataFrames", 1)[1].split("```python", 1)[1]
    block = block.split("```", 1)[0]
    assert "load.csv" not in block
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102
    assert (tmp_path / "model" / "model.json").exists()
