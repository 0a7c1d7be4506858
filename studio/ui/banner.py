"""A slim in-window message bar with action buttons (e.g. "Recover unsaved work?")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QWidget):
    """A hidden bar; :meth:`show_message` fills it with text and buttons and shows it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(16, 8, 12, 8)
        self._row.addWidget(self.text, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_message(self, text: str, actions: dict[str, Callable[[], None]]) -> None:
        """Show ``text`` with one button per ``actions`` entry (each also closes the bar)."""
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        self.text.setText(text)
        for index, (label, slot) in enumerate(actions.items()):
            button = QPushButton(label)
            button.setObjectName("primaryButton" if index == 0 else "")
            button.clicked.connect(self.hide)
            button.clicked.connect(slot)
            self._row.addWidget(button)
            self.buttons[label] = button
        self.show()
