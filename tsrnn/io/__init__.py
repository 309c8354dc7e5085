"""Files in and out: tables (CSV, Parquet), model directories, and atomic writes.

The layer below the estimators: it needs numpy, pandas and safetensors (pyarrow only when a
Parquet file is read or written), and torch only in :mod:`tsrnn.io.modeldir`, whose two names
(``save_model``, ``load_model``) import on first use (:mod:`tsrnn._lazy`): reading a table, or
checking where a model may go, never loads torch.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from .atomic import atomic_path, atomic_write_bytes, atomic_write_text
from .guess import (
    ID_NAMES,
    clock_column,
    compact_date_format,
    date_order,
    epoch_unit,
    guess_id_column,
    is_id_name,
    is_year_column,
    period_text_dates,
    year_period_columns,
    year_period_dates,
)
from .modelpath import META_FILE, TENSORS_FILE, check_model_target
from .parquet import parquet_ids, read_parquet
from .sniff import csv_columns
from .tables import (
    PARQUET_SUFFIXES,
    guess_time_column,
    is_table_path,
    read_csv,
    read_table,
    seasonal_period,
)

if TYPE_CHECKING:
    from .modeldir import load_model, save_model

__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(["load_model", "save_model"],
                                                            ".modeldir"))

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
    "guess_id_column",
    "is_id_name",
    "is_year_column",
    "period_text_dates",
    "epoch_unit",
    "date_order",
    "clock_column",
    "compact_date_format",
    "ID_NAMES",
    "year_period_columns",
    "year_period_dates",
    "csv_columns",
    "seasonal_period",
    "PARQUET_SUFFIXES",
    "save_model",
    "check_model_target",
    "load_model",
    "META_FILE",
    "TENSORS_FILE",
]
