"""Surname -> language: 18 classes from the PyTorch names data, char-level RNN (issue 5, bar 1).

Reads ``<Language>.txt`` files (one surname per line) from ``$TSRNN_SHARED_DATA/names`` (default
``../shared/data/names`` next to the project root), splits 80/20 stratified with a fixed seed,
fits ``CharEncoder`` + ``RNNClassifier`` (embedding, bidirectional GRU/LSTM) on the 80 %, and
prints held-out accuracy, macro-F1 and fit seconds; writes the confusion matrix PNG.
Bar: accuracy >= 0.80 in <= 5 minutes on 2 cores (the tutorial's plain RNN sits near 0.55-0.6).

    OMP_NUM_THREADS=1 python benchmarks/names.py --out names_confusion.png
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from tsrnn import CharEncoder, RNNClassifier, load_text_folder
from tsrnn.plotting import plot_confusion

ROOT = Path(__file__).resolve().parents[1]


def names_dir() -> Path:
    base = Path(os.environ.get("TSRNN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    path = base / "names"
    if not path.is_dir():
        raise SystemExit(f"names data not found at {path}; set TSRNN_SHARED_DATA")
    return path


def make_model(args: argparse.Namespace):
    encoder = CharEncoder(lowercase=True, ascii_fold=True)
    clf = RNNClassifier(cell=args.cell, embedding_dim=args.embedding, hidden_size=args.hidden,
                        bidirectional=not args.unidirectional, num_layers=args.layers,
                        dropout=args.dropout, head_hidden=args.head_hidden, epochs=args.epochs,
                        batch_size=args.batch_size, lr=args.lr, random_state=args.seed,
                        device=args.device, verbose=args.verbose)
    return make_pipeline(encoder, clf)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", default="gru", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--embedding", type=int, default=48)
    parser.add_argument("--hidden", type=int, default=160)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--head-hidden", type=int, default=0)
    parser.add_argument("--unidirectional", action="store_true")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--out", default="names_confusion.png", help="confusion matrix PNG")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    data = load_text_folder(names_dir())
    X_tr, X_te, y_tr, y_te = train_test_split(
        data["text"].tolist(), data["label"].to_numpy(), test_size=0.2,
        stratify=data["label"], random_state=args.seed)
    model = make_model(args)
    tic = time.perf_counter()
    model.fit(X_tr, y_tr)
    seconds = time.perf_counter() - tic
    pred = model.predict(X_te)
    acc, f1 = accuracy_score(y_te, pred), f1_score(y_te, pred, average="macro")
    majority = np.max(np.unique(y_te, return_counts=True)[1]) / len(y_te)
    fig = plot_confusion(y_te, pred, title=f"names: held-out accuracy {acc:.3f}")
    fig.savefig(args.out, dpi=110, bbox_inches="tight")
    print(f"train {len(X_tr)}, test {len(X_te)}, {len(np.unique(y_tr))} classes, "
          f"majority share {majority:.3f}")
    print(f"{args.cell} emb {args.embedding} hidden {args.hidden} x{args.layers} "
          f"bidirectional {not args.unidirectional} epochs {args.epochs} lr {args.lr}")
    print(f"held-out accuracy {acc:.4f}  macro-F1 {f1:.4f}  fit {seconds:.1f} s "
          f"({args.threads} thread(s))  bar acc >= 0.80 in <= 300 s: "
          f"{'met' if acc >= 0.80 and seconds <= 300 else 'NOT met'}")
    print(f"confusion matrix: {args.out}")


if __name__ == "__main__":
    main()
