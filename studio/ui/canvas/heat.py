"""Colouring the canvas by a statistic of the trained model (gradient norm, dead units ...).

A :class:`HeatBadge` is a child item of a node card: a coloured band along
the card's foot and the value in a small pill, so the card's own look (and
its error marking) stays readable. :class:`HeatLegend` floats over the canvas
and names the statistic and its colour bins. Both are views only: the values
come from :mod:`studio.inspection` through the inspection panel.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QStaticText
from PySide6.QtWidgets import QFrame, QGraphicsItem, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from studio.ui.canvas import style

# A sequential palette readable on light and dark canvases (viridis stops).
HEAT_COLORS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
BAND_HEIGHT = 5.0


def heat_bins(values: dict[str, float], log: bool = False) -> list[float]:
    """Bin edges (len(HEAT_COLORS) + 1) spanning the finite values, linear or logarithmic."""
    finite = [v for v in values.values() if math.isfinite(v) and (v > 0 or not log)]
    if not finite:
        return [0.0] * (len(HEAT_COLORS) + 1)
    lo, hi = min(finite), max(finite)
    n = len(HEAT_COLORS)
    if log:
        a, b = math.log10(lo), math.log10(hi)
        return [10 ** (a + (b - a) * i / n) for i in range(n + 1)]
    return [lo + (hi - lo) * i / n for i in range(n + 1)]


def heat_color(value: float, edges: list[float]) -> QColor | None:
    """The palette colour of ``value`` (None for a missing or non-finite value)."""
    if value is None or not math.isfinite(value):
        return None
    for i, upper in enumerate(edges[1:-1]):
        if value < upper:
            return QColor(HEAT_COLORS[i])
    return QColor(HEAT_COLORS[-1])


def format_value(value: float) -> str:
    """Compact: 3 significant digits, thousands as k/M, fractions as they are."""
    if not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return style.format_count(int(round(value)))
    return f"{value:.3g}"


class HeatBadge(QGraphicsItem):
    """The statistic's colour band and value on one card (a child of the NodeItem)."""

    def __init__(self, parent: QGraphicsItem, color: QColor, text: str) -> None:
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.color, self.text = color, text
        self._static = QStaticText(text)
        rect = parent.boundingRect()
        self._width = style.NODE_WIDTH
        self._height = parent.size()[1] if hasattr(parent, "size") else rect.height()
        pill_w = 7.0 * len(text) + 12
        self._band = QRectF(0, self._height - BAND_HEIGHT, self._width, BAND_HEIGHT)
        self._pill = QRectF(self._width - pill_w - 4, -9, pill_w, 16)
        self._brush = QBrush(color)
        self._text_pen = QPen(QColor("#ffffff") if color.lightnessF() < 0.55 else QColor("#111827"))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        """The band and the pill."""
        return self._band.united(self._pill).adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        """Band along the foot, value pill at the top-right corner."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush)
        painter.drawRect(self._band)
        if painter.worldTransform().m11() < style.OVERVIEW_ZOOM:
            return
        painter.drawRoundedRect(self._pill, 8, 8)
        painter.setPen(self._text_pen)
        size = self._static.size()
        painter.drawStaticText(
            QPointF(self._pill.center().x() - size.width() / 2, self._pill.center().y() - size.height() / 2),
            self._static,
        )


class HeatLegend(QFrame):
    """Floating legend: the statistic's name, its colour bins and a button that clears the colouring."""

    cleared = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("heatLegend")
        self.setStyleSheet(
            "#heatLegend { background: rgba(255,255,255,240); border: 1px solid #cbd2dc;"
            " border-radius: 8px; }"
            "QLabel { color: #1f2937; font-size: 11px; } QToolButton { border: none; color: #4b5563; }"
        )
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        close = QToolButton()
        close.setText("×")
        close.setToolTip("Stop colouring the nodes")
        close.clicked.connect(self.cleared)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(close)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.addLayout(head)
        layout.addLayout(self.rows)
        self.hide()

    def show_bins(self, title: str, edges: list[float], missing: int = 0) -> None:
        """Show ``title`` and one row per colour bin; ``missing`` nodes have no value."""
        self.title.setText(title)
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for i in reversed(range(len(HEAT_COLORS))):
            swatch = QLabel()
            swatch.setFixedSize(14, 10)
            swatch.setStyleSheet(f"background: {HEAT_COLORS[i]}; border-radius: 2px;")
            text = QLabel(f"{format_value(edges[i])} – {format_value(edges[i + 1])}")
            row = QHBoxLayout()
            row.addWidget(swatch)
            row.addWidget(text, 1)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.rows.addWidget(holder)
        if missing:
            self.rows.addWidget(QLabel(f"{missing} nodes without a value"))
        self.adjustSize()
        self.show()
        self.raise_()
