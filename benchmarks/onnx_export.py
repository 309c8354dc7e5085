"""ONNX export of the M4 Hourly recipe model: onnxruntime's forecasts against torch's.

Fits the model of ``benchmarks/m4_hourly.py`` with its options (or loads one saved by an
earlier run, ``--model DIR``), exports it with ``model.export_onnx`` for the fitted horizon
and for ``--steps`` (rolled forward in blocks beyond it), runs each graph with onnxruntime on
all series (the inputs from ``tsrnn.forecast.export.onnx_inputs``) and prints the largest
absolute and relative difference from ``model.predict()`` (``predict_quantiles()`` for a
quantile model), and the time of each. A model whose forecasts need more than the history
window (a per-series fallback, a Theta combination) is exported with ``network_only=True`` and
compared with the networks' own forecasts.

    python benchmarks/onnx_export.py --model m4-recipe --threads 2 -- --epochs 16 --stride 4 \\
        --window-norm standard --head-hidden 256 --target-transform log --patch 24 \\
        --season 24 --hidden-size 128 --lr-schedule cosine
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import m4_hourly  # noqa: E402

from tsrnn import ConfigError  # noqa: E402
from tsrnn.forecast.export import onnx_inputs  # noqa: E402


def exported(model, path: Path, steps: int):
    """``(path, network_only)``: the graph, with the history-only parts when it can."""
    try:
        return model.export_onnx(path, horizon=steps), False
    except ConfigError as exc:
        print(f"# {exc}: exporting with network_only=True", file=sys.stderr)
        return model.export_onnx(path, horizon=steps, network_only=True), True


def networks_only(model):
    """A shallow copy that forecasts what the networks forecast (no fallback, combination)."""
    out = copy.copy(model)
    out.__dict__.pop("combination_", None)
    out.__dict__.pop("fallback_", None)
    return out


def torch_block(model, steps: int, quantiles: bool) -> np.ndarray:
    order = model.ids_
    if quantiles:
        frame = model.predict_quantiles(horizon=steps)
        cols = [c for c in frame.columns if c.startswith("y_q")]
    else:
        frame = model.predict(horizon=steps)
        cols = ["y"]
    frame = frame.set_index("id").loc[order]
    return frame[cols].to_numpy().reshape(len(order), steps, *([len(cols)] if quantiles else []))


def timed(fn, repeats: int) -> float:
    fn()
    out = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        out.append(time.perf_counter() - tic)
    return statistics.median(out)


def compare(model, path: Path, steps: int, threads: int, repeats: int) -> dict:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or 0
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = onnx_inputs(model)
    outs = session.run(None, feed)
    quantiles = bool(model.quantiles_) and steps <= model.config_["horizon"]
    got = outs[1][:, :, 0] if quantiles else outs[0][:, :, 0]
    want = torch_block(model, steps, quantiles)
    diff = np.abs(got - want)
    return {"steps": steps, "what": "quantiles" if quantiles else "point",
            "abs": float(diff.max()), "rel": float((diff / np.maximum(np.abs(want), 1)).max()),
            "scale": float(np.abs(want).max()),
            "ort_s": timed(lambda: session.run(None, feed), repeats),
            "torch_s": timed(lambda: model.predict(horizon=steps), max(3, repeats // 4))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="saved model folder: loaded if there, else written")
    parser.add_argument("--steps", type=int, default=96, help="steps beyond the horizon")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    args, rest = parser.parse_known_args()
    m4_args = m4_hourly.parse_args([a for a in rest if a != "--"] +
                                   ["--threads", str(args.threads)])
    torch.set_num_threads(args.threads)
    ids, train, _ = m4_hourly.load(m4_hourly.data_dir(m4_args.data), m4_args.max_series)
    model, fit_s = m4_hourly.fitted(m4_args, m4_hourly.long_frame(ids, train), args.model)
    members = len(getattr(model, "members_", None) or [model])
    print(f"torch {torch.__version__}, onnxruntime {ort.__version__}, {args.threads} threads; "
          f"{len(ids)} series, {members} network(s)"
          + (f", fit {fit_s:.0f} s" if fit_s else ""))
    print("\n| export | compared | max abs diff | max rel diff | max abs value | onnxruntime "
          "s | torch predict() s |\n|---|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for steps in (model.config_["horizon"], args.steps):
            tic = time.perf_counter()
            path, alone = exported(model, Path(tmp) / f"m{steps}.onnx", steps)
            export_s = time.perf_counter() - tic
            row = compare(networks_only(model) if alone else model, path, steps,
                          args.threads, args.repeats)
            label = f"{steps} steps ({export_s:.1f} s)" + (", network_only" if alone else "")
            print(f"| {label} | {row['what']} | {row['abs']:.2e} | {row['rel']:.2e} | "
                  f"{row['scale']:.4g} | {row['ort_s']:.4f} | {row['torch_s']:.4f} |",
                  flush=True)


if __name__ == "__main__":
    main()
