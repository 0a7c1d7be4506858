"""The Inspector dock: the form of the selected node, or a hint when none (or several) is selected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from studio.ui.inspector.form import InspectorForm

if TYPE_CHECKING:
    from studio.ui.document import Document

__all__ = ["InspectorForm", "InspectorPanel"]


class InspectorPanel(QWidget):
    """Follows a document's selection and shows an :class:`InspectorForm` for a single node."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.document: Document | None = None
        self.form: InspectorForm | None = None
        self.hint = QLabel("Select a layer to edit its parameters.")
        self.hint.setObjectName("inspectorHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.scroll)
        self.scroll.hide()

    def set_document(self, document: Document | None) -> None:
        """Follow ``document`` (None: nothing open)."""
        if self.document is not None:
            self.document.selection_changed.disconnect(self.show_selection)
            self.document.graph_changed.disconnect(self._on_graph_changed)
        self.document = document
        if document is not None:
            document.selection_changed.connect(self.show_selection)
            document.graph_changed.connect(self._on_graph_changed)
        self.show_selection(document.selection if document else [])

    def _on_graph_changed(self, name: str, args: tuple) -> None:
        if name == "node_removed" and self.form is not None and args[0].id == self.form.node_id:
            self.show_selection([])

    def show_selection(self, node_ids: list[str]) -> None:
        """Show the form of the one selected node, else a hint."""
        if self.form is not None:
            self.form.detach()
            self.scroll.takeWidget()
            self.form.deleteLater()
            self.form = None
        ids = [n for n in node_ids if self.document is not None and n in self.document.graph.nodes]
        if len(ids) != 1:
            count = len(ids)
            text = f"{count} layers selected." if count > 1 else "Select a layer to edit its parameters."
            self.hint.setText(text if self.document is not None else "No project open.")
            self.hint.show()
            self.scroll.hide()
            return
        self.form = InspectorForm(self.document, ids[0])
        self.scroll.setWidget(self.form)
        self.hint.hide()
        self.scroll.show()
