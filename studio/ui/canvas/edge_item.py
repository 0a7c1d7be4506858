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
        self._rect = QRectF()
        self._label_rect = QRectF()  # the label's rounded box; empty: no room between the cards
        self._mid = QPointF()
        self._tip_stale = False
        self.error = False
        self.dashed = False
        self._rect = self._bounds()

    # ------------------------------------------------------------ setters
    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """Move the wire's ends (scene coordinates)."""
        if start == self._start and end == self._end and not self._path.isEmpty():
            return
        self.prepareGeometryChange()
        self._start, self._end = QPointF(start), QPointF(end)
        self._path = wire_path(self._start, self._end)
        self._shape = None
        self._mid = self._path.pointAtPercent(0.5)
        self._rect = self._bounds()
        self._place_label()

    def set_label(self, text: str) -> None:
        """Show ``text`` (the shape carried) at the middle of the wire."""
        if text == self._label:
            return
        width = 6.2 * len(text) + 12
        if width != self._label_width or bool(text) != bool(self._label):
            self.prepareGeometryChange()  # a label of another length: the painted area changes
            self._label, self._label_width = text, width
            self._rect = self._bounds()
            self._place_label()
        else:
            self._label = text  # same size: the box stays where it is
            self.update()
        self._static = style.static_text(text, "label") if text else None
        self._tip_stale = True  # built when asked for (hover): labels change on every edit

    def label(self) -> str:
        """The label shown (for tests and tooltips)."""
        return self._label

    def sync_tooltip(self) -> None:
        """Bring the tooltip up to date with the label (the scene calls this before showing tips)."""
        if self._tip_stale:
            self._tip_stale = False
            self.setToolTip(f"tensor {self._label}" if self._label else "")

    def toolTip(self) -> str:
        """The tooltip: the tensor shape carried ("" without a label)."""
        self.sync_tooltip()
        return super().toolTip()

    def set_error(self, error: bool) -> bool:
        """Draw the wire in the error colour (its input reports a problem); True if that changed."""
        if error == self.error:
            return False
        self.error = error
        self.update()
        return True

    @property
    def ends(self) -> tuple[QPointF, QPointF]:
        """Start and end of the wire (scene coordinates)."""
        return self._start, self._end

    def path(self) -> QPainterPath:
        """The wire's curve in scene coordinates."""
        return self._path

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        """Area the item paints in (local coordinates).

        Qt asks for it many times per frame, so it is computed only when the ends or
        the label change.
        """
        return self._rect

    def _bounds(self) -> QRectF:
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
            painter.setPen(_pen(color, 0.0))  # cosmetic 1-px line
            painter.drawLine(self._start, self._end)
            return
        painter.setPen(_pen(color, 2.6 if self.isSelected() else 1.8, self.dashed))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self._static is not None and lod >= style.LABEL_ZOOM:
            self._paint_label(painter, color)

    def _place_label(self) -> None:
        """Where the label box goes (none when there is no room between the two cards)."""
        span = abs(self._end.x() - self._start.x()) - 2 * style.PORT_RADIUS
        if not self._label or (span < self._label_width + 4 and abs(self._end.y() - self._start.y()) < 30):
            self._label_rect = QRectF()  # the tooltip still tells the shape
            return
        mid = self._mid
        self._label_rect = QRectF(mid.x() - self._label_width / 2, mid.y() - 8, self._label_width, 16)

    def _paint_label(self, painter: QPainter, color: QColor) -> None:
        if self._label_rect.isNull():
            return
        painter.setPen(_pen(color, 1.0))
        painter.setBrush(style.LABEL_FILL)
        painter.drawRoundedRect(self._label_rect, 8, 8)
        painter.setPen(style.TEXT)
        painter.setFont(_label_font())
        size = self._static.size()
        mid = self._mid
        painter.drawStaticText(QPointF(mid.x() - size.width() / 2, mid.y() - size.height() / 2), self._static)


_FONT: list = []
_PENS: dict[tuple[int, float, bool], QPen] = {}


def _pen(color: QColor, width: float, dashed: bool = False) -> QPen:
    """A pen built once per colour, width and style (paint() runs for every wire, every frame)."""
    key = (color.rgba(), width, dashed)
    pen = _PENS.get(key)
    if pen is None:
        pen = _PENS[key] = QPen(color, width)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _label_font():
    if not _FONT:
        _FONT.append(style.font(7, mono=True))
    return _FONT[0]
