"""Bundled real datasets (installed as ``tsrnn.datasets``).

>>> from tsrnn import datasets
>>> datasets.names()
['house_prices', 'weather']
>>> ds = datasets.load("weather")
>>> ds.frame.columns.tolist()[:3], ds.targets, ds.freq
(['origin', 'time', 'temp'], ['temp'], 'h')

Origins, licences and how each file was made: ``SOURCES.md`` in this folder.
"""

from .registry import Dataset, describe, export, load, names
from .synthetic import category_panel

__all__ = ["Dataset", "category_panel", "describe", "export", "load", "names"]
