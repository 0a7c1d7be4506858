"""The block name prompt (Group into Block, Rename Block) and the block editor's bar.

The prompt is a small non-blocking dialog: :meth:`BlockNameDialog.open`
returns at once and ``accepted`` fires with a valid name, so a test (or a
script) fills ``name_edit`` and clicks OK like a person would. The name must
be a Python identifier because the block exports as a class named after it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.blocks import BlockDef
from studio.core.names import NameError_, check_name


def name_problem(name: str, taken: set[str]) -> str:
    """Why ``name`` cannot name a block ("" when it can)."""
    if not name:
        return "Enter a name."
    try:
        check_name(name)
    except NameError_ as exc:
        return str(exc)[:1].upper() + str(exc)[1:] + "."
    if name in taken:
        return f"A block called '{name}' already exists."
    return ""


class BlockNameDialog(QDialog):
    """Ask for a block name, refusing invalid and taken ones as they are typed.

    Parameters
    ----------
    title, prompt
        Window title and the sentence above the field.
    name
        The suggested name (selected, so typing replaces it).
    taken
        Names of the other blocks of the project.
    on_accept
        Called with the chosen name when OK is clicked.
    """

    def __init__(
        self,
        parent: QWidget,
        title: str,
        prompt: str,
        name: str,
        taken: set[str],
        on_accept: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("blockNameDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.taken = set(taken)
        self._on_accept = on_accept
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("blockName")
        self.name_edit.selectAll()
        self.hint = QLabel()
        self.hint.setObjectName("blockNameHint")
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self.name_edit.textChanged.connect(self._check)
        self._check(name)

    def name(self) -> str:
        """The name as typed, without surrounding spaces."""
        return self.name_edit.text().strip()

    def _check(self, _text: str = "") -> None:
        problem = name_problem(self.name(), self.taken)
        self.ok_button.setEnabled(not problem)
        class_name = BlockDef("", self.name(), None).class_name() if not problem else ""  # type: ignore[arg-type]
        self.hint.setText(problem or f"Exported as the PyTorch class <code>{class_name}</code>.")
        self.hint.setProperty("state", "error" if problem else "ok")

    def accept(self) -> None:
        """Close and hand the name over, unless it is (still) invalid."""
        if name_problem(self.name(), self.taken):
            return
        name = self.name()
        super().accept()
        self._on_accept(name)


class BlockEditBar(QFrame):
    """A breadcrumb floating over the canvas while a block definition is edited: "Project › block  Done".

    It sits in the canvas's top-left corner, or below the zoom bar when the
    canvas is too narrow for both side by side.
    """

    def __init__(self, parent: QWidget, on_done: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setObjectName("blockEditBar")
        self.setStyleSheet(
            "#blockEditBar { background: #334155; border-radius: 8px; }"
            "#blockEditBar QLabel { color: #e2e8f0; font-size: 12px; }"
            "#blockEditBar QPushButton { background: #f8fafc; color: #0f172a; border: none;"
            " border-radius: 5px; padding: 3px 14px; font-weight: 600; }"
            "#blockEditBar QPushButton:hover { background: #dbe7ff; }"
        )
        self.label = QLabel()
        self.label.setObjectName("blockEditPath")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("blockEditDone")
        self.done_button.setToolTip("Back to the project: every instance already follows the edits")
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_button.clicked.connect(on_done)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 5, 6, 5)
        row.setSpacing(12)
        row.addWidget(self.label)
        row.addWidget(self.done_button)
        self.hide()
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Follow the canvas's size."""
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        margin, y = 12, 12
        zoom_bar = getattr(self.parentWidget(), "zoom_bar", None)
        if zoom_bar is not None and margin + self.width() + margin > zoom_bar.x():
            y = zoom_bar.geometry().bottom() + 8
        self.move(margin, y)
        self.raise_()

    def show_block(self, project: str, block: str, instances: int) -> None:
        """Show the path to ``block`` and how many instances follow the edits."""
        used = f"{instances} instance{'s' * (instances != 1)}"
        self.label.setText(
            f"<span style='color:#94a3b8'>{project} ›</span> <b>{block}</b>"
            f"&nbsp;&nbsp;<span style='color:#94a3b8'>block · {used}</span>"
        )
        self.setToolTip(f"Editing block '{block}': its {used} follow every edit")
        self.adjustSize()
        self.show()
        self._place()
