"""``tsrnn export``: write a saved model as one ONNX graph, for serving without torch."""

from __future__ import annotations

from pathlib import Path

import click

import tsrnn

from ._common import check_output, say

__all__ = ["export"]


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--horizon", type=click.IntRange(min=1), help="Steps the graph forecasts "
              "(default: the fitted horizon; more roll the model forward, as `tsrnn forecast "
              "--horizon`).")
@click.option("--network-only", is_flag=True, help="Leave out the per-series fallback to "
              "seasonal naive and a combination with Theta, which need more than the history "
              "window: the graph forecasts what the networks forecast.")
def export(model_dir, output, horizon, network_only):
    """Write the model in MODEL_DIR to OUTPUT (an .onnx file, written atomically) as one
    ONNX graph: raw history windows in, forecasts on the data's scale out, with the scaling,
    window normalisation, target transform and the rollout inside (inputs and outputs:
    README.md, "Serving with ONNX"). Needs tsrnn[onnx].

    \b
    Example:
      tsrnn export model/ model.onnx
      tsrnn export model/ model-48.onnx --horizon 48
    """
    check_output(output, "OUTPUT", inputs={"MODEL_DIR": model_dir})
    model = tsrnn.load(model_dir)
    try:
        model.export_onnx(output, horizon=horizon, network_only=network_only)
    except ImportError as exc:  # the onnx extra is missing: one sentence, no traceback
        raise click.ClickException(str(exc)) from None
    what = "step graph (rows and state in)" if model.config_["stateful"] else "graph"
    say(f"ONNX {what} of {horizon or model.config_['horizon']} steps written to {output}")
