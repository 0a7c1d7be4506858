"""Wires: smooth cubic curves from an output port to an input port.

An :class:`EdgeItem` knows only its two end points and a label; the scene
moves the ends when nodes move and sets the label (the tensor shape the wire
carries) from the inference report.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from studio.ui.canvas import style


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal-tangent cubic Bézier from ``start`` to ``end``."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsItem):
    """A wire between two ports, optionally labelled with a tensor shape.

    Parameters
    ----------
    key
        What the scene identifies the wire by (the model's ``Edge``); the item
        never looks inside it.
    """

    def __init__(self, key: object = None) -> None:
        super().__init__()
        self.key = key
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0.0)
        self._start = QPointF()
        self._end = QPointF()
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self._label = ""
        self._static: QStaticText | None = None
        self._label_width = 0.0
        self.error = False
        self.dashed = False

    # ------------------------------------------------------------ setters
    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """Move the wire's ends (scene coordinates)."""
        if start == self._start and end == self._end and not self._path.isEmpty():
            return
        self.prepareGeometryChange()
        self._start, self._end = QPointF(start), QPointF(end)
        self._path = wire_path(self._start, self._end)
        self._shape = None

    def set_label(self, text: str) -> None:
        """Show ``text`` (the shape carried) at the middle of the wire."""
        if text == self._label:
            return
        self.prepareGeometryChange()
        self._label = text
        self._static = QStaticText(text) if text else None
        self._label_width = 6.2 * len(text) + 12
        self.setToolTip(f"tensor {text}" if text else "")

    def label(self) -> str:
        """The label shown (for tests and tooltips)."""
        return self._label

    def set_error(self, error: bool) -> None:
        """Draw the wire in the error colour (its input reports a problem)."""
        if error != self.error:
            self.error = error
            self.update()

    @property
    def ends(self) -> tuple[QPointF, QPointF]:
        """Start and end of the wire (scene coordinates)."""
        return self._start, self._end

    def path(self) -> QPainterPath:
        """The wire's curve in scene coordinates."""
        return self._path

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        """Area the item paints in (local coordinates)."""
        rect = QRectF(self._start, self._end).normalized().adjusted(-6, -6, 6, 6)
        if self._label:
            mid = (self._start + self._end) / 2
            rect = rect.united(QRectF(mid.x() - self._label_width / 2, mid.y() - 10, self._label_width, 20))
        return rect

    def shape(self) -> QPainterPath:
        """Hit-test outline."""
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None):
        """Draw the curve (a straight line when zoomed out) and the shape label."""
        lod = painter.worldTransform().m11()
        color = style.SELECTION if self.isSelected() else (style.WIRE_ERROR if self.error else style.WIRE)
        if lod < style.OVERVIEW_ZOOM:
            painter.setPen(QPen(color, 0))  # cosmetic 1-px line
            painter.drawLine(self._start, self._end)
            return
        pen = QPen(color, 2.6 if self.isSelected() else 1.8)
        if self.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self._static is not None and lod >= style.LABEL_ZOOM:
            self._paint_label(painter, color)

    def _paint_label(self, painter: QPainter, color: QColor) -> None:
        span = abs(self._end.x() - self._start.x()) - 2 * style.PORT_RADIUS
        if span < self._label_width + 4 and abs(self._end.y() - self._start.y()) < 30:
            return  # no room between the two cards: the tooltip still tells the shape
        mid = self._path.pointAtPercent(0.5)
        rect = QRectF(mid.x() - self._label_width / 2, mid.y() - 8, self._label_width, 16)
        painter.setPen(QPen(color, 1))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(style.TEXT)
        painter.setFont(_label_font())
        size = self._static.size()
        painter.drawStaticText(QPointF(mid.x() - size.width() / 2, mid.y() - size.height() / 2), self._static)


_FONT: list = []


def _label_font():
    if not _FONT:
        _FONT.append(style.font(7, mono=True))
    return _FONT[0]
