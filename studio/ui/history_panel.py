"""The "History" dock: the undo steps of the open project; click one to go back to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from studio.ui.resources import icon

if TYPE_CHECKING:
    from studio.ui.document import Document

STEP_ROLE = Qt.ItemDataRole.UserRole
ORIGIN_TEXT = "Opened project"


class HistoryPanel(QWidget):
    """Applied steps oldest first (the current one selected), then the next redo step greyed out.

    Clicking a row undoes or redoes until the project is in that state, like
    ``QUndoView``; the pure :class:`~studio.core.history.History` stays the
    single source of truth.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.document: Document | None = None
        self.list = QListWidget()
        self.list.setObjectName("historyList")
        self.list.itemClicked.connect(self._go_to)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def set_document(self, document: Document | None) -> None:
        """Follow ``document``'s history (None: nothing open)."""
        if self.document is not None:
            self.document.history_changed.disconnect(self.refresh)
        self.document = document
        if document is not None:
            document.history_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the list from the history."""
        self.list.clear()
        if self.document is None:
            return
        history = self.document.history
        steps = [ORIGIN_TEXT, *history.texts()]
        for index, text in enumerate(steps):
            item = QListWidgetItem(icon("history") if index == 0 else icon("undo"), text)
            item.setData(STEP_ROLE, index)
            self.list.addItem(item)
        if history.can_redo:
            item = QListWidgetItem(icon("redo"), history.redo_text())
            item.setData(STEP_ROLE, len(steps))
            item.setForeground(QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)))
            font = QFont(item.font())
            font.setItalic(True)
            item.setFont(font)
            item.setToolTip("Undone: click to redo")
            self.list.addItem(item)
        current = self.list.item(len(steps) - 1)
        self.list.setCurrentItem(current)
        self.list.scrollToItem(current)

    def _go_to(self, item: QListWidgetItem) -> None:
        """Undo or redo until ``item``'s step is the last one applied."""
        if self.document is None:
            return
        target = item.data(STEP_ROLE)
        history = self.document.history
        while history.index > target and self.document.undo():
            pass
        while history.index < target and self.document.redo():
            pass
