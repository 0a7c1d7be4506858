"""Lowering a graph to a ``torch.fx.GraphModule``.

The graph becomes a plain fx graph: one ``placeholder`` per input-node port,
one ``call_module`` per node (attribute = node name, so forward hooks reach
every node and checkpoints are keyed by name), ``operator.getitem`` for
multi-output nodes, and an ``output``. The generated ``forward`` is the code a
person would write, so the compiled model costs nothing extra at run time.
:func:`plan` is shared with :mod:`studio.compiler.export` so both agree.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

from torch import fx

from studio.compiler.blocks import resolve_spec, shared_owner
from studio.compiler.infer import GraphReport, infer_graph
from studio.core.graph import GraphModel, Node
from studio.layers.registry import LayerRegistry
from studio.layers.spec import LayerSpec, Shape

# A value in forward: (node_id, output port), or (None, argument name) for a placeholder.
Ref = tuple[str | None, str]


class CompileError(ValueError):
    """The graph cannot be compiled; ``errors`` lists ``(node_id, port, message)``."""

    def __init__(self, message: str, errors: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = list(errors or [])


@dataclass
class Step:
    """One node call in forward: its module inputs (port order) and output shapes."""

    node: Node
    spec: LayerSpec
    params: dict[str, Any]
    input_shapes: dict[str, Shape]
    args: list[Ref | None]  # None for an unwired optional port
    output_ports: list[str]
    output_shapes: dict[str, Shape]
    target: str = ""  # submodule called: the node name, or the owner of a shared block's weights


@dataclass
class Plan:
    """What forward does, independent of how it is written down."""

    arguments: list[tuple[str, Node, str]] = field(default_factory=list)  # (name, input node, port)
    steps: list[Step] = field(default_factory=list)  # topological order
    outputs: list[Ref] = field(default_factory=list)  # graph node order


def _error_message(graph: GraphModel, errors: list[tuple[str, str, str]]) -> str:
    parts = []
    for nid, port, msg in errors[:5]:
        where = graph.nodes[nid].name + (f".{port}" if port else "")
        parts.append(f"{where}: {msg}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"cannot compile: {'; '.join(parts)}{more}"


def argument_name(node: Node, port: str, n_ports: int) -> str:
    """Forward argument of an input node's port: the node name, suffixed if it has several."""
    return node.name if n_ports == 1 else f"{node.name}_{port}"


def plan(
    graph: GraphModel,
    registry: LayerRegistry,
    report: GraphReport | None = None,
    blocks: dict[str, Any] | None = None,
) -> Plan:
    """Order the node calls of forward; raise :class:`CompileError` if the graph has errors.

    Parameters
    ----------
    graph, registry
        The network and its layer catalog.
    report
        A fresh inference report of ``graph`` (computed when omitted).
    blocks
        Block definitions when ``graph`` is itself a block's graph (default: ``graph.blocks``).
    """
    report = report or infer_graph(graph, registry)
    if report.errors:
        raise CompileError(_error_message(graph, report.errors), report.errors)
    result = Plan()
    sources = {edge.dst: edge.src for edge in graph.edges}  # graph.source_of scans every edge
    for nid, res in report.nodes.items():
        node = graph.nodes[nid]
        spec = resolve_spec(graph, node, registry, blocks)
        p = res.resolved if res.resolved is not None else spec.resolve_params(node.params)
        outs = [port.name for port in spec.output_ports(p)]
        if spec.is_input:
            args: list[Ref | None] = []
            for port in outs:
                name = argument_name(node, port, len(outs))
                result.arguments.append((name, node, port))
                args.append((None, name))
        else:
            args = [sources.get((nid, port.name)) for port in spec.input_ports(p)]
        target = shared_owner(graph, node)
        result.steps.append(Step(node, spec, p, res.input_shapes, args, outs, res.output_shapes, target))
    # Inputs and outputs follow the graph's node order: what the user drew first comes first.
    order = {nid: i for i, nid in enumerate(graph.nodes)}
    result.arguments.sort(key=lambda a: order[a[1].id])
    result.outputs = [
        (s.node.id, s.output_ports[0])
        for s in sorted(result.steps, key=lambda s: order[s.node.id])
        if s.spec.is_output
    ]
    if not result.arguments:
        raise CompileError("cannot compile: the graph has no input node")
    if not result.outputs:
        raise CompileError("cannot compile: the graph has no output node")
    return result


def build_modules(steps: list[Step]) -> dict[str, Any]:
    """A fresh ``nn.Module`` per target (node name), in topological order; shared blocks built once."""
    modules: dict[str, Any] = {}
    for s in steps:
        if s.target not in modules:
            modules[s.target] = s.spec.build(s.params, s.input_shapes)
    return modules


def lower(p: Plan) -> fx.Graph:
    """The fx graph of a :class:`Plan` (targets are node names)."""
    g = fx.Graph()
    values: dict[Ref, fx.Node] = {(None, name): g.placeholder(name) for name, _, _ in p.arguments}
    calls: dict[str, tuple[fx.Node, list[str]]] = {}

    def value(ref: Ref) -> fx.Node:
        if ref not in values:  # getitem created on first use, so unused outputs cost nothing
            call, ports = calls[ref[0]]
            index, name = ports.index(ref[1]), f"{call.name}_{ref[1]}"
            values[ref] = g.create_node("call_function", operator.getitem, (call, index), name=name)
        return values[ref]

    for step in p.steps:
        args = tuple(None if ref is None else value(ref) for ref in step.args)
        call = g.create_node("call_module", step.target, args, name=step.node.name)
        if len(step.output_ports) == 1:
            values[(step.node.id, step.output_ports[0])] = call
        calls[step.node.id] = (call, step.output_ports)
    outs = [value(ref) for ref in p.outputs]
    g.output(outs[0] if len(outs) == 1 else tuple(outs))
    g.lint()
    return g


def compile_graph(
    graph: GraphModel,
    registry: LayerRegistry,
    report: GraphReport | None = None,
    blocks: dict[str, Any] | None = None,
    class_name: str = "Net",
) -> fx.GraphModule:
    """Compile ``graph`` to a runnable ``torch.fx.GraphModule`` (class ``class_name``).

    ``report`` reuses a fresh inference report; ``blocks`` are the project's
    block definitions when ``graph`` is a block's own graph.

    Raises
    ------
    CompileError
        When inference reports errors (``errors`` lists them, the message names
        the nodes) or the graph has no input or no output node.

    Examples
    --------
    >>> model = compile_graph(graph, LayerRegistry.with_builtins())  # doctest: +SKIP
    >>> model(torch.randn(8, 1, 32, 32)).shape  # doctest: +SKIP
    torch.Size([8, 10])
    """
    p = plan(graph, registry, report, blocks)
    return fx.GraphModule(build_modules(p.steps), lower(p), class_name=class_name)
