"""The training worker: a ``QObject`` on a ``QThread`` that iterates ``Trainer.iter_fit()``.

It follows superqt/napari ``GeneratorWorker`` semantics (DESIGN.md section 7):
``progressed`` carries the loop's events, ``failed`` a message, ``finished``
comes last, always. Step events are coalesced to at most ``1 / interval``
emissions per second, so a fast loop cannot flood the GUI's event queue. Only
frozen dataclasses of plain numbers and plain finding dicts cross the thread.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

# While a run trains, the GUI thread waits at most this long for the GIL (Python's default is
# 5 ms, which the GUI thread may wait several times within one frame of the live curves).
SWITCH_INTERVAL = 0.0005


@dataclass
class TrainingJob:
    """Everything a run needs, as plain data snapshotted on the GUI thread.

    Attributes
    ----------
    project
        The project file's dict (the graph is trained as it was when Start was pressed).
    config
        The ``training`` section.
    data
        The ``data`` section.
    run_dir
        Where the run directory goes.
    registry
        The layer catalog (read only).
    """

    project: dict[str, Any]
    config: dict[str, Any]
    data: dict[str, Any]
    run_dir: str
    registry: Any = None
    options: dict[str, Any] = field(default_factory=dict)


class TrainingWorker(QObject):
    """Runs one :class:`TrainingJob`; move it to a ``QThread`` and connect ``started`` to :meth:`run`.

    Signals
    -------
    progressed(list)
        Events of :mod:`studio.training.events` since the last emission (in order).
    diagnosed(list)
        New training-doctor finding dicts.
    failed(str)
        The run could not start or ended with ``RunFailed``: why, and what to do.
    finished()
        Always last.
    """

    progressed = Signal(list)
    diagnosed = Signal(list)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, job: TrainingJob, interval: float = 0.05) -> None:
        super().__init__()
        self.job = job
        self.interval = interval
        self.trainer: Any = None
        self._stop = False
        self._paused = False

    # Control: safe from any thread; applied to the trainer once it exists.
    def request_stop(self) -> None:
        """Stop between batches (also while paused or still loading data)."""
        self._stop = True
        if self.trainer is not None:
            self.trainer.request_stop()

    def set_paused(self, paused: bool) -> None:
        """Hold (True) or continue (False) between batches."""
        self._paused = paused
        if self.trainer is not None:
            self.trainer.pause() if paused else self.trainer.resume()

    def toggle_pause(self) -> None:
        """Pause if running, resume if paused."""
        self.set_paused(not self._paused)

    @property
    def paused(self) -> bool:
        """Whether a pause is in effect."""
        return self._paused

    @Slot()
    def run(self) -> None:
        """Load the data, build the trainer and iterate it, leaving one core to the GUI thread.

        The interpreter's switch interval is shortened meanwhile, so the worker
        hands the GIL over to the GUI thread sooner (it is restored at the end).
        """
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(max(1, min(threads, (os.cpu_count() or 2) - 1)))
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, SWITCH_INTERVAL))
        try:
            self._build()
            if self.trainer is not None:
                self._iterate()
        except Exception as exc:  # noqa: BLE001 - reported, like napari's errored
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            sys.setswitchinterval(switch)
            torch.set_num_threads(threads)
            self.finished.emit()

    def _build(self) -> None:
        from studio.data import DataError, load_dataset
        from studio.training.config import ConfigError, TrainConfig
        from studio.training.loop import Trainer

        job = self.job
        try:
            config = TrainConfig.from_dict(job.config)
            data = load_dataset(dict(job.data), seed=config.seed)
        except (ConfigError, DataError) as exc:
            self.failed.emit(str(exc))
            return
        if self._stop:
            return
        trainer = Trainer(job.project, data, config, job.run_dir, registry=job.registry)
        if self._paused:
            trainer.pause()
        self.trainer = trainer
        if self._stop:  # asked while the trainer was being built
            trainer.request_stop()

    def _iterate(self) -> None:
        from studio.training.events import RunFailed, StepEnd

        pending: list[Any] = []
        seen, last = 0, time.perf_counter()
        findings = self.trainer.doctor.findings
        for event in self.trainer.iter_fit():
            pending.append(event)
            now = time.perf_counter()
            if not isinstance(event, StepEnd) or now - last >= self.interval or self.trainer.paused:
                self.progressed.emit(pending)
                pending, last = [], now
                if len(findings) > seen:
                    self.diagnosed.emit(copy.deepcopy(findings[seen:]))
                    seen = len(findings)
            if isinstance(event, RunFailed):
                self.failed.emit(event.message)
        if pending:
            self.progressed.emit(pending)
        if len(findings) > seen:
            self.diagnosed.emit(copy.deepcopy(findings[seen:]))
