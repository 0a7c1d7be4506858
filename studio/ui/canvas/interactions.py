"""Mouse interactions of the canvas, one class each (Orange's ``UserInteraction``).

The view creates an interaction on mouse press and forwards move/release to
it until it ends; nothing else in the view knows about drags. Interactions
never touch the model: they call :class:`~studio.ui.document.Document`
methods (``move_nodes``, ``can_connect``, ``connect``...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QPainterPath
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem, QRubberBand

from studio.core.commands import Connect, Disconnect
from studio.core.graph import Edge, GraphError
from studio.ui.canvas import style
from studio.ui.canvas.edge_item import EdgeItem
from studio.ui.canvas.node_item import NodeItem, PortItem

if TYPE_CHECKING:
    from studio.ui.canvas.view import GraphView

MAX_MARKED_PORTS = 400  # live validation of wiring targets is limited to what is on screen


def snap(value: float, step: float = style.GRID) -> float:
    """``value`` rounded to the nearest multiple of ``step``."""
    return round(value / step) * step


class Interaction:
    """Base class: receives the mouse events of one gesture."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.scene = view.graph_scene
        self.document = self.scene.document

    def scene_pos(self, event: QMouseEvent) -> QPointF:
        """The event's position in scene coordinates."""
        return self.view.mapToScene(event.position().toPoint())

    def move(self, event: QMouseEvent) -> None:
        """The mouse moved with the button down."""

    def release(self, event: QMouseEvent) -> None:
        """The gesture finished."""

    def cancel(self) -> None:
        """Abort (Escape): undo what the gesture did so far."""


class NodeDrag(Interaction):
    """Move the selected cards; one undo step per drag, snapped to the grid."""

    def __init__(self, view: GraphView, anchor: str, press: QPointF, node_ids: list[str]) -> None:
        super().__init__(view)
        graph = self.document.graph
        self.anchor = anchor
        self.press = press
        self.start = {nid: graph.nodes[nid].position for nid in node_ids}
        self.last: dict[str, tuple[float, float]] | None = None

    def move(self, event: QMouseEvent) -> None:
        """Follow the mouse."""
        delta = self.scene_pos(event) - self.press
        if (
            self.last is None
            and delta.manhattanLength() * self.view.zoom() < QApplication.startDragDistance()
        ):
            return
        ax, ay = self.start[self.anchor]
        x, y = ax + delta.x(), ay + delta.y()
        if self.view.snapping and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            x, y = snap(x), snap(y)
        dx, dy = x - ax, y - ay
        positions = {nid: (px + dx, py + dy) for nid, (px, py) in self.start.items()}
        if positions != self.last:
            self.document.move_nodes(positions, finished=False)
            self.last = positions

    def release(self, event: QMouseEvent) -> None:
        """Finish the gesture."""
        if self.last is not None:
            self.document.move_nodes(self.last, finished=True)

    def cancel(self) -> None:
        """Abort the gesture."""
        if self.last is not None:
            self.document.move_nodes(self.last, finished=True)
            self.document.undo()


class NewEdgeInteraction(Interaction):
    """Drag a wire from a port; valid targets glow, invalid ones say why.

    Dragging from a connected input picks up its wire (re-wire); dropping it
    on empty canvas removes it.
    """

    def __init__(self, view: GraphView, port: PortItem) -> None:
        super().__init__(view)
        graph = self.document.graph
        self.rewire: Edge | None = None
        self.fixed = port
        if not port.is_output and graph.source_of(*port.ref) is not None:
            self.rewire = Edge(graph.source_of(*port.ref), port.ref)
            self.scene.edge_item(self.rewire).setVisible(False)
            self.fixed = self.scene.node_item(self.rewire.src[0]).port(self.rewire.src[1], True)
        self.target: PortItem | None = None
        self.reason = ""
        self.temp = EdgeItem()
        self.temp.dashed = True
        self.temp.setZValue(5)
        self.scene.addItem(self.temp)
        self.hint = QGraphicsSimpleTextItem()
        self.hint.setBrush(style.INVALID_TARGET)
        self.hint.setFont(style.font(8, bold=True))
        self.hint.setZValue(6)
        self.scene.addItem(self.hint)
        self.marked: list[PortItem] = []
        self._mark_targets()
        self._draw(self.fixed.scenePos())

    # ------------------------------------------------------------ checks
    def refs(self, target: PortItem) -> tuple[tuple[str, str], tuple[str, str]]:
        """``(src, dst)`` of the wire that would join the fixed port and ``target``."""
        return (self.fixed.ref, target.ref) if self.fixed.is_output else (target.ref, self.fixed.ref)

    def check(self, target: PortItem) -> str:
        """Empty when the wire to ``target`` is allowed, else the reason."""
        if target.is_output == self.fixed.is_output:
            return "wires go from an output (right side) to an input (left side)"
        src, dst = self.refs(target)
        if self.rewire is not None and (src, dst) == (self.rewire.src, self.rewire.dst):
            return ""
        return self.document.can_connect(src, dst)

    def _mark_targets(self) -> None:
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        for item in self.scene.items(visible):
            if isinstance(item, PortItem) and item.is_output != self.fixed.is_output:
                if not self.check(item):
                    item.set_highlight("valid")
                    self.marked.append(item)
                if len(self.marked) >= MAX_MARKED_PORTS:
                    break

    def _find_target(self, pos: QPointF) -> PortItem | None:
        reach = 14.0 / max(self.view.zoom(), 0.1)
        area = QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)
        ports = [i for i in self.scene.items(area) if isinstance(i, PortItem) and i is not self.fixed]
        if ports:
            return min(ports, key=lambda p: (p.scenePos() - pos).manhattanLength())
        card = next((i for i in self.scene.items(pos) if isinstance(i, NodeItem)), None)
        if card is None or card.node_id == self.fixed.node_id:
            return None
        side = list((card.ports_in if self.fixed.is_output else card.ports_out).values())
        return next((p for p in side if not self.check(p)), side[0] if side else None)

    # ------------------------------------------------------------ gesture
    def _draw(self, pos: QPointF) -> None:
        start, end = (self.fixed.scenePos(), pos) if self.fixed.is_output else (pos, self.fixed.scenePos())
        self.temp.set_ends(start, end)

    def move(self, event: QMouseEvent) -> None:
        """Follow the mouse."""
        pos = self.scene_pos(event)
        target = self._find_target(pos)
        if self.target is not None and self.target is not target:
            self.target.set_highlight("valid" if self.target in self.marked else "")
        self.target = target
        self.reason = self.check(target) if target is not None else ""
        if target is not None:
            target.set_highlight("invalid" if self.reason else "valid")
            self._draw(target.scenePos())
        else:
            self._draw(pos)
        self.hint.setText(self.reason)
        self.hint.setPos(pos + QPointF(12, 10))
        self.view.set_hint(self.reason)

    def release(self, event: QMouseEvent) -> None:
        """Finish the gesture."""
        self.move(event)
        target, reason = self.target, self.reason
        self._cleanup()
        if target is None:
            if self.rewire is not None:
                self.document.disconnect(self.rewire)
                self.view.message.emit("wire removed")
            return
        if reason:
            self.view.message.emit(f"cannot connect: {reason}")
            return
        src, dst = self.refs(target)
        if self.rewire is None:
            error = self.document.connect(src, dst)
        elif (src, dst) == (self.rewire.src, self.rewire.dst):
            return
        else:
            error = self._rewire(Edge(src, dst))
        self.view.message.emit(f"cannot connect: {error}" if error else f"connected {src[0]} → {dst[0]}")

    def _rewire(self, edge: Edge) -> str:
        try:
            self.document.history.push_all([Disconnect(self.rewire), Connect(edge)], "rewire")
        except GraphError as exc:
            return str(exc)
        return ""

    def cancel(self) -> None:
        """Abort the gesture."""
        self._cleanup()

    def _cleanup(self) -> None:
        for port in self.marked:
            port.set_highlight("")
        if self.target is not None:
            self.target.set_highlight("")
        self.scene.removeItem(self.temp)
        self.scene.removeItem(self.hint)
        if self.rewire is not None and self.scene.edge_item(self.rewire) is not None:
            self.scene.edge_item(self.rewire).setVisible(True)
        self.view.set_hint("")


class RubberBandSelect(Interaction):
    """Select the cards and wires inside a dragged rectangle (Ctrl/Shift: add)."""

    def __init__(self, view: GraphView, event: QMouseEvent) -> None:
        super().__init__(view)
        self.origin = event.position().toPoint()
        mods = event.modifiers()
        self.additive = bool(mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        if not self.additive:
            self.scene.clearSelection()
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, view.viewport())

    def move(self, event: QMouseEvent) -> None:
        """Follow the mouse."""
        rect = QRect(self.origin, event.position().toPoint()).normalized()
        self.band.setGeometry(rect)
        self.band.show()
        path = QPainterPath()
        path.addPolygon(self.view.mapToScene(rect))
        op = (
            Qt.ItemSelectionOperation.AddToSelection
            if self.additive
            else Qt.ItemSelectionOperation.ReplaceSelection
        )
        self.scene.setSelectionArea(path, op, Qt.ItemSelectionMode.IntersectsItemShape)

    def release(self, event: QMouseEvent) -> None:
        """Finish the gesture."""
        self.band.hide()
        self.band.deleteLater()

    def cancel(self) -> None:
        """Abort the gesture."""
        self.release(None)  # type: ignore[arg-type]


class Pan(Interaction):
    """Scroll the view with the middle button or Space + left drag."""

    def __init__(self, view: GraphView, event: QMouseEvent) -> None:
        super().__init__(view)
        self.last = event.position().toPoint()
        view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, event: QMouseEvent) -> None:
        """Follow the mouse."""
        pos = event.position().toPoint()
        delta: QPoint = pos - self.last
        self.last = pos
        self.view.scroll_by(-delta.x(), -delta.y())

    def release(self, event: QMouseEvent) -> None:
        """Finish the gesture."""
        self.view.viewport().unsetCursor()

    def cancel(self) -> None:
        """Abort the gesture."""
        self.view.viewport().unsetCursor()
