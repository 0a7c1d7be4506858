"""Display data of a node from the catalog (:class:`~studio.ui.canvas.node_item.NodeLook`).

The one place where the canvas reads a layer spec: title, category, ports and
their dtypes. Items receive the result and never see the registry or model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.compiler.blocks import resolve_spec
from studio.core.blocks import BLOCK_TYPE
from studio.layers.ports import node_params
from studio.ui.canvas.node_item import NodeLook, PortLook

if TYPE_CHECKING:
    from studio.core.graph import Node
    from studio.ui.document import Document


def node_look(document: Document, node: Node) -> NodeLook:
    """What the card of ``node`` shows, from the document's catalog.

    Parameters
    ----------
    document
        Gives the registry and the graph (block definitions).
    node
        The node (read only).

    Returns
    -------
    NodeLook
        Title, type title, category and typed ports; an unknown type gets a
        grey card with the ports its wires use.
    """
    graph = document.graph
    spec = document.registry.get(node.type)
    portset = graph.ports(node)
    if spec is None:
        ins = (
            tuple(dict.fromkeys(e.dst[1] for e in graph.in_edges(node.id))) if node.id in graph.nodes else ()
        )
        outs = (
            tuple(dict.fromkeys(e.src[1] for e in graph.out_edges(node.id))) if node.id in graph.nodes else ()
        )
        return NodeLook(
            node.id,
            node.name,
            f"unknown {node.type}",
            "",
            tuple(PortLook(n) for n in ins or ("x",)),
            tuple(PortLook(n) for n in outs or ("y",)),
        )
    dtypes: dict[str, PortLook] = {}
    type_title = spec.title
    try:
        resolved = resolve_spec(graph, node, document.registry) or spec
        p = node_params(resolved, node)
        for port in (*resolved.input_ports(p), *resolved.output_ports(p)):
            dtypes[port.name] = PortLook(port.name, port.dtype, port.label, port.optional)
        type_title = resolved.title or spec.title
    except Exception:  # a block without definition or odd params: plain ports still work
        pass
    if portset is not None:
        inputs, outputs = portset.inputs, portset.outputs
    else:
        inputs = tuple(p.name for p in spec.inputs)
        outputs = tuple(p.name for p in spec.outputs)
    description, badge = spec.description, ""
    block = graph.blocks.get(node.params.get("block")) if node.type == BLOCK_TYPE else None
    if block is not None:  # an instance shows its block's name and a badge (stacked card)
        type_title, badge = block.name, ("SHARED" if node.params.get("shared") else "BLOCK")
        layers = len(block.graph.nodes) - len(block.input_names()) - len(block.output_names())
        description = f"Instance of block '{block.name}' ({layers} layers); double-click to edit the block"
    return NodeLook(
        node.id,
        node.name,
        type_title,
        spec.category,
        tuple(dtypes.get(n, PortLook(n)) for n in inputs),
        tuple(dtypes.get(n, PortLook(n)) for n in outputs),
        description,
        badge=badge,
    )
