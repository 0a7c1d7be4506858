"""CSV / TSV tables: one row per sample, a header row, a chosen target column.

Numeric columns become float features (empty cells get the training mean);
other columns are one-hot encoded with the categories seen in the training rows
(a category met only in validation or test rows encodes as all zeros). One-hot
columns are not normalised. The target makes the task classification when it is
not numeric (or ``task`` says so), regression otherwise.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError
from studio.data.files.common import existing
from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData


def read_table(path: Path, delimiter: str) -> tuple[list[str], list[list[str]]]:
    r"""Header and rows of a delimited text file; every row must have the header's width.

    Parameters
    ----------
    path
        The file.
    delimiter
        ``","``, ``"\t"``, ``";"`` or ``"auto"`` (tab for ``.tsv``, else sniffed).

    Returns
    -------
    tuple
        ``(header, rows)``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as UTF-8 text ({exc})") from None
    if delimiter == "auto":
        if path.suffix.lower() in (".tsv", ".tab"):
            delimiter = "\t"
        else:
            first = text.splitlines()[0] if text.strip() else ""
            delimiter = max(",;\t", key=first.count) if first else ","
    rows = [r for r in csv.reader(text.splitlines(), delimiter=delimiter) if r and any(c.strip() for c in r)]
    if len(rows) < 2:
        raise DataError(f"{path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{path}: row {i} has {len(row)} fields, the header has {len(header)}")
    return header, [[c.strip() for c in r] for r in rows[1:]]


def _as_numbers(values: list[str]) -> np.ndarray | None:
    """Floats (NaN for empty cells), or None when any cell is not a number."""
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v == "":
            out[i] = math.nan
            continue
        try:
            out[i] = float(v)
        except ValueError:
            return None
    return out


def load_table(opts: dict[str, Any], seed: int) -> RawData:
    """A table as ``(F,)`` float feature vectors and a target per row.

    Parameters
    ----------
    opts
        ``path``, ``target`` (default: the last column), ``features`` (default:
        all others), ``delimiter``, ``task`` (auto/classification/regression).
    seed
        Unused.

    Returns
    -------
    RawData
        Features are built once the training rows are known (``build_x``).
    """
    path = existing(opts["path"], "file")
    header, rows = read_table(path, opts["delimiter"])
    target = opts["target"] or header[-1]
    if target not in header:
        raise DataError(f"{path}: no column {target!r} (columns: {', '.join(header)})")
    features = opts["features"] or [h for h in header if h != target]
    for name in features:
        if name not in header:
            raise DataError(f"{path}: no column {name!r} (columns: {', '.join(header)})")
    if not features:
        raise DataError(f"{path}: no feature columns besides the target {target!r}")
    columns = {h: [r[i] for r in rows] for i, h in enumerate(header)}
    t_values = columns[target]
    empty = [i for i, v in enumerate(t_values) if v == ""]
    if empty:
        raise DataError(f"{path}: row {empty[0] + 2} has no value in the target column {target!r}")
    numeric_t = _as_numbers(t_values)
    task = opts["task"]
    if task == "auto":
        task = "regression" if numeric_t is not None else "classification"
    if task == "regression":
        if numeric_t is None:
            raise DataError(f"{path}: target column {target!r} is not numeric, cannot regress it")
        y, names = torch.from_numpy(numeric_t).float().unsqueeze(1), []
    else:
        unique = set(t_values)
        names = sorted(unique, key=float) if numeric_t is not None else sorted(unique)
        index = {v: k for k, v in enumerate(names)}
        y = torch.tensor([index[v] for v in t_values], dtype=torch.long)
    extra: dict[str, Any] = {"target": target, "columns": features}

    def build_x(train: torch.Tensor) -> tuple[torch.Tensor, list[int]]:
        rows_train = train.tolist()
        blocks, names_out, no_norm = [], [], []
        for name in features:
            values = columns[name]
            numbers = _as_numbers(values)
            if numbers is not None:
                fill = np.nanmean(numbers[rows_train]) if not np.all(np.isnan(numbers[rows_train])) else 0.0
                blocks.append(np.where(np.isnan(numbers), fill, numbers)[:, None])
                names_out.append(name)
                continue
            cats = sorted({values[i] for i in rows_train})
            lookup = {c: j for j, c in enumerate(cats)}
            onehot = np.zeros((len(values), len(cats)))
            for i, v in enumerate(values):
                if v in lookup:
                    onehot[i, lookup[v]] = 1.0
            no_norm.extend(range(len(names_out), len(names_out) + len(cats)))
            names_out.extend(f"{name}={c}" for c in cats)
            blocks.append(onehot)
        extra["feature_names"] = names_out
        return torch.from_numpy(np.concatenate(blocks, 1)).float(), no_norm

    return RawData(None, y, task, names, channel_dim=0, extra=extra, build_x=build_x)


DATASETS = [
    DatasetInfo(
        "csv",
        "CSV / TSV table",
        "classification",
        "A table with a header row: numeric and categorical feature columns, one target column",
        {
            "path": Option(None, "path", "The .csv or .tsv file"),
            "target": Option(None, "str", "Target column (default: the last one)", optional=True),
            "features": Option(None, "list", "Feature columns (default: all but the target)", optional=True),
            "delimiter": Option("auto", "str", "Field separator", choices=("auto", ",", "\t", ";")),
            "task": Option(
                "auto",
                "str",
                "auto: classification unless the target is numeric",
                choices=("auto", "classification", "regression"),
            ),
        },
        load_table,
        source="file",
    )
]
