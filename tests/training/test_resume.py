import json
import random
import shutil
import threading

import pytest
import torch

from studio.training import Callback, Checkpointed, RunFinished, StepEnd, Trainer
from studio.training.rundir import RunDir, cpu_copy
from studio.training.setup import restore_rng, rng_state
from tests.training.helpers import blobs, dropout_project


class StopAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_train_batch_end(self, trainer, event):
        if event.step == self.step:
            trainer.request_stop()


CONFIGS = {
    "adam+dropout": {"epochs": 3, "batch_size": 16, "lr": 0.01, "seed": 7},
    "sgd+nesterov+cosine+warmup": {
        "epochs": 3,
        "batch_size": 10,  # 96 samples: a short last batch
        "lr": 0.05,
        "optimizer": "sgd",
        "momentum": 0.9,
        "nesterov": True,
        "schedule": "cosine",
        "warmup_epochs": 1,
        "grad_clip": {"mode": "norm", "max": 1.0},
        "seed": 3,
    },
    "plateau": {"epochs": 3, "batch_size": 32, "schedule": "reduce_on_plateau", "plateau_patience": 0},
}


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("stop_step", [4, 6])  # mid-epoch, and exactly at an epoch boundary
def test_stop_and_resume_equals_an_uninterrupted_run(tmp_path, name, stop_step):
    cfg = CONFIGS[name]
    full = Trainer(dropout_project(), blobs(128), cfg, tmp_path / "full")
    full_events = list(full.iter_fit())
    assert full_events[-1].summary["status"] == "finished"

    first = Trainer(dropout_project(), blobs(128), cfg, tmp_path / "split", [StopAt(stop_step)])
    assert list(first.iter_fit())[-1].summary["status"] == "stopped"
    second = Trainer.resume_from(tmp_path / "split", blobs(128))
    events = list(second.iter_fit())
    assert events[0].start_step == stop_step % (first.runner.steps_per_epoch)
    assert isinstance(events[-1], RunFinished) and events[-1].summary["status"] == "finished"

    a, b = full.model.state_dict(), second.model.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    full_losses = [e.loss for e in full_events if isinstance(e, StepEnd)]
    resumed_losses = [e.loss for e in events if isinstance(e, StepEnd)]
    assert resumed_losses == full_losses[stop_step:]
    assert events[-1].summary["epochs"] == 3
    assert events[-1].summary["metrics"]["val"] == full_events[-1].summary["metrics"]["val"]
    lines = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    assert sum(json.loads(line)["kind"] == "step" for line in lines) == len(full_losses)


def test_resume_can_extend_a_finished_run(tmp_path):
    cfg = {"epochs": 1, "batch_size": 32}
    list(Trainer(dropout_project(), blobs(128), cfg, tmp_path / "short").iter_fit())
    more = Trainer.resume_from(tmp_path / "short", blobs(128), epochs=2)
    events = list(more.iter_fit())
    assert events[0].start_epoch == 2 and events[-1].summary["epochs"] == 2
    # Epoch 2 draws a new batch order (not epoch 1's again), as an uninterrupted run does.
    longer = Trainer(dropout_project(), blobs(128), {**cfg, "epochs": 2}, tmp_path / "long")
    list(longer.iter_fit())
    a, b = longer.model.state_dict(), more.model.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_resume_refuses_different_data(tmp_path):
    list(Trainer(dropout_project(), blobs(128), {"epochs": 1}, tmp_path).iter_fit())
    events = list(Trainer.resume_from(tmp_path, blobs(64), epochs=2).iter_fit())
    assert "cannot resume" in events[-1].message


def test_an_epoch_checkpoint_written_while_training_went_on_resumes_exactly(tmp_path, monkeypatch):
    """Checkpoint files are written on a background thread from a copy taken at the epoch's end:
    steps that run before the write must not leak into them. A crash after those steps leaves
    exactly what the checkpoint announced; resuming from it equals an uninterrupted run."""
    cfg = {**CONFIGS["adam+dropout"], "checkpoint_interval": 0}  # Adam: moments change every step
    full = Trainer(dropout_project(), blobs(128), cfg, tmp_path / "full")
    list(full.iter_fit())

    steps_ran = threading.Event()
    write_state = RunDir.save_state

    def slow_write(run, state):  # epoch 1's state is written only once epoch 2 has taken steps
        if state["epoch"] == 2:
            assert steps_ran.wait(30)
        return write_state(run, state)

    class Signal(Callback):
        def on_train_batch_end(self, trainer, event):
            if event.epoch == 2 and trainer.runner.position == 3:
                steps_ran.set()

    monkeypatch.setattr(RunDir, "save_state", slow_write)
    crashed = Trainer(dropout_project(), blobs(128), cfg, tmp_path / "crashed", [Signal()])
    events = crashed.iter_fit()
    for event in events:
        if isinstance(event, Checkpointed) and (event.kind, event.epoch) == ("last", 1):
            break
    assert crashed.epoch == 2 and crashed.global_step > crashed.runner.steps_per_epoch + 3
    shutil.copytree(tmp_path / "crashed", tmp_path / "on_disk")  # what a crash now would leave
    events.close()
    state = torch.load(tmp_path / "on_disk" / "checkpoints" / "state.pt", weights_only=True)
    assert (state["epoch"], state["step_in_epoch"]) == (2, 0)
    assert state["global_step"] == crashed.runner.steps_per_epoch

    resumed = Trainer.resume_from(tmp_path / "on_disk", blobs(128))
    assert list(resumed.iter_fit())[-1].summary["status"] == "finished"
    a, b = full.model.state_dict(), resumed.model.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_cpu_copy_freezes_tensors_and_rebuilds_containers():
    weights = torch.ones(3)
    state = {"w": weights, "groups": [{"lr": 0.1, "betas": (0.9, 0.99)}], "step": (torch.zeros(()), 2)}
    frozen = cpu_copy(state)
    weights.add_(1)
    state["groups"][0]["lr"] = 0.5
    state["step"][0].add_(5)
    assert torch.equal(frozen["w"], torch.ones(3)) and frozen["groups"][0]["lr"] == 0.1
    assert frozen["groups"][0]["betas"] == (0.9, 0.99) and float(frozen["step"][0]) == 0.0
    assert frozen["step"][1] == 2 and type(frozen["step"]) is tuple


def test_python_rng_state_of_older_runs_still_restores():
    random.seed(5)
    state = rng_state()
    expected = [random.random() for _ in range(3)]
    assert isinstance(state["python"][1], torch.Tensor)  # one tensor, not 625 pickled ints
    older = {**state, "python": [state["python"][0], state["python"][1].tolist(), state["python"][2]]}
    for saved in (state, older):
        restore_rng(saved)
        assert [random.random() for _ in range(3)] == expected
