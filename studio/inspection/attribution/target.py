"""Which node Grad-CAM should look at: proposed from the graph, or from a plain module's outputs.

Grad-CAM explains a class through a convolutional feature map: the deepest one
still holding *where* things are. So the proposal is the last node with a
spatial output before the first node that removes the spatial dims (global
pooling, flatten, a mean over H and W). It is found by walking upstream from
the outputs and stopping at the first spatial node met, which makes a residual
``Add`` (whose output feeds the pooling) the target, not a convolution inside a
branch.

"Spatial" here means a per-sample output of rank >= 3 (``(C, H, W)`` or
``(C, D, H, W)``) whose spatial size is more than one element: a ``(C, 1, 1)``
map left by ``AdaptiveAvgPool2d(1)`` has nothing left to localise.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from studio.compiler.blocks import resolve_spec, shared_owner
from studio.compiler.infer import GraphReport, infer_graph
from studio.core.graph import GraphModel
from studio.inspection.attribution._common import evaluating
from studio.inspection.hooks import InspectionError, first_tensor
from studio.layers.registry import LayerRegistry

NO_SPATIAL = "this model has no spatial layers; Grad-CAM needs a convolutional feature map"


def is_spatial(shape: tuple | None) -> bool:
    """Whether a shape (batch dim first, ``None`` allowed) is a feature map with room to localise.

    Examples
    --------
    >>> is_spatial((None, 16, 5, 5)), is_spatial((None, 400)), is_spatial((None, 16, 1, 1))
    (True, False, False)
    """
    if shape is None or len(shape) < 4:
        return False
    return all(d is not None for d in shape[2:]) and math.prod(shape[2:]) > 1


def _first_shape(report: GraphReport, node_id: str, graph: GraphModel, registry: LayerRegistry) -> Any:
    """Shape of the node's first output port (what a forward hook records), or None."""
    result = report.nodes.get(node_id)
    if result is None or not result.output_shapes:
        return None
    spec = resolve_spec(graph, graph.nodes[node_id], registry)
    if spec is not None and result.resolved is not None:
        ports = [port.name for port in spec.output_ports(result.resolved)]
        if ports:
            return result.output_shapes.get(ports[0])
    return next(iter(result.output_shapes.values()))


def _is_candidate(graph: GraphModel, registry: LayerRegistry, report: GraphReport, node_id: str) -> bool:
    node = graph.nodes[node_id]
    spec = resolve_spec(graph, node, registry)
    if spec is None or spec.is_input or spec.is_output:
        return False
    # A shared block instance calls another instance's module: its own name has no hook point.
    if shared_owner(graph, node) != node.name:
        return False
    return is_spatial(_first_shape(report, node_id, graph, registry))


def spatial_nodes(graph: GraphModel, registry: LayerRegistry, report: GraphReport | None = None) -> list[str]:
    """Names of every node Grad-CAM can target (spatial output), in topological order.

    Input and output nodes are left out (they only pass the tensor on), as are
    nodes whose shape is unknown because of an error.
    """
    report = report or infer_graph(graph, registry)
    return [graph.nodes[nid].name for nid in report.nodes if _is_candidate(graph, registry, report, nid)]


def propose_gradcam_target(
    graph: GraphModel, registry: LayerRegistry, report: GraphReport | None = None
) -> str:
    """The node Grad-CAM should use by default (its name, which is also its module's name).

    Walks upstream from the output nodes through non-spatial nodes; the spatial
    nodes where the walk stops are the last feature maps before the spatial
    dims are removed. With several (two heads), the one latest in topological order wins.

    Raises
    ------
    InspectionError
        ``"this model has no spatial layers; ..."`` when no spatial node feeds an output.
    """
    report = report or infer_graph(graph, registry)
    position = {nid: i for i, nid in enumerate(report.nodes)}
    outputs = [nid for nid in graph.nodes if _is_output(graph, registry, nid)]
    stack, seen, found = list(outputs), set(outputs), []
    while stack:
        nid = stack.pop()
        for edge in graph.in_edges(nid):
            src = edge.src[0]
            if src in seen:
                continue
            seen.add(src)
            if _is_candidate(graph, registry, report, src):
                found.append(src)  # stop here: upstream of it is not "last"
            elif not _is_input(graph, registry, src):
                stack.append(src)
    if not found:
        raise InspectionError(NO_SPATIAL)
    best = max(found, key=lambda nid: position.get(nid, -1))
    return graph.nodes[best].name


def _is_output(graph: GraphModel, registry: LayerRegistry, node_id: str) -> bool:
    spec = resolve_spec(graph, graph.nodes[node_id], registry)
    return spec is not None and spec.is_output


def _is_input(graph: GraphModel, registry: LayerRegistry, node_id: str) -> bool:
    spec = resolve_spec(graph, graph.nodes[node_id], registry)
    return spec is not None and spec.is_input


def module_spatial_outputs(model: nn.Module, x: torch.Tensor) -> list[tuple[str, tuple[int, ...]]]:
    """``(dotted name, output shape)`` of the leaf modules with a spatial output, in call order.

    One forward without gradients, with a hook on every leaf module (removed
    afterwards). Modules that return their input unchanged (an input node,
    ``Identity``) are skipped: a target there would explain the image itself.
    """
    calls: list[tuple[str, tuple[int, ...]]] = []
    handles = []

    def hook(module: nn.Module, inputs: Any, output: Any, name: str = "") -> None:
        tensor = first_tensor(output)
        if tensor is None or any(tensor is t for t in inputs if isinstance(t, torch.Tensor)):
            return
        if is_spatial((None, *tensor.shape[1:])):
            calls.append((name, tuple(tensor.shape)))

    try:
        for name, module in model.named_modules():
            if name and next(module.children(), None) is None:
                handles.append(module.register_forward_hook(lambda m, i, o, name=name: hook(m, i, o, name)))
        with evaluating(model), torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return calls


def propose_module_target(model: nn.Module, x: torch.Tensor) -> str:
    """Grad-CAM target of a plain ``nn.Module`` (no graph): the last leaf called with a spatial output.

    For a classifier this is the last feature map before pooling/flatten, the
    same rule as :func:`propose_gradcam_target`, read from a real forward of
    ``x`` (one or a few samples suffice).

    Raises
    ------
    InspectionError
        When no leaf module returns a spatial output.
    """
    calls = module_spatial_outputs(model, x)
    if not calls:
        raise InspectionError(NO_SPATIAL)
    return calls[-1][0]
