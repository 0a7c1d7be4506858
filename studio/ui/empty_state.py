"""What the central area shows when no project is open, or when one failed to load."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

HINT = "File → Open, or <code>studio new --template lenet5 -o lenet.nsproj.json</code>"


class EmptyState(QWidget):
    """A centred "No project open" card with an Open button and room for a load error.

    Signals
    -------
    open_requested
        The user pressed "Open Project…".
    """

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        card = QWidget(self)
        card.setObjectName("emptyCard")
        self.heading = QLabel("No project open", card)
        self.heading.setObjectName("emptyHeading")
        self.hint = QLabel(HINT, card)
        self.hint.setObjectName("emptyHint")
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = QLabel(card)
        self.error.setObjectName("emptyError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.open_button = QPushButton("Open Project…", card)
        self.open_button.setObjectName("primaryButton")
        self.open_button.clicked.connect(self.open_requested)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 32, 40, 32)
        inner.setSpacing(10)
        for label in (self.heading, self.hint, self.error):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(label)
        inner.addSpacing(8)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def set_error(self, message: str) -> None:
        """Show why the last project failed to load (``""`` hides the message)."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.heading.setText("Could not open the project" if message else "No project open")
