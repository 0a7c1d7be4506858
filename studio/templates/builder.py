"""A small helper to write templates as readable chains of layers."""

from __future__ import annotations

from typing import Any

from studio.core.graph import Edge, GraphModel, Node

_STEP = 270.0  # canvas distance between consecutive layers: room for the wire's shape label


class ChainBuilder:
    """Build a graph layer by layer, wiring each new node to the previous one.

    Examples
    --------
    >>> b = ChainBuilder()
    >>> _ = b.add("core.input_vector", features=2)
    >>> _ = b.add("core.linear", out_features=1)
    >>> [n.name for n in b.graph.nodes.values()]
    ['input_vector_1', 'linear_1']
    """

    def __init__(self) -> None:
        self.graph = GraphModel()
        self._last: tuple[str, str] | None = None
        self._x = 0.0

    def add(self, type_id: str, name: str | None = None, *, wire: bool = True, **params: Any) -> str:
        """Add a node, connected from the previous node's first output; return its id."""
        node = Node(
            self.graph.new_id(),
            type_id,
            name or self.graph.new_name(type_id.split(".", 1)[1]),
            params,
            (self._x, 0.0),
        )
        self.graph.add_node(node)
        if wire and self._last is not None:
            self.graph.connect(Edge(self._last, (node.id, "x")))
        self._last = (node.id, "y")
        self._x += _STEP
        return node.id
