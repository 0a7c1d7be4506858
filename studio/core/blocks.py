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
