"""An overview of the whole graph with the visible area drawn on top.

The scene's overview cache is drawn once into a pixmap (debounced after it changed) and the
minimap only repaints that pixmap plus a rectangle while the user pans, so a
5,000-node graph costs nothing per frame. Clicking or dragging in the
minimap centres the main view there.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from studio.ui.canvas import style
from studio.ui.canvas.view import GraphView

RENDER_DELAY_MS = 150
MARGIN = 60.0


class Minimap(QWidget):
    """A small overview of ``view``'s scene; the frame shows what ``view`` shows."""

    def __init__(self, view: GraphView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("minimap")
        self.view = view
        self.resize(220, 140)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pixmap = QPixmap()
        self._source = QRectF()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_DELAY_MS)
        self._timer.timeout.connect(self.render_scene)
        view.graph_scene.overview_changed.connect(self._schedule)  # not `changed`: costly in Qt
        view.view_changed.connect(self.update)

    def _schedule(self, *_: object) -> None:
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        """Render the overview when shown."""
        super().showEvent(event)
        self.render_scene()

    def hideEvent(self, event) -> None:
        """Stop pending renders while hidden."""
        self._timer.stop()
        super().hideEvent(event)

    def render_scene(self) -> None:
        """Re-render the overview pixmap from the scene."""
        self._timer.stop()
        scene = self.view.graph_scene
        source = scene.nodes_rect()
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        background = QColor(style.BACKGROUND)
        background.setAlpha(235)
        pixmap.fill(background)  # the theme's canvas colour
        if not source.isEmpty():
            source = source.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
            source = self._fit_aspect(source)
            painter = QPainter(pixmap)
            painter.scale(self.width() / source.width(), self.height() / source.height())
            painter.translate(-source.left(), -source.top())
            scene.paint_overview(painter)
            painter.end()
        self._pixmap, self._source = pixmap, source
        self.update()

    def _fit_aspect(self, rect: QRectF) -> QRectF:
        """Grow ``rect`` to the widget's aspect ratio (same centre)."""
        aspect = self.width() / max(1, self.height())
        if rect.width() / rect.height() < aspect:
            w = rect.height() * aspect
            return QRectF(rect.center().x() - w / 2, rect.top(), w, rect.height())
        h = rect.width() / aspect
        return QRectF(rect.left(), rect.center().y() - h / 2, rect.width(), h)

    def _to_map(self, rect: QRectF) -> QRectF:
        sx = self.width() / self._source.width()
        sy = self.height() / self._source.height()
        return QRectF(
            (rect.left() - self._source.left()) * sx,
            (rect.top() - self._source.top()) * sy,
            rect.width() * sx,
            rect.height() * sy,
        )

    def to_scene(self, pos: QPointF) -> QPointF:
        """Scene point under minimap position ``pos``."""
        return QPointF(
            self._source.left() + pos.x() * self._source.width() / max(1, self.width()),
            self._source.top() + pos.y() * self._source.height() / max(1, self.height()),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the overview and the visible-area frame."""
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        painter.setPen(QPen(style.CARD_BORDER, 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if not self._source.isEmpty():
            frame = self._to_map(self.view.visible_rect()).intersected(QRectF(self.rect()))
            painter.setPen(QPen(QColor("#2563eb"), 1.5))
            painter.setBrush(QColor(37, 99, 235, 30))
            painter.drawRect(frame)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Handle a mouse press."""
        if not self._source.isEmpty():
            self.view.centerOn(self.to_scene(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Handle a mouse move."""
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.mousePressEvent(event)

    def resizeEvent(self, event) -> None:
        """Keep overlays in place."""
        super().resizeEvent(event)
        if self.isVisible():
            self._schedule()
