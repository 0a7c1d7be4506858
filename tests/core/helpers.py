"""Graph builders for the pure core tests (no catalog, no torch)."""

from __future__ import annotations

from studio.core.graph import Edge, GraphModel, Node


def add(graph: GraphModel, type_id: str, **params) -> Node:
    """Add a node of ``type_id`` with a derived name and return it."""
    node = Node(graph.new_id(), type_id, graph.new_name(type_id.split(".")[-1]), dict(params))
    graph.add_node(node)
    return node


def wire(graph: GraphModel, a: Node, b: Node, src: str = "y", dst: str = "x") -> Edge:
    """Connect ``a.src`` to ``b.dst``."""
    edge = Edge((a.id, src), (b.id, dst))
    graph.connect(edge)
    return edge


def chain(n: int = 3) -> tuple[GraphModel, list[Node]]:
    """input -> linear_1 -> ... -> output."""
    graph = GraphModel()
    nodes = [add(graph, "core.input_vector", features=4)]
    for _ in range(n):
        nodes.append(add(graph, "core.linear", out_features=8))
        wire(graph, nodes[-2], nodes[-1])
    nodes.append(add(graph, "core.output"))
    wire(graph, nodes[-2], nodes[-1])
    return graph, nodes
