"""The graph scene: one item per node and per wire, following a Document.

Orange-style binding: :meth:`GraphScene.set_document` replays the existing
nodes and edges through the same ``_add_node`` / ``_add_edge`` path the
document's ``graph_changed`` events use, and keeps ``node id -> item`` and
``edge -> item`` maps. Inference results arrive with ``report_changed`` and
are pushed into the items as derived state. Nothing here mutates the model;
selection is mirrored to ``Document.select`` in both directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from studio.ui.canvas import style
from studio.ui.canvas.edge_item import EdgeItem
from studio.ui.canvas.looks import node_look
from studio.ui.canvas.node_item import NodeItem
from studio.ui.canvas.overview import OverviewCache

_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents

if TYPE_CHECKING:
    from studio.compiler.infer import GraphReport, NodeResult
    from studio.core.graph import Edge, Node
    from studio.ui.document import Document


class GraphScene(QGraphicsScene):
    """Items for the nodes and wires of one :class:`~studio.ui.document.Document`.

    Parameters
    ----------
    document
        The document to show (None: an empty scene until :meth:`set_document`).
    """

    def __init__(self, document: Document | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.document: Document | None = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._edges_of: dict[str, set[Edge]] = {}
        self._results: dict[str, NodeResult] = {}
        self._syncing = False
        self.overview = False  # zoomed out: items paint nothing, the cache draws them all
        self.overview_cache = OverviewCache(self)
        self.selectionChanged.connect(self._on_scene_selection)
        self.selectionChanged.connect(self._invalidate_overview)
        if document is not None:
            self.set_document(document)

    # ------------------------------------------------------------ binding
    def set_document(self, document: Document | None) -> None:
        """Show ``document`` (None: show nothing), replaying its nodes and wires."""
        if self.document is not None:
            self.document.graph_changed.disconnect(self._on_graph_changed)
            self.document.report_changed.disconnect(self._apply_report)
            self.document.selection_changed.disconnect(self._on_document_selection)
        self._syncing = True
        self.clear()
        self._syncing = False
        self._nodes.clear()
        self._edges.clear()
        self._edges_of.clear()
        self._results.clear()
        self.document = document
        if document is None:
            return
        for node in document.graph.nodes.values():
            self._add_node(node)
        for edge in document.graph.edges:
            self._add_edge(edge)
        document.graph_changed.connect(self._on_graph_changed)
        document.report_changed.connect(self._apply_report)
        document.selection_changed.connect(self._on_document_selection)
        self._apply_report(document.report)
        self._on_document_selection(document.selection)

    def close(self) -> None:
        """Stop following the document."""
        self.set_document(None)

    # ------------------------------------------------------------ queries
    def node_item(self, node_id: str) -> NodeItem | None:
        """The card of ``node_id``."""
        return self._nodes.get(node_id)

    def edge_item(self, edge: Edge) -> EdgeItem | None:
        """The wire item of ``edge``."""
        return self._edges.get(edge)

    def node_items(self) -> list[NodeItem]:
        """Every card, in model order."""
        return list(self._nodes.values())

    def edge_items(self) -> list[EdgeItem]:
        """Every wire item."""
        return list(self._edges.values())

    def selected_node_ids(self) -> list[str]:
        """Ids of the selected cards, in model order."""
        return [nid for nid, item in self._nodes.items() if item.isSelected()]

    def selected_edges(self) -> list[Edge]:
        """Model edges of the selected wires."""
        return [edge for edge, item in self._edges.items() if item.isSelected()]

    def nodes_rect(self, node_ids: list[str] | None = None) -> QRectF:
        """Bounding rect of the given cards (all when None)."""
        items = self._nodes.values() if node_ids is None else (self._nodes[n] for n in node_ids)
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def sizes(self) -> dict[str, tuple[float, float]]:
        """Card sizes by node id (for layout)."""
        return {nid: item.size() for nid, item in self._nodes.items()}

    # ------------------------------------------------------------ overview
    def set_overview(self, on: bool) -> None:
        """Switch batched overview drawing on (zoomed out) or off."""
        if on == self.overview:
            return
        self.overview = on
        for item in (*self._nodes.values(), *self._edges.values()):
            item.setFlag(_NO_CONTENTS, on)
        self._invalidate_overview()

    def _invalidate_overview(self) -> None:
        self.overview_cache.invalidate()
        if self.overview:
            self.update()

    def paint_overview(self, painter, rect=None) -> None:
        """Draw all cards as rects and all wires as lines (zoomed-out views, minimap)."""
        self.overview_cache.paint(painter, rect)

    # ------------------------------------------------------------ model events
    def _on_graph_changed(self, name: str, args: tuple) -> None:
        self._invalidate_overview()
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            handler(*args)

    def _on_node_added(self, node: Node) -> None:
        self._add_node(node)

    def _on_node_removed(self, node: Node) -> None:
        item = self._nodes.pop(node.id, None)
        self._results.pop(node.id, None)
        self._edges_of.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_edge_added(self, edge: Edge) -> None:
        self._add_edge(edge)
        self._label_edges(edge.src[0])

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self._edges.pop(edge, None)
        for nid in (edge.src[0], edge.dst[0]):
            self._edges_of.get(nid, set()).discard(edge)
        if item is not None:
            self.removeItem(item)

    def _on_node_moved(self, node_id: str, old: tuple, new: tuple) -> None:
        item = self._nodes.get(node_id)
        if item is not None:
            item.setPos(QPointF(*new))
            self._route_edges(node_id)

    def _on_renamed(self, node_id: str, old: str, new: str) -> None:
        self._nodes[node_id].set_title(new)

    def _on_param_changed(self, node_id: str, *rest: Any) -> None:
        self._refresh_look(node_id)

    def _on_block_changed(self, block_id: str) -> None:
        for nid in list(self._nodes):
            self._refresh_look(nid)

    def _refresh_look(self, node_id: str) -> None:
        """Rebuild a card's ports when params changed them (e.g. Concat inputs)."""
        assert self.document is not None
        look = node_look(self.document, self.document.graph.nodes[node_id])
        item = self._nodes[node_id]
        if look != item.look:
            item.set_look(look)
            self._route_edges(node_id)

    # ------------------------------------------------------------ items
    def _add_node(self, node: Node) -> None:
        assert self.document is not None
        item = NodeItem(node_look(self.document, node))
        item.setPos(QPointF(*node.position))
        item.setFlag(_NO_CONTENTS, self.overview)
        self._nodes[node.id] = item
        self._edges_of.setdefault(node.id, set())
        self.addItem(item)

    def _add_edge(self, edge: Edge) -> None:
        item = EdgeItem(edge)
        item.setFlag(_NO_CONTENTS, self.overview)
        self._edges[edge] = item
        self._edges_of.setdefault(edge.src[0], set()).add(edge)
        self._edges_of.setdefault(edge.dst[0], set()).add(edge)
        self._route(edge, item)
        self.addItem(item)

    def port_pos(self, node_id: str, port: str, output: bool) -> QPointF:
        """Scene position of a port (the card's edge centre when the port is unknown)."""
        item = self._nodes[node_id]
        port_item = item.port(port, output)
        if port_item is not None:
            return port_item.scenePos()
        w, h = item.size()
        return item.pos() + QPointF(w if output else 0.0, h / 2)

    def _route(self, edge: Edge, item: EdgeItem) -> None:
        item.set_ends(self.port_pos(*edge.src, True), self.port_pos(*edge.dst, False))

    def _route_edges(self, node_id: str) -> None:
        for edge in self._edges_of.get(node_id, ()):
            self._route(edge, self._edges[edge])

    # ------------------------------------------------------------ inference
    def _apply_report(self, report: GraphReport) -> None:
        """Push shapes, parameter counts and errors into the changed items only."""
        self._invalidate_overview()
        for nid, result in report.nodes.items():
            if self._results.get(nid) is result or nid not in self._nodes:
                continue
            self._results[nid] = result
            shapes = list(result.output_shapes.values())
            shape_text = style.format_shape(shapes[0]) if shapes else ""
            if len(shapes) > 1:
                shape_text += f" +{len(shapes) - 1}"
            params_text = f"{style.format_count(result.params)} params" if shapes else ""
            self._nodes[nid].set_info(shape_text, params_text, result.errors)
            self._label_edges(nid)
            bad_ports = {port for port, _ in result.errors}
            for edge in self._edges_of.get(nid, ()):
                if edge.dst[0] == nid:
                    self._edges[edge].set_error(edge.dst[1] in bad_ports)

    def _label_edges(self, node_id: str) -> None:
        result = self._results.get(node_id)
        for edge in self._edges_of.get(node_id, ()):
            if edge.src[0] == node_id:
                shape = result.output_shapes.get(edge.src[1]) if result else None
                self._edges[edge].set_label(style.compact_shape(shape))

    # ------------------------------------------------------------ selection
    def _on_scene_selection(self) -> None:
        if self._syncing or self.document is None:
            return
        self.document.select(self.selected_node_ids())

    def _on_document_selection(self, node_ids: list[str]) -> None:
        if node_ids == self.selected_node_ids():
            return
        wanted = set(node_ids)
        self._syncing = True
        try:
            for nid, item in self._nodes.items():
                item.setSelected(nid in wanted)
        finally:
            self._syncing = False
