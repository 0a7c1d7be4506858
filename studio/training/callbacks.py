"""Callbacks: Lightning-named hooks that the loop calls with every event it yields.

Each hook receives the :class:`~studio.training.loop.Trainer` (on its own
thread: the model may be read, never kept) and the event. The built-in
callbacks write the run directory's metrics, statistics and doctor findings
and implement early stopping.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.training.events import (
    Checkpointed,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
    StepEnd,
    Validated,
)
from studio.training.rundir import json_safe
from studio.training.stats import collect_stats

if TYPE_CHECKING:
    from studio.training.loop import Trainer

_STEP_COLUMNS = ["kind", "epoch", "step", "loss", "lr", "grad_norm", "samples_per_s"]


class Callback:
    """Base class; override the hooks you need (all do nothing by default)."""

    def on_fit_start(self, trainer: Trainer, event: RunStarted) -> None:
        """Training starts or resumes."""

    def on_train_batch_end(self, trainer: Trainer, event: StepEnd) -> None:
        """One optimizer step finished."""

    def on_validation_end(self, trainer: Trainer, event: Validated) -> None:
        """Validation of an epoch finished (model in eval mode during it)."""

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """An epoch finished, train and validation metrics known."""

    def on_checkpoint(self, trainer: Trainer, event: Checkpointed) -> None:
        """A checkpoint file was written."""

    def on_fit_end(self, trainer: Trainer, event: RunFinished) -> None:
        """The run finished or was stopped; summary.json is written."""

    def on_exception(self, trainer: Trainer, event: RunFailed) -> None:
        """The run failed; summary.json says ``failed``."""

    def teardown(self, trainer: Trainer) -> None:
        """Always called last, also when the consumer abandons ``iter_fit`` (close files here)."""


HOOKS = {
    RunStarted: "on_fit_start",
    StepEnd: "on_train_batch_end",
    Validated: "on_validation_end",
    EpochEnd: "on_train_epoch_end",
    Checkpointed: "on_checkpoint",
    RunFinished: "on_fit_end",
    RunFailed: "on_exception",
}


class EarlyStopping(Callback):
    """Stop when the monitored validation value has not improved for ``patience`` epochs."""

    def __init__(self, patience: int) -> None:
        self.patience = patience

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """Ask the trainer to stop after this epoch when patience is used up."""
        if self.patience > 0 and event.epoch - trainer.best_epoch >= self.patience:
            trainer.early_stopped = True


class MetricsWriter(Callback):
    """``metrics.jsonl`` (every step and epoch record) and ``metrics.csv`` (scalar columns)."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._jsonl: Any = None
        self._csv: Any = None
        self._writer: Any = None
        self._pending: list[dict] = []

    def on_fit_start(self, trainer: Trainer, event: RunStarted) -> None:
        """Open both files (appending when the run resumes)."""
        path = self._dir = trainer.run.path
        self._jsonl = open(path / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        csv_path = path / "metrics.csv"
        if csv_path.is_file() and csv_path.stat().st_size:
            with open(csv_path, encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle), None)
            self._open_csv(header or _STEP_COLUMNS)

    def _open_csv(self, columns: list[str]) -> None:
        path = self._dir / "metrics.csv"
        new = not path.is_file() or not path.stat().st_size
        self._csv = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.DictWriter(self._csv, fieldnames=columns, extrasaction="ignore")
        if new:
            self._writer.writeheader()

    def _record(self, row: dict) -> None:
        self._jsonl.write(json.dumps(json_safe(row)) + "\n")
        if self._writer is None:
            self._pending.append(row)
        else:
            self._writer.writerow(row)

    def on_train_batch_end(self, trainer: Trainer, event: StepEnd) -> None:
        """One line per step."""
        self._record({"kind": "step", **vars(event)})

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """One line per epoch: scalar metrics as ``train_loss``, ``val_accuracy``, ..."""
        row: dict[str, Any] = {"kind": "epoch", "epoch": event.epoch, "step": trainer.global_step}
        for split, values in event.metrics.items():
            for key, value in values.items():
                if isinstance(value, (int, float)):
                    row[f"{split}_{key}"] = value
        self._jsonl.write(json.dumps(json_safe({**row, "metrics": event.metrics})) + "\n")
        if self._writer is None:
            self._open_csv(_STEP_COLUMNS + [k for k in row if k not in _STEP_COLUMNS])
            for pending in self._pending:
                self._writer.writerow(pending)
            self._pending.clear()
        self._writer.writerow(row)
        self._jsonl.flush()
        self._csv.flush()

    def teardown(self, trainer: Trainer) -> None:
        """Write rows still pending (a run shorter than an epoch) and close the files."""
        if self._jsonl is not None and self._writer is None and self._pending:
            self._open_csv(_STEP_COLUMNS)
            for pending in self._pending:
                self._writer.writerow(pending)
        for handle in (self._jsonl, self._csv):
            if handle is not None:
                handle.close()
        self._jsonl = self._csv = self._writer = None
        self._pending.clear()


class StatsRecorder(Callback):
    """``stats/epoch_NNN.npz`` every ``every`` epochs, on the trainer's fixed batch.

    See :func:`studio.training.stats.collect_stats` for the keys.
    """

    def __init__(self, every: int = 1) -> None:
        self.every = every
        self.last: dict | None = None  # the latest statistics (read by the training doctor)

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """Collect and save this epoch's statistics."""
        if self.every and event.epoch % self.every == 0:
            arrays = collect_stats(trainer.model, trainer.task, trainer.fixed_batch)
            trainer.run.save_stats(event.epoch, arrays)
            self.last = arrays


Check = Callable[[Any, Any], list[dict]]


class DoctorLog(Callback):
    """Runs the training doctor's checks on every event and appends findings to ``doctor.jsonl``.

    ``checks`` is filled by the doctor (``check(trainer, event) -> [finding dict, ...]``);
    each finding is written as one JSON line and kept in ``findings``.
    """

    def __init__(self, checks: list[Check] | None = None) -> None:
        self.checks: list[Check] = list(checks or [])
        self.findings: list[dict] = []

    def _run(self, trainer: Trainer, event: Any) -> None:
        for check in self.checks:
            for finding in check(trainer, event) or []:
                self.findings.append(finding)
                with open(trainer.run.path / "doctor.jsonl", "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(json_safe(finding)) + "\n")

    on_fit_start = on_train_batch_end = on_validation_end = on_train_epoch_end = _run  # type: ignore[assignment]
    on_fit_end = on_exception = _run  # type: ignore[assignment]
