"""The "Problems" dock: every shape error of the open graph, with quick fixes where the fix is clear."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.quick_fixes import QuickFix, quick_fixes
from studio.ui.resources import icon

if TYPE_CHECKING:
    from studio.compiler.infer import GraphReport
    from studio.ui.document import Document

NODE_ID_ROLE = Qt.ItemDataRole.UserRole


class ErrorsPanel(QWidget):
    """A list of ``layer · message`` rows; a click selects the layer, a button applies a fix.

    Signals
    -------
    node_activated(str)
        A row was clicked: the id of the layer at fault.
    message(str)
        Feedback for the status bar (a fix applied or refused).
    """

    node_activated = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorsPanel")
        self.document: Document | None = None
        self.fixes: dict[int, list[QuickFix]] = {}
        self.status = QLabel("No problems")
        self.status.setObjectName("errorsStatus")
        self.tree = QTreeWidget()
        self.tree.setObjectName("errorsTree")
        self.tree.setHeaderLabels(["Layer", "Problem", ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setColumnWidth(0, 140)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.Stretch)
        self.tree.itemClicked.connect(lambda item: self.node_activated.emit(item.data(0, NODE_ID_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.status)
        layout.addWidget(self.tree)

    def set_document(self, document: Document | None) -> None:
        """Follow ``document``'s reports (None: nothing open)."""
        if self.document is not None:
            self.document.report_changed.disconnect(self.show_report)
        self.document = document
        if document is not None:
            document.report_changed.connect(self.show_report)
            self.show_report(document.report)
        else:
            self.tree.clear()
            self.status.setText("No project open")

    def show_report(self, report: GraphReport) -> None:
        """List the errors of ``report`` (in graph order) with their fixes."""
        self.tree.clear()
        self.fixes.clear()
        graph = self.document.graph if self.document else None
        for index, (node_id, port, text) in enumerate(report.errors):
            node = graph.nodes.get(node_id) if graph else None
            where = (node.name if node else node_id) + (f".{port}" if port else "")
            item = QTreeWidgetItem(self.tree, [where, text, ""])
            item.setIcon(0, icon("status-error"))
            item.setToolTip(1, text)
            item.setData(0, NODE_ID_ROLE, node_id)
            fixes = quick_fixes(self.document, node_id, port, text) if self.document else []
            self.fixes[index] = fixes
            if fixes:
                self.tree.setItemWidget(item, 2, self._fix_buttons(fixes))
        count = len(report.errors)
        self.status.setText(f"{count} problem{'s' * (count != 1)}" if count else "✓ No problems")
        self.status.setProperty("state", "error" if count else "ok")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.tree.resizeColumnToContents(2)

    def _fix_buttons(self, fixes: list[QuickFix]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(2, 0, 2, 0)
        for fix in fixes:
            button = QPushButton(icon("fix"), fix.label)
            button.setObjectName("fixButton")
            button.clicked.connect(lambda _=False, f=fix: self.apply(f))
            row.addWidget(button)
        return box

    def apply(self, fix: QuickFix) -> str:
        """Apply ``fix``; report the outcome on :attr:`message`."""
        error = fix.apply()
        self.message.emit(f"Quick fix refused: {error}" if error else f"Applied: {fix.label}")
        return error
