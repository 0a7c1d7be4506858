"""One training run's thread, worker and process, with a lifecycle that never leaves one behind."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from studio.training.process import prewarm
from studio.ui import gc_guard
from studio.ui.training.worker import TrainingJob, TrainingWorker

PREWARM_DELAY_MS = 3000
KILL_WAIT_MS = 10000  # after killing a training process that did not stop, for its thread to end


class TrainingSession(QObject):
    """Starts a :class:`TrainingWorker` on its own ``QThread`` and ends both cleanly.

    The worker's signals are re-emitted here (queued onto the GUI thread), so
    views connect once to the session and never to a worker that may be gone.

    Signals
    -------
    progressed(list)
        Events since the last emission.
    diagnosed(list)
        New training-doctor findings.
    failed(str)
        Why the run failed.
    finished()
        The worker is done and its thread has ended.
    """

    progressed = Signal(list)
    diagnosed = Signal(list)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: TrainingWorker | None = None
        self.thread: QThread | None = None
        # The first Start then finds torch imported in the process runs are forked from. Delayed so
        # that it does not compete with the window's own start-up (or with a --screenshot run).
        QTimer.singleShot(PREWARM_DELAY_MS, self, prewarm)

    @property
    def running(self) -> bool:
        """Whether a run's thread is alive."""
        return self.thread is not None and self.thread.isRunning()

    def start(self, job: TrainingJob) -> None:
        """Run ``job`` on a new thread (an earlier run is stopped and joined first)."""
        self.shutdown()
        thread = QThread()
        thread.setObjectName("training")
        worker = TrainingWorker(job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self.progressed)
        worker.diagnosed.connect(self.diagnosed)
        worker.failed.connect(self.failed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self.worker, self.thread = worker, thread
        gc_guard.hold()  # no garbage collection in the worker thread while it runs
        thread.start()

    def request_stop(self) -> None:
        """Ask the run to stop between batches (returns at once)."""
        if self.worker is not None:
            self.worker.request_stop()

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the run between batches."""
        if self.worker is not None:
            self.worker.set_paused(paused)

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop the run and join its thread (window closing, new run); True when it ended in time."""
        thread, worker = self.thread, self.worker
        if thread is None or worker is None:
            return True
        worker.request_stop()
        thread.quit()
        ended = thread.wait(timeout_ms)
        if not ended:  # the process did not stop between batches in time (a batch that hangs)
            worker.kill()
            ended = thread.wait(KILL_WAIT_MS)
        if ended:
            self._release()
        return ended

    def _on_thread_finished(self) -> None:
        if self.thread is not None and not self.thread.isRunning():
            self._release()
            self.finished.emit()

    def _release(self) -> None:
        """Disconnect the finished run so its late queued signals reach nobody."""
        worker, thread = self.worker, self.thread
        self.worker = self.thread = None
        if worker is None or thread is None:
            return
        gc_guard.release()
        for signal in (worker.progressed, worker.diagnosed, worker.failed, worker.finished):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        try:
            thread.finished.disconnect()
        except (RuntimeError, TypeError):
            pass
        # No deleteLater: the worker's thread has no event loop any more; Python owns both.
