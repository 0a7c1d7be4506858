import json

import pytest
import torch

from studio.training import Callback, RunFinished, StepEnd, Trainer
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
    list(Trainer(dropout_project(), blobs(128), cfg, tmp_path).iter_fit())
    more = Trainer.resume_from(tmp_path, blobs(128), epochs=2)
    events = list(more.iter_fit())
    assert events[0].start_epoch == 2 and events[-1].summary["epochs"] == 2


def test_resume_refuses_different_data(tmp_path):
    list(Trainer(dropout_project(), blobs(128), {"epochs": 1}, tmp_path).iter_fit())
    events = list(Trainer.resume_from(tmp_path, blobs(64), epochs=2).iter_fit())
    assert "cannot resume" in events[-1].message
