"""Shape inference: numbers, error placement and incremental updates."""

from __future__ import annotations

import json
import random

import pytest

from studio.compiler.infer import GraphReport, ShapeInference, infer_graph
from studio.compiler.report import check_report
from studio.core.graph import Edge, GraphError, Node
from studio.layers.registry import LayerRegistry
from studio.layers.spec import LayerSpec, Param
from tests.compiler.graphs import LENET5_SHAPES, add, chain, empty, lenet5, long_chain, wire

REGISTRY = LayerRegistry.with_builtins()


def by_name(graph, report: GraphReport) -> dict:
    return {graph.nodes[nid].name: res for nid, res in report.nodes.items()}


def test_lenet5_totals_and_shapes() -> None:
    graph = lenet5(REGISTRY)
    report = infer_graph(graph, REGISTRY)
    assert report.ok and report.errors == []
    assert report.total_params == 61_706
    assert report.trainable_params == 61_706
    assert report.total_macs == 416_520
    shapes = [res.output_shapes["y"] for res in report.nodes.values()]
    assert shapes == LENET5_SHAPES
    res = by_name(graph, report)
    assert res["conv2d_1"].params == 156 and res["conv2d_1"].macs == 6 * 28 * 28 * 25
    assert res["conv2d_2"].params == 2_416
    assert res["linear_1"].params == 48_120 and res["linear_1"].macs == 48_000
    assert res["relu_1"].activation_bytes == 4 * 6 * 28 * 28
    assert report.activation_bytes == 4 * sum(
        (s[1] * s[2] * s[3]) if len(s) == 4 else s[1] for s in LENET5_SHAPES
    )


def test_linear_after_conv_without_flatten_errors_on_linear() -> None:
    graph = chain(
        REGISTRY,
        [
            ("core.input_image", {"channels": 1, "height": 8, "width": 8}),
            ("core.conv2d", {"out_channels": 4, "kernel_size": 3}),
            ("core.linear", {"out_features": 10}),
            ("core.output", {}),
        ],
    )
    report = infer_graph(graph, REGISTRY)
    res = by_name(graph, report)
    linear = graph.node_by_name("linear_1")
    assert len(report.errors) == 1  # the root cause only, nothing downstream
    node_id, port, message = report.errors[0]
    assert (node_id, port) == (linear.id, "x")
    assert "insert Flatten" in message
    assert res["conv2d_1"].ok and res["conv2d_1"].output_shapes == {"y": (None, 4, 6, 6)}
    assert res["output_1"].output_shapes == {} and res["output_1"].errors == []


def test_unwired_invalid_and_unknown_nodes() -> None:
    graph = empty(REGISTRY)
    linear = add(graph, "core.linear", {"out_features": 3})
    bad = add(graph, "core.conv2d", {"out_channels": 0})
    ghost_id = graph.new_id()
    graph.add_node(Node(ghost_id, "acme.thing", "thing_1", {"k": 1}))
    wire(graph, linear, ghost_id, "y", "x")
    report = infer_graph(graph, REGISTRY)
    errors = {(nid, port): msg for nid, port, msg in report.errors}
    assert errors[(linear, "x")] == "input 'x' is not connected"
    assert "'out_channels' must be >= 1" in errors[(bad, "")]
    assert errors[(ghost_id, "")] == "unknown layer type 'acme.thing' (missing plugin?)"


def test_graph_without_input_or_output_is_not_an_error() -> None:
    assert infer_graph(empty(REGISTRY), REGISTRY).ok
    only_input = chain(REGISTRY, [("core.input_vector", {"features": 3}), ("core.linear", {})])
    report = infer_graph(only_input, REGISTRY)
    assert report.ok and report.total_params == 3 * 10 + 10


class _Broken(LayerSpec):
    type_id = "test.broken"
    title = "Broken"

    def shape(self, p, x):
        return x[5]  # IndexError: a bug in a plugin's rule


class _RuleLess(LayerSpec):
    """A plugin layer with no shape rule: inference falls back to the meta device."""

    type_id = "test.ruleless"
    title = "Rule-less"
    params = (Param("out", "int", 5, "width"),)

    def build(self, p, inputs):
        from torch import nn

        return nn.Linear(inputs["x"][-1], p["out"])


def test_buggy_rule_is_reported_and_ruleless_layer_uses_meta_fallback() -> None:
    registry = LayerRegistry.with_builtins()
    registry.register(_Broken, origin="test")
    registry.register(_RuleLess, origin="test")
    graph = chain(registry, [("core.input_vector", {"features": 7}), ("test.ruleless", {"out": 3})])
    wire(graph, list(graph.nodes)[0], add(graph, "test.broken"))
    report = infer_graph(graph, registry)
    res = by_name(graph, report)
    assert res["ruleless_1"].output_shapes == {"y": (None, 3)}
    assert res["ruleless_1"].params == 7 * 3 + 3
    ((node_id, port, message),) = report.errors
    assert graph.nodes[node_id].name == "broken_1"
    assert message.startswith("internal error in test.broken: IndexError")


def assert_same_as_fresh(graph, inference: ShapeInference) -> None:
    live, fresh = inference.report(), infer_graph(graph, REGISTRY)
    assert list(live.nodes) == list(fresh.nodes)
    assert live == fresh


def test_incremental_recomputes_only_changed_node_and_consumers() -> None:
    graph = lenet5(REGISTRY)
    inference = ShapeInference(graph, REGISTRY)
    assert inference.report().total_params == 61_706
    assert inference.recomputed == len(graph.nodes)
    ids = {n.name: n.id for n in graph.nodes.values()}

    inference.recomputed = 0
    graph.move(ids["conv2d_1"], (10.0, 20.0))
    graph.rename(ids["relu_1"], "act")
    inference.report()
    assert inference.recomputed == 0

    # linear_2 84 -> 50: linear_2, relu_4 and linear_3 change; linear_3's output does not.
    graph.set_param(ids["linear_2"], "out_features", 50)
    report = inference.report()
    assert inference.recomputed == 3
    assert report.total_params == 61_706 - (120 * 34 + 34) - 34 * 10
    assert_same_as_fresh(graph, inference)

    # An upstream edit propagates until shapes stop changing, never beyond descendants.
    inference.recomputed = 0
    graph.set_param(ids["input_image_1"], "height", 36)
    inference.report()
    assert 1 < inference.recomputed <= 1 + len(graph.descendants(ids["input_image_1"]))
    assert_same_as_fresh(graph, inference)


def test_incremental_matches_fresh_inference_after_random_edits() -> None:
    rng = random.Random(7)
    graph = lenet5(REGISTRY)
    inference = ShapeInference(graph, REGISTRY)
    edits = [
        ("conv2d", "out_channels", [1, 6, 16, 0]),
        ("conv2d", "kernel_size", [3, 5, 40]),
        ("maxpool2d", "kernel_size", [1, 2, 3]),
        ("linear", "out_features", [1, 10, 120]),
        ("input_image", "height", [20, 32, 64]),
    ]
    removed: list[Edge] = []
    for _ in range(60):
        action = rng.random()
        if action < 0.6:
            base, key, values = rng.choice(edits)
            node = rng.choice([n for n in graph.nodes.values() if n.name.startswith(base)])
            graph.set_param(node.id, key, rng.choice(values))
        elif action < 0.8 and graph.edges:
            edge = rng.choice(graph.edges)
            graph.disconnect(edge)
            removed.append(edge)
        elif removed:
            edge = removed.pop(rng.randrange(len(removed)))
            try:
                graph.connect(edge)
            except GraphError:
                pass
        if rng.random() < 0.1:
            lonely = add(graph, "core.relu")
            assert_same_as_fresh(graph, inference)
            graph.remove_node(lonely)
        assert_same_as_fresh(graph, inference)


def test_incremental_param_edit_is_local_on_long_chain() -> None:
    graph = long_chain(REGISTRY, 1000)
    inference = ShapeInference(graph, REGISTRY)
    inference.report()
    middle = list(graph.nodes)[501]
    assert graph.nodes[middle].type == "core.linear"
    inference.recomputed = 0
    graph.set_param(middle, "out_features", 32)
    report = inference.report()
    assert inference.recomputed == 3  # the linear, its relu, the next linear
    assert report == infer_graph(graph, REGISTRY)


def test_check_report_schema() -> None:
    graph = lenet5(REGISTRY)
    graph.set_param(graph.node_by_name("linear_1").id, "out_features", 0)
    doc = json.loads(json.dumps(check_report(graph, REGISTRY)))
    assert set(doc) == {
        "format",
        "total_params",
        "trainable_params",
        "total_macs",
        "activation_bytes",
        "nodes",
        "errors",
    }
    assert doc["format"] == 1
    assert [n["name"] for n in doc["nodes"]][:3] == ["input_image_1", "conv2d_1", "relu_1"]
    conv = doc["nodes"][1]
    assert set(conv) == {
        "id",
        "name",
        "type",
        "output_shapes",
        "params",
        "macs",
        "activation_bytes",
        "errors",
    }
    assert conv["type"] == "core.conv2d" and conv["output_shapes"] == [[None, 6, 28, 28]]
    assert conv["params"] == 156 and conv["errors"] == []
    linear = next(n for n in doc["nodes"] if n["name"] == "linear_1")
    assert linear["output_shapes"] == [None] and linear["errors"][0]["port"] == ""
    (error,) = doc["errors"]
    assert error["node"] == linear["id"] and "out_features" in error["message"]


@pytest.mark.parametrize("n", [10, 200])
def test_long_chain_infers(n: int) -> None:
    report = infer_graph(long_chain(REGISTRY, n), REGISTRY)
    assert report.ok and len(report.nodes) == n


needs_merge = pytest.mark.skipif(
    not {"core.concat", "core.split"} <= set(REGISTRY.ids()), reason="merge layers not registered yet"
)


@needs_merge
def test_port_count_edits_report_dangling_edges() -> None:
    graph = empty(REGISTRY)
    src = add(graph, "core.input_vector", {"features": 6})
    cat = add(graph, "core.concat", {"num_inputs": 3})
    for port in ("in0", "in1", "in2"):
        wire(graph, src, cat, dst_port=port)
    split = add(graph, "core.split", {"chunks": 3})
    wire(graph, cat, split)
    out = add(graph, "core.output")
    wire(graph, split, out, src_port="out2")
    inference = ShapeInference(graph, REGISTRY)
    report = inference.report()
    assert report.ok and report.nodes[out].output_shapes == {"y": (None, 6)}

    graph.set_param(split, "chunks", 2)
    assert inference.report().errors == [(out, "x", "'split_1' has no output 'out2': reconnect input 'x'")]
    graph.set_param(cat, "num_inputs", 2)
    errors = inference.report().errors
    assert errors == [(cat, "in2", "input 'in2' no longer exists: disconnect it")]
    assert_same_as_fresh(graph, inference)
