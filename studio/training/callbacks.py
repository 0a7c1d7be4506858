"""Callbacks: Lightning-named hooks that the loop calls with every event it yields.

Each hook receives the :class:`~studio.training.loop.Trainer` (on its own
thread: the model may be read, never kept) and the event. The built-in
callbacks write the run directory's metrics, statistics and doctor findings
and implement early stopping.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from studio.training.events import (
    Checkpointed,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
    StatsRecorded,
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

    def on_stats_recorded(self, trainer: Trainer, event: StatsRecorded) -> None:
        """An epoch's statistics file was written (computed beside training, so after later steps)."""

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
    StatsRecorded: "on_stats_recorded",
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

    STEP_BATCH = 256  # step rows formatted together within a long epoch

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._jsonl: Any = None
        self._csv: Any = None
        self._writer: Any = None
        self._pending: list[dict] = []  # rows waiting for the CSV's columns (known at the first epoch end)
        # Step events waiting to be formatted. Formatting a row right after a training step costs
        # several times what it costs in a batch: the step has pushed the formatter's code and data
        # out of the CPU caches. Rows reach the files at the same points as before (epoch end,
        # teardown), or every STEP_BATCH steps in a long epoch.
        self._steps: list[StepEnd] = []

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
        """Write ``row`` (already JSON-safe) to both files."""
        self._jsonl.write(json.dumps(row) + "\n")
        if self._writer is None:
            self._pending.append(row)
        else:
            self._writer.writerow(row)

    def on_train_batch_end(self, trainer: Trainer, event: StepEnd) -> None:
        """One line per step (formatted in batches)."""
        self._steps.append(event)
        if len(self._steps) >= self.STEP_BATCH:
            self._write_steps()

    def _write_steps(self) -> None:
        steps, self._steps = self._steps, []
        for event in steps:
            self._record(json_safe({"kind": "step", **vars(event)}))  # an unmeasured grad_norm: null / empty

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """One line per epoch: scalar metrics as ``train_loss``, ``val_accuracy``, ..."""
        self._write_steps()
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
        if self._jsonl is not None:
            self._write_steps()
        self._steps.clear()
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
    """``stats/epoch_NNN.npz`` every ``every`` epochs within a time budget, on the trainer's fixed batch.

    A statistics pass costs about as much as a training step or two, which is
    nothing beside a long epoch but several percent of a 20-step one. So an
    epoch that is due is skipped while the passes so far (their time on the
    training thread, their CPU time on the worker) exceed ``budget`` times the
    run's training time (:meth:`~studio.training.loop.Trainer.elapsed`); the
    first and the last epoch are always recorded. ``budget=1`` records every
    due epoch.

    On an accelerator (:attr:`SHADOW_DEVICES`) the weights at the end of the
    epoch are copied into a second instance of the model (the *shadow*) and the
    pass runs on the trainer's background thread, so training goes on meanwhile.
    On the CPU the pass runs inline, on the training thread: training already
    keeps every core busy there, and torch compute on a second thread starts a
    second OpenMP team whose threads fight the training thread's for the cores
    -- measured on 2 cores, every training step of the run took twice as long,
    long after the pass was done. Models whose weights exceed
    :attr:`SHADOW_LIMIT` bytes are not copied either. In every case the file is
    written in the background and the loop announces it with a
    :class:`~studio.training.events.StatsRecorded` event.
    See :func:`studio.training.stats.collect_stats` for the keys.
    """

    SHADOW_LIMIT = 256 * 2**20  # bytes of parameters and buffers worth a second copy of the model
    SHADOW_DEVICES = ("cuda", "mps", "xpu")  # device types whose passes run beside training

    def __init__(self, every: int = 1, budget: float = 1.0) -> None:
        self.every = every
        self.budget = budget
        # Seconds the passes took in this process, by the thread that adds them (no lost updates):
        # wall time on the training thread, CPU time on the worker
        self._spent_here = 0.0
        self._spent_worker = 0.0
        self.last: dict | None = None  # the latest statistics announced (read by the training doctor)
        self._shadow: Any = None
        self._idle = threading.Event()  # the shadow is not being used by a job
        self._idle.set()

    def on_train_epoch_end(self, trainer: Trainer, event: EpochEnd) -> None:
        """Snapshot the weights and queue this epoch's statistics pass and file."""
        if not self._due(trainer, event.epoch):
            return
        epoch, run, task, batch = event.epoch, trainer.run, trainer.task, trainer.fixed_batch

        def write(arrays: dict) -> StatsRecorded:
            start = time.thread_time()
            try:
                return StatsRecorded(epoch, str(run.save_stats(epoch, arrays)), arrays)
            finally:
                self._spent_worker += time.thread_time() - start

        start = time.perf_counter()  # wall time: what the training thread loses, its OpenMP team included
        shadow = self._snapshot(trainer)
        if shadow is None:
            arrays = collect_stats(trainer.model, task, batch)
            self._spent_here += time.perf_counter() - start
            trainer.background.submit(lambda: write(arrays))
            return
        self._spent_here += time.perf_counter() - start

        def job() -> StatsRecorded:
            start = time.thread_time()
            try:
                arrays = collect_stats(shadow, task, batch)
            finally:
                self._spent_worker += time.thread_time() - start
                self._idle.set()
            return write(arrays)

        self._idle.clear()
        try:
            trainer.background.submit(job)
        except BaseException:
            self._idle.set()
            raise

    def _due(self, trainer: Trainer, epoch: int) -> bool:
        """Whether ``epoch`` gets statistics: its turn, and the first, the last or within the budget."""
        if not (self.every and epoch % self.every == 0):
            return False
        if epoch == self.every or epoch >= trainer.cfg.epochs or self.budget >= 1:
            return True
        return self.spent <= self.budget * trainer.elapsed()

    @property
    def spent(self) -> float:
        """Seconds the statistics passes and files took so far in this process.

        Partly added by the worker thread: a read that misses a running pass only
        shifts one decision by an epoch.
        """
        return self._spent_here + self._spent_worker

    def _snapshot(self, trainer: Trainer) -> Any:
        """The shadow holding ``trainer.model``'s current weights; None: run the pass inline."""
        model = trainer.model
        if trainer.device.type not in self.SHADOW_DEVICES:
            return None
        tensors = [*model.parameters(), *model.buffers()]
        if sum(t.numel() * t.element_size() for t in tensors) > self.SHADOW_LIMIT:
            return None
        self._idle.wait()  # the previous epoch's pass still reads the shadow
        if self._shadow is None:
            # Building draws initial weights: from a forked RNG, so that training's stream (and
            # hence exact resume, which builds the shadow at another epoch) is left untouched.
            with torch.random.fork_rng(devices=[]):
                self._shadow = trainer.source.build().to(trainer.device)
        self._shadow.load_state_dict(model.state_dict())
        for mine, theirs in zip(self._shadow.parameters(), model.parameters(), strict=True):
            mine.requires_grad_(theirs.requires_grad)  # frozen layers stay without gradients
        return self._shadow

    def on_stats_recorded(self, trainer: Trainer, event: StatsRecorded) -> None:
        """Keep the announced statistics for the doctor."""
        self.last = event.arrays

    def teardown(self, trainer: Trainer) -> None:
        """Let go of the shadow model."""
        self._idle.wait()
        self._shadow = None


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
    on_stats_recorded = on_fit_end = on_exception = _run  # type: ignore[assignment]
