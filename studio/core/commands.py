"""Undoable edits of a :class:`~studio.core.graph.GraphModel`.

Each command touches the model only through its public mutators, so every
change is reported by a model event and views need no special undo path.
``do()`` may be called again after ``undo()`` (redo). Commands that can absorb
a following one of the same kind (a param being dragged, a node being moved)
implement :meth:`Command.merge`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from studio.core.graph import Edge, GraphModel, Node, Position


class Command:
    """Base class: an edit that can be done, undone and redone."""

    text = "edit"

    def do(self, graph: GraphModel) -> None:
        """Apply the edit."""
        raise NotImplementedError

    def undo(self, graph: GraphModel) -> None:
        """Revert exactly what :meth:`do` changed."""
        raise NotImplementedError

    def merge(self, other: Command) -> bool:
        """Absorb ``other`` (done right after self); True if merged."""
        return False


@dataclass
class AddNode(Command):
    """Insert a node (and restore it at its old index on redo)."""

    node: Node
    index: int | None = None

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"add {self.node.name}"

    def do(self, graph: GraphModel) -> None:
        graph.add_node(self.node.copy(), self.index)

    def undo(self, graph: GraphModel) -> None:
        graph.remove_node(self.node.id)


@dataclass
class Connect(Command):
    """Add one edge."""

    edge: Edge
    index: int | None = None
    text: str = "connect"

    def do(self, graph: GraphModel) -> None:
        graph.connect(self.edge, self.index)

    def undo(self, graph: GraphModel) -> None:
        graph.disconnect(self.edge)


@dataclass
class Disconnect(Command):
    """Remove one edge, remembering its position for undo."""

    edge: Edge
    text: str = "disconnect"
    _index: int = 0

    def do(self, graph: GraphModel) -> None:
        self._index = graph.disconnect(self.edge)

    def undo(self, graph: GraphModel) -> None:
        graph.connect(self.edge, self._index)


@dataclass
class RemoveNode(Command):
    """Remove a node and every edge touching it (child Disconnect commands)."""

    node_id: str
    _node: Node | None = None
    _index: int = 0
    _edges: list[Disconnect] = field(default_factory=list)

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"delete {self._node.name if self._node else self.node_id}"

    def do(self, graph: GraphModel) -> None:
        # Disconnect in reverse insertion order so undo re-inserts each edge
        # at its original index.
        self._edges = [Disconnect(e) for e in reversed(list(graph.iter_edges_of(self.node_id)))]
        for child in self._edges:
            child.do(graph)
        self._node, self._index = graph.remove_node(self.node_id)

    def undo(self, graph: GraphModel) -> None:
        assert self._node is not None
        graph.add_node(self._node, self._index)
        for child in reversed(self._edges):
            child.undo(graph)


@dataclass
class SetParam(Command):
    """Change one param; consecutive edits of the same param merge."""

    node_id: str
    key: str
    value: Any
    _old: Any = None

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"set {self.key}"

    def do(self, graph: GraphModel) -> None:
        self._old = graph.set_param(self.node_id, self.key, self.value)

    def undo(self, graph: GraphModel) -> None:
        graph.set_param(self.node_id, self.key, self._old)

    def merge(self, other: Command) -> bool:
        if isinstance(other, SetParam) and (other.node_id, other.key) == (self.node_id, self.key):
            self.value = copy.deepcopy(other.value)
            return True
        return False


class SetSettings(Command):
    """Replace project-level settings sections (``training``, ``data``) as one undoable step.

    ``owner`` is the object holding the sections (the :class:`Project`);
    ``old`` and ``new`` map section names to their full content. Consecutive
    changes of the same setting (a learning rate being spun) merge. The graph
    is not touched, so no model event is emitted; the editing controller tells
    its views after undo/redo.
    """

    def __init__(self, owner: Any, old: dict[str, Any], new: dict[str, Any], key: str) -> None:
        self.owner = owner
        self.old, self.new = copy.deepcopy(old), copy.deepcopy(new)
        self.key = key

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"change {self.key}" if self.key else "change settings"

    def _apply(self, sections: dict[str, Any]) -> None:
        for name, value in sections.items():
            current = getattr(self.owner, name, None)
            if isinstance(current, dict) and isinstance(value, dict):
                # In place: editors and the training panel hold the section dicts themselves.
                current.clear()
                current.update(copy.deepcopy(value))
            else:
                setattr(self.owner, name, copy.deepcopy(value))

    def do(self, graph: GraphModel) -> None:
        self._apply(self.new)

    def undo(self, graph: GraphModel) -> None:
        self._apply(self.old)

    def merge(self, other: Command) -> bool:
        if isinstance(other, SetSettings) and other.owner is self.owner and other.key == self.key:
            self.new = copy.deepcopy(other.new)
            return True
        return False


def changed_settings(old: dict[str, Any], new: dict[str, Any]) -> str:
    """``"training.lr"``-style names of the top-level keys that differ between two settings snapshots."""
    keys = []
    for section in sorted(set(old) | set(new)):
        a, b = old.get(section) or {}, new.get(section) or {}
        keys += [f"{section}.{k}" for k in sorted(set(a) | set(b), key=str) if a.get(k) != b.get(k)]
    return ", ".join(keys)


@dataclass
class MoveNodes(Command):
    """Move nodes; consecutive moves of the same set of nodes (one drag) merge."""

    positions: dict[str, Position]
    text: str = "move"
    _old: dict[str, Position] = field(default_factory=dict)

    def do(self, graph: GraphModel) -> None:
        for node_id, pos in self.positions.items():
            old = graph.move(node_id, pos)
            self._old.setdefault(node_id, old)

    def undo(self, graph: GraphModel) -> None:
        for node_id, pos in self._old.items():
            graph.move(node_id, pos)

    def merge(self, other: Command) -> bool:
        if isinstance(other, MoveNodes) and other.positions.keys() == self.positions.keys():
            self.positions = dict(other.positions)
            return True
        return False


@dataclass
class Rename(Command):
    """Rename a node."""

    node_id: str
    name: str
    _old: str = ""

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"rename to {self.name}"

    def do(self, graph: GraphModel) -> None:
        self._old = graph.rename(self.node_id, self.name)

    def undo(self, graph: GraphModel) -> None:
        graph.rename(self.node_id, self._old)


@dataclass
class SetBlock(Command):
    """Add, replace or remove (``block=None``) a block definition."""

    block_id: str
    block: Any
    text: str = "edit block"
    _old: Any = None

    def do(self, graph: GraphModel) -> None:
        self._old = graph.set_block(self.block_id, copy.deepcopy(self.block))

    def undo(self, graph: GraphModel) -> None:
        graph.set_block(self.block_id, self._old)


@dataclass
class Macro(Command):
    """Several commands as one undo step; a failing child rolls back the others."""

    children: list[Command]
    text: str = "edit"

    def do(self, graph: GraphModel) -> None:
        done: list[Command] = []
        try:
            for child in self.children:
                child.do(graph)
                done.append(child)
        except Exception:
            for child in reversed(done):
                child.undo(graph)
            raise

    def undo(self, graph: GraphModel) -> None:
        for child in reversed(self.children):
            child.undo(graph)
