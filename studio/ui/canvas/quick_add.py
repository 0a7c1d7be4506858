"""The quick-add popup: type a few letters, press Enter, get a layer at the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from studio.ui.canvas.fuzzy import fuzzy_filter

if TYPE_CHECKING:
    from studio.layers.registry import LayerRegistry

TYPE_ROLE = Qt.ItemDataRole.UserRole


class QuickAdd(QFrame):
    """A search box over a fuzzy-filtered list of layer types, shown inside the view.

    Signals
    -------
    chosen(str)
        The type id picked with Enter, a click or a double-click.
    """

    chosen = Signal(str)

    def __init__(self, view: QWidget) -> None:
        super().__init__(view.viewport() if hasattr(view, "viewport") else view)
        self._view = view
        self.setObjectName("quickAdd")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#quickAdd { background: white; border: 1px solid #cbd2dc; border-radius: 8px; }"
            "QLineEdit { border: 1px solid #d0d5dd; border-radius: 5px; padding: 4px 6px; }"
            "QListWidget { border: none; } QListWidget::item { padding: 3px 4px; }"
            "QListWidget::item:selected { background: #2563eb; color: white; border-radius: 4px; }"
        )
        self.anchor = QPoint()
        self._candidates: list[tuple[str, str, str, str]] = []
        self._titles: dict[str, str] = {}
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add layer…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(260, 300)
        self.search.textChanged.connect(self.refilter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        self.hide()

    def popup(self, registry: LayerRegistry, at: QPoint) -> None:
        """Fill from ``registry`` and show at ``at`` (viewport coordinates), focused."""
        self.anchor = QPoint(at)
        self._candidates = [
            (s.type_id, s.title, s.type_id.split(".")[-1], s.category) for s in registry.all()
        ]
        self._titles = {s.type_id: f"{s.title}  ·  {s.category}" for s in registry.all()}
        parent = self.parentWidget()
        x = min(max(0, at.x()), max(0, parent.width() - self.width()))
        y = min(max(0, at.y()), max(0, parent.height() - self.height()))
        self.move(x, y)
        self.search.clear()
        self.refilter("")
        self.show()
        self.raise_()
        self.search.setFocus()

    def refilter(self, text: str) -> None:
        """Show the types matching ``text``, best first, and select the first."""
        keys = fuzzy_filter(text, self._candidates, limit=200) if text else [c[0] for c in self._candidates]
        self.list.clear()
        for key in keys:
            item = QListWidgetItem(self._titles[key])
            item.setData(TYPE_ROLE, key)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def visible_type_ids(self) -> list[str]:
        """Type ids currently listed (for tests)."""
        return [self.list.item(i).data(TYPE_ROLE) for i in range(self.list.count())]

    def accept(self) -> None:
        """Add the current entry (Enter)."""
        item = self.list.currentItem()
        if item is not None:
            self._activate(item)

    def _activate(self, item: QListWidgetItem) -> None:
        type_id = item.data(TYPE_ROLE)
        self.hide()
        self.chosen.emit(type_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow keys move in the list, Enter adds, Escape closes."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                self._view.setFocus()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(0, self.list.currentRow() + step), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)
