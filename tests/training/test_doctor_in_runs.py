"""The training doctor attached to real runs."""

from __future__ import annotations

import json

import numpy as np
import torch
from torch.utils.data import TensorDataset

from studio.core.graph import Edge, Node
from studio.data.bundle import DataBundle
from studio.templates import get_template
from studio.training.diagnose import layer_statistics
from studio.training.loop import Trainer


def _bundle(n: int = 128, scale: float = 1.0) -> DataBundle:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=g) * scale
    y = (x[:, 0] > 0).long()
    ds = TensorDataset(x, y)
    return DataBundle("toy", "classification", ds, ds, None, [(2,)], (), 2, ["a", "b"])


def _findings(run_dir) -> list[dict]:
    path = run_dir / "doctor.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_healthy_mlp_run_has_no_warnings(tmp_path) -> None:
    project = get_template("mlp").build()
    bundle = _bundle()
    bundle.mean, bundle.std = [0.0], [1.0]
    summary = Trainer(project, bundle, {"epochs": 3, "lr": 0.01, "batch_size": 32}, tmp_path).fit()
    assert summary["status"] == "finished"
    assert [f for f in _findings(tmp_path) if f["severity"] != "info"] == []


def test_doctor_names_the_softmax_head_and_raw_inputs(tmp_path) -> None:
    project = get_template("mlp").build()
    graph = project.graph
    logits, out = graph.node_by_name("logits"), graph.node_by_name("output")
    graph.disconnect(graph.in_edges(out.id)[0])
    soft = Node(graph.new_id(), "core.softmax", "probs")
    graph.add_node(soft)
    graph.connect(Edge((logits.id, "y"), (soft.id, "x")))
    graph.connect(Edge((soft.id, "y"), (out.id, "x")))
    Trainer(project, _bundle(scale=100.0), {"epochs": 1, "batch_size": 32}, tmp_path).fit()
    found = {f["code"]: f for f in _findings(tmp_path)}
    assert found["softmax_before_loss"]["node"] == "probs"
    assert found["softmax_before_loss"]["severity"] == "error"
    assert "mean" in found["unnormalised_input"]["message"]


def test_doctor_explains_a_diverging_run(tmp_path) -> None:
    config = {"epochs": 2, "lr": 1e6, "batch_size": 16, "optimizer": "sgd"}
    summary = Trainer(get_template("mlp").build(), _bundle(scale=100.0), config, tmp_path).fit()
    assert summary["status"] == "failed"
    found = {f["code"]: f for f in _findings(tmp_path)}
    failure = found["loss_not_finite"]
    assert failure["severity"] == "error" and "learning rate" in failure["fix"]
    assert failure["step"] >= 1


def test_layer_statistics_aggregate_parameters_per_node() -> None:
    arrays = {
        "grad/linear_1.weight/norm": np.float32(3.0),
        "grad/linear_1.bias/norm": np.float32(4.0),
        "act/relu_1/dead_fraction": np.float32(0.25),
        "weight/linear_1.weight/norm": np.float32(9.0),
    }
    stats = layer_statistics(arrays)
    assert stats["linear_1"] == {"grad_norm": 5.0}
    assert stats["relu_1"] == {"dead_fraction": 0.25}
