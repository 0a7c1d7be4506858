"""The start page: new/open, recent projects and the built-in templates as cards with thumbnails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.templates import TEMPLATES
from studio.ui.resources import category_color, icon

if TYPE_CHECKING:
    from studio.layers.registry import LayerRegistry
    from studio.templates.catalog import Template

PATH_ROLE = Qt.ItemDataRole.UserRole
THUMB = QSize(232, 96)


def template_thumbnail(template: Template, registry: LayerRegistry, size: QSize = THUMB) -> QPixmap:
    """The template's layers drawn as a small left-to-right chain of coloured blocks."""
    graph = template.build().graph
    order = graph.topological_order()
    ratio = 2.0  # crisp on high-DPI screens
    pixmap = QPixmap(size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    n = max(1, len(order))
    gap = 4.0
    width = min(26.0, (size.width() - 20 - gap * (n - 1)) / n)
    x = (size.width() - n * width - gap * (n - 1)) / 2
    mid = size.height() / 2
    centres = []
    for index, node_id in enumerate(order):
        spec = registry.get(graph.node(node_id).type)
        color = QColor(category_color(spec.icon if spec else ""))
        # Height hints at the layer's role: convolutions tall, dense shorter, activations thin.
        height = {"conv": 70, "pool": 52, "dense": 44, "activation": 30, "reshape": 36}.get(
            spec.icon if spec else "", 56
        )
        rect = QRectF(x + index * (width + gap), mid - height / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(rect, 4, 4)
        centres.append(rect.center())
    painter.setPen(QPen(QColor(148, 163, 184), 1.5))
    for a, b in zip(centres, centres[1:], strict=False):
        painter.drawLine(QPointF(a.x() + width / 2, a.y()), QPointF(b.x() - width / 2, b.y()))
    painter.end()
    return pixmap


class TemplateCard(QFrame):
    """A clickable card: thumbnail, title, one-line description and parameter count.

    Signals
    -------
    clicked(str)
        The template's slug.
    """

    clicked = Signal(str)

    def __init__(self, template: Template, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateCard")
        self.template = template
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Open the {template.title} example as a new project")
        thumb = QLabel()
        thumb.setObjectName("templateThumb")
        thumb.setPixmap(template_thumbnail(template, registry))
        thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(template.title)
        title.setObjectName("cardTitle")
        meta = QLabel(f"{template.task} · {template.dataset} dataset")
        meta.setObjectName("cardMeta")
        text = QLabel(template.description)
        text.setObjectName("cardText")
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(4)
        for widget in (thumb, title, meta, text):
            layout.addWidget(widget)
        layout.addStretch(1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """One click opens the template."""
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.template.name)
        super().mouseReleaseEvent(event)


class StartPage(QWidget):
    """What the window shows with no project open (first launch, File → New, after Close).

    Signals
    -------
    new_requested, open_requested
        The Blank project / Open… buttons.
    template_requested(str)
        A template card was clicked.
    recent_requested(str)
        A recent project was clicked.
    """

    new_requested = Signal()
    open_requested = Signal()
    template_requested = Signal(str)
    recent_requested = Signal(str)

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        heading = QLabel("NetStudio")
        heading.setObjectName("startHeading")
        sub = QLabel("Design, train and understand neural networks. Start from an example or a blank canvas.")
        sub.setObjectName("startSub")
        sub.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("emptyError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.new_button = QPushButton(icon("new"), "Blank project")
        self.new_button.setObjectName("primaryButton")
        self.open_button = QPushButton(icon("open"), "Open…")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)

        self.cards = [TemplateCard(t, registry) for t in TEMPLATES]
        grid = QGridLayout()
        grid.setSpacing(16)
        for index, card in enumerate(self.cards):
            card.clicked.connect(self.template_requested)
            grid.addWidget(card, index // 3, index % 3)
        self.recent = QListWidget()
        self.recent.setObjectName("recentList")
        self.recent.itemClicked.connect(lambda item: self.recent_requested.emit(item.data(PATH_ROLE)))

        self.recent.setMaximumHeight(220)
        body = QVBoxLayout()
        body.setSpacing(8)
        body.addWidget(_section("Examples"))
        body.addLayout(grid)
        body.addSpacing(16)
        body.addWidget(_section("Recent projects"))
        body.addWidget(self.recent)
        body.addStretch(1)
        content = QWidget()
        content.setObjectName("startContent")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        QVBoxLayout(self).addWidget(scroll)
        self.layout().setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(content)
        outer.setContentsMargins(40, 32, 40, 32)
        outer.setSpacing(10)
        for widget in (heading, sub, self.error):
            outer.addWidget(widget)
        outer.addLayout(buttons)
        outer.addSpacing(18)
        outer.addLayout(body, 1)

    def card(self, name: str) -> TemplateCard | None:
        """The card of the template ``name``."""
        return next((c for c in self.cards if c.template.name == name), None)

    def set_recent(self, paths: list[Path]) -> None:
        """List ``paths`` (newest first) with their folder as a tooltip."""
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(icon("open"), path.name.removesuffix(".nsproj.json"))
            item.setToolTip(str(path))
            item.setData(PATH_ROLE, str(path))
            self.recent.addItem(item)
        if not paths:
            item = QListWidgetItem("No recent projects yet")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)

    def set_error(self, message: str) -> None:
        """Show why the last project failed to load (``""`` hides the message)."""
        self.error.setText(f"Could not open the project: {message}" if message else "")
        self.error.setVisible(bool(message))


def _section(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("sectionLabel")
    return label
