"""Grouping a selection into a block and expanding it back."""

from __future__ import annotations

from studio.core.blocks import BLOCK_TYPE, block_uses, instances_of
from studio.core.graph import GraphModel
from studio.core.grouping import expand_block, group_into_block
from studio.core.history import History
from studio.core.serialize import graph_from_dict, graph_to_dict
from tests.core.helpers import add, wire


def _residual() -> tuple[GraphModel, dict]:
    graph = GraphModel()
    n = {}
    n["x"] = add(graph, "core.input_image")
    n["conv"] = add(graph, "core.conv2d", out_channels=1, padding=1)
    n["relu"] = add(graph, "core.relu")
    n["add"] = add(graph, "core.add")
    n["out"] = add(graph, "core.output")
    wire(graph, n["x"], n["conv"])
    wire(graph, n["conv"], n["relu"])
    wire(graph, n["relu"], n["add"], dst="in0")
    wire(graph, n["x"], n["add"], dst="in1")
    wire(graph, n["add"], n["out"])
    return graph, n


def _canonical(graph: GraphModel) -> tuple:
    name = {nid: n.name for nid, n in graph.nodes.items()}
    nodes = sorted((n.name, n.type, sorted(n.params.items())) for n in graph.nodes.values())
    edges = sorted(((name[e.src[0]], e.src[1]), (name[e.dst[0]], e.dst[1])) for e in graph.edges)
    return nodes, edges


def test_group_then_expand_round_trips_and_undo_restores() -> None:
    graph, n = _residual()
    before = _canonical(graph)
    history = History(graph)
    history.push(group_into_block(graph, [n["conv"].id, n["relu"].id, n["add"].id], "res_block"))
    assert set(graph.blocks) == {"res_block"}
    block = graph.blocks["res_block"]
    assert block.input_names() == ("input_image_1",)
    assert len(block.output_names()) == 1 and block.class_name() == "ResBlock"
    [instance] = instances_of(graph, "res_block")
    assert graph.node(instance).type == BLOCK_TYPE
    assert len(graph.nodes) == 3 and len(graph.edges) == 2
    history.push(expand_block(graph, instance))
    assert _canonical(graph) == before
    history.undo()
    history.undo()
    assert _canonical(graph) == before and graph.blocks == {}


def test_blocks_survive_serialisation_and_detect_recursion() -> None:
    graph, n = _residual()
    graph_macro = group_into_block(graph, [n["conv"].id, n["relu"].id], "features")
    graph_macro.do(graph)
    data = graph_to_dict(graph)
    again = graph_from_dict(data)
    assert graph_to_dict(again) == data
    assert again.blocks["features"].input_names() == graph.blocks["features"].input_names()
    assert block_uses(again.blocks, "features") == {"features"}


def test_block_ports_sit_where_the_outside_neighbours_were() -> None:
    graph, n = _residual()
    for i, node in enumerate(graph.nodes.values()):
        node.position = (240.0 * i, 0.0)
    group_into_block(graph, [n["conv"].id, n["relu"].id], "features").do(graph)
    inner = graph.blocks["features"].graph
    by_name = {node.name: node.position for node in inner.nodes.values()}
    [out_name] = graph.blocks["features"].output_names()
    [in_name] = graph.blocks["features"].input_names()
    assert by_name[in_name] == n["x"].position  # the source outside
    assert by_name[out_name] == n["add"].position  # the consumer outside, not on top of relu
    assert by_name[out_name] != by_name[n["relu"].name]


def test_a_selection_nothing_uses_gets_its_unconnected_outputs_as_block_outputs() -> None:
    from studio.layers.ports import port_resolver
    from studio.layers.registry import LayerRegistry

    graph = GraphModel(port_resolver(LayerRegistry.with_builtins()))
    x, conv, relu = add(graph, "core.input_image"), add(graph, "core.conv2d"), add(graph, "core.relu")
    wire(graph, x, conv)
    wire(graph, conv, relu)  # relu ends the graph: nothing outside the selection uses it
    group_into_block(graph, [conv.id, relu.id], "stage").do(graph)
    block = graph.blocks["stage"]
    [out_name] = block.output_names()
    out = next(node for node in block.graph.nodes.values() if node.name == out_name)
    into_out = [(e.src, e.dst) for e in block.graph.edges if e.dst[0] == out.id]
    assert into_out == [((relu.id, "y"), (out.id, "x"))]
    assert out.position[0] > relu.position[0]  # beside the node it follows, not on top of it
