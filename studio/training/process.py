"""Train one job in a child process and hand its events to the parent.

Why a process and not only a thread: PySide6 holds Python's interpreter lock
through every Qt painting call, so a training loop in a thread of the GUI's
process waits for each frame of the live curves (about 10 ms at 10 Hz: a 10 %
slower run). A child process has its own interpreter lock. It also keeps the
window alive when a plugin layer's native code crashes: the parent reports
the child's death instead of dying with it.

Protocol (both directions pickle plain data):

* parent -> child, the control pipe: ``("stop",)``, ``("pause", bool)``; the
  pipe closing (the parent died) means stop;
* child -> parent, the events pipe: ``("events", [Event, ...])`` coalesced to
  at most one step batch per ``interval``, ``("findings", [dict, ...])``,
  ``("failed", message)`` and finally ``("done", None)``.

On Linux the children are forked from a ``forkserver`` that has imported torch
and the trainer once (:mod:`studio.training.preload`), so a run starts in a
fraction of a second rather than the seconds a fresh interpreter needs to
import them; elsewhere each run is a spawned interpreter.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Imported by the forkserver before it forks any run (torch and the trainer are the slow part).
PRELOAD = ["studio.training.preload"]
POLL_S = 0.25  # how often a parent waiting for messages checks that the child is alive
_START_LOCK = threading.Lock()  # _main_hidden edits a process-wide module


@dataclass
class TrainingJob:
    """Everything a run needs, as plain data snapshotted when Start was pressed.

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
        The layer catalog: a ``LayerRegistry`` in the parent; the child gets
        its :class:`~studio.plugin_host.recipe.RegistryRecipe`.
    """

    project: dict[str, Any]
    config: dict[str, Any]
    data: dict[str, Any]
    run_dir: str
    registry: Any = None
    options: dict[str, Any] = field(default_factory=dict)


def _context() -> mp.context.BaseContext:
    # Linux only: on macOS a fork (also from a forkserver) of a process that loaded system
    # frameworks is unsafe, which is why Python spawns there; Windows has no fork at all.
    if sys.platform.startswith("linux"):
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)  # no effect once the server runs: same list anyway
        return context
    return mp.get_context("spawn")


@contextlib.contextmanager
def _main_hidden(blocking: bool = True) -> Iterator[bool]:
    """Keep multiprocessing from running the parent's ``__main__`` again in the child.

    It does so to unpickle objects defined there, which a training process
    never receives (its target and job are importable); but running a script
    again would redo whatever its top level does -- a benchmark, another window.
    Yields False (and hides nothing) when not ``blocking`` and another thread
    is starting a process.
    """
    if not _START_LOCK.acquire(blocking):
        yield False
        return
    main = sys.modules.get("__main__")
    names = ("__file__", "__spec__")
    saved = {} if main is None else {k: main.__dict__[k] for k in names if k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        yield True
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)
        _START_LOCK.release()


def prewarm() -> None:
    """Start the forkserver now (it imports torch in its own process) so the first run starts fast.

    Returns at once: the server loads :data:`PRELOAD` in the background. Does
    nothing where runs are spawned (macOS, Windows), once the server runs, or
    while a run is being started (which starts the server itself).
    """
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _main_hidden(blocking=False) as free:
            if free:
                forkserver.ensure_running()


class TrainingProcess:
    """The parent's handle on one run in a child process.

    Control methods may be called from any thread, before or after
    :meth:`start`; :meth:`messages` is read by one thread.
    """

    def __init__(self, job: TrainingJob, interval: float = 0.05) -> None:
        self.job = job
        self.interval = interval
        self.process: mp.process.BaseProcess | None = None
        self._lock = threading.Lock()
        self._control: Any = None
        self._events: Any = None
        self._stop = False
        self._paused = False

    def start(self) -> None:
        """Start the child (blocks while the forkserver starts, the first time in a process).

        Raises
        ------
        RecipeError
            When the job's layer catalog cannot be rebuilt in another process.
        """
        from studio.plugin_host.recipe import recipe_of

        registry = self.job.registry
        recipe = recipe_of(registry) if registry is not None else None
        job = dataclasses.replace(self.job, registry=recipe)
        context = _context()
        events_recv, events_send = context.Pipe(duplex=False)
        control_recv, control_send = context.Pipe(duplex=False)
        process = context.Process(
            target=child_main,
            args=(job, events_send, control_recv, self.interval),
            name="studio-training",
            daemon=True,
        )
        with _main_hidden():
            process.start()
        events_send.close()  # the child holds the only writing end: EOF means it is gone
        control_recv.close()
        with self._lock:
            self.process, self._events, self._control = process, events_recv, control_send
            if self._paused:
                self._send(("pause", True))
            if self._stop:
                self._send(("stop",))

    # ------------------------------------------------------------ control
    def request_stop(self) -> None:
        """Stop between batches (also while paused or still loading data)."""
        with self._lock:
            self._stop = True
            self._send(("stop",))

    def set_paused(self, paused: bool) -> None:
        """Hold (True) or continue (False) between batches."""
        with self._lock:
            self._paused = paused
            self._send(("pause", paused))

    @property
    def paused(self) -> bool:
        """Whether a pause was asked for last (and not a resume)."""
        return self._paused

    def _send(self, message: tuple) -> None:
        if self._control is None:
            return
        try:
            self._control.send(message)
        except (OSError, ValueError):
            pass  # the child has ended: nothing left to control

    # ------------------------------------------------------------ reading
    def messages(self) -> Iterator[tuple[str, Any]]:
        """The child's messages until ``done``; a child that dies first yields ``failed`` and ``done``."""
        conn = self._events
        while True:
            try:
                if not conn.poll(POLL_S):
                    if self.process is not None and not self.process.is_alive() and not conn.poll(0):
                        raise EOFError
                    continue
                kind, payload = conn.recv()
            except (EOFError, OSError):
                yield "failed", self._death_message()
                yield "done", None
                return
            yield kind, payload
            if kind == "done":
                return

    def _death_message(self) -> str:
        process = self.process
        if process is not None:
            process.join(5.0)
        code = None if process is None else process.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        return (
            f"The training process ended unexpectedly ({how}): native code crashed (a plugin layer, "
            "a library) or the system ran out of memory. The window is unaffected and the run "
            "directory keeps the last checkpoint written."
        )

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the child to end; True when it has."""
        if self.process is None:
            return True
        self.process.join(timeout)
        ended = not self.process.is_alive()
        if ended:
            self.close()
        return ended

    def kill(self) -> None:
        """End the child at once (it did not stop when asked)."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(5.0)

    def close(self) -> None:
        """Release the pipes."""
        with self._lock:
            for conn in (self._events, self._control):
                if conn is not None:
                    conn.close()
            self._events = self._control = None


def child_main(job: TrainingJob, events: Any, control: Any, interval: float) -> None:
    """The child's entry point: build the trainer, iterate it and send what happens."""
    import torch

    from studio.training.runner import ChildRun

    torch.set_num_threads(max(1, min(torch.get_num_threads(), (os.cpu_count() or 2) - 1)))

    def send(message: tuple) -> None:
        try:
            events.send(message)
        except OSError:  # the parent is gone: stop as if asked, so the run still checkpoints
            run.request_stop()

    run = ChildRun(job, send, interval)
    threading.Thread(target=_obey, args=(control, run), name="studio-control", daemon=True).start()
    try:
        run.run()
    finally:
        send(("done", None))
        events.close()


def _obey(control: Any, run: Any) -> None:
    """Apply the parent's control messages; a closed pipe (the parent is gone) stops the run."""
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):
            run.request_stop()
            return
        if message[0] == "stop":
            run.request_stop()
        elif message[0] == "pause":
            run.set_paused(bool(message[1]))
