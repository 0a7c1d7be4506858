"""The canvas as one widget: view, minimap and a floating zoom toolbar.

This is what the main window embeds::

    canvas = CanvasWidget(document)
    canvas.message.connect(statusbar.showMessage)
    canvas.node_activated.connect(inspector.show_node)
    canvas.ops.copy()  # Edit menu actions call canvas.ops.* and canvas.view.fit()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from studio.ui.canvas.doctor_marks import DoctorMark
from studio.ui.canvas.heat import HeatBadge, HeatLegend, format_value, heat_bins, heat_color
from studio.ui.canvas.minimap import Minimap
from studio.ui.canvas.scene import GraphScene
from studio.ui.canvas.view import GraphView

if TYPE_CHECKING:
    from studio.ui.canvas.operations import CanvasOperations
    from studio.ui.document import Document

OVERLAY_MARGIN = 12


class ZoomBar(QFrame):
    """Floating buttons: zoom out, zoom level (click: 100 %), zoom in, fit, layout, minimap."""

    def __init__(self, canvas: CanvasWidget) -> None:
        super().__init__(canvas)
        self.setObjectName("zoomBar")
        self.setStyleSheet(
            "#zoomBar { background: rgba(255,255,255,235); border: 1px solid #cbd2dc; border-radius: 8px; }"
            "QToolButton { border: none; padding: 3px 7px; color: #1f2937; font-size: 11px; }"
            "QToolButton:hover { background: #eef2f7; border-radius: 5px; }"
            "QToolButton:checked { background: #dbe7ff; border-radius: 5px; }"
        )
        view = canvas.view
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        self.zoom_label = self._button("100%", lambda: view.set_zoom(1.0), "Zoom to 100 % (1)")
        for widget in (
            self._button("−", lambda: view.zoom_by(0.8), "Zoom out (-)"),
            self.zoom_label,
            self._button("+", lambda: view.zoom_by(1.25), "Zoom in (+)"),
            self._button("Fit", view.fit, "Show the whole graph (F)"),
            self._button("Selection", view.zoom_to_selection, "Zoom to the selection (Z)"),
            self._button("Arrange", view.ops.auto_layout, "Automatic layout, left to right (Ctrl+L)"),
        ):
            layout.addWidget(widget)
        self.map_button = self._button("Map", None, "Show or hide the minimap")
        self.map_button.setCheckable(True)
        self.map_button.setChecked(True)
        self.map_button.toggled.connect(canvas.minimap.setVisible)
        layout.addWidget(self.map_button)
        view.view_changed.connect(self._show_zoom)
        self.adjustSize()

    def _button(self, text: str, slot, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{round(self.parentWidget().view.zoom() * 100)}%")


class CanvasWidget(QWidget):
    """The editor for one document's graph.

    Parameters
    ----------
    document
        The document to edit; None shows an empty canvas until :meth:`set_document`.

    Signals
    -------
    message(str)
        One-line status messages (refused wires and their reason, pastes...).
    node_activated(str)
        A node was double-clicked (show it in the inspector).
    """

    message = Signal(str)
    node_activated = Signal(str)

    def __init__(self, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.scene = GraphScene(document, self)
        self.view = GraphView(self.scene, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.minimap = Minimap(self.view, self)
        self.zoom_bar = ZoomBar(self)
        self.legend = HeatLegend(self)
        self.legend.cleared.connect(self.clear_statistic)
        self._badges: dict[str, HeatBadge] = {}
        self._marks: dict[str, DoctorMark] = {}
        self.view.message.connect(self.message)
        self.view.node_activated.connect(self.node_activated)

    @property
    def ops(self) -> CanvasOperations:
        """Copy, cut, paste, duplicate, delete, select all, layout, align, distribute."""
        return self.view.ops

    @property
    def document(self) -> Document | None:
        """The document shown."""
        return self.scene.document

    def set_document(self, document: Document | None) -> None:
        """Show another document (e.g. after File → Open) and fit it in view."""
        self.clear_statistic()
        self.show_findings([])
        self.scene.set_document(document)
        self.view.fit()
        if self.minimap.isVisible():
            self.minimap.render_scene()

    def close_document(self) -> None:
        """Stop following the document (call before discarding it)."""
        self.clear_statistic()
        self.show_findings([])
        self.scene.set_document(None)

    def refresh_theme(self) -> None:
        """Repaint everything after a theme change (the colours changed in place)."""
        self.scene._invalidate_overview()  # noqa: SLF001 - the scene redraws its cached overview
        self.view.resetCachedContent()
        self.view.viewport().update()
        if self.minimap.isVisible():
            self.minimap.render_scene()

    def show_statistic(self, title: str, values: dict[str, float], log: bool = False) -> None:
        """Colour the cards by ``values`` (node id -> value) and show a legend titled ``title``.

        Nodes without a value keep their normal look; ``log`` bins the colours
        logarithmically (gradient norms span decades).
        """
        self.clear_statistic(hide_legend=False)
        edges = heat_bins(values, log)
        missing = 0
        for item in self.scene.node_items():
            value = values.get(item.node_id)
            color = heat_color(value, edges) if value is not None else None
            if color is None:
                missing += 1
                continue
            self._badges[item.node_id] = HeatBadge(item, color, format_value(value))
        self.legend.show_bins(title, edges, missing)
        self._place_overlays()

    def clear_statistic(self, hide_legend: bool = True) -> None:
        """Back to the normal card colours."""
        for badge in self._badges.values():
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
            badge.setParentItem(None)
        self._badges.clear()
        if hide_legend:
            self.legend.hide()

    def show_findings(self, findings: list[dict]) -> None:
        """Mark the nodes the training doctor's ``findings`` concern (dicts with ``node_id``).

        Replaces earlier marks; an empty list removes them all.
        """
        for mark in self._marks.values():
            if mark.scene() is not None:
                mark.scene().removeItem(mark)
        self._marks.clear()
        by_node: dict[str, list[dict]] = {}
        for finding in findings:
            node_id = finding.get("node_id")
            if node_id:
                by_node.setdefault(node_id, []).append(finding)
        for node_id, found in by_node.items():
            item = self.scene.node_item(node_id)
            if item is not None:
                self._marks[node_id] = DoctorMark(item, found)

    def finding_marks(self) -> dict[str, str]:
        """Node id -> severity of its mark (what the canvas shows)."""
        return {nid: mark.severity for nid, mark in self._marks.items()}

    def statistic_colors(self) -> dict[str, str]:
        """Node id -> badge colour name (what the canvas shows; for tests and screenshots)."""
        return {nid: badge.color.name() for nid, badge in self._badges.items()}

    def resizeEvent(self, event) -> None:
        """Keep overlays in place."""
        super().resizeEvent(event)
        self._place_overlays()

    def _place_overlays(self) -> None:
        m = OVERLAY_MARGIN
        self.zoom_bar.adjustSize()
        self.zoom_bar.move(self.width() - self.zoom_bar.width() - m, m)
        self.minimap.move(self.width() - self.minimap.width() - m, self.height() - self.minimap.height() - m)
        self.legend.move(m, self.height() - self.legend.height() - m)
        self.zoom_bar.raise_()
        self.minimap.raise_()
        self.legend.raise_()
