"""The canvas view: zoom, pan, grid, drops and dispatch to interactions.

The view owns no editing logic. A mouse press picks an interaction
(:mod:`studio.ui.canvas.interactions`) and later events go to it; keys map to
:class:`~studio.ui.canvas.operations.CanvasOperations`; palette drops and the
quick-add popup end in :func:`~studio.ui.canvas.editing.add_layer`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from studio.ui.canvas import style
from studio.ui.canvas.clipboard import LAYER_MIME
from studio.ui.canvas.edge_item import EdgeItem
from studio.ui.canvas.editing import add_layer
from studio.ui.canvas.interactions import (
    Interaction,
    NewEdgeInteraction,
    NodeDrag,
    Pan,
    RubberBandSelect,
    snap,
)
from studio.ui.canvas.node_item import NodeItem, PortItem
from studio.ui.canvas.operations import CanvasOperations
from studio.ui.canvas.quick_add import QuickAdd
from studio.ui.canvas.scene import GraphScene

MIN_ZOOM, MAX_ZOOM = 0.03, 4.0
WORLD = 1.0e6  # the scrollable area: far beyond any graph, so panning never hits a wall


class GraphView(QGraphicsView):
    """An editable view of a :class:`GraphScene`.

    Signals
    -------
    message(str)
        A one-line status message (refused wires, pasted nodes...).
    node_activated(str)
        A card was double-clicked (the inspector shows that node).
    view_changed()
        The visible area changed (zoom or scroll), e.g. for the minimap.
    """

    message = Signal(str)
    node_activated = Signal(str)
    view_changed = Signal()

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.graph_scene = scene
        self.snapping = True
        self.hint_text = ""
        self.interaction: Interaction | None = None
        self._space = False
        self.ops = CanvasOperations(self)
        self.quick_add = QuickAdd(self)
        self.quick_add.chosen.connect(self._quick_add_chosen)
        self.setObjectName("graphView")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSceneRect(QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD))
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.horizontalScrollBar().valueChanged.connect(self.view_changed)
        self.verticalScrollBar().valueChanged.connect(self.view_changed)

    # ------------------------------------------------------------ zoom and pan
    def zoom(self) -> float:
        """The current scale (1.0 = 100 %)."""
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``zoom``, keeping scene point ``anchor`` (default: the centre) in place."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        center = anchor if anchor is not None else self.visible_rect().center()
        before = self.mapFromScene(center)
        self.resetTransform()
        self.scale(zoom, zoom)
        self.graph_scene.set_overview(zoom < style.OVERVIEW_ZOOM)
        after = self.mapFromScene(center)
        self.scroll_by(after.x() - before.x(), after.y() - before.y())
        self.view_changed.emit()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Multiply the zoom by ``factor``."""
        self.set_zoom(self.zoom() * factor, anchor)

    def scroll_by(self, dx: float, dy: float) -> None:
        """Scroll by a number of viewport pixels."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def visible_rect(self) -> QRectF:
        """The scene area on screen."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def show_rect(self, rect: QRectF, max_zoom: float = 1.0) -> None:
        """Zoom and scroll so ``rect`` fills the view (never beyond ``max_zoom``)."""
        if rect.isEmpty():
            self.set_zoom(1.0)
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        port = self.viewport().rect()
        zoom = min(port.width() / rect.width(), port.height() / rect.height(), max_zoom)
        self.set_zoom(zoom)
        self.centerOn(rect.center())
        self.view_changed.emit()

    def fit(self) -> None:
        """Show the whole graph (F)."""
        self.show_rect(self.graph_scene.nodes_rect())

    def zoom_to_selection(self) -> None:
        """Show the selected cards (or everything when nothing is selected)."""
        ids = self.graph_scene.selected_node_ids()
        self.show_rect(self.graph_scene.nodes_rect(ids or None), max_zoom=1.5)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Zoom around the cursor."""
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.2**steps, self.mapToScene(event.position().toPoint()))
        event.accept()

    # ------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """Paint the grid (coarser when zoomed out)."""
        painter.fillRect(rect, style.BACKGROUND)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # 1-px lines: AA costs ~7 ms
        step = style.GRID
        while step * self.zoom() < 10:
            step *= 5
        for spacing, color in ((step, style.GRID_MINOR), (step * 5, style.GRID_MAJOR)):
            if spacing * self.zoom() < 10:
                continue
            lines = []
            x = math.floor(rect.left() / spacing) * spacing
            while x <= rect.right():
                lines.append(QLineF(x, rect.top(), x, rect.bottom()))
                x += spacing
            y = math.floor(rect.top() / spacing) * spacing
            while y <= rect.bottom():
                lines.append(QLineF(rect.left(), y, rect.right(), y))
                y += spacing
            painter.setPen(QPen(color, 0))
            painter.drawLines(lines)
        painter.restore()
        if self.graph_scene.overview:
            self.graph_scene.paint_overview(painter, rect)

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Handle a mouse press."""
        self.setFocus()
        if self.interaction is not None:
            return
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space):
            self.interaction = Pan(self, event)
            return
        if button != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.quick_add.hide()
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, PortItem):
            self.interaction = NewEdgeInteraction(self, item)
        elif isinstance(item, NodeItem):
            self._press_node(item, event)
        elif isinstance(item, EdgeItem):
            self._select_item(item, event)
        else:
            self.interaction = RubberBandSelect(self, event)

    def _select_item(self, item: NodeItem | EdgeItem, event: QMouseEvent) -> None:
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            item.setSelected(not item.isSelected())
        elif not item.isSelected():
            self.graph_scene.clearSelection()
            item.setSelected(True)

    def _press_node(self, item: NodeItem, event: QMouseEvent) -> None:
        self._select_item(item, event)
        if item.isSelected():
            press = self.mapToScene(event.position().toPoint())
            ids = self.graph_scene.selected_node_ids()
            self.interaction = NodeDrag(self, item.node_id, press, ids)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Handle a mouse move."""
        if self.interaction is not None:
            self.interaction.move(event)
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Handle a mouse release."""
        interaction, self.interaction = self.interaction, None
        if interaction is not None:
            interaction.release(event)
        else:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click: activate a node, or open quick-add on empty canvas."""
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, PortItem):
            item = item.parentItem()
        if isinstance(item, NodeItem):
            self.node_activated.emit(item.node_id)
        elif item is None and event.button() == Qt.MouseButton.LeftButton:
            self.open_quick_add(event.position().toPoint())

    # ------------------------------------------------------------ keyboard
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Canvas shortcuts."""
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
        elif key == Qt.Key.Key_Escape and self.interaction is not None:
            self.interaction.cancel()
            self.interaction = None
        elif not self.ops.handle_key(key, ctrl):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """Track the Space key (pan)."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 (Qt's name)
        """Tab opens the quick-add popup instead of moving the focus."""
        self.open_quick_add(self.mapFromGlobal(self.cursor().pos()))
        return True

    # ------------------------------------------------------------ adding layers
    def card_origin(self, scene_pos: QPointF) -> tuple[float, float]:
        """Top-left corner for a new card centred under ``scene_pos`` (snapped)."""
        x = scene_pos.x() - style.NODE_WIDTH / 2
        y = scene_pos.y() - style.HEADER_HEIGHT / 2
        return (snap(x), snap(y)) if self.snapping else (x, y)

    def drop_layer(self, type_id: str, view_pos: QPoint, wire_from: str | None = None) -> str:
        """Add a ``type_id`` card at ``view_pos`` and select it; return its id ("" if unknown)."""
        document = self.graph_scene.document
        if document is None or document.registry.get(type_id) is None:
            self.message.emit(f"unknown layer type '{type_id}'")
            return ""
        node_id = add_layer(document, type_id, self.card_origin(self.mapToScene(view_pos)), wire_from)
        document.select([node_id])
        self.message.emit(f"added {document.graph.nodes[node_id].name}")
        return node_id

    def open_quick_add(self, view_pos: QPoint) -> None:
        """Show the quick-add popup at ``view_pos`` (viewport coordinates)."""
        if self.graph_scene.document is not None:
            self.quick_add.popup(self.graph_scene.document.registry, view_pos)

    def _quick_add_chosen(self, type_id: str) -> None:
        selected = self.graph_scene.selected_node_ids()
        wire_from = selected[0] if len(selected) == 1 else None
        self.drop_layer(type_id, self.quick_add.anchor, wire_from)
        self.setFocus()

    # ------------------------------------------------------------ palette drops
    def dragEnterEvent(self, event) -> None:
        """Accept layer drags from the palette."""
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        """Accept layer drags from the palette."""
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        """Add the dropped layer at the drop position."""
        data = event.mimeData()
        if not data.hasFormat(LAYER_MIME):
            event.ignore()
            return
        type_id = bytes(data.data(LAYER_MIME).data()).decode("utf-8")
        event.acceptProposedAction()
        self.drop_layer(type_id, event.position().toPoint())

    # ------------------------------------------------------------ misc
    def set_hint(self, text: str) -> None:
        """Remember the live wiring hint (shown beside the cursor by the interaction)."""
        self.hint_text = text

    def resizeEvent(self, event) -> None:
        """Keep overlays in place."""
        super().resizeEvent(event)
        self.view_changed.emit()
