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

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneHelpEvent

from studio.ui.canvas import style
from studio.ui.canvas.edge_item import EdgeItem
from studio.ui.canvas.looks import node_look
from studio.ui.canvas.node_item import NodeItem
from studio.ui.canvas.overview import OverviewCache

_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
INDEX_MARGIN = 2000.0  # scene units kept free around the cards in the item index's rect

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

    Signals
    -------
    overview_changed()
        What the batched overview draws (cards, wires, their colours) changed;
        the minimap re-renders on it.

    Notes
    -----
    The scene rect is fixed (the cards' bounds plus :data:`INDEX_MARGIN`,
    grown when a card leaves it) rather than Qt's growing default: with a
    growing rect Qt recomputes the bounds of every item after each geometry
    change, and a stale rect leaves the BSP index useless (every item tested
    on every frame).
    """

    overview_changed = Signal()

    def __init__(self, document: Document | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.document: Document | None = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._edges_of: dict[str, set[Edge]] = {}
        self._wires: dict[str, tuple[list, list]] = {}  # node id -> ([(item, src port)], [(item, dst port)])
        self._results: dict[str, NodeResult] = {}
        self._info_texts: dict[tuple, tuple[str, str]] = {}  # (shape, outputs, params) -> card texts
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
        self._wires.clear()
        self._results.clear()
        self.document = document
        self._invalidate_overview()
        if document is None:
            self.setSceneRect(QRectF())
            return
        for node in document.graph.nodes.values():
            self._add_node(node, fit=False)
        for edge in document.graph.edges:
            self._add_edge(edge)
        self._fit_scene_rect()
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

    # ------------------------------------------------------------ index rect
    def _fit_scene_rect(self) -> None:
        """Set the scene rect to the cards' bounds plus a margin (re-indexes every item)."""
        rect = self.nodes_rect()
        if rect.isEmpty():
            rect = QRectF(-1.0, -1.0, 2.0, 2.0)
        m = INDEX_MARGIN
        self.setSceneRect(rect.adjusted(-m, -m, m, m))

    def _keep_in_scene_rect(self, item: NodeItem) -> None:
        """Grow the scene rect when ``item`` lies outside it."""
        if not self.sceneRect().contains(item.sceneBoundingRect()):
            self._fit_scene_rect()

    def render(self, painter, target=None, source=None, mode=None) -> None:
        """Like QGraphicsScene.render; the default source is the items' bounds, not the scene rect."""
        if source is None or source.isNull():
            source = self.itemsBoundingRect()
        args = [painter, target if target is not None else QRectF(), source]
        if mode is not None:
            args.append(mode)
        super().render(*args)

    # ------------------------------------------------------------ tooltips
    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        """Build the tooltips of the items under the cursor (they are built lazily), then show one."""
        pos = event.scenePos()
        for item in self.items(QRectF(pos.x() - 2, pos.y() - 2, 4, 4)):
            if isinstance(item, NodeItem | EdgeItem):
                item.sync_tooltip()
        super().helpEvent(event)

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
        self.overview_changed.emit()

    def paint_overview(self, painter, rect=None) -> None:
        """Draw all cards as rects and all wires as lines (zoomed-out views, minimap)."""
        self.overview_cache.paint(painter, rect)

    # ------------------------------------------------------------ model events
    def _on_graph_changed(self, name: str, args: tuple) -> None:
        if name != "param_changed":  # a param edit recolours or resizes a card only via _refresh_look
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
        self._wires.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_edge_added(self, edge: Edge) -> None:
        self._add_edge(edge)
        self._label_edges(edge.src[0])

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self._edges.pop(edge, None)
        for nid in (edge.src[0], edge.dst[0]):
            self._edges_of.get(nid, set()).discard(edge)
            self._wires.pop(nid, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_moved(self, node_id: str, old: tuple, new: tuple) -> None:
        item = self._nodes.get(node_id)
        if item is not None:
            item.setPos(QPointF(*new))
            self._route_edges(node_id)
            self._keep_in_scene_rect(item)

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
            self._keep_in_scene_rect(item)
            self._invalidate_overview()

    # ------------------------------------------------------------ items
    def _add_node(self, node: Node, fit: bool = True) -> None:
        assert self.document is not None
        item = NodeItem(node_look(self.document, node))
        item.setPos(QPointF(*node.position))
        item.setFlag(_NO_CONTENTS, self.overview)
        self._nodes[node.id] = item
        self._edges_of.setdefault(node.id, set())
        self.addItem(item)
        if fit:
            self._keep_in_scene_rect(item)

    def _add_edge(self, edge: Edge) -> None:
        item = EdgeItem(edge)
        item.setFlag(_NO_CONTENTS, self.overview)
        self._edges[edge] = item
        self._edges_of.setdefault(edge.src[0], set()).add(edge)
        self._edges_of.setdefault(edge.dst[0], set()).add(edge)
        self._wires.pop(edge.src[0], None)
        self._wires.pop(edge.dst[0], None)
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
        """Push shapes, parameter counts and errors into the changed items only.

        The overview (zoomed out, minimap) draws no labels: it is rebuilt only
        when a card or wire changes between ok and error.
        """
        recolored = False
        nodes, results, wires = self._nodes, self._results, self._wires
        texts = self._info_texts
        for nid, result in report.nodes.items():
            if results.get(nid) is result or nid not in nodes:
                continue
            results[nid] = result
            shapes = result.output_shapes
            first = next(iter(shapes.values())) if shapes else None
            key = (first, len(shapes), result.params)
            try:
                info = texts.get(key)
            except TypeError:  # an unhashable shape
                info = key = None
            if info is None:
                info = _info_texts(shapes, first, result.params)
                if key is not None:
                    if len(texts) >= 4096:
                        texts.clear()
                    texts[key] = info
            item = nodes[nid]
            had_errors = bool(item.errors)
            item.set_info(*info, result.errors)
            recolored |= had_errors != bool(item.errors)
            outs, ins = wires.get(nid) or self._wires_of(nid)
            for wire, port in outs:
                wire.set_label(_wire_label(shapes.get(port)))
            if ins:
                bad_ports = {port for port, _ in result.errors} if result.errors else ()
                for wire, port in ins:
                    recolored |= wire.set_error(port in bad_ports)
        if recolored:
            self._invalidate_overview()

    def _wires_of(self, node_id: str) -> tuple[list, list]:
        """The wire items leaving and entering ``node_id``, with their ports (cached)."""
        outs, ins = [], []
        for edge in self._edges_of.get(node_id, ()):
            if edge.src[0] == node_id:
                outs.append((self._edges[edge], edge.src[1]))
            if edge.dst[0] == node_id:
                ins.append((self._edges[edge], edge.dst[1]))
        self._wires[node_id] = (outs, ins)
        return outs, ins

    def _label_edges(self, node_id: str) -> None:
        result = self._results.get(node_id)
        for edge in self._edges_of.get(node_id, ()):
            if edge.src[0] == node_id:
                shape = result.output_shapes.get(edge.src[1]) if result else None
                self._edges[edge].set_label(_wire_label(shape))

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


def _info_texts(shapes: dict, first: tuple | None, params: int) -> tuple[str, str]:
    """The card's shape and parameter-count lines for a node result."""
    if not shapes:
        return "", ""
    shape_text = style.format_shape(first)
    if len(shapes) > 1:
        shape_text += f" +{len(shapes) - 1}"
    return shape_text, f"{style.format_count(params)} params"


_WIRE_LABELS: dict[tuple | None, str] = {}


def _wire_label(shape: tuple | None) -> str:
    """``style.compact_shape`` memoised: the same few shapes label most wires."""
    try:
        return _WIRE_LABELS[shape]
    except KeyError:
        pass
    except TypeError:  # an unhashable shape
        return style.compact_shape(shape)
    if len(_WIRE_LABELS) > 4096:
        _WIRE_LABELS.clear()
    label = _WIRE_LABELS[shape] = style.compact_shape(shape)
    return label
