"""Small graph builders shared by the compiler tests and benchmarks."""

from __future__ import annotations

from studio.core.graph import Edge, GraphModel, Node
from studio.layers.ports import port_resolver
from studio.layers.registry import LayerRegistry

LayerList = list[tuple[str, dict]]

LENET5: LayerList = [
    ("core.input_image", {"channels": 1, "height": 32, "width": 32}),
    ("core.conv2d", {"out_channels": 6, "kernel_size": 5}),
    ("core.relu", {}),
    ("core.maxpool2d", {"kernel_size": 2}),
    ("core.conv2d", {"out_channels": 16, "kernel_size": 5}),
    ("core.relu", {}),
    ("core.maxpool2d", {"kernel_size": 2}),
    ("core.flatten", {}),
    ("core.linear", {"out_features": 120}),
    ("core.relu", {}),
    ("core.linear", {"out_features": 84}),
    ("core.relu", {}),
    ("core.linear", {"out_features": 10}),
    ("core.output", {}),
]

# Shapes of LENET5's nodes, in order (batch None).
LENET5_SHAPES = [
    (None, 1, 32, 32),
    (None, 6, 28, 28),
    (None, 6, 28, 28),
    (None, 6, 14, 14),
    (None, 16, 10, 10),
    (None, 16, 10, 10),
    (None, 16, 5, 5),
    (None, 400),
    (None, 120),
    (None, 120),
    (None, 84),
    (None, 84),
    (None, 10),
    (None, 10),
]


def empty(registry: LayerRegistry) -> GraphModel:
    """A graph whose ports come from ``registry``."""
    return GraphModel(port_resolver=port_resolver(registry))


def short_name(type_id: str) -> str:
    """``core.conv2d`` -> ``conv2d`` (the base of generated node names)."""
    return type_id.rsplit(".", 1)[-1]


def add(graph: GraphModel, type_id: str, params: dict | None = None, name: str | None = None) -> str:
    """Add one node and return its id."""
    node_id = graph.new_id()
    graph.add_node(Node(node_id, type_id, name or graph.new_name(short_name(type_id)), dict(params or {})))
    return node_id


def wire(
    graph: GraphModel, src: str, dst: str, src_port: str | None = None, dst_port: str | None = None
) -> None:
    """Connect ``src``'s output (first by default) to ``dst``'s input (first by default)."""
    src_port = src_port or graph.ports(graph.nodes[src]).outputs[0]
    dst_port = dst_port or graph.ports(graph.nodes[dst]).inputs[0]
    graph.connect(Edge((src, src_port), (dst, dst_port)))


def chain(registry: LayerRegistry, layers: LayerList, graph: GraphModel | None = None) -> GraphModel:
    """A graph of ``layers`` wired first output -> first input, in order."""
    graph = graph or empty(registry)
    previous = None
    for type_id, params in layers:
        node_id = add(graph, type_id, params)
        if previous is not None:
            wire(graph, previous, node_id)
        previous = node_id
    return graph


def lenet5(registry: LayerRegistry) -> GraphModel:
    """Modern LeNet-5 (ReLU, max pooling) on 1x32x32: 61,706 params, 416,520 MACs."""
    return chain(registry, LENET5)


def long_chain(registry: LayerRegistry, n: int, width: int = 16) -> GraphModel:
    """``n`` nodes: a vector input, then Linear/ReLU pairs of ``width`` units, then an output."""
    body = [
        ("core.linear", {"out_features": width}) if i % 2 == 0 else ("core.relu", {}) for i in range(n - 2)
    ]
    return chain(registry, [("core.input_vector", {"features": width}), *body, ("core.output", {})])


def two_in_two_out(registry: LayerRegistry) -> GraphModel:
    """Two vector inputs -> Linear each -> Concat -> two heads (Linear -> Output)."""
    graph = empty(registry)
    a = add(graph, "core.input_vector", {"features": 5}, name="left")
    b = add(graph, "core.input_vector", {"features": 3}, name="right")
    la, lb = add(graph, "core.linear", {"out_features": 4}), add(graph, "core.linear", {"out_features": 6})
    wire(graph, a, la)
    wire(graph, b, lb)
    cat = add(graph, "core.concat", {})
    inputs = graph.ports(graph.nodes[cat]).inputs
    wire(graph, la, cat, dst_port=inputs[0])
    wire(graph, lb, cat, dst_port=inputs[1])
    for width, label in ((2, "score"), (7, "logits")):
        head = add(graph, "core.linear", {"out_features": width})
        wire(graph, cat, head)
        wire(graph, head, add(graph, "core.output", {"label": label}, name=label))
    return graph
