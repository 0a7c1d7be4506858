"""Work a run does beside its training steps: one worker thread, jobs in submission order.

Jobs are the files of a run (checkpoints, ``stats/epoch_NNN.npz``) and, when
training runs on an accelerator, the per-epoch statistics pass. The worker
runs torch on one intra-op thread (a per-thread setting under OpenMP): a
second full team of OpenMP threads beside the training thread's would fight
it for the cores (see :class:`~studio.training.callbacks.StatsRecorder`).
The loop collects finished jobs between batches (:meth:`BackgroundJobs.ready`)
and waits for all of them before it reports the end of the run, so every file
exists once ``RunFinished`` is seen.

A job's exception is re-raised in the training thread when the job is
collected, so a full disk or a broken statistics pass fails the run with its
message instead of being lost on another thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import torch


class BackgroundJobs:
    """A single worker thread; results come back in submission order.

    Used from the one thread that drives the run (submit, collect, close).

    Parameters
    ----------
    name
        Prefix of the worker thread's name (shown by debuggers and ``py-spy``).
    """

    def __init__(self, name: str = "studio-run") -> None:
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future] = deque()

    def submit(self, job: Callable[[], Any]) -> None:
        """Run ``job()`` on the worker thread; its return value comes out of :meth:`ready` / :meth:`wait`."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix=self._name, initializer=torch.set_num_threads, initargs=(1,)
            )
        self._pending.append(self._pool.submit(job))

    @property
    def busy(self) -> int:
        """How many submitted jobs have not been collected yet."""
        return len(self._pending)

    def settle(self) -> None:
        """Wait until every submitted job has run, leaving the results for :meth:`ready`."""
        futures.wait(list(self._pending))

    def ready(self) -> list[Any]:
        """Results of the finished jobs at the head of the queue (never blocks).

        Raises
        ------
        Exception
            Whatever the first finished job raised; the jobs after it stay queued.
        """
        out = []
        while self._pending and self._pending[0].done():
            out.append(self._pending.popleft().result())
        return out

    def wait(self) -> list[Any]:
        """Results of every submitted job, waiting for those still running (raises as :meth:`ready`)."""
        out = []
        while self._pending:
            out.append(self._pending.popleft().result())
        return out

    def close(self) -> None:
        """Wait for running jobs (their results and errors are dropped) and end the thread."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=False)
        self._pending.clear()
