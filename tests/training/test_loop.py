import json
import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from studio.compiler.lower import compile_graph
from studio.compiler.weights import apply_state
from studio.training import (
    Callback,
    Checkpointed,
    EpochEnd,
    RunDir,
    RunFailed,
    RunFinished,
    RunStarted,
    StatsRecorded,
    StatsRecorder,
    StepEnd,
    Trainer,
    Validated,
    callbacks,
)
from studio.training import epoch as epoch_module
from studio.training.stats import collect_stats
from tests.training.helpers import FAST, blobs, dropout_project, mlp_project


def kinds(events):
    return [type(e).__name__ for e in events]


def test_two_epochs_lower_the_loss(tmp_path):
    events = list(Trainer(mlp_project(), blobs(), FAST, tmp_path).iter_fit())
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2]
    steps = [e.loss for e in events if isinstance(e, StepEnd)]
    assert np.mean(steps[-3:]) < np.mean(steps[:3])
    assert epochs[1].metrics["val"]["loss"] < epochs[0].metrics["val"]["loss"]
    assert epochs[1].metrics["val"]["accuracy"] > 0.8
    assert isinstance(events[-1], RunFinished) and events[-1].summary["status"] == "finished"


def test_event_order_and_payloads_are_plain(tmp_path):
    cfg = {**FAST, "checkpoint_interval": 0}  # "last" after every epoch, however short
    events = list(Trainer(mlp_project(), blobs(64), cfg, tmp_path).iter_fit())
    # Statistics and checkpoint files are written on a background thread: their events come
    # whenever the file is on disk, but no later than the next epoch's validation (and the end).
    background = ("StatsRecorded", "Checkpointed")
    names = [n for n in kinds(events) if n not in background]
    epoch = ["StepEnd"] * 3 + ["Validated", "EpochEnd"]
    assert names == ["RunStarted", *epoch, *epoch, "RunFinished"]
    validations = [i for i, e in enumerate(events) if isinstance(e, Validated)]
    checkpoints = [(e.kind, e.epoch, i) for i, e in enumerate(events) if isinstance(e, Checkpointed)]
    assert [c[:2] for c in checkpoints[:3]] == [("initial", 0), ("last", 1), ("best", 1)]
    assert checkpoints[0][2] < validations[0] and validations[0] < checkpoints[1][2] < validations[1]
    assert {c[:2] for c in checkpoints[3:]} <= {("last", 2), ("best", 2)} and ("last", 2) in {
        c[:2] for c in checkpoints[3:]
    }
    assert all(validations[1] < c[2] < len(events) - 1 for c in checkpoints[3:])
    assert all(Path(e.path).is_file() for e in events if isinstance(e, Checkpointed))
    stats = [e for e in events if isinstance(e, StatsRecorded)]
    assert [s.epoch for s in stats] == [1, 2]
    epoch_ends = [i for i, e in enumerate(events) if isinstance(e, EpochEnd)]
    validations = [i for i, e in enumerate(events) if isinstance(e, Validated)]
    assert epoch_ends[0] < events.index(stats[0]) < validations[1]
    assert epoch_ends[1] < events.index(stats[1]) < len(events) - 1
    for s in stats:
        assert s.path.endswith(f"epoch_{s.epoch:03d}.npz") and set(np.load(s.path).files) == set(s.arrays)
    started = events[0]
    assert isinstance(started, RunStarted) and started.steps_per_epoch == 3 and started.params == 354
    steps = [e for e in events if isinstance(e, StepEnd)]
    assert [s.step for s in steps] == list(range(1, 7))
    for s in steps:
        assert all(isinstance(v, (int, float)) for v in vars(s).values())
        assert s.lr == 0.01 and s.samples_per_s > 0
        assert s.grad_norm > 0 or math.isnan(s.grad_norm)  # NaN: not measured at this step
    assert steps[0].grad_norm > 0  # the first step is always measured
    for e in events:
        for value in vars(e).values():
            assert not isinstance(value, (torch.Tensor, torch.nn.Module))


class StopAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_train_batch_end(self, trainer, event):
        if event.step == self.step:
            trainer.request_stop()


def test_stop_is_honoured_mid_epoch(tmp_path):
    trainer = Trainer(mlp_project(), blobs(128), {**FAST, "epochs": 3}, tmp_path, [StopAt(8)])
    events = list(trainer.iter_fit())
    steps = [e for e in events if isinstance(e, StepEnd)]
    assert steps[-1].step == 8 and steps[-1].epoch == 2  # 6 batches per epoch
    assert kinds(events)[-2:] == ["Checkpointed", "RunFinished"]
    assert events[-1].summary["status"] == "stopped" and events[-1].summary["epochs"] == 1
    state = torch.load(tmp_path / "checkpoints" / "state.pt", weights_only=True)
    assert (state["epoch"], state["step_in_epoch"], state["global_step"]) == (2, 2, 8)
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "stopped"


def test_pause_and_resume_from_another_thread(tmp_path):
    trainer = Trainer(mlp_project(), blobs(128), {**FAST, "epochs": 2}, tmp_path)
    gen = trainer.iter_fit()
    seen = []
    for event in gen:
        seen.append(event)
        if isinstance(event, StepEnd) and event.step == 2:
            break
    trainer.pause()
    assert trainer.paused
    resumed_at = []

    def later():
        time.sleep(0.3)
        resumed_at.append(time.perf_counter())
        trainer.resume()

    thread = threading.Thread(target=later)
    thread.start()
    # Files the background thread finished may still be announced; the next step waits for resume.
    nxt = next(e for e in gen if not isinstance(e, (Checkpointed, StatsRecorded)))
    got_at = time.perf_counter()
    thread.join()
    assert isinstance(nxt, StepEnd) and nxt.step == 3 and got_at >= resumed_at[0]
    rest = list(gen)
    assert isinstance(rest[-1], RunFinished) and rest[-1].summary["status"] == "finished"


def test_stop_while_paused_ends_the_run(tmp_path):
    trainer = Trainer(mlp_project(), blobs(128), FAST, tmp_path)
    gen = trainer.iter_fit()
    for event in gen:
        if isinstance(event, StepEnd):
            break
    trainer.pause()
    threading.Timer(0.1, trainer.request_stop).start()
    rest = list(gen)
    assert rest[-1].summary["status"] == "stopped"
    assert [e for e in rest if isinstance(e, StepEnd)] == []


def test_nan_loss_fails_clearly_and_keeps_the_last_good_checkpoint(tmp_path, registry):
    data = blobs(128)
    trainer = Trainer(mlp_project(), data, {**FAST, "epochs": 3, "lr": 1e6, "optimizer": "sgd"}, tmp_path)
    events = list(trainer.iter_fit())
    failed = events[-1]
    assert isinstance(failed, RunFailed)
    assert failed.message.startswith(f"loss became NaN at epoch {failed.epoch} step {failed.step + 1}")
    assert "lower the learning rate" in failed.message
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "failed"
    state = load_file(tmp_path / "checkpoints" / "last.safetensors")
    assert all(torch.isfinite(t).all() for t in state.values())
    model = compile_graph(mlp_project().graph, registry)
    apply_state(model, state)
    assert torch.isfinite(model(data.val.tensors[0])).all()


def _grad_norms(tmp_path, config, monkeypatch, interval):
    monkeypatch.setattr(epoch_module, "GRAD_NORM_INTERVAL", interval)
    events = Trainer(mlp_project(), blobs(), {**FAST, **config}, tmp_path).iter_fit()
    return [e.grad_norm for e in events if isinstance(e, StepEnd)]


def test_gradient_norms_are_measured_at_most_every_interval(tmp_path, monkeypatch):
    every = _grad_norms(tmp_path / "a", {}, monkeypatch, 0.0)
    assert len(every) == 12 and all(n > 0 for n in every)
    sampled = _grad_norms(tmp_path / "b", {}, monkeypatch, 3600.0)
    assert sampled[0] == every[0] and all(math.isnan(n) for n in sampled[1:])  # same seed, same first step
    rows = [json.loads(line) for line in (tmp_path / "b" / "metrics.jsonl").read_text().splitlines()]
    assert [r["grad_norm"] for r in rows if r["kind"] == "step"][1:] == [None] * 11
    csv_rows = (tmp_path / "b" / "metrics.csv").read_text().splitlines()
    assert csv_rows[2].split(",")[5] == ""  # the second step's grad_norm cell: empty, not "nan"


def test_clipping_by_norm_measures_every_step(tmp_path, monkeypatch):
    clip = {"grad_clip": {"mode": "norm", "max": 0.05}}
    norms = _grad_norms(tmp_path, clip, monkeypatch, 3600.0)
    assert len(norms) == 12 and all(n > 0.05 for n in norms)  # before clipping, each measured


def test_the_measured_gradient_norm_is_that_of_all_parameters(tmp_path, monkeypatch):
    seen = []

    class Grads(Callback):
        def on_train_batch_end(self, trainer, event):
            grads = [p.grad.flatten() for p in trainer.model.parameters()]
            seen.append((event.grad_norm, float(torch.cat(grads).norm())))

    monkeypatch.setattr(epoch_module, "GRAD_NORM_INTERVAL", 0.0)
    list(Trainer(mlp_project(), blobs(), FAST, tmp_path, [Grads()]).iter_fit())
    assert len(seen) == 12 and all(math.isclose(a, b, rel_tol=1e-5) for a, b in seen)


def test_weights_that_became_nan_unseen_fail_before_any_checkpoint_of_them(tmp_path, monkeypatch):
    """A bad update at an epoch's last step, whose gradients were not measured: no NaN checkpoint."""

    class Corrupt(Callback):
        def on_train_batch_end(self, trainer, event):
            if event.step == trainer.runner.steps_per_epoch:  # the last step of epoch 1
                with torch.no_grad():
                    next(trainer.model.parameters())[0, 0] = math.nan

    monkeypatch.setattr(epoch_module, "GRAD_NORM_INTERVAL", 3600.0)
    config = {**FAST, "checkpoint_interval": 0}
    events = list(Trainer(mlp_project(), blobs(), config, tmp_path, [Corrupt()]).iter_fit())
    failed = events[-1]
    assert isinstance(failed, RunFailed)
    assert failed.message.startswith("weights became NaN/Inf during epoch 1")
    assert "lower the learning rate" in failed.message and "last.safetensors" in failed.message
    assert not any(isinstance(e, (Validated, EpochEnd)) for e in events)
    written = [e for e in events if isinstance(e, Checkpointed)]
    assert [(e.kind, e.epoch) for e in written] == [("initial", 0)]
    state = load_file(tmp_path / "checkpoints" / "last.safetensors")
    assert all(torch.isfinite(t).all() for t in state.values())
    assert not (tmp_path / "checkpoints" / "best.safetensors").exists()


def test_inf_in_the_data_fails_with_the_step(tmp_path):
    data = blobs(64)
    data.train.tensors[0][20, 0] = math.inf
    events = list(Trainer(mlp_project(), data, {**FAST, "batch_size": 64}, tmp_path).iter_fit())
    assert isinstance(events[-1], RunFailed)
    assert "at epoch 1 step 1" in events[-1].message and "NaN/Inf" in events[-1].message


def test_exceptions_become_run_failed(tmp_path):
    class Boom(Callback):
        def on_train_epoch_end(self, trainer, event):
            raise RuntimeError("disk on fire")

    events = list(Trainer(mlp_project(), blobs(64), FAST, tmp_path, [Boom()]).iter_fit())
    assert isinstance(events[-1], RunFailed) and "disk on fire" in events[-1].message
    assert events[-1].epoch == 1


def test_run_directory_contract(tmp_path):
    data = blobs(128)
    data.test = data.val
    cfg = {**FAST, "checkpoint_every": 1}
    events = list(Trainer(dropout_project(), data, cfg, tmp_path).iter_fit())
    assert isinstance(events[-1], RunFinished)
    for name in (
        "project.nsproj.json",
        "metrics.jsonl",
        "metrics.csv",
        "summary.json",
        "checkpoints/last.safetensors",
        "checkpoints/best.safetensors",
        "checkpoints/state.pt",
        "checkpoints/epoch_001.safetensors",
        "checkpoints/epoch_002.safetensors",
        "stats/epoch_001.npz",
        "stats/epoch_002.npz",
    ):
        assert (tmp_path / name).is_file(), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) == {"status", "epochs", "best_epoch", "seconds", "device", "metrics"}
    assert summary["status"] == "finished" and summary["epochs"] == 2 and summary["device"] == "cpu"
    assert summary["best_epoch"] in (1, 2) and summary["seconds"] > 0
    assert set(summary["metrics"]) == {"train", "val", "test"}
    for split in ("train", "val", "test"):
        assert {"loss", "accuracy"} <= set(summary["metrics"][split])
    assert summary["metrics"]["test"]["loss"] > 0
    project = json.loads((tmp_path / "project.nsproj.json").read_text())
    assert project["training"]["lr"] == 0.01 and len(project["graph"]["nodes"]) == 8
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records].count("step") == 12
    assert [r["kind"] for r in records].count("epoch") == 2
    csv_lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].startswith("kind,epoch,step,loss,lr,grad_norm") and "val_accuracy" in csv_lines[0]
    assert len(csv_lines) == 1 + 12 + 2
    state = torch.load(tmp_path / "checkpoints" / "state.pt", weights_only=True)
    assert state["epoch"] == 3 and state["step_in_epoch"] == 0


def test_stats_hold_weight_gradient_and_activation_statistics(tmp_path):
    list(Trainer(dropout_project(), blobs(64), FAST, tmp_path).iter_fit())
    stats = np.load(tmp_path / "stats" / "epoch_002.npz")
    for key in (
        "weight/linear_1.weight/norm",
        "weight/linear_1.weight/hist",
        "grad/linear_1.weight/norm",
        "grad/logits.bias/hist",
        "act/relu_1/zero_fraction",
        "act/tanh_1/saturated_fraction",
        "act/linear_1/mean",
        "act/linear_1/std",
    ):
        assert key in stats.files, key
    assert stats["weight/linear_1.weight/hist"].sum() == 32 * 2
    assert len(stats["weight/linear_1.weight/edges"]) == 33
    assert 0 < float(stats["act/relu_1/zero_fraction"]) < 1
    assert float(stats["grad/linear_1.weight/norm"]) > 0


def test_stats_leave_no_hooks_and_no_gradients(tmp_path):
    trainer = Trainer(dropout_project(), blobs(64), {**FAST, "epochs": 1}, tmp_path)
    list(trainer.iter_fit())
    for module in trainer.model.modules():
        assert not module._forward_hooks
    assert trainer.model.training


def test_validation_runs_in_eval_mode(tmp_path):
    modes = []

    class Spy(Callback):
        def on_fit_start(self, trainer, event):
            trainer.model.register_forward_pre_hook(lambda m, i: modes.append(m.training))

    list(Trainer(dropout_project(), blobs(64), {**FAST, "epochs": 1}, tmp_path, [Spy()]).iter_fit())
    # 3 training batches (train mode), 1 validation batch, then the statistics pass (on the CPU it
    # runs on the model itself), both in eval mode
    assert modes == [True] * 3 + [False, False]


def stats_differences(a, b):
    """Keys present in only one of two statistics dicts, or whose values differ (rtol 1e-6)."""
    keys = set(a) | set(b)
    return sorted(
        k
        for k in keys
        if k not in a
        or k not in b
        or not np.allclose(np.asarray(a[k]), np.asarray(b[k]), rtol=1e-6, atol=1e-7, equal_nan=True)
    )


@pytest.fixture
def shadow_on_cpu(monkeypatch):
    """Run the statistics pass on a shadow copy in the background also on the CPU (as on a GPU)."""
    monkeypatch.setattr(StatsRecorder, "SHADOW_DEVICES", ("cpu",))


def test_on_the_cpu_the_statistics_pass_runs_on_the_training_thread(tmp_path, monkeypatch):
    # A second thread computing with torch slows every later training step down (two OpenMP teams).
    threads: list[str] = []

    def observed(*args):
        threads.append(threading.current_thread().name)
        return collect_stats(*args)

    monkeypatch.setattr(callbacks, "collect_stats", observed)
    trainer = Trainer(dropout_project(), blobs(64), {**FAST, "stats_budget": 1.0}, tmp_path)
    events = list(trainer.iter_fit())
    assert threads == [threading.current_thread().name] * 2 and trainer.stats._shadow is None
    assert [e.epoch for e in events if isinstance(e, StatsRecorded)] == [1, 2]
    monkeypatch.setattr(StatsRecorder, "SHADOW_DEVICES", ("cpu",))  # as on a GPU: beside training
    threads.clear()
    list(
        Trainer(dropout_project(), blobs(64), {**FAST, "stats_budget": 1.0}, tmp_path / "gpu-like").iter_fit()
    )
    assert len(threads) == 2 and all(name.startswith("studio-run") for name in threads)


def test_background_statistics_are_those_of_the_trained_weights(tmp_path, shadow_on_cpu):
    # One epoch: the weights at its end are the final weights, so an inline pass on the trained
    # model must give what the background pass on the shadow copy wrote.
    trainer = Trainer(dropout_project(), blobs(64), {**FAST, "epochs": 1}, tmp_path)
    list(trainer.iter_fit())
    inline = collect_stats(trainer.model, trainer.task, trainer.fixed_batch)
    written = dict(np.load(tmp_path / "stats" / "epoch_001.npz"))
    assert len(written) > 20 and "grad/linear_1.weight/norm" in written
    assert stats_differences(written, inline) == []


@pytest.mark.parametrize("devices", [("cuda", "mps", "xpu"), ("cpu",)], ids=["inline", "shadow"])
def test_statistics_leave_training_unchanged(tmp_path, monkeypatch, devices):
    # Inline, the pass restores the gradients and the training mode; the shadow is built from a
    # forked RNG; neither draws random numbers: with dropout in the model, training with
    # statistics every epoch gives the same weights as without.
    monkeypatch.setattr(StatsRecorder, "SHADOW_DEVICES", devices)
    runs = {}
    for every in (0, 1):
        trainer = Trainer(
            dropout_project(),
            blobs(),
            {**FAST, "epochs": 3, "stats_every": every, "stats_budget": 1.0},
            tmp_path / str(every),
        )
        list(trainer.iter_fit())
        runs[every] = trainer.model.state_dict()
    for key, value in runs[0].items():
        assert torch.equal(value, runs[1][key]), key
    assert len(list((tmp_path / "1" / "stats").glob("*.npz"))) == 3
    assert not list((tmp_path / "0" / "stats").glob("*.npz"))


def test_models_too_big_to_copy_get_their_statistics_inline(tmp_path, monkeypatch, shadow_on_cpu):
    monkeypatch.setattr(StatsRecorder, "SHADOW_LIMIT", 0)
    trainer = Trainer(dropout_project(), blobs(64), {**FAST, "epochs": 1}, tmp_path / "inline")
    events = list(trainer.iter_fit())
    recorder = next(cb for cb in trainer.callbacks if isinstance(cb, StatsRecorder))
    assert recorder._shadow is None
    assert [e.epoch for e in events if isinstance(e, StatsRecorded)] == [1]
    assert (
        stats_differences(dict(np.load(tmp_path / "inline" / "stats" / "epoch_001.npz")), recorder.last) == []
    )
    monkeypatch.setattr(StatsRecorder, "SHADOW_LIMIT", 2**40)
    shadowed = Trainer(dropout_project(), blobs(64), {**FAST, "epochs": 1}, tmp_path / "shadow")
    list(shadowed.iter_fit())
    assert (
        stats_differences(dict(np.load(tmp_path / "shadow" / "stats" / "epoch_001.npz")), recorder.last) == []
    )


def test_a_failing_statistics_write_fails_the_run_with_its_message(tmp_path, monkeypatch):
    def full_disk(self, epoch, arrays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RunDir, "save_stats", full_disk)
    events = list(Trainer(mlp_project(), blobs(64), {**FAST, "epochs": 3}, tmp_path).iter_fit())
    assert isinstance(events[-1], RunFailed) and "No space left on device" in events[-1].message
    assert json.loads((tmp_path / "summary.json").read_text())["status"] == "failed"
    assert (tmp_path / "checkpoints" / "last.safetensors").is_file()  # the last good weights stay
    assert not [t for t in threading.enumerate() if t.name.startswith("studio-run")]


def test_validated_event_carries_val_metrics(tmp_path):
    events = list(Trainer(mlp_project(), blobs(64), FAST, tmp_path).iter_fit())
    validated = [e for e in events if isinstance(e, Validated)]
    epoch_ends = [e for e in events if isinstance(e, EpochEnd)]
    assert [v.metrics for v in validated] == [e.metrics["val"] for e in epoch_ends]


@pytest.mark.parametrize(
    ("budget", "expected"),
    [(1.0, [1, 2, 3, 4]), (1e-9, [1, 4])],  # 1: every epoch; tiny: only the first and the last
)
def test_statistics_stay_within_their_time_budget(tmp_path, budget, expected):
    cfg = {**FAST, "epochs": 4, "stats_budget": budget}
    trainer = Trainer(mlp_project(), blobs(64), cfg, tmp_path)
    events = list(trainer.iter_fit())
    assert isinstance(events[-1], RunFinished)
    assert [e.epoch for e in events if isinstance(e, StatsRecorded)] == expected
    assert sorted(p.name for p in (tmp_path / "stats").glob("*.npz")) == [
        f"epoch_{e:03d}.npz" for e in expected
    ]
    assert trainer.stats.spent > 0  # the passes' CPU time is what the budget is charged with


def test_statistics_every_k_epochs_keep_their_turn(tmp_path):
    events = list(
        Trainer(
            mlp_project(), blobs(64), {**FAST, "epochs": 5, "stats_every": 2, "stats_budget": 1.0}, tmp_path
        ).iter_fit()
    )
    assert [e.epoch for e in events if isinstance(e, StatsRecorded)] == [2, 4]


def test_elapsed_counts_training_not_the_consumer_nor_pauses(tmp_path):
    # The budgets of statistics and checkpoints are shares of this time.
    trainer = Trainer(mlp_project(), blobs(64), FAST, tmp_path)
    start = time.perf_counter()
    for event in trainer.iter_fit():
        if isinstance(event, StepEnd) and event.step == 2:
            time.sleep(0.5)  # the consumer's own time
            trainer.pause()
            threading.Timer(0.5, trainer.resume).start()  # half a second paused
    wall = time.perf_counter() - start
    assert 0 < trainer.elapsed() <= wall - 0.9
