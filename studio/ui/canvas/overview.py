"""Batched drawing of the whole graph for zoomed-out views and the minimap.

Painting 5,000 cards one ``paint()`` call at a time costs ~300 ms a frame in
Python. Zoomed out, the scene instead switches its items to
``ItemHasNoContents`` (they stay selectable and hit-testable) and this cache
draws every card as a filled rect, grouped by colour, and every wire as a
line: a handful of C++ calls per frame. The cache is rebuilt only after the
graph, the report or the selection changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from studio.ui.canvas import style
from studio.ui.canvas.node_item import NodeItem

TITLE_ZOOM = 0.18  # from this zoom up, the overview also prints node names
_FONT: list[QFont] = []


def _title_font() -> QFont:
    if not _FONT:
        _FONT.append(style.font(20, bold=True))
    return _FONT[0]


if TYPE_CHECKING:
    from studio.ui.canvas.scene import GraphScene


class OverviewCache:
    """Rect lists per colour and a line list, rebuilt lazily from the scene's items."""

    def __init__(self, scene: GraphScene) -> None:
        self.scene = scene
        self._rects: dict[str, list[QRectF]] = {}
        self._lines: list[QLineF] = []
        self._error_lines: list[QLineF] = []
        self.dirty = True

    def invalidate(self) -> None:
        """Mark the cache stale (something visible changed)."""
        self.dirty = True

    def _rebuild(self) -> None:
        rects: dict[str, list[QRectF]] = {}
        selected, error = style.SELECTION.name(), style.ERROR.name()
        for item in self.scene.node_items():
            key = selected if item.isSelected() else (error if item.errors else item.color_name)
            pos = item.pos()
            rects.setdefault(key, []).append(QRectF(pos.x(), pos.y(), style.NODE_WIDTH, item.height))
        lines, errors = [], []
        for edge in self.scene.edge_items():
            start, end = edge.ends
            (errors if edge.error else lines).append(QLineF(start, end))
        self._rects, self._lines, self._error_lines = rects, lines, errors
        self.dirty = False

    def paint(self, painter: QPainter, rect: QRectF | None = None) -> None:
        """Draw every card and wire (Qt clips to the exposed area)."""
        if self.dirty:
            self._rebuild()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(style.WIRE, 0))
        painter.drawLines(self._lines)
        painter.setPen(QPen(style.WIRE_ERROR, 0))
        painter.drawLines(self._error_lines)
        painter.setPen(QPen(QColor(0, 0, 0, 0), 0))
        for color, rects in self._rects.items():
            painter.setBrush(QColor(color))
            painter.drawRects(rects)
        if rect is not None and painter.worldTransform().m11() >= TITLE_ZOOM:
            self._paint_titles(painter, rect)
        painter.restore()

    def _paint_titles(self, painter: QPainter, rect: QRectF) -> None:
        """Node names in a large font, so a zoomed-out graph stays readable."""
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(QColor("white"))
        painter.setFont(_title_font())
        for item in self.scene.items(rect):
            if isinstance(item, NodeItem):
                painter.drawStaticText(item.pos() + QPointF(10, 14), item.big_title())
