"""Bridge from the catalog to the pure graph model: which ports a node has."""

from __future__ import annotations

from studio.core.blocks import BLOCK_TYPE
from studio.core.graph import GraphModel, Node, PortResolver, PortSet
from studio.layers.registry import LayerRegistry
from studio.layers.spec import LayerSpec, ParamError


def node_params(spec: LayerSpec, node: Node) -> dict:
    """The node's params resolved against its spec; defaults if they are invalid.

    Invalid params are reported by shape inference; ports must still be known
    so that wiring and undo keep working while a value is wrong.
    """
    try:
        return spec.resolve_params(node.params)
    except ParamError:
        return spec.defaults()


def port_resolver(registry: LayerRegistry) -> PortResolver:
    """A :data:`~studio.core.graph.PortResolver` backed by ``registry``."""

    def resolve(graph: GraphModel, node: Node) -> PortSet | None:
        if node.type == BLOCK_TYPE:
            block = graph.blocks.get(node.params.get("block"))
            if block is None:
                return None  # undefined block: reported by inference, edges kept
            return PortSet(block.input_names(), block.output_names())
        spec = registry.get(node.type)
        if spec is None:
            return None  # placeholder for an unknown type: any port goes
        p = node_params(spec, node)
        ins = spec.input_ports(p)
        return PortSet(
            inputs=tuple(port.name for port in ins),
            outputs=tuple(port.name for port in spec.output_ports(p)),
            optional=frozenset(port.name for port in ins if port.optional),
        )

    return resolve
