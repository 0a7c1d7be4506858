"""The training worker: a ``QObject`` on a ``QThread`` that runs a job in a training process.

It follows superqt/napari ``GeneratorWorker`` semantics (DESIGN.md section 7):
``progressed`` carries the loop's events, ``failed`` a message, ``finished``
comes last, always. The loop itself runs in a child process
(:class:`~studio.training.process.TrainingProcess`), which coalesces step
events to at most one batch per ``interval``; this thread only waits on the
child's pipe (without the interpreter lock) and re-emits what arrives. So the
live curves' painting, which holds the GUI process's interpreter lock, never
slows the training down, and a crash in the child leaves the window running.
Only frozen dataclasses of plain numbers, numpy arrays and plain finding dicts
cross the process and thread boundaries.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from studio.training.process import TrainingJob, TrainingProcess

__all__ = ["TrainingJob", "TrainingWorker"]


class TrainingWorker(QObject):
    """Runs one :class:`TrainingJob`; move it to a ``QThread`` and connect ``started`` to :meth:`run`.

    Signals
    -------
    progressed(list)
        Events of :mod:`studio.training.events` since the last emission (in order).
    diagnosed(list)
        New training-doctor finding dicts.
    failed(str)
        The run could not start, ended with ``RunFailed``, or its process died: why, and what to do.
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
        self.process = TrainingProcess(job, interval)

    # Control: safe from any thread; the process replays what was asked before it started.
    def request_stop(self) -> None:
        """Stop between batches (also while paused or still loading data)."""
        self.process.request_stop()

    def set_paused(self, paused: bool) -> None:
        """Hold (True) or continue (False) between batches."""
        self.process.set_paused(paused)

    def toggle_pause(self) -> None:
        """Pause if running, resume if paused."""
        self.set_paused(not self.paused)

    @property
    def paused(self) -> bool:
        """Whether a pause is in effect."""
        return self.process.paused

    def kill(self) -> None:
        """End the training process at once (it did not stop when asked); :meth:`run` then returns."""
        self.process.kill()

    @Slot()
    def run(self) -> None:
        """Start the training process and relay its messages until it is done."""
        signals = {"events": self.progressed, "findings": self.diagnosed, "failed": self.failed}
        try:
            self.process.start()
            for kind, payload in self.process.messages():
                if kind in signals:
                    signals[kind].emit(payload)
        except Exception as exc:  # noqa: BLE001 - reported, like napari's errored
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.process.join(5.0)
            self.process.close()
            self.finished.emit()
