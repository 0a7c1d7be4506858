"""Edits the canvas composes from several document steps (one undo step each).

The document exposes single edits; a few canvas gestures need two at once
(add a layer already wired, delete nodes and wires together). These helpers
build the core commands and push them as one step with
``document.history.push_all`` — the document stays the only writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.core.commands import AddNode, Command, Connect, Disconnect, RemoveNode
from studio.core.graph import Edge, GraphError, Node

if TYPE_CHECKING:
    from studio.ui.document import Document


def new_node(
    document: Document, type_id: str, position: tuple[float, float], params: dict | None = None
) -> Node:
    """A node for ``type_id`` with a fresh id and name (not yet in the graph).

    Raises
    ------
    ValueError
        When the catalog has no such type.
    """
    spec = document.registry.get(type_id)
    if spec is None:
        raise ValueError(f"unknown layer type '{type_id}'")
    graph = document.graph
    base = spec.type_id.split(".", 1)[-1]
    return Node(graph.new_id(), spec.type_id, graph.new_name(base), dict(params or {}), position)


def add_layer(
    document: Document, type_id: str, position: tuple[float, float], wire_from: str | None = None
) -> str:
    """Add a layer; with ``wire_from``, wire that node's first output to its first input.

    Parameters
    ----------
    document
        The document to edit.
    type_id
        The layer type.
    position
        Top-left corner of the new card.
    wire_from
        Id of a node whose first output should feed the new layer.

    Returns
    -------
    str
        The new node's id.
    """
    if wire_from is None or wire_from not in document.graph.nodes:
        return document.add_node(type_id, position)
    node = new_node(document, type_id, position)
    graph = document.graph
    src_ports, dst_ports = graph.ports(graph.nodes[wire_from]), graph.ports(node)
    if not (src_ports and src_ports.outputs and dst_ports and dst_ports.inputs):
        return document.add_node(type_id, position)
    edge = Edge((wire_from, src_ports.outputs[0]), (node.id, dst_ports.inputs[0]))
    try:
        document.history.push_all([AddNode(node), Connect(edge)], f"add {node.name}")
    except GraphError:
        return document.add_node(type_id, position)
    return node.id


def delete(document: Document, node_ids: list[str], edges: list[Edge]) -> int:
    """Delete nodes (with their wires) and wires as one undo step.

    Returns
    -------
    int
        How many nodes and wires were removed.
    """
    ids = [nid for nid in dict.fromkeys(node_ids) if nid in document.graph.nodes]
    gone = set(ids)
    wires = [e for e in dict.fromkeys(edges) if e in document.graph.edges and not {e.src[0], e.dst[0]} & gone]
    if not ids and not wires:
        return 0
    commands: list[Command] = [Disconnect(e) for e in wires]
    commands += [RemoveNode(nid) for nid in ids]
    parts = [f"{len(ids)} node(s)"] * bool(ids) + [f"{len(wires)} wire(s)"] * bool(wires)
    document.history.push_all(commands, "delete " + " and ".join(parts))
    return len(ids) + len(wires)


def move(document: Document, positions: dict[str, tuple[float, float]]) -> None:
    """Move nodes as one finished undo step (layout, align, distribute)."""
    graph = document.graph
    changed = {n: p for n, p in positions.items() if n in graph.nodes and graph.nodes[n].position != p}
    if changed:
        document.history.seal()
        document.move_nodes(changed, finished=True)
