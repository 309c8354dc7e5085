"""``tsrnn info`` (what a saved model is) and ``tsrnn datasets`` (the bundled data)."""

from __future__ import annotations

from pathlib import Path

import click

import tsrnn
from tsrnn import datasets as registry

from ._common import check_output, fmt_score, say
from ._zones import model_zone

__all__ = ["info", "datasets"]


def _statics(model) -> str:
    """The static covariates: each category column with its number of categories, the
    numbers, the id embedding, and how they condition the network."""
    statics = model.channels_.statics
    if statics is None:
        return "-"
    parts = [f"{name} ({len(values)} categories)" if name != "series id" else
             f"id embedding ({len(values)} series)" for name, values in
             statics.categories.items()]
    parts += [f"{name} (number)" for name in statics.numbers]
    how = ("the initial hidden state" if model.config_["static_mode"] == "state" else
           "constant inputs of every step")
    return f"{', '.join(parts)}; as {how}"


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
def info(model_dir):
    """Describe the model in MODEL_DIR: roles, frequency, network, training.

    \b
    Example:
      tsrnn info model/
    """
    _, meta = tsrnn.io.load_model(model_dir)
    model = tsrnn.load(model_dir)
    roles, cfg, history = model.roles_, model.network_.cfg, model.history_
    lines = [
        f"model:          {meta['kind']} (format {meta['format_version']}, "
        f"tsrnn {meta['tsrnn_version']})",
        f"targets:        {', '.join(map(str, roles.target))}",
        f"past covariates:   {', '.join(roles.past) or '-'}",
        f"future covariates: {', '.join(roles.future) or '-'}",
        f"static covariates: {_statics(model)}",
        f"time column:    {roles.time_col or '(index)'}; id column: {roles.id_col or '-'}",
        f"series:         {len(model.ids_)}; frequency: {model.freq_ or 'integer steps'}"
        + (f"; time zone: {zone}" if (zone := model_zone(model)) else ""),
        f"configuration:  {tsrnn.forecast.describe(model.config_)}",
        f"network:        {cfg.cell} {cfg.num_layers}x{cfg.hidden_size}, head "
        f"{model.config_['head']}, {tsrnn.nn.count_parameters(model.network_):,} parameters"
        + (f" per member, {len(model.members_)} members" if getattr(model, "members_", None)
           else ""),
    ]
    auto = [k for k, v in model.get_params().items()
            if k in tsrnn.forecast.AUTO_PARAMS and v == "auto"]
    if auto:
        lines.append(f"chosen by auto: {', '.join(f'{k}={model.config_[k]}' for k in auto)}")
    validation = getattr(model, "validation_", None)
    if validation:
        ours, theirs = validation["model"], validation["seasonal_naive"]
        lines.append(f"validation:     last {validation['rows']} rows of {validation['series']} "
                     f"series: sMAPE {ours['smape']:.3f} vs seasonal naive "
                     f"{theirs['smape']:.3f}, MASE {fmt_score(ours['mase'])} vs "
                     f"{fmt_score(theirs['mase'])}"
                     + (f"; {len(model.fallback_)} series fall back to seasonal naive"
                        if model.fallback_ else ""))
        if validation.get("combine"):
            alone = validation["network"]
            lines.append(f"combined:       the mean of the network and {validation['combine']} "
                         f"(the network alone: sMAPE {alone['smape']:.3f}, MASE "
                         f"{fmt_score(alone['mase'])})")
    conformal = getattr(model, "conformal_", None)
    if conformal is not None:
        lines.append(f"intervals:      conformal, from {len(conformal.scores)} backtest windows "
                     f"of {conformal.horizon} steps (errors x {conformal.inflation:.2f} for rows "
                     "the model has seen; tsrnn forecast --level / --quantiles)")
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
