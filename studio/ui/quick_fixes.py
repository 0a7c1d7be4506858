"""Quick fixes for shape errors whose fix is clear, applied through the document.

A fix is found from the error message the layer's shape rule wrote (the rule
is the one place that knows what is wrong) and the graph around the node:

- "... insert Flatten" -> a Flatten on the wire into the failing port;
- "project <port> with a 1x1 convolution to <C> channels" -> a 1×1 Conv2d
  with ``C`` output channels on that wire (ResNet-style shortcut);
- "project <port> with Linear(a→b)" -> a Linear with ``b`` features.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.ui.document import Document

_PROJECTION = re.compile(r"project (\w+) with a 1x1 convolution to (\d+) channels")
_LINEAR = re.compile(r"project (\w+) with Linear\((\d+)→(\d+)\)")


@dataclass(frozen=True)
class QuickFix:
    """A labelled repair for one error."""

    label: str
    apply: Callable[[], str]  # "" or why it could not be applied


def insert_on_wire(
    document: Document, node_id: str, port: str, type_id: str, params: dict | None = None
) -> str:
    """Put a new ``type_id`` node on the wire that feeds ``(node_id, port)``; "" or why not."""
    graph = document.graph
    source = graph.source_of(node_id, port)
    if source is None:
        return f"input '{port}' is not connected"
    edge = next(e for e in graph.in_edges(node_id) if e.dst == (node_id, port) and e.src == source)
    x0, y0 = graph.node(source[0]).position
    x1, y1 = graph.node(node_id).position
    new_id = document.add_node(type_id, ((x0 + x1) / 2, (y0 + y1) / 2), params)
    spec = document.registry.get(type_id)
    node = graph.node(new_id)
    in_port = spec.input_ports(spec.resolve_params(node.params))[0].name
    out_port = spec.output_ports(spec.resolve_params(node.params))[0].name
    for error in (
        document.disconnect(edge),
        document.connect(source, (new_id, in_port)),
        document.connect((new_id, out_port), (node_id, port)),
    ):
        if error:
            return error
    document.select([new_id])
    return ""


def quick_fixes(document: Document, node_id: str, port: str, message: str) -> list[QuickFix]:
    """The fixes offered for the error ``message`` on ``(node_id, port)`` (possibly none)."""
    fixes = []
    if "Flatten" in message and port and document.graph.source_of(node_id, port) is not None:
        fixes.append(
            QuickFix("Insert Flatten", lambda: insert_on_wire(document, node_id, port, "core.flatten"))
        )
    match = _PROJECTION.search(message)
    if match and document.graph.source_of(node_id, match.group(1)) is not None:
        target, channels = match.group(1), int(match.group(2))
        params = {"out_channels": channels, "kernel_size": 1}
        fixes.append(
            QuickFix(
                f"Add 1×1 projection to {channels} channels",
                lambda: insert_on_wire(document, node_id, target, "core.conv2d", params),
            )
        )
    match = _LINEAR.search(message)
    if match and document.graph.source_of(node_id, match.group(1)) is not None:
        target, features = match.group(1), int(match.group(3))
        fixes.append(
            QuickFix(
                f"Add Linear projection to {features} features",
                lambda: insert_on_wire(document, node_id, target, "core.linear", {"out_features": features}),
            )
        )
    return fixes
