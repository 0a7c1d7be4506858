"""Opening run directories for inspection: the model the run trained, with its weights."""

from __future__ import annotations

import json

import pytest
import torch

from studio.data import load_dataset
from studio.inspection.hooks import InspectionError, capture_activations, recording, resolve_module
from studio.inspection.run import RunError, list_checkpoints, open_run
from studio.templates.catalog import get_template
from studio.training.loop import Trainer


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory):
    project = get_template("mlp").build()
    training = {**project.training, "epochs": 2, "checkpoint_every": 1}
    project.training = training
    data = load_dataset(dict(project.data), seed=0)
    out = tmp_path_factory.mktemp("run")
    trainer = Trainer(project, data, training, out)
    trainer.fit()
    return out, trainer


def test_open_run_loads_the_trained_weights(mlp_run):
    out, trainer = mlp_run
    run = open_run(out, "last")
    trained = trainer.model.state_dict()
    for key, value in run.model.state_dict().items():
        assert torch.equal(value.cpu(), trained[key].cpu()), key
    assert not run.model.training  # opened for inference
    assert run.checkpoint.name == "last.safetensors"


def test_run_lists_its_checkpoints_and_switches_between_them(mlp_run):
    out, _ = mlp_run
    labels = [c.label for c in list_checkpoints(out)]
    assert labels[:2] == ["best", "last"]
    assert "epoch 1" in labels and "epoch 2" in labels
    run = open_run(out, "epoch_001")
    first = {k: v.clone() for k, v in run.model.state_dict().items()}
    run.load_weights("last")
    assert any(not torch.equal(first[k], v) for k, v in run.model.state_dict().items())


def test_run_gives_the_same_splits_and_its_epoch_metrics(mlp_run):
    out, trainer = mlp_run
    run = open_run(out)
    assert len(run.split("val")) == len(trainer.data.val)
    x0, y0 = run.split("val")[0]
    assert torch.equal(x0, trainer.data.val[0][0])
    assert [r["epoch"] for r in run.metrics()] == [1, 2]
    assert run.summary["status"] == "finished"


def test_bad_runs_give_one_line_errors(tmp_path, mlp_run):
    with pytest.raises(RunError, match="no such run directory"):
        open_run(tmp_path / "missing")
    (tmp_path / "project.nsproj.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RunError, match="project.nsproj.json"):
        open_run(tmp_path)
    out, _ = mlp_run
    with pytest.raises(RunError, match="no checkpoint 'epoch_099'.*best"):
        open_run(out, "epoch_099")


def test_torn_metrics_line_is_skipped(tmp_path, mlp_run):
    out, _ = mlp_run
    run = open_run(out)
    with open(out / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"kind": "epoch", "epo')  # a writer interrupted mid-line
    try:
        assert len(run.metrics()) == 2
    finally:
        text = (out / "metrics.jsonl").read_text(encoding="utf-8")
        (out / "metrics.jsonl").write_text(text[: text.rindex("\n") + 1], encoding="utf-8")
    json.loads((out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()[-1])


def test_hooks_capture_named_nodes_and_are_removed_after_errors(mlp_run):
    out, _ = mlp_run
    run = open_run(out)
    names = [n for n, _ in run.model.named_children()]
    x = torch.randn(5, 2)
    acts = capture_activations(run.model, x, names[:2])
    assert set(acts) == set(names[:2]) and acts[names[0]].shape[0] == 5
    module = resolve_module(run.model, names[0])
    with pytest.raises(RuntimeError), recording(run.model, [names[0]]):
        run.model(torch.randn(5, 7))  # wrong feature count
    assert not module._forward_hooks
    with pytest.raises(InspectionError, match="no node or module 'nope'"):
        resolve_module(run.model, "nope")
