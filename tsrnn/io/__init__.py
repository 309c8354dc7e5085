"""Files in and out: tables (CSV, Parquet), model directories, and atomic writes.

The layer below the estimators: it needs numpy, pandas and safetensors (pyarrow only when a
Parquet file is read or written), and torch only in :mod:`tsrnn.io.modeldir`.
"""

from .atomic import atomic_path, atomic_write_bytes, atomic_write_text
from .modeldir import META_FILE, TENSORS_FILE, load_model, save_model
from .parquet import parquet_ids, read_parquet
from .tables import (
    PARQUET_SUFFIXES,
    guess_time_column,
    is_table_path,
    read_csv,
    read_table,
    seasonal_period,
)

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "read_csv",
    "read_table",
    "read_parquet",
    "parquet_ids",
    "is_table_path",
    "guess_time_column",
    "seasonal_period",
    "PARQUET_SUFFIXES",
    "save_model",
    "load_model",
    "META_FILE",
    "TENSORS_FILE",
]
