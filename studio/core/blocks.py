"""Reusable blocks: a group of nodes defined once and instantiated many times.

A :class:`BlockDef` holds its own :class:`~studio.core.graph.GraphModel`
whose ``core.block_input`` / ``core.block_output`` nodes are the block's ports
(named after those nodes). An instance is a node of type ``core.block`` with
params ``{"block": <block id>, "shared": bool}``: shared instances of one block
compile to a single submodule called several times (Siamese networks); the
others each get their own weights. Editing the definition changes every
instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.core.graph import GraphModel

BLOCK_TYPE = "core.block"
BLOCK_INPUT = "core.block_input"
BLOCK_OUTPUT = "core.block_output"


@dataclass
class BlockDef:
    """A named subgraph with declared input and output ports."""

    id: str
    name: str
    graph: GraphModel
    extra: dict[str, Any] = field(default_factory=dict)

    def input_names(self) -> tuple[str, ...]:
        """Port names of the block's inputs, in node order."""
        return tuple(n.name for n in self.graph.nodes.values() if n.type == BLOCK_INPUT)

    def output_names(self) -> tuple[str, ...]:
        """Port names of the block's outputs, in node order."""
        return tuple(n.name for n in self.graph.nodes.values() if n.type == BLOCK_OUTPUT)

    def class_name(self) -> str:
        """The Python class name the block compiles to (``res_block`` -> ``ResBlock``)."""
        parts = [p for p in self.name.replace("-", "_").split("_") if p]
        return "".join(p[:1].upper() + p[1:] for p in parts) or "Block"

    def __deepcopy__(self, memo: dict) -> BlockDef:
        # GraphModel holds signals and a resolver; copy through serialisation.
        from studio.core.serialize import graph_from_dict, graph_to_dict

        graph = graph_from_dict(graph_to_dict(self.graph), self.graph.port_resolver)
        return BlockDef(self.id, self.name, graph, dict(self.extra))


def instances_of(graph: GraphModel, block_id: str) -> list[str]:
    """Ids of the nodes of ``graph`` that instantiate ``block_id``."""
    return [n.id for n in graph.nodes.values() if n.type == BLOCK_TYPE and n.params.get("block") == block_id]


def block_uses(blocks: dict[str, BlockDef], block_id: str) -> set[str]:
    """Every block reachable from ``block_id`` (itself included), to refuse recursion."""
    seen: set[str] = set()
    stack = [block_id]
    while stack:
        current = stack.pop()
        if current in seen or current not in blocks:
            continue
        seen.add(current)
        for node in blocks[current].graph.nodes.values():
            if node.type == BLOCK_TYPE:
                stack.append(str(node.params.get("block")))
    return seen


def reachable_blocks(blocks: dict[str, BlockDef], block_ids: set[str]) -> list[str]:
    """Every block that instances of ``block_ids`` need (nested ones included), sorted by id."""
    order: list[str] = []
    for block_id in sorted(block_ids):
        for used in sorted(block_uses(blocks, block_id)):
            if used not in order:
                order.append(used)
    return order


def _content(block: BlockDef) -> str:
    """What a definition computes, for comparison: its graph and settings, not its id or name.

    (A copied block renamed on an earlier paste, ``unit_1``, is still the same block.)
    """
    import json

    from studio.core.serialize import graph_to_dict

    raw = graph_to_dict(block.graph)
    raw.pop("next_id", None)
    return json.dumps({"graph": raw, "extra": block.extra}, sort_keys=True, default=str)


def _retarget(block: BlockDef, id_map: dict[str, str]) -> None:
    """Point the instances inside ``block`` at their blocks' ids in the target project."""
    for node in block.graph.nodes.values():
        if node.type == BLOCK_TYPE and node.params.get("block") in id_map:
            node.params = {**node.params, "block": id_map[node.params["block"]]}


def import_blocks(
    target: dict[str, BlockDef], incoming: dict[str, BlockDef]
) -> tuple[dict[str, str], list[BlockDef]]:
    """Fit ``incoming`` definitions (copied from any project) into the project holding ``target``.

    A definition equal to one of ``target`` (same layers, params and wires,
    nested blocks compared after mapping; names aside) maps to it; any other
    is added under a free id and, if its name is taken by a different block, a
    free name: a block called ``res_block`` in another project is not silently
    the ``res_block`` of this one.

    Returns
    -------
    tuple
        ``{incoming id: id in the project}`` and the definitions to add (their
        nested instances already pointing at the mapped ids). ``incoming`` is
        not modified.
    """
    import copy

    from studio.core.names import unique_name

    id_map: dict[str, str] = {}
    added: list[BlockDef] = []
    known = {_content(block): block_id for block_id, block in target.items()}
    taken_ids, taken_names = set(target), {block.name for block in target.values()}
    pending = dict(incoming)
    while pending:
        # Leaves first: a block is compared once the blocks it uses have their ids here.
        ready = [
            block_id
            for block_id, block in pending.items()
            if all(
                node.params.get("block") not in pending or node.params.get("block") == block_id
                for node in block.graph.nodes.values()
                if node.type == BLOCK_TYPE
            )
        ] or list(pending)  # a cycle (refused elsewhere): take them as they are
        for block_id in ready:
            block = copy.deepcopy(pending.pop(block_id))
            _retarget(block, id_map)
            same = known.get(_content(block))
            if same is not None:
                id_map[block_id] = same
                continue
            new_id = block_id if block_id not in taken_ids else unique_name(block_id, taken_ids)
            if block.name in taken_names:
                block.name = unique_name(block.name, taken_names)
            block.id = new_id
            taken_ids.add(new_id)
            taken_names.add(block.name)
            known[_content(block)] = new_id
            id_map[block_id] = new_id
            added.append(block)
    return id_map, added
