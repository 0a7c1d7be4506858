"""Block instances bound to their definitions, for inference and compilation.

A ``core.block`` node's ports, shapes and module come from a
:class:`~studio.core.blocks.BlockDef` stored in the root graph. :func:`resolve_spec`
returns, for any node, the spec to use: the catalog's, or a :class:`BoundBlock`
that infers and compiles the block's own graph with the instance's input
shapes. Shared instances (Siamese networks) are one module called several
times, so only the first of them counts parameters and owns the weights.
"""

from __future__ import annotations

from typing import Any

from studio.core.blocks import BLOCK_INPUT, BLOCK_TYPE, BlockDef, block_uses
from studio.core.graph import GraphModel, Node
from studio.layers.registry import LayerRegistry
from studio.layers.spec import LayerSpec, Port, ShapeError


def shared_owner(graph: GraphModel, node: Node) -> str:
    """Name of the module a block instance calls: itself, or the first shared instance."""
    if node.type != BLOCK_TYPE or not node.params.get("shared"):
        return node.name
    block = node.params.get("block")
    for other in graph.nodes.values():
        if other.type == BLOCK_TYPE and other.params.get("block") == block and other.params.get("shared"):
            return other.name
    return node.name


def resolve_spec(
    graph: GraphModel, node: Node, registry: LayerRegistry, blocks: dict[str, BlockDef] | None = None
) -> LayerSpec | None:
    """The spec for ``node``: the catalog's, or its block bound to the definition.

    ``blocks`` are the project's block definitions (the root graph's), which
    nested block instances inside a definition also refer to.
    """
    if node.type != BLOCK_TYPE:
        return registry.get(node.type)
    blocks = graph.blocks if blocks is None else blocks
    block = blocks.get(node.params.get("block"))
    if block is None:
        return registry.get(BLOCK_TYPE)  # its rule reports the missing definition
    owner = shared_owner(graph, node) == node.name
    return BoundBlock(block, blocks, registry, owns_weights=owner)


class BoundBlock(LayerSpec):
    """A ``core.block`` node's spec with its definition filled in."""

    type_id = BLOCK_TYPE
    title = "Block"
    category = "Blocks"
    description = "An instance of a reusable block"

    def __init__(
        self, block: BlockDef, blocks: dict[str, BlockDef], registry: LayerRegistry, owns_weights: bool = True
    ) -> None:
        super().__init__(origin="builtin")
        self.block, self.blocks, self.registry = block, blocks, registry
        self.owns_weights = owns_weights
        base = registry.get(BLOCK_TYPE)
        self.params = base.params if base is not None else ()  # type: ignore[misc]
        self._reports: dict[tuple, Any] = {}

    def input_ports(self, p: dict) -> tuple[Port, ...]:
        """One port per block input node."""
        return tuple(Port(name) for name in self.block.input_names())

    def output_ports(self, p: dict) -> tuple[Port, ...]:
        """One port per block output node."""
        return tuple(Port(name) for name in self.block.output_names())

    def inner_report(self, inputs: dict) -> Any:
        """Inference report of the block's graph for these input shapes (cached)."""
        key = tuple(sorted(inputs.items()))
        if key not in self._reports:
            children = (
                n.params.get("block", "") for n in self.block.graph.nodes.values() if n.type == BLOCK_TYPE
            )
            if any(self.block.id in block_uses(self.blocks, child) for child in children):
                raise ShapeError(f"block '{self.block.name}' contains itself")
            self._reports[key] = infer_inner(self.block, inputs, self.blocks, self.registry)
        return self._reports[key]

    def infer(self, p: dict, inputs: dict) -> dict:
        """Output shapes of the block's outputs; inner errors name the inner node."""
        if not self.block.output_names():
            raise ShapeError(f"block '{self.block.name}' has no Block Output node")
        report = self.inner_report(inputs)
        if report.errors:
            nid, port, message = report.errors[0]
            inner = self.block.graph.nodes[nid].name + (f".{port}" if port else "")
            raise ShapeError(f"inside block '{self.block.name}', {inner}: {message}")
        graph = self.block.graph
        return {
            n.name: report.nodes[n.id].output_shapes["y"]
            for n in graph.nodes.values()
            if n.name in self.block.output_names()
        }

    def param_count(self, p: dict, inputs: dict) -> int:
        """The block's parameters; 0 for a shared instance that is not the owner."""
        return self.inner_report(inputs).total_params if self.owns_weights else 0

    def macs(self, p: dict, inputs: dict, outputs: dict) -> int:
        """Every instance runs the block, shared or not."""
        return self.inner_report(inputs).total_macs

    def build(self, p: dict, inputs: dict) -> Any:
        """The block's graph compiled to a GraphModule whose class is named after the block."""
        from studio.compiler.lower import compile_graph

        report = self.inner_report(inputs)
        return compile_graph(
            self.block.graph,
            self.registry,
            report=report,
            blocks=self.blocks,
            class_name=self.block.class_name(),
        )

    def ctor_source(self, p: dict, inputs: dict) -> str:
        """The exported class of the block (written by the code export)."""
        return f"{self.block.class_name()}()"


def infer_inner(block: BlockDef, inputs: dict, blocks: dict[str, BlockDef], registry: LayerRegistry) -> Any:
    """Infer a block's graph with its Block Input nodes fed ``inputs`` (by port name)."""
    from studio.compiler.infer import GraphReport, NodeResult, infer_node

    graph = block.graph
    sources: dict[str, dict[str, tuple[str, str]]] = {nid: {} for nid in graph.nodes}
    for edge in graph.edges:
        sources[edge.dst[0]][edge.dst[1]] = edge.src
    results: dict[str, NodeResult] = {}
    report = GraphReport(nodes=results)
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        if node.type == BLOCK_INPUT:
            shape = inputs.get(node.name)
            res = (
                NodeResult({"y": shape})
                if shape is not None
                else NodeResult(errors=[("", f"block input '{node.name}' is not connected on the instance")])
            )
        else:
            res = infer_node(graph, node, resolve_spec(graph, node, registry, blocks), sources[nid], results)
        results[nid] = res
        report.total_params += res.params
        report.total_macs += res.macs
        report.activation_bytes += res.activation_bytes
        report.errors += [(nid, port, msg) for port, msg in res.errors]
    report.trainable_params = report.total_params
    return report
