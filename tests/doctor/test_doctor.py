"""The training doctor on real graphs and on curves with known problems."""

from __future__ import annotations

import math

from studio.compiler.infer import infer_graph
from studio.doctor.dynamic import Watcher
from studio.doctor.static import RunFacts, static_findings
from studio.layers.registry import LayerRegistry
from studio.templates import get_template
from tests.compiler.graphs import chain

REGISTRY = LayerRegistry.with_builtins()


def _codes(findings) -> set[str]:
    return {f.code for f in findings}


def _facts(graph, **kw) -> RunFacts:
    report = infer_graph(graph, REGISTRY)
    outputs = {
        n.name: report.nodes[n.id].output_shapes["y"] for n in graph.nodes.values() if n.type == "core.output"
    }
    return RunFacts(output_shapes=outputs, total_params=report.total_params, **kw)


def test_lenet5_template_is_healthy() -> None:
    graph = get_template("lenet5").build().graph
    facts = _facts(graph, num_classes=10, class_counts=[140] * 10, n_train=1300)
    assert static_findings(graph, facts) == []


def test_classic_mistakes_are_named_on_their_node() -> None:
    graph = chain(
        REGISTRY,
        [
            ("core.input_image", {"channels": 1, "height": 8, "width": 8}),
            ("core.conv2d", {"out_channels": 4, "kernel_size": 3}),
            ("core.batchnorm2d", {}),
            ("core.relu", {}),
            ("core.dropout", {}),
            ("core.flatten", {}),
            ("core.linear", {"out_features": 5}),
            ("core.softmax", {}),
            ("core.output", {}),
        ],
    )
    facts = _facts(
        graph,
        batch_size=4,
        num_classes=10,
        class_counts=[100, 10],
        normalized=False,
        input_mean=127.0,
        input_std=60.0,
    )
    found = {f.code: f for f in static_findings(graph, facts)}
    assert set(found) >= {
        "bn_small_batch",
        "bias_before_bn",
        "dropout_on_feature_maps",
        "softmax_before_loss",
        "output_size_mismatch",
        "unnormalised_input",
        "class_imbalance",
    }
    assert found["bias_before_bn"].node == "conv2d_1" and found["softmax_before_loss"].severity == "error"
    assert "10 classes" in found["output_size_mismatch"].message
    assert "Dropout2d" in found["dropout_on_feature_maps"].fix


def test_initial_loss_check_uses_ln_c() -> None:
    good, bad = Watcher("cross_entropy", 10), Watcher("cross_entropy", 10)
    assert good.observe_step(0, 0, math.log(10) + 0.1) == []
    [finding] = bad.observe_step(0, 0, 9.0)
    assert finding.code == "initial_loss" and "2.3" in finding.message


def test_nan_divergence_and_flat_curves() -> None:
    w = Watcher("mse")
    assert _codes(w.observe_step(1, 7, float("nan"))) == {"loss_not_finite"}
    rising = Watcher("mse")
    codes = set()
    for i in range(40):
        codes |= _codes(rising.observe_step(0, i, 1.0 if i < 20 else 1.0 + (i - 19)))
    assert "lr_too_high" in codes
    flat = Watcher("mse")
    codes = set()
    for i in range(120):
        codes |= _codes(flat.observe_step(0, i, 0.5 + 0.001 * (i % 3)))
    assert codes == {"lr_too_low"}


def test_overfitting_and_layer_statistics() -> None:
    w = Watcher()
    curve = [(1.0, 0.9), (0.7, 0.7), (0.5, 0.65), (0.4, 0.7), (0.3, 0.8)]
    codes = set()
    for epoch, (train, val) in enumerate(curve):
        layers = {
            "relu_1": {"dead_fraction": 0.8 if epoch == 4 else 0.1, "grad_norm": 1.0},
            "linear_1": {"grad_norm": 1.0},
        }
        codes |= _codes(w.observe_epoch(epoch, train, val, layers))
    assert {"overfitting", "dead_relu"} <= codes and "vanishing_gradients" not in codes


def test_gradient_flow_and_still_improving() -> None:
    w = Watcher()
    found = w.observe_epoch(0, 1.0, 1.1, {"conv2d_1": {"grad_norm": 1e-9}, "linear_1": {"grad_norm": 0.5}})
    assert [f.node for f in found if f.code == "vanishing_gradients"] == ["conv2d_1"]
    assert _codes(w.observe_epoch(1, 0.8, 0.9, {"linear_1": {"grad_norm": 1e5}})) == {"exploding_gradients"}
    w.observe_epoch(2, 0.6, 0.7)
    assert _codes(w.finish(2)) == {"still_improving"}
    # Each problem is reported once.
    assert w.observe_epoch(3, 0.5, 0.6, {"linear_1": {"grad_norm": 1e6}}) == []


def test_validation_below_a_still_falling_training_loss_is_normal() -> None:
    w = Watcher()
    codes = set()
    for epoch, (train, val) in enumerate([(0.64, 0.56), (0.48, 0.37), (0.33, 0.26)]):
        codes |= _codes(w.observe_epoch(epoch, train, val))
    assert "val_below_train" not in codes
    for epoch, (train, val) in enumerate([(0.30, 0.10), (0.295, 0.1)], start=3):
        codes |= _codes(w.observe_epoch(epoch, train, val))
    assert "val_below_train" in codes
