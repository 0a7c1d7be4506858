"""GraphModel: ids, names, ports, cycles, events."""

from __future__ import annotations

import pytest

from studio.core.graph import Edge, GraphError, GraphModel, Node, PortSet
from tests.core.helpers import add, chain, wire


def test_ids_are_stable_and_never_reused() -> None:
    graph, nodes = chain(2)
    last = nodes[-1].id
    graph.disconnect(graph.in_edges(last)[0])
    graph.remove_node(last)
    fresh = add(graph, "core.relu")
    assert fresh.id != last
    assert fresh.name == "relu_1"


def test_names_are_unique_derived_and_valid() -> None:
    graph = GraphModel()
    a, b = add(graph, "core.conv2d"), add(graph, "core.conv2d")
    assert (a.name, b.name) == ("conv2d_1", "conv2d_2")
    with pytest.raises(GraphError, match="already used"):
        graph.rename(b.id, "conv2d_1")
    with pytest.raises(GraphError, match="attribute of nn.Module"):
        graph.rename(b.id, "forward")
    with pytest.raises(GraphError, match="not a valid Python identifier"):
        graph.rename(b.id, "2fast")
    graph.rename(b.id, "features")
    assert graph.node_by_name("features") is b


def test_multiple_edges_between_same_nodes_allowed() -> None:
    graph = GraphModel()
    x, add_node = add(graph, "core.input_vector"), add(graph, "core.add")
    wire(graph, x, add_node, dst="in0")
    wire(graph, x, add_node, dst="in1")
    assert len(graph.edges) == 2
    assert graph.successors(x.id) == [add_node.id]


def test_cycles_self_loops_and_double_inputs_refused() -> None:
    graph, nodes = chain(2)
    with pytest.raises(GraphError, match="cycle"):
        graph.connect(Edge((nodes[2].id, "y"), (nodes[1].id, "x2")))
    with pytest.raises(GraphError, match="itself"):
        graph.connect(Edge((nodes[1].id, "y"), (nodes[1].id, "x2")))
    with pytest.raises(GraphError, match="already connected"):
        graph.connect(Edge((nodes[0].id, "y"), (nodes[2].id, "x")))


def test_port_resolver_checks_port_names() -> None:
    graph = GraphModel(lambda g, n: PortSet(("x",), ("y",)))
    a, b = add(graph, "core.linear"), add(graph, "core.linear")
    with pytest.raises(GraphError, match="no output port 'out'"):
        graph.connect(Edge((a.id, "out"), (b.id, "x")))
    with pytest.raises(GraphError, match="no input port 'z'"):
        graph.connect(Edge((a.id, "y"), (b.id, "z")))


def test_each_mutation_emits_one_event_after_the_change() -> None:
    graph = GraphModel()
    seen: list[tuple] = []
    graph.events.changed.connect(lambda name, *args: seen.append((name, len(graph.nodes))))
    node = add(graph, "core.relu")
    graph.set_param(node.id, "inplace", False)
    graph.move(node.id, (10, 20))
    graph.rename(node.id, "act")
    graph.remove_node(node.id)
    assert [s[0] for s in seen] == ["node_added", "param_changed", "node_moved", "renamed", "node_removed"]
    assert seen[0][1] == 1 and seen[-1][1] == 0  # emitted after the mutation


def test_weak_method_subscribers_do_not_leak() -> None:
    graph = GraphModel()

    class View:
        def __init__(self) -> None:
            self.count = 0

        def on_change(self, *args) -> None:
            self.count += 1

    view = View()
    graph.events.changed.connect(view.on_change)
    add(graph, "core.relu")
    assert view.count == 1
    del view
    add(graph, "core.relu")
    assert len(graph.events.changed) == 0


def test_topological_order_is_stable_for_multiple_inputs() -> None:
    graph = GraphModel()
    a, b = add(graph, "core.input_vector"), add(graph, "core.input_vector")
    cat = add(graph, "core.concat")
    out1, out2 = add(graph, "core.output"), add(graph, "core.output")
    wire(graph, b, cat, dst="in1")
    wire(graph, a, cat, dst="in0")
    wire(graph, cat, out2)
    wire(graph, cat, out1)
    assert graph.topological_order() == [a.id, b.id, cat.id, out1.id, out2.id]
    assert graph.source_of(cat.id, "in0") == (a.id, "y")


def test_remove_connected_node_refused() -> None:
    graph, nodes = chain(1)
    with pytest.raises(GraphError, match="still has edges"):
        graph.remove_node(nodes[1].id)
    assert isinstance(graph.node(nodes[1].id), Node)
