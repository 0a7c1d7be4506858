"""The graph model: nodes with params, typed ports and ordered edges.

:class:`GraphModel` is the single owner of a network's structure. Every
mutating method validates, stores and then emits exactly one event (napari's
setter shape). Commands in :mod:`studio.core.commands` are the only callers of
the mutators; views only listen.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from studio.core.events import GraphEvents
from studio.core.names import NameError_, check_name, unique_name

Position = tuple[float, float]


class GraphError(ValueError):
    """A mutation was refused; the message says why and names the node/port."""


@dataclass
class Node:
    """One layer instance: a stable id, a namespaced type and its params."""

    id: str
    type: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    position: Position = (0.0, 0.0)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown file keys, kept on save

    def copy(self) -> Node:
        """Deep copy (params may hold lists)."""
        return copy.deepcopy(self)


@dataclass(frozen=True)
class Edge:
    """A wire from an output port to an input port: ``(node_id, port)`` pairs."""

    src: tuple[str, str]
    dst: tuple[str, str]

    @property
    def key(self) -> tuple[str, str]:
        """networkx multi-edge key: two edges may join the same pair of nodes."""
        return (self.src[1], self.dst[1])


@dataclass(frozen=True)
class PortSet:
    """The port names of a node, as the layer catalog declares them."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    optional: frozenset[str] = frozenset()


# (graph, node) -> PortSet, or None when the type is unknown (placeholder).
PortResolver = Callable[["GraphModel", Node], "PortSet | None"]


class GraphModel:
    """Nodes, edges and block definitions of one network.

    Parameters
    ----------
    port_resolver
        Tells the ports of a node. Without one (pure tests, placeholders) any
        port name is accepted, but each input port still takes one edge.
    """

    def __init__(self, port_resolver: PortResolver | None = None) -> None:
        self.events = GraphEvents()
        self.port_resolver = port_resolver
        self._nodes: dict[str, Node] = {}
        self._names: dict[str, str] = {}  # name -> id, kept in step with the nodes
        self._edges: list[Edge] = []
        self._sources: dict[tuple[str, str], tuple[str, str]] = {}  # (node, input port) -> source
        self._nx = nx.MultiDiGraph()
        self.blocks: dict[str, Any] = {}  # block id -> BlockDef (studio.core.blocks)
        self.extra: dict[str, Any] = {}  # unknown keys of the file's graph object, kept on save
        self.next_id = 1

    # ----------------------------------------------------------------- queries
    @property
    def nodes(self) -> dict[str, Node]:
        """Nodes by id, in insertion order (read-only by convention)."""
        return self._nodes

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Edges in insertion order."""
        return tuple(self._edges)

    def node(self, node_id: str) -> Node:
        """The node with ``node_id``; :class:`GraphError` if there is none."""
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id '{node_id}'") from None

    def node_by_name(self, name: str) -> Node | None:
        """The node called ``name``, if any."""
        node_id = self._names.get(name)
        return self._nodes[node_id] if node_id is not None else None

    def names(self) -> set[str]:
        """All node names in use."""
        return set(self._names)

    def new_id(self) -> str:
        """A fresh id, never used before in this graph."""
        while f"n{self.next_id}" in self._nodes:
            self.next_id += 1
        node_id = f"n{self.next_id}"
        self.next_id += 1
        return node_id

    def new_name(self, base: str) -> str:
        """A unique name derived from ``base`` (``conv2d`` -> ``conv2d_3``)."""
        return unique_name(base, self._names.keys(), always_number=True)

    def in_edges(self, node_id: str) -> list[Edge]:
        """Edges ending at ``node_id``, in insertion order."""
        return [e for e in self._edges if e.dst[0] == node_id]

    def out_edges(self, node_id: str) -> list[Edge]:
        """Edges starting at ``node_id``, in insertion order."""
        return [e for e in self._edges if e.src[0] == node_id]

    def source_of(self, node_id: str, port: str) -> tuple[str, str] | None:
        """The ``(node_id, port)`` feeding input ``port`` of ``node_id``."""
        return self._sources.get((node_id, port))

    def successors(self, node_id: str) -> list[str]:
        """Ids of nodes fed by ``node_id`` (each once)."""
        return list(dict.fromkeys(e.dst[0] for e in self.out_edges(node_id)))

    def descendants(self, node_id: str) -> set[str]:
        """Every node downstream of ``node_id``."""
        return nx.descendants(self._nx, node_id)

    def topological_order(self) -> list[str]:
        """Node ids, sources first; ties broken by insertion order (stable)."""
        order = {nid: i for i, nid in enumerate(self._nodes)}
        return list(nx.lexicographical_topological_sort(self._nx, key=order.__getitem__))

    def ports(self, node: Node) -> PortSet | None:
        """The node's ports from the resolver, or None if unknown."""
        return self.port_resolver(self, node) if self.port_resolver else None

    def iter_edges_of(self, node_id: str) -> Iterator[Edge]:
        """Edges touching ``node_id``, in insertion order."""
        return (e for e in self._edges if node_id in (e.src[0], e.dst[0]))

    # --------------------------------------------------------------- mutators
    def add_node(self, node: Node, index: int | None = None) -> None:
        """Insert ``node`` (at ``index`` to restore an undone removal)."""
        if node.id in self._nodes:
            raise GraphError(f"node id '{node.id}' is already used")
        try:
            check_name(node.name)
        except NameError_ as exc:
            raise GraphError(f"node {node.id}: {exc}") from None
        if node.name in self._names:
            raise GraphError(f"node name '{node.name}' is already used")
        if index is None or index >= len(self._nodes):
            self._nodes[node.id] = node
        else:  # undo of a removal: back at its old place, so views and exports stay stable
            items = list(self._nodes.items())
            items.insert(index, (node.id, node))
            self._nodes = dict(items)
        self._names[node.name] = node.id
        self._nx.add_node(node.id)
        if node.id[1:].isdigit() and node.id[0] == "n":
            self.next_id = max(self.next_id, int(node.id[1:]) + 1)
        self.events.emit("node_added", node)

    def remove_node(self, node_id: str) -> tuple[Node, int]:
        """Remove an unconnected node; return it and its former index."""
        node = self.node(node_id)
        if any(True for _ in self.iter_edges_of(node_id)):
            raise GraphError(f"node '{node.name}' still has edges; disconnect them first")
        index = list(self._nodes).index(node_id)
        del self._nodes[node_id]
        del self._names[node.name]
        self._nx.remove_node(node_id)
        self.events.emit("node_removed", node)
        return node, index

    def check_connect(self, edge: Edge) -> None:
        """Raise :class:`GraphError` with the reason if ``edge`` is not allowed."""
        src, dst = self.node(edge.src[0]), self.node(edge.dst[0])
        if src.id == dst.id:
            raise GraphError(f"'{src.name}' cannot feed itself")
        src_ports, dst_ports = self.ports(src), self.ports(dst)
        if src_ports is not None and edge.src[1] not in src_ports.outputs:
            raise GraphError(f"'{src.name}' has no output port '{edge.src[1]}'")
        if dst_ports is not None and edge.dst[1] not in dst_ports.inputs:
            raise GraphError(f"'{dst.name}' has no input port '{edge.dst[1]}'")
        if self.source_of(*edge.dst) is not None:
            raise GraphError(f"input '{edge.dst[1]}' of '{dst.name}' is already connected")
        if nx.has_path(self._nx, dst.id, src.id):
            raise GraphError(f"connecting '{src.name}' to '{dst.name}' would create a cycle")

    def connect(self, edge: Edge, index: int | None = None) -> None:
        """Add ``edge`` after :meth:`check_connect`."""
        self.check_connect(edge)
        self._edges.insert(len(self._edges) if index is None else index, edge)
        self._sources[edge.dst] = edge.src
        self._nx.add_edge(edge.src[0], edge.dst[0], key=edge.key)
        self.events.emit("edge_added", edge)

    def disconnect(self, edge: Edge) -> int:
        """Remove ``edge``; return its former index."""
        try:
            index = self._edges.index(edge)
        except ValueError:
            raise GraphError(f"no edge {edge.src} -> {edge.dst}") from None
        del self._edges[index]
        del self._sources[edge.dst]
        self._nx.remove_edge(edge.src[0], edge.dst[0], key=edge.key)
        self.events.emit("edge_removed", edge)
        return index

    def set_param(self, node_id: str, key: str, value: Any) -> Any:
        """Set one param (``value`` None deletes it); return the old value."""
        node = self.node(node_id)
        old = node.params.get(key)
        if value is None:
            node.params.pop(key, None)
        else:
            node.params[key] = copy.deepcopy(value)
        self.events.emit("param_changed", node_id, key, old, value)
        return old

    def move(self, node_id: str, position: Position) -> Position:
        """Move a node on the canvas; return the old position."""
        node = self.node(node_id)
        old, node.position = node.position, (float(position[0]), float(position[1]))
        self.events.emit("node_moved", node_id, old, node.position)
        return old

    def rename(self, node_id: str, name: str) -> str:
        """Rename a node; the name must be a free, valid identifier."""
        node = self.node(node_id)
        if name == node.name:
            return name
        try:
            check_name(name)
        except NameError_ as exc:
            raise GraphError(str(exc)) from None
        if name in self._names:
            raise GraphError(f"name '{name}' is already used by another node")
        old, node.name = node.name, name
        del self._names[old]
        self._names[name] = node_id
        self.events.emit("renamed", node_id, old, name)
        return old

    def set_block(self, block_id: str, block: Any | None) -> Any | None:
        """Add, replace (or with None remove) a block definition; return the old one."""
        old = self.blocks.get(block_id)
        if block is None:
            self.blocks.pop(block_id, None)
        else:
            self.blocks[block_id] = block
        self.events.emit("block_changed", block_id)
        return old
