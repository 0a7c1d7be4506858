"""Binary exports of a compiled graph: ONNX and ``torch.export`` (pt2).

Both trace the compiled module on example inputs built from the graph's
declared input shapes, with the batch dimension left dynamic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.compiler.infer import infer_graph
from studio.compiler.lower import plan
from studio.core.graph import GraphModel
from studio.layers.registry import LayerRegistry

EXAMPLE_BATCH = 2


def example_inputs(graph: GraphModel, registry: LayerRegistry, batch: int = EXAMPLE_BATCH) -> dict[str, Any]:
    """Forward argument name -> a random tensor of the declared shape (token ids for integer inputs)."""
    import torch

    report = infer_graph(graph, registry)
    inputs = {}
    for name, node, port in plan(graph, registry, report).arguments:
        shape = (batch, *report.nodes[node.id].output_shapes[port][1:])
        spec = registry.get(node.type)
        dtype = next(
            (p.dtype for p in spec.output_ports(report.nodes[node.id].resolved) if p.name == port), "float"
        )
        if dtype == "long":
            high = int(report.nodes[node.id].resolved.get("vocab_size", 2))
            inputs[name] = torch.randint(0, high, shape)
        else:
            inputs[name] = torch.randn(shape)
    return inputs


def _dynamic_batch(names: list[str]) -> dict[str, dict[int, Any]]:
    import torch

    batch = torch.export.Dim("batch", min=1, max=1 << 16)
    return {name: {0: batch} for name in names}


def export_pt2(graph: GraphModel, registry: LayerRegistry, module: Any, out: str | Path) -> None:
    """Save a ``torch.export`` program (load with ``torch.export.load``)."""
    import torch

    inputs = example_inputs(graph, registry)
    dynamic = tuple(_dynamic_batch(list(inputs)).values())
    program = torch.export.export(module.eval(), tuple(inputs.values()), dynamic_shapes=dynamic)
    torch.export.save(program, str(out))


def export_onnx(graph: GraphModel, registry: LayerRegistry, module: Any, out: str | Path) -> None:
    """Write an ONNX model whose inputs are named after the graph's input nodes."""
    import torch

    inputs = example_inputs(graph, registry)
    names = list(inputs)
    torch.onnx.export(
        module.eval(),
        tuple(inputs.values()),
        str(out),
        input_names=names,
        dynamic_shapes=tuple(_dynamic_batch(names).values()),
        verbose=False,
    )
