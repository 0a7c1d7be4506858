"""The run's background jobs: one thread, results in submission order, errors raised where collected."""

from __future__ import annotations

import threading
import time

import pytest

from studio.training.background import BackgroundJobs


def test_results_come_back_in_submission_order_from_one_thread():
    jobs = BackgroundJobs("test-bg")
    threads = []

    def job(value, delay):
        def run():
            time.sleep(delay)
            threads.append(threading.current_thread().name)
            return value

        return run

    jobs.submit(job("a", 0.05))
    jobs.submit(job("b", 0.0))
    assert jobs.busy == 2
    assert jobs.wait() == ["a", "b"] and jobs.busy == 0
    assert len(set(threads)) == 1 and threads[0].startswith("test-bg")
    assert threading.current_thread().name not in threads
    jobs.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("test-bg")]


def test_ready_never_blocks_and_an_error_surfaces_when_collected():
    jobs = BackgroundJobs("test-bg")
    gate = threading.Event()
    jobs.submit(lambda: gate.wait(5) and "slow")
    assert jobs.ready() == []  # the first job still runs: nothing is ready, nothing waits
    gate.set()

    def broken():
        raise OSError(28, "No space left on device")

    jobs.submit(broken)
    jobs.submit(lambda: "after")
    with pytest.raises(OSError, match="No space left"):
        jobs.wait()
    assert jobs.wait() == ["after"]  # the jobs after the error stay collectable
    jobs.close()


def test_settle_waits_for_every_job_and_leaves_the_results_to_collect():
    jobs = BackgroundJobs("test-bg")
    done = []
    jobs.submit(lambda: time.sleep(0.05) or done.append(1) or "a")
    jobs.submit(lambda: done.append(2) or "b")
    jobs.settle()
    assert done == [1, 2] and jobs.busy == 2
    assert jobs.ready() == ["a", "b"]
    jobs.close()
