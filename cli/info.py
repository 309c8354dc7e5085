"""``tsrnn info`` (what a saved model is) and ``tsrnn datasets`` (the bundled data)."""

from __future__ import annotations

from pathlib import Path

import click

from tsrnn import datasets as registry
from tsrnn import load
from tsrnn.io import load_model
from tsrnn.nn import count_parameters

from ._common import check_output, say

__all__ = ["info", "datasets"]


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
def info(model_dir):
    """Describe the model in MODEL_DIR: roles, frequency, network, training.

    \b
    Example:
      tsrnn info model/
    """
    _, meta = load_model(model_dir)
    model = load(model_dir)
    roles, cfg, history = model.roles_, model.network_.cfg, model.history_
    lines = [
        f"model:          {meta['kind']} (format {meta['format_version']}, "
        f"tsrnn {meta['tsrnn_version']})",
        f"targets:        {', '.join(map(str, roles.target))}",
        f"past covariates:   {', '.join(roles.past) or '-'}",
        f"future covariates: {', '.join(roles.future) or '-'}",
        f"time column:    {roles.time_col or '(index)'}; id column: {roles.id_col or '-'}",
        f"series:         {len(model.ids_)}; frequency: {model.freq_ or 'integer steps'}",
        f"lookback:       {model.lookback}; horizon: {model.horizon}",
        f"network:        {cfg.cell} {cfg.num_layers}x{cfg.hidden_size}, head {model.head}, "
        f"{count_parameters(model.network_):,} parameters",
    ]
    if history:
        last = history[-1]
        val = f", validation loss {last['val_loss']:.4g}" if "val_loss" in last else ""
        seconds = sum(r.get("seconds", 0.0) for r in history)
        lines.append(f"training:       {len(history)} epochs in {seconds:.1f} s; final train "
                     f"loss {last['train_loss']:.4g}{val}")
    click.echo("\n".join(lines))


@click.group()
def datasets():
    """The real datasets bundled with tsrnn.

    \b
    Example:
      tsrnn datasets list
      tsrnn datasets show weather
      tsrnn datasets export house_prices prices.csv
    """


@datasets.command("list")
def list_():
    """List the bundled datasets."""
    for name in registry.names():
        click.echo(f"{name:14s} {registry.load(name).description}")


@datasets.command()
@click.argument("name")
def show(name):
    """Describe dataset NAME: columns, frequency, suggested settings, source and licence."""
    click.echo(registry.describe(name))


@datasets.command()
@click.argument("name")
@click.argument("out", type=click.Path(path_type=Path))
def export(name, out):
    """Write dataset NAME to the CSV file OUT."""
    check_output(out)
    path = registry.export(name, out)
    say(f"{name} written to {path}")
