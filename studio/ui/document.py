"""The editing controller: the only writer of the open project's graph.

Views (canvas items, inspector editors, palette drops) call these methods;
each turns an intent into a command pushed on the pure
:class:`~studio.core.history.History`. The model then emits its events, and
the document re-emits them as Qt signals together with a fresh shape
inference report (debounced to one per event-loop turn). Data flows one way:
intent -> command -> model -> event -> view.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.compiler.infer import GraphReport, ShapeInference
from studio.core.commands import (
    AddNode,
    Connect,
    Disconnect,
    MoveNodes,
    RemoveNode,
    Rename,
    SetParam,
    SetSettings,
    changed_settings,
)
from studio.core.graph import Edge, GraphError, GraphModel, Node
from studio.core.grouping import expand_block, group_into_block
from studio.core.history import History
from studio.core.serialize import Project, project_from_dict, project_to_dict
from studio.layers.ports import port_resolver
from studio.layers.registry import LayerRegistry
from studio.layers.spec import ParamError
from studio.layers.validation import param_validator


class Document(QObject):
    """One open project: graph, undo history, live inference and selection.

    Signals
    -------
    graph_changed(str, tuple)
        A model event name and its arguments, after the mutation.
    report_changed(object)
        A new :class:`~studio.compiler.infer.GraphReport` (debounced).
    history_changed()
        Undo/redo availability or the clean state changed.
    selection_changed(list)
        The ids of the selected nodes.
    """

    graph_changed = Signal(str, tuple)
    report_changed = Signal(object)
    history_changed = Signal()
    selection_changed = Signal(list)
    settings_changed = Signal()

    def __init__(
        self,
        registry: LayerRegistry,
        project: Project | None = None,
        path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        self.path = path
        self.project = self._attach(project or Project(GraphModel()))
        self.history = History(self.graph)
        self._settings = self._settings_snapshot()
        self.history.changed.connect(self._on_history)
        self.inference = ShapeInference(self.graph, registry)
        self.graph.events.changed.connect(self._on_model_event)
        self.selection: list[str] = []
        self._report: GraphReport | None = None
        self._report_timer = QTimer(self)
        self._report_timer.setSingleShot(True)
        self._report_timer.setInterval(0)
        self._report_timer.timeout.connect(self._publish_report)

    def _attach(self, project: Project) -> Project:
        """Rebuild the graph through the file format so it has the catalog's ports and checks."""
        raw = project_to_dict(project)
        return project_from_dict(raw, port_resolver(self.registry), param_validator(self.registry))

    # ------------------------------------------------------------- state
    @property
    def graph(self) -> GraphModel:
        """The open graph (read it freely; change it only through this document)."""
        return self.project.graph

    @property
    def report(self) -> GraphReport:
        """The current inference report (recomputed incrementally if stale)."""
        if self._report is None:
            self._report = self.inference.report()
        return self._report

    def is_dirty(self) -> bool:
        """True when there are edits since the last save."""
        return not self.history.is_clean()

    def close(self) -> None:
        """Stop listening to the graph (the document is being discarded)."""
        self._report_timer.stop()
        self.inference.close()
        self.graph.events.changed.disconnect(self._on_model_event)

    def _on_model_event(self, name: str, *args: Any) -> None:
        self._report = None
        self.graph_changed.emit(name, args)
        if name == "node_removed" and args[0].id in self.selection:
            self.select([nid for nid in self.selection if nid != args[0].id])
        self._report_timer.start()

    def _publish_report(self) -> None:
        self.report_changed.emit(self.report)

    # ------------------------------------------------------------- settings
    def _settings_snapshot(self) -> dict[str, Any]:
        return {"training": copy.deepcopy(self.project.training), "data": copy.deepcopy(self.project.data)}

    def commit_settings(self) -> bool:
        """Record edits made to ``project.training`` / ``project.data`` as one undoable step.

        The settings forms write into those sections and then call this; it
        compares them with the last recorded state, so the edit is undoable
        and marks the project unsaved. Returns True when something changed.
        """
        current = self._settings_snapshot()
        if current == self._settings:
            return False
        old, self._settings = self._settings, current
        self.history.push(SetSettings(self.project, old, current, changed_settings(old, current)))
        return True

    def _on_history(self) -> None:
        # Undo/redo of a settings step changed the sections behind the forms' backs: tell them.
        current = self._settings_snapshot()
        if current != self._settings:
            self._settings = current
            self.settings_changed.emit()
        self.history_changed.emit()

    # ------------------------------------------------------------- edits
    def _push(self, command: Any, merge: bool = True) -> str:
        """Apply a command; return "" or the reason it was refused."""
        try:
            self.history.push(command, merge=merge)
        except (GraphError, ParamError) as exc:
            return str(exc)
        return ""

    def add_node(
        self, type_id: str, position: tuple[float, float] = (0.0, 0.0), params: dict | None = None
    ) -> str:
        """Add a node of ``type_id``; return its id."""
        spec = self.registry.get(type_id)
        if spec is None:
            raise ValueError(f"unknown layer type '{type_id}'")
        base = type_id.split(".", 1)[1]
        node = Node(
            self.graph.new_id(), spec.type_id, self.graph.new_name(base), dict(params or {}), position
        )
        self.history.seal()
        self._push(AddNode(node), merge=False)
        return node.id

    def can_connect(self, src: tuple[str, str], dst: tuple[str, str]) -> str:
        """Empty if the wire is allowed, else why not (for live feedback while dragging)."""
        try:
            self.graph.check_connect(Edge(src, dst))
        except GraphError as exc:
            return str(exc)
        return ""

    def connect(self, src: tuple[str, str], dst: tuple[str, str]) -> str:
        """Wire an output port to an input port; "" or the reason it was refused."""
        self.history.seal()
        return self._push(Connect(Edge(src, dst)), merge=False)

    def disconnect(self, edge: Edge) -> str:
        """Remove one wire."""
        self.history.seal()
        return self._push(Disconnect(edge), merge=False)

    def remove_nodes(self, node_ids: list[str]) -> None:
        """Delete nodes and their wires as one undo step."""
        ids = [nid for nid in node_ids if nid in self.graph.nodes]
        if ids:
            self.history.push_all([RemoveNode(nid) for nid in ids], f"delete {len(ids)} node(s)")

    def move_nodes(self, positions: dict[str, tuple[float, float]], finished: bool = False) -> None:
        """Move nodes; moves of one drag merge into one step until ``finished``."""
        self._push(MoveNodes(dict(positions)))
        if finished:
            self.history.seal()

    def set_param(self, node_id: str, key: str, value: Any, finished: bool = True) -> str:
        """Set a param after validating it against the layer's schema; "" or the reason it was refused."""
        node = self.graph.node(node_id)
        spec = self.registry.get(node.type)
        if spec is not None:
            known = {p.name: p for p in spec.params}
            if key not in known:
                return f"{spec.title} has no parameter '{key}'"
            try:
                value = known[key].validate(value)
            except ParamError as exc:
                return str(exc)
        error = self._push(SetParam(node_id, key, value))
        if finished:
            self.history.seal()
        return error

    def rename(self, node_id: str, name: str) -> str:
        """Rename a node; "" or the reason the name was refused."""
        self.history.seal()
        return self._push(Rename(node_id, name), merge=False)

    def group(self, node_ids: list[str], name: str) -> str:
        """Group nodes into a new block; "" or the reason."""
        try:
            macro = group_into_block(self.graph, node_ids, name)
        except GraphError as exc:
            return str(exc)
        self.history.seal()
        return self._push(macro, merge=False)

    def expand(self, node_id: str) -> str:
        """Replace a block instance by the block's nodes; "" or the reason."""
        try:
            macro = expand_block(self.graph, node_id)
        except GraphError as exc:
            return str(exc)
        self.history.seal()
        return self._push(macro, merge=False)

    def undo(self) -> bool:
        """Undo the last step."""
        return self.history.undo()

    def redo(self) -> bool:
        """Redo the last undone step."""
        return self.history.redo()

    # --------------------------------------------------------- selection
    def select(self, node_ids: list[str]) -> None:
        """Set the selection (views follow ``selection_changed``)."""
        ids = [nid for nid in dict.fromkeys(node_ids) if nid in self.graph.nodes]
        if ids != self.selection:
            self.selection = ids
            self.selection_changed.emit(list(ids))
