"""Blocks through inference, compilation and export."""

from __future__ import annotations

from pathlib import Path

import torch

from studio.compiler.infer import infer_graph
from studio.compiler.lower import compile_graph
from studio.core.grouping import group_into_block
from studio.layers.registry import LayerRegistry
from tests.compiler.graphs import add, empty, wire
from tests.compiler.test_export import assert_same_model

REGISTRY = LayerRegistry.with_builtins()


def _residual_net():
    graph = empty(REGISTRY)
    x = add(graph, "core.input_image", {"channels": 4, "height": 6, "width": 6}, name="image")
    conv = add(graph, "core.conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1})
    relu = add(graph, "core.relu")
    plus = add(graph, "core.add")
    wire(graph, x, conv)
    wire(graph, conv, relu)
    wire(graph, relu, plus, dst_port="in0")
    wire(graph, x, plus, dst_port="in1")
    pool = add(graph, "core.globalavgpool")
    wire(graph, plus, pool)
    wire(graph, pool, add(graph, "core.output", name="out"))
    return graph, [conv, relu, plus]


def test_grouped_graph_computes_the_same_function() -> None:
    graph, inner_ids = _residual_net()
    torch.manual_seed(0)
    before = compile_graph(graph, REGISTRY).eval()
    params = infer_graph(graph, REGISTRY).total_params
    group_into_block(graph, inner_ids, "res_block").do(graph)
    report = infer_graph(graph, REGISTRY)
    assert report.ok and report.total_params == params
    after = compile_graph(graph, REGISTRY).eval()
    # Same layers, now nested under the block instance's name.
    renamed = {f"res_block_1.{k}": v for k, v in before.state_dict().items()}
    after.load_state_dict(renamed)
    x = torch.randn(2, 4, 6, 6)
    assert torch.equal(before(x), after(x))
    assert type(after.res_block_1).__name__ == "ResBlock"


def test_independent_instances_with_different_shapes_get_their_own_classes(tmp_path: Path) -> None:
    graph, inner_ids = _residual_net()
    group_into_block(graph, inner_ids[:2], "unit").do(graph)
    [inst] = [n.id for n in graph.nodes.values() if n.type == "core.block"]
    # A second, independent instance fed 3 channels instead of 4.
    other_in = add(graph, "core.input_image", {"channels": 3, "height": 5, "width": 5}, name="small")
    second = add(graph, "core.block", {"block": "unit", "shared": False})
    wire(graph, other_in, second, dst_port="image")
    wire(
        graph, second, add(graph, "core.output", name="out2"), src_port=graph.blocks["unit"].output_names()[0]
    )
    report = infer_graph(graph, REGISTRY)
    assert report.ok, report.errors
    conv_params = lambda c_in: c_in * 4 * 9 + 4  # noqa: E731
    assert report.nodes[inst].params == conv_params(4)
    assert report.nodes[second].params == conv_params(3)
    source = assert_same_model(
        graph, tmp_path, [torch.randn(2, 4, 6, 6), torch.randn(2, 3, 5, 5)], "two_units"
    )
    assert "class Unit(nn.Module):" in source and "class Unit2(nn.Module):" in source


def test_shared_instances_count_parameters_once() -> None:
    graph, inner_ids = _residual_net()
    group_into_block(graph, inner_ids, "res").do(graph)
    [first] = [n.id for n in graph.nodes.values() if n.type == "core.block"]
    graph.set_param(first, "shared", True)
    single = infer_graph(graph, REGISTRY).total_params
    second = add(graph, "core.block", {"block": "res", "shared": True})
    wire(graph, first, second, src_port=graph.blocks["res"].output_names()[0], dst_port="image")
    pool = [n.id for n in graph.nodes.values() if n.type == "core.globalavgpool"][0]
    graph.disconnect(graph.in_edges(pool)[0])
    wire(graph, second, pool, src_port=graph.blocks["res"].output_names()[0])
    report = infer_graph(graph, REGISTRY)
    assert report.ok and report.total_params == single
    module = compile_graph(graph, REGISTRY)
    assert sum(p.numel() for p in module.parameters()) == single


def test_undefined_and_broken_blocks_are_node_errors() -> None:
    graph, inner_ids = _residual_net()
    ghost = add(graph, "core.block", {"block": "missing"})
    group_into_block(graph, inner_ids, "res").do(graph)
    inner = graph.blocks["res"].graph
    conv = next(n for n in inner.nodes.values() if n.type == "core.conv2d")
    inner.set_param(conv.id, "kernel_size", 9)
    report = infer_graph(graph, REGISTRY)
    messages = {graph.nodes[nid].name: msg for nid, _, msg in report.errors}
    assert "not defined" in messages[graph.nodes[ghost].name]
    [inst] = [n for n in graph.nodes.values() if n.params.get("block") == "res"]
    assert messages[inst.name].startswith("inside block 'res', conv2d_1: ")
    assert "kernel 9 > input 8 after padding" in messages[inst.name]
