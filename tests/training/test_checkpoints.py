"""When checkpoints are written: every epoch, or at most every ``checkpoint_interval`` seconds."""

import math

import pytest
import torch
from safetensors.torch import load_file

from studio.training import Callback, Checkpointed, RunFailed, RunFinished, StepEnd, Trainer
from tests.training.helpers import FAST, blobs, dropout_project

NEVER = 1e9  # an interval no test run reaches: only the moments that always write do


class WeightsAtEpochEnd(Callback):
    """Copies of the weights at the start and after each epoch's validation."""

    def __init__(self) -> None:
        self.weights: dict[int, dict[str, torch.Tensor]] = {}

    def on_fit_start(self, trainer, event):
        self.weights[0] = {k: v.clone() for k, v in trainer.model.state_dict().items()}

    def on_train_epoch_end(self, trainer, event):
        self.weights[event.epoch] = {k: v.clone() for k, v in trainer.model.state_dict().items()}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def checkpoints(events) -> list[tuple[str, int]]:
    return [(e.kind, e.epoch) for e in events if isinstance(e, Checkpointed)]


def test_interval_zero_writes_last_after_every_epoch(tmp_path):
    cfg = {**FAST, "epochs": 3, "checkpoint_interval": 0}
    events = list(Trainer(dropout_project(), blobs(), cfg, tmp_path).iter_fit())
    assert [c for c in checkpoints(events) if c[0] in ("initial", "last")] == [
        ("initial", 0),
        ("last", 1),
        ("last", 2),
        ("last", 3),
    ]


def test_short_epochs_write_last_at_the_end_and_best_from_memory(tmp_path):
    # lr 0.5 with dropout: the validation loss does not fall every epoch, so the best epoch is
    # (with this seed) an earlier one, whose weights were never written as "last".
    cfg = {**FAST, "epochs": 5, "lr": 0.5, "checkpoint_interval": NEVER, "seed": 1}
    seen = WeightsAtEpochEnd()
    trainer = Trainer(dropout_project(), blobs(), cfg, tmp_path, [seen])
    events = list(trainer.iter_fit())
    assert isinstance(events[-1], RunFinished)
    assert 1 <= trainer.best_epoch < 5, "precondition: a best epoch before the last"
    assert [c for c in checkpoints(events) if c[0] in ("initial", "last")] == [("initial", 0), ("last", 5)]
    assert ("best", trainer.best_epoch) in checkpoints(events)
    best = load_file(tmp_path / "checkpoints" / "best.safetensors")
    assert same(best, seen.weights[trainer.best_epoch])
    assert same(load_file(tmp_path / "checkpoints" / "last.safetensors"), seen.weights[5])
    state = torch.load(tmp_path / "checkpoints" / "state.pt", weights_only=True)
    assert (state["epoch"], state["step_in_epoch"]) == (6, 0)


def test_checkpoint_every_k_epochs_is_kept_whatever_the_interval(tmp_path):
    cfg = {**FAST, "epochs": 4, "checkpoint_every": 2, "checkpoint_interval": NEVER}
    seen = WeightsAtEpochEnd()
    events = list(Trainer(dropout_project(), blobs(), cfg, tmp_path, [seen]).iter_fit())
    assert ("epoch", 2) in checkpoints(events) and ("epoch", 4) in checkpoints(events)
    assert ("last", 2) in checkpoints(events)  # an epoch file is a link to that epoch's "last"
    assert same(load_file(tmp_path / "checkpoints" / "epoch_002.safetensors"), seen.weights[2])


class PoisonAfter(Callback):
    """Fills the weights with NaN after a given step, so that the next loss is NaN."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_train_batch_end(self, trainer, event: StepEnd):
        if event.step == self.step:
            with torch.no_grad():
                for p in trainer.model.parameters():
                    p.fill_(math.nan)


@pytest.mark.parametrize("interval", [0, NEVER])
def test_a_failed_run_keeps_the_last_good_checkpoint_and_its_best(tmp_path, interval):
    seen = WeightsAtEpochEnd()
    cfg = {**FAST, "epochs": 4, "checkpoint_interval": interval}
    trainer = Trainer(dropout_project(), blobs(), cfg, tmp_path, [seen, PoisonAfter(2 * 6 + 1)])
    events = list(trainer.iter_fit())  # 6 steps per epoch: NaN weights after epoch 3's first step
    assert isinstance(events[-1], RunFailed) and "NaN" in events[-1].message
    last = load_file(tmp_path / "checkpoints" / "last.safetensors")
    assert all(torch.isfinite(t).all() for t in last.values())
    assert same(last, seen.weights[2 if interval == 0 else 0])  # every epoch, or only the initial one
    assert same(load_file(tmp_path / "checkpoints" / "best.safetensors"), seen.weights[trainer.best_epoch])


def test_stopping_writes_everything_needed_to_resume(tmp_path):
    class StopAt(Callback):
        def on_train_batch_end(self, trainer, event):
            if event.step == 9:
                trainer.request_stop()

    cfg = {**FAST, "epochs": 3, "checkpoint_interval": NEVER}
    trainer = Trainer(dropout_project(), blobs(), cfg, tmp_path, [StopAt()])
    events = list(trainer.iter_fit())
    assert events[-1].summary["status"] == "stopped"
    # "last" holds the weights after step 9 (one whole epoch done); epoch 1's best, kept in memory
    assert checkpoints(events) == [("initial", 0), ("last", 1), ("best", 1)]
    state = torch.load(tmp_path / "checkpoints" / "state.pt", weights_only=True)
    assert (state["epoch"], state["step_in_epoch"], state["global_step"]) == (2, 3, 9)
