"""One description for each parameter that several classes share (network, training, runtime,
column roles), so that every docstring listing it says the same thing (standard library only).

A docstring names a shared parameter with a placeholder line ``[[lr]]``; :func:`documented`
(a class decorator) replaces it with the numpydoc entry ``lr : float, default=0.001`` and the
description, the default read from the class's own signature, so the two never disagree.
"""

from __future__ import annotations

import inspect
import re
import textwrap

__all__ = ["SHARED", "documented"]

_ON_DIVERGENCE = (
    "When the loss or a weight stops being finite: raise :class:`~tsrnn.TrainingError` naming "
    "the epoch, or put back the weights of the best epoch so far and stop with a "
    ":class:`~tsrnn.nn.TrainingDivergedWarning`.")

#: name -> (numpydoc type, description)
SHARED: dict[str, tuple[str, str]] = {
    "cell": ('{"rnn", "lstm", "gru"}', "Recurrent cell."),
    "hidden_size": ("int", "Hidden units per layer and direction."),
    "num_layers": ("int", "Stacked recurrent layers."),
    "dropout": ("float", "Dropout between recurrent layers and before the head."),
    "head_hidden": ("int", "Hidden width of the head's MLP (0 = a single linear layer)."),
    "epochs": ("int", "Passes over the training data."),
    "lr": ("float", "Adam learning rate."),
    "weight_decay": ("float", "Adam weight decay."),
    "clip_grad": ("float or None", "Maximum gradient norm; None disables clipping."),
    "max_steps": ("int or None", "Stop after this many optimiser steps in all, even within an "
                  "epoch (None: all epochs)."),
    "on_divergence": ('{"raise", "rollback"}', _ON_DIVERGENCE),
    "lr_schedule": ('{None, "cosine"}', "Constant learning rate, or a cosine decay from ``lr`` "
                    "to zero over the whole fit."),
    "random_state": ("int, RandomState or None", "Seed of the weights, dropout and shuffling; "
                     "an int makes CPU runs bitwise repeatable."),
    "device": ('{"auto", "cpu", "cuda"}', "Where to train and predict."),
    "verbose": ("bool", "Show a progress bar."),
    "target": ("str, list of str or None", "Target columns (None = every numeric column without "
               "another role)."),
    "time_col": ("str or None", "Time column (None = the DatetimeIndex, or an integer index)."),
    "id_col": ("str or None", "Series id column of a long frame (None = one series)."),
    "freq": ("str or None", "Pandas frequency; None infers it."),
}

_PLACEHOLDER = re.compile(r"^( *)\[\[(\w+)\]\]$", re.M)


def _default(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _entry(name: str, default: object, indent: str) -> str:
    kind, text = SHARED[name]
    body = textwrap.fill(text, width=96 - len(indent), initial_indent="    ",
                         subsequent_indent="    ")
    return textwrap.indent(f"{name} : {kind}, default={_default(default)}\n{body}", indent)


def documented(cls: type) -> type:
    """Class decorator: fill the ``[[name]]`` lines of ``cls.__doc__`` from :data:`SHARED` and
    the defaults of ``cls``'s signature."""
    defaults = {p.name: p.default for p in inspect.signature(cls).parameters.values()}

    def fill(match: re.Match) -> str:
        indent, name = match.groups()
        return _entry(name, defaults[name], indent)

    cls.__doc__ = _PLACEHOLDER.sub(fill, cls.__doc__ or "")
    return cls
