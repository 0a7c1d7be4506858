"""Growing numpy buffers for live curves: every point kept, appends in amortised O(1).

Pure numpy (no Qt), so the curve store of a run can be filled from events,
from a previous run's ``metrics.jsonl`` and written to CSV in tests without a
screen.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

STEP_SERIES = ("loss", "lr", "grad_norm", "samples_per_s")
METRIC_PREFERENCE = ("accuracy", "r2", "mae", "top5", "macro_f1")


class GrowingBuffer:
    """A float64 array that doubles its capacity when full (views are returned, never copies).

    Parameters
    ----------
    capacity
        Initial number of slots.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(max(1, capacity), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, value: float) -> None:
        """Add one value (None becomes NaN)."""
        if self._size == len(self._data):
            grown = np.empty(2 * len(self._data), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = math.nan if value is None else value
        self._size += 1

    def extend(self, values: np.ndarray) -> None:
        """Add many values at once."""
        need = self._size + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : need] = values
        self._size = need

    def clear(self) -> None:
        """Forget every value (the capacity is kept)."""
        self._size = 0

    @property
    def values(self) -> np.ndarray:
        """The values so far (a view: copy it to keep it)."""
        return self._data[: self._size]


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average (NaN and Inf values are skipped).

    Parameters
    ----------
    values
        The raw series.
    weight
        Smoothing in [0, 1): 0 returns the values unchanged.

    Returns
    -------
    numpy.ndarray
        The smoothed series, same length.
    """
    if weight <= 0 or len(values) == 0:
        return values
    from scipy.signal import lfilter

    finite = np.isfinite(values)
    x = np.where(finite, values, 0.0)
    # Skipped points keep the average: the filter sees them with zero weight.
    acc = lfilter([1.0 - weight], [1.0, -weight], x)
    norm = lfilter([1.0 - weight], [1.0, -weight], finite.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, acc / norm, np.nan)


class RunCurves:
    """Every curve of one run: per-step series and per-epoch train/validation metrics.

    Attributes
    ----------
    steps
        Global step numbers of the per-step series.
    step_series
        ``loss``, ``lr``, ``grad_norm``, ``samples_per_s`` per step.
    epochs
        Epoch numbers of the per-epoch series.
    epoch_series
        ``"train_loss"``, ``"val_accuracy"``, ... per epoch (missing values are NaN).
    """

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.steps = GrowingBuffer()
        self.step_series = {name: GrowingBuffer() for name in STEP_SERIES}
        self.epochs = GrowingBuffer(64)
        self.epoch_series: dict[str, GrowingBuffer] = {}

    def add_step(self, step: int, values: dict[str, Any]) -> None:
        """Append one step's record (``loss``, ``lr``, ``grad_norm``, ``samples_per_s``)."""
        self.steps.append(step)
        for name, buffer in self.step_series.items():
            buffer.append(_number(values.get(name)))

    def add_epoch(self, epoch: int, metrics: dict[str, dict[str, Any]]) -> None:
        """Append one epoch's scalar metrics, ``{"train": {...}, "val": {...}}``."""
        row = {
            f"{split}_{key}": value
            for split, values in metrics.items()
            for key, value in (values or {}).items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        }
        self.add_epoch_row(epoch, row)

    def add_epoch_row(self, epoch: int, row: dict[str, Any]) -> None:
        """Append one epoch from flat keys (``train_loss``, ``val_accuracy``, ...)."""
        n = len(self.epochs)
        self.epochs.append(epoch)
        for key in row:
            if key not in self.epoch_series:
                buffer = self.epoch_series[key] = GrowingBuffer(64)
                for _ in range(n):
                    buffer.append(math.nan)
        for key, buffer in self.epoch_series.items():
            buffer.append(_number(row.get(key)))

    def epoch_values(self, key: str) -> np.ndarray:
        """The per-epoch series ``key`` (all NaN when the run has none)."""
        buffer = self.epoch_series.get(key)
        return buffer.values if buffer is not None else np.full(len(self.epochs), np.nan)

    def metric_name(self) -> str:
        """The task's headline metric: accuracy for classification, R² for regression, ..."""
        names = {key.split("_", 1)[1] for key in self.epoch_series if "_" in key} - {"loss"}
        return next((m for m in METRIC_PREFERENCE if m in names), min(names, default=""))

    @classmethod
    def from_metrics_jsonl(cls, path: str | Path, label: str = "") -> RunCurves:
        """Read a run directory's ``metrics.jsonl`` (unreadable lines are skipped)."""
        curves = cls(label)
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if record.get("kind") == "step":
                    curves.add_step(record.get("step", len(curves.steps) + 1), record)
                elif record.get("kind") == "epoch":
                    row = {k: v for k, v in record.items() if k not in ("kind", "epoch", "step", "metrics")}
                    curves.add_epoch_row(record.get("epoch", len(curves.epochs) + 1), row)
        return curves

    def write_csv(self, path: str | Path) -> None:
        """One row per step and per epoch, columns as the run directory's ``metrics.csv``."""
        epoch_keys = sorted(self.epoch_series)
        columns = ["kind", "epoch", "step", *STEP_SERIES, *epoch_keys]
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for i, step in enumerate(self.steps.values):
                row = ["step", "", int(step)] + [_cell(self.step_series[s].values[i]) for s in STEP_SERIES]
                writer.writerow(row + [""] * len(epoch_keys))
            for i, epoch in enumerate(self.epochs.values):
                values = [_cell(self.epoch_series[k].values[i]) for k in epoch_keys]
                writer.writerow(["epoch", int(epoch), ""] + [""] * len(STEP_SERIES) + values)


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _cell(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


class SmoothedSeries:
    """:func:`ema` of a growing series, extended incrementally (only new points are filtered).

    Parameters
    ----------
    weight
        Smoothing in [0, 1).
    """

    def __init__(self, weight: float = 0.0) -> None:
        self.weight = weight
        self._out = GrowingBuffer()
        self._state = np.zeros(2)  # filter memory of the weighted sum and of the weights

    def set_weight(self, weight: float) -> None:
        """Change the smoothing (everything is recomputed on the next :meth:`update`)."""
        if weight != self.weight:
            self.weight = weight
            self.reset()

    def reset(self) -> None:
        """Forget the smoothed values (the series was cleared or replaced)."""
        self._out.clear()
        self._state = np.zeros(2)

    def update(self, values: np.ndarray) -> np.ndarray:
        """The smoothed ``values``; only the points added since the last call are filtered."""
        if self.weight <= 0:
            return values
        if len(values) < len(self._out):
            self.reset()
        tail = values[len(self._out) :]
        if len(tail):
            from scipy.signal import lfilter

            w = self.weight
            finite = np.isfinite(tail)
            acc, zacc = lfilter([1.0 - w], [1.0, -w], np.where(finite, tail, 0.0), zi=self._state[:1])
            norm, znorm = lfilter([1.0 - w], [1.0, -w], finite.astype(np.float64), zi=self._state[1:])
            self._state = np.array([zacc[0], znorm[0]])
            with np.errstate(invalid="ignore", divide="ignore"):
                smoothed = np.where(norm > 0, acc / norm, np.nan)
            self._out.extend(smoothed)
        return self._out.values
