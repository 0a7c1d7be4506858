"""When a run writes its checkpoints, and how (see the run directory in DESIGN.md "Contracts").

``checkpoints/last.safetensors`` with ``state.pt`` (what ``--resume`` needs),
``best.safetensors`` and, every ``checkpoint_every`` epochs, ``epoch_NNN``.
The tensors are copied on the training thread, which takes well under a
millisecond for a small model, and written by the run's background thread
while training goes on; the loop announces each file with a ``Checkpointed``
event once it is on disk.

``last`` is written at the end of an epoch once ``checkpoint_interval``
seconds of training (:meth:`~studio.training.loop.Trainer.elapsed`) have
passed since the previous one, and always at the last epoch, on early
stopping and when the run is stopped. A 20-step epoch of a small model takes
a tenth of a second, and writing ``last`` and ``state.pt`` after every one of
them cost such a run several percent; an epoch of a second or more still gets
its checkpoint every time. A hard crash loses at
most ``checkpoint_interval`` seconds of training. Weights of a best epoch
that falls between two writes are kept in memory and written with the next
one (also when the run fails), so ``best`` is never lost.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.training.events import Checkpointed
from studio.training.rundir import cpu_copy

if TYPE_CHECKING:
    from studio.training.loop import Trainer


class Checkpoints:
    """Queues a :class:`~studio.training.loop.Trainer`'s checkpoint files on its background thread.

    Parameters
    ----------
    trainer
        Provides the model, the resumable state (``_state``), the run directory,
        the background jobs and the configuration.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._written = threading.Event()  # the latest queued copy of the weights is on disk
        self._written.set()
        self._last_at = -math.inf  # trainer.elapsed() when "last" was last queued
        self._best: tuple[dict[str, Any], int] | None = None  # a best epoch's weights not yet written

    # ------------------------------------------------------------- moments
    def initial(self) -> None:
        """The weights before the first step (a new run only)."""
        self._queue("initial", 1, 0)

    def epoch_end(self, epoch: int) -> None:
        """After ``epoch``'s validation: ``last`` when due, ``best`` when it improved, ``epoch_NNN``."""
        t = self.trainer
        improved = t.best_epoch == epoch
        keep_every = bool(t.cfg.checkpoint_every) and epoch % t.cfg.checkpoint_every == 0
        due = (
            keep_every
            or epoch >= t.cfg.epochs
            or t.early_stopped
            or t.elapsed() - self._last_at >= t.cfg.checkpoint_interval
        )
        if not due:
            if improved:
                self._best = cpu_copy(t.model.state_dict()), epoch
            return
        self._queue("last", epoch + 1, 0)
        if improved:  # the same weights as "last": linked to its file rather than serialised again
            self._best = None
            self._queue("best", epoch + 1, 0, same_as_last=True)
        else:
            self._flush_best()
        if keep_every:
            self._queue("epoch", epoch + 1, 0, same_as_last=True)

    def stopped(self, epoch: int, position: int) -> None:
        """The run was stopped before batch ``position`` of ``epoch``: everything, to resume there."""
        self._queue("last", epoch, position)
        self._flush_best()

    def failed(self) -> None:
        """The run failed: ``last`` stays the last good one on disk; a pending ``best`` is written."""
        self._flush_best()

    # ------------------------------------------------------------- writing
    def _flush_best(self) -> None:
        if self._best is None:
            return
        weights, epoch = self._best
        self._best = None
        run = self.trainer.run
        self._submit(lambda: Checkpointed(str(run.save_weights(weights, "best")), "best", epoch))

    def _queue(self, kind: str, next_epoch: int, next_step: int, same_as_last: bool = False) -> None:
        """Copy the weights (and, for last/initial, the resumable state) now; write them in the background.

        A previous copy still being written is waited for first, so at most one is held.
        """
        t, epoch = self.trainer, next_epoch - 1
        run = t.run
        if same_as_last:  # queued after the "last" it links to: the worker runs jobs in order
            self._submit(lambda: Checkpointed(str(run.copy_weights("last", kind, epoch)), kind, epoch))
            return
        self._written.wait()
        weights = cpu_copy(t.model.state_dict())
        state = cpu_copy(t._state(next_epoch, next_step)) if kind in ("initial", "last") else None
        name = "last" if kind == "initial" else kind
        written = self._written = threading.Event()
        self._last_at = t.elapsed()

        def write() -> Path:
            try:
                path = run.save_weights(weights, name, epoch)
                if state is not None:
                    run.save_state(state)
                return path
            finally:
                written.set()

        try:
            self._submit(lambda: Checkpointed(str(write()), kind, epoch))
        except BaseException:
            written.set()
            raise

    def _submit(self, job: Any) -> None:
        self.trainer.background.submit(job)
