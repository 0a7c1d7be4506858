"""Inspection computations off the GUI thread, newest request wins.

One background thread runs the jobs in order (inspection competes with a
training run for the cores; one thread keeps it polite). Each job has a key
(usually its view); a new job with the same key cancels the older one, whose
result, if it still arrives, is dropped. A job is a callable taking a
:class:`Cancel` flag; if it returns a generator, every item it yields is
delivered as progress (t-SNE layouts as they refine) and the last one as the
result.

Only arrays and small objects cross back to the GUI thread; callbacks run in
the GUI thread.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

# Cancelled: raised by a job that noticed its Cancel flag (its result is dropped quietly); the
# inspection functions that run in chunks (integrated gradients, SmoothGrad, occlusion) raise it too.
from studio.inspection.hooks import Cancelled
from studio.ui import gc_guard


class Cancel:
    """Set when a newer job replaced this one (or the panel closed); jobs check it between chunks."""

    def __init__(self) -> None:
        self.cancelled = False

    def __bool__(self) -> bool:
        return self.cancelled


@dataclass
class _Job:
    key: str
    token: int
    cancel: Cancel
    on_result: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None
    on_progress: Callable[[Any], None] | None


class JobRunner(QObject):
    """Runs inspection jobs on one worker thread and calls back in the GUI thread.

    Signals
    -------
    busy_changed(bool)
        True while any job is queued or running (views show a spinner text).
    """

    busy_changed = Signal(bool)
    _delivered = Signal(object, str, object)  # job, "result" | "error" | "progress", payload

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = None
        self._latest: dict[str, _Job] = {}
        self._pending = 0
        self.closed = False  # after shutdown: late requests (a queued checkpoint event) are ignored
        self._delivered.connect(self._deliver)

    @property
    def busy(self) -> bool:
        """True while a job is queued or running."""
        return self._pending > 0

    def submit(
        self,
        key: str,
        work: Callable[[Cancel], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
    ) -> Cancel:
        """Queue ``work(cancel)``; the previous job of ``key`` is cancelled. Returns the job's flag."""
        if self.closed:
            flag = Cancel()
            flag.cancelled = True
            return flag
        old = self._latest.get(key)
        if old is not None:
            old.cancel.cancelled = True
        job = _Job(key, (old.token + 1) if old else 1, Cancel(), on_result, on_error, on_progress)
        self._latest[key] = job
        if self._executor is None:
            # Garbage is collected in the GUI thread only, for as long as the worker thread
            # exists: holding per burst of jobs would run a full collection (~0.3 s with a
            # model and its views loaded) on the GUI thread at every start and end of one.
            gc_guard.hold()
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspection")
        if self._pending == 0:
            self.busy_changed.emit(True)
        self._pending += 1
        self._executor.submit(self._run, job, work)
        return job.cancel

    def cancel(self, key: str) -> None:
        """Cancel the job of ``key`` (its callbacks will not be called)."""
        job = self._latest.pop(key, None)
        if job is not None:
            job.cancel.cancelled = True

    def shutdown(self) -> None:
        """Cancel everything and wait for the running job to notice (the panel closes for good)."""
        self.closed = True
        for job in self._latest.values():
            job.cancel.cancelled = True
        self._latest.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            gc_guard.release()
        if self._pending:
            self._pending = 0
            self.busy_changed.emit(False)

    def wait(self) -> None:
        """Block until queued jobs ran (tests and the report use it; views never do)."""
        if self._executor is not None:
            self._executor.submit(lambda: None).result()

    # ------------------------------------------------------------ worker side
    def _run(self, job: _Job, work: Callable[[Cancel], Any]) -> None:
        kind, payload = "result", None
        try:
            if not job.cancel:
                value = work(job.cancel)
                if inspect.isgenerator(value):
                    for item in value:
                        if job.cancel:
                            value.close()
                            break
                        payload = item
                        self._delivered.emit(job, "progress", item)
                else:
                    payload = value
        except Cancelled:
            pass
        except Exception as exc:  # noqa: BLE001 - shown in the view, the app keeps running
            kind, payload = "error", error_message(exc)
            if not isinstance(exc, ValueError):
                traceback.print_exc()  # unexpected: keep the trace for a bug report
        self._delivered.emit(job, kind, payload)

    # ------------------------------------------------------------ GUI side
    @Slot(object, str, object)
    def _deliver(self, job: _Job, kind: str, payload: Any) -> None:
        if kind != "progress":
            self._pending = max(0, self._pending - 1)
            if self._pending == 0:
                self.busy_changed.emit(False)
        if job.cancel or self._latest.get(job.key) is not job:
            return  # replaced or cancelled: stale
        if kind == "progress":
            if job.on_progress is not None:
                job.on_progress(payload)
            return
        del self._latest[job.key]
        callback = job.on_result if kind == "result" else job.on_error
        if callback is not None:
            callback(payload)


def error_message(exc: BaseException) -> str:
    """What the view shows: the whole message of expected errors (InspectionError and RunError
    are ValueErrors written for the user), else the exception type and its first line.
    """
    text = str(exc).strip()
    if isinstance(exc, ValueError) and text:
        return text
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
