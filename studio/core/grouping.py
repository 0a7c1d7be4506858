"""Group a selection into a block, and expand a block instance back into nodes.

Both return one :class:`~studio.core.commands.Macro`, so each is a single undo
step, and both go through the ordinary commands (the canvas sees ordinary
node and edge events).
"""

from __future__ import annotations

from studio.core.blocks import BLOCK_INPUT, BLOCK_OUTPUT, BLOCK_TYPE, BlockDef
from studio.core.commands import AddNode, Command, Connect, Macro, RemoveNode, SetBlock
from studio.core.graph import Edge, GraphError, GraphModel, Node
from studio.core.names import sanitize, unique_name


def _centroid(nodes: list[Node]) -> tuple[float, float]:
    xs, ys = [n.position[0] for n in nodes], [n.position[1] for n in nodes]
    return (sum(xs) / len(xs), sum(ys) / len(ys))


def group_into_block(graph: GraphModel, node_ids: list[str], name: str, block_id: str | None = None) -> Macro:
    """Commands replacing ``node_ids`` by one instance of a new block called ``name``.

    Each distinct outside source feeding the selection becomes a block input,
    each selected output used outside becomes a block output (when none is, the
    selection's unconnected outputs become the block's outputs).
    """
    chosen = [graph.node(nid) for nid in dict.fromkeys(node_ids)]
    selected = {n.id for n in chosen}
    if not chosen:
        raise GraphError("select at least one node to group")
    if any(n.type in (BLOCK_INPUT, BLOCK_OUTPUT) for n in chosen):
        raise GraphError("block inputs and outputs cannot be grouped")
    block_id = block_id or unique_name(sanitize(name, "block"), set(graph.blocks))
    inner = GraphModel(graph.port_resolver)
    for node in chosen:
        inner.add_node(node.copy())
    incoming = [e for e in graph.edges if e.dst[0] in selected and e.src[0] not in selected]
    outgoing = [e for e in graph.edges if e.src[0] in selected and e.dst[0] not in selected]
    for edge in graph.edges:
        if edge.src[0] in selected and edge.dst[0] in selected:
            inner.connect(edge)
    in_ports = _add_boundary(inner, graph, [e.src for e in incoming], BLOCK_INPUT, "in")
    # An output port sits where its first consumer outside was, not on top of the node it follows.
    consumers: dict[tuple[str, str], tuple[float, float]] = {}
    for edge in outgoing:
        consumers.setdefault(edge.src, graph.node(edge.dst[0]).position)
    out_refs = [e.src for e in outgoing]
    if not out_refs:
        # Nothing outside uses the selection (it ends the graph, or is not wired on yet): its
        # unconnected outputs become the block's outputs, so the block has a result to wire.
        out_refs = _dangling_outputs(graph, chosen)
        for ref in out_refs:
            x, y = graph.node(ref[0]).position
            consumers[ref] = (x + DANGLING_OFFSET, y)
    out_ports = _add_boundary(inner, graph, out_refs, BLOCK_OUTPUT, "out", consumers)
    for edge in incoming:
        inner.connect(Edge((in_ports[edge.src], "y"), edge.dst))
    for src, port_id in out_ports.items():
        inner.connect(Edge(src, (port_id, "x")))
    block = BlockDef(block_id, name, inner)
    instance = Node(
        graph.new_id(),
        BLOCK_TYPE,
        graph.new_name(sanitize(name, "block")),
        {"block": block_id, "shared": False},
        _centroid(chosen),
    )
    commands: list[Command] = [RemoveNode(n.id) for n in chosen]
    commands += [SetBlock(block_id, block), AddNode(instance)]
    for src, port_id in in_ports.items():
        commands.append(Connect(Edge(src, (instance.id, inner.node(port_id).name))))
    for edge in outgoing:
        commands.append(Connect(Edge((instance.id, inner.node(out_ports[edge.src]).name), edge.dst)))
    return Macro(commands, f"group into {name}")


DANGLING_OFFSET = 220.0  # where an output port for an unconnected output goes, right of its node


def _dangling_outputs(graph: GraphModel, chosen: list[Node]) -> list[tuple[str, str]]:
    """Output ports of ``chosen`` that no edge leaves from, in selection order."""
    used = {e.src for e in graph.edges}
    refs = []
    for node in chosen:
        ports = graph.ports(node)
        for port in ports.outputs if ports is not None else ():
            if (node.id, port) not in used:
                refs.append((node.id, port))
    return refs


def _add_boundary(
    inner: GraphModel,
    outer: GraphModel,
    refs: list[tuple[str, str]],
    type_id: str,
    base: str,
    positions: dict[tuple[str, str], tuple[float, float]] | None = None,
) -> dict[tuple[str, str], str]:
    """One boundary node per distinct ref, named after the node outside; ref -> node id.

    Each is placed at ``positions[ref]``, else where the ref's node is.
    """
    ids: dict[tuple[str, str], str] = {}
    for ref in dict.fromkeys(refs):
        src = outer.node(ref[0])
        name = unique_name(
            sanitize(src.name if type_id == BLOCK_INPUT else f"{base}_{src.name}"), inner.names()
        )
        node = Node(inner.new_id(), type_id, name, {}, (positions or {}).get(ref, src.position))
        inner.add_node(node)
        ids[ref] = node.id
    return ids


def expand_block(graph: GraphModel, instance_id: str) -> Macro:
    """Commands replacing a block instance by a copy of the block's nodes."""
    instance = graph.node(instance_id)
    block = graph.blocks.get(instance.params.get("block"))
    if instance.type != BLOCK_TYPE or block is None:
        raise GraphError(f"'{instance.name}' is not an instance of a defined block")
    inner = block.graph
    origin = _centroid(list(inner.nodes.values())) if inner.nodes else (0.0, 0.0)
    taken, new_ids, commands = graph.names(), {}, [RemoveNode(instance_id)]
    boundary = {n.id for n in inner.nodes.values() if n.type in (BLOCK_INPUT, BLOCK_OUTPUT)}
    for node in inner.nodes.values():
        if node.id in boundary:
            continue
        copy = node.copy()
        copy.id = graph.new_id()
        copy.name = unique_name(node.name, taken)
        taken.add(copy.name)
        copy.position = (
            instance.position[0] + node.position[0] - origin[0],
            instance.position[1] + node.position[1] - origin[1],
        )
        new_ids[node.id] = copy.id
        commands.append(AddNode(copy))
    outer_src = {e.dst[1]: e.src for e in graph.in_edges(instance_id)}
    out_dsts = [e for e in graph.out_edges(instance_id)]
    inner_src = {inner.node(e.dst[0]).name: e.src for e in inner.edges if e.dst[0] in boundary}
    for edge in inner.edges:
        src_node = inner.node(edge.src[0])
        if edge.dst[0] in boundary:
            continue  # block outputs: rewired from the outer consumers below
        if src_node.type == BLOCK_INPUT:
            if src_node.name in outer_src:
                commands.append(Connect(Edge(outer_src[src_node.name], (new_ids[edge.dst[0]], edge.dst[1]))))
            continue
        commands.append(
            Connect(Edge((new_ids[edge.src[0]], edge.src[1]), (new_ids[edge.dst[0]], edge.dst[1])))
        )
    for edge in out_dsts:
        src = inner_src.get(edge.src[1])
        if src is None:
            continue
        if inner.node(src[0]).type == BLOCK_INPUT:  # a pass-through output
            outer = outer_src.get(inner.node(src[0]).name)
            if outer is not None:
                commands.append(Connect(Edge(outer, edge.dst)))
        else:
            commands.append(Connect(Edge((new_ids[src[0]], src[1]), edge.dst)))
    return Macro(commands, f"expand {instance.name}")
