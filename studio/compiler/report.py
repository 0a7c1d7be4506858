"""The ``studio check --json`` document (a normative contract, see DESIGN.md)."""

from __future__ import annotations

from typing import Any

from studio.compiler.infer import GraphReport, NodeResult, infer_graph
from studio.core.graph import GraphModel, Node
from studio.layers.ports import node_params
from studio.layers.registry import LayerRegistry

FORMAT = 1


def shape_json(shape: tuple | None) -> list | None:
    """``(None, 6, 28, 28)`` -> ``[None, 6, 28, 28]`` (``null`` batch in JSON)."""
    return None if shape is None else list(shape)


def output_port_names(node: Node, registry: LayerRegistry, resolved: dict | None = None) -> list[str]:
    """The node's output ports in declaration order ([] for unknown types)."""
    spec = registry.get(node.type)
    if spec is None:
        return []
    try:
        return [port.name for port in spec.output_ports(resolved or node_params(spec, node))]
    except Exception:  # a broken spec is already reported by inference
        return []


def node_json(node: Node, result: NodeResult, registry: LayerRegistry) -> dict[str, Any]:
    """One entry of ``nodes``; a port whose shape is unknown (error upstream or here) is ``null``."""
    ports = output_port_names(node, registry, result.resolved)
    return {
        "id": node.id,
        "name": node.name,
        "type": node.type,
        "output_shapes": [shape_json(result.output_shapes.get(port)) for port in ports],
        "params": result.params,
        "macs": result.macs,
        "activation_bytes": result.activation_bytes,
        "errors": [{"port": port, "message": message} for port, message in result.errors],
    }


def report_json(graph: GraphModel, registry: LayerRegistry, report: GraphReport) -> dict[str, Any]:
    """Render an existing :class:`GraphReport` in the ``check --json`` schema."""
    return {
        "format": FORMAT,
        "total_params": report.total_params,
        "trainable_params": report.trainable_params,
        "total_macs": report.total_macs,
        "activation_bytes": report.activation_bytes,
        "nodes": [node_json(graph.nodes[nid], res, registry) for nid, res in report.nodes.items()],
        "errors": [{"node": nid, "port": port, "message": msg} for nid, port, msg in report.errors],
    }


def check_report(graph: GraphModel, registry: LayerRegistry) -> dict[str, Any]:
    """Infer ``graph`` and return the ``studio check --json`` document.

    Returns
    -------
    dict
        ``{"format": 1, "total_params", "trainable_params", "total_macs",
        "activation_bytes", "nodes": [...], "errors": [...]}``; nodes in
        topological order, shapes as lists with ``None`` (JSON ``null``) batch.
    """
    return report_json(graph, registry, infer_graph(graph, registry))
