"""Wizard page 1: pick or drop a file or folder; the format is detected from it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
    QWizardPage,
)

from studio.ui.data.detect import KINDS, Source, detect

FILE_FILTER = (
    "Data files (*.csv *.tsv *.tab *.txt *.npy *.npz *ubyte *ubyte.gz *.bin);;"
    "Tables (*.csv *.tsv *.tab *.txt);;NumPy (*.npy *.npz);;IDX (*ubyte *ubyte.gz);;CIFAR-10 (*.bin);;"
    "All files (*)"
)
DEBOUNCE_MS = 250  # detection lists a folder: not on every keystroke


class SourcePage(QWizardPage):
    """The path and its detected format.

    Attributes
    ----------
    path_edit, kind_combo, detected
        The path line, the format chooser (``""`` = detect) and the detection message.
    source
        The latest :class:`~studio.ui.data.detect.Source`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Choose your data")
        self.setSubTitle(
            "A folder with one sub-folder of images per class, a CSV/TSV table, a NumPy .npy/.npz file, "
            "MNIST-style IDX files or CIFAR-10 binary batches. Drop a file or folder here."
        )
        self.setAcceptDrops(True)
        self.source = detect("")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("dataPath")
        self.path_edit.setPlaceholderText("/path/to/folder or file")
        self.path_edit.setClearButtonEnabled(True)
        self.file_button = QPushButton("File…")
        self.folder_button = QPushButton("Folder…")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("dataKind")
        self.kind_combo.addItem("Detect from the path", "")
        for kind, title in KINDS.items():
            self.kind_combo.addItem(title, kind)
        self.detected = QLabel()
        self.detected.setObjectName("dataDetected")
        self.detected.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.detect_now)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.file_button)
        row.addWidget(self.folder_button)
        form = QFormLayout(self)
        form.addRow("Path", row)
        form.addRow("Format", self.kind_combo)
        form.addRow("", self.detected)
        self.path_edit.textEdited.connect(lambda _text: self._timer.start())
        self.path_edit.editingFinished.connect(self.detect_now)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.file_button.clicked.connect(self._choose_file)
        self.folder_button.clicked.connect(self._choose_folder)
        self._show()

    # ------------------------------------------------------------ API
    def set_path(self, path: str | Path) -> None:
        """Use ``path`` and detect its format now."""
        self.path_edit.setText(str(path))
        self.detect_now()

    def detect_now(self) -> None:
        """Detect the format of the path in the line edit."""
        self._timer.stop()
        self.source = detect(self.path_edit.text().strip())
        self._show()
        self.completeChanged.emit()

    def kind(self) -> str:
        """The chosen format: the user's choice, else the detected one."""
        return self.kind_combo.currentData() or self.source.kind

    def path(self) -> str:
        """The path for the loader (the detected, resolved one when there is one)."""
        return self.source.path or self.path_edit.text().strip()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """A format is known and the path exists."""
        return bool(self.kind()) and bool(self.path()) and Path(self.path()).exists()

    # ------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        """Accept one dragged local file or folder."""
        if _dropped(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Use the dropped file or folder."""
        path = _dropped(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.set_path(path)

    # ------------------------------------------------------------ internals
    def _on_kind(self) -> None:
        self._show()
        self.completeChanged.emit()

    def _show(self) -> None:
        source: Source = self.source
        chosen = self.kind_combo.currentData()
        if chosen and chosen != source.kind and source.path:
            text, ok = f"Read as {KINDS[chosen]} (your choice). {source.message}", True
        else:
            text, ok = source.message, source.ok
        color = "#2b8a3e" if ok else ("#c92a2a" if source.path else "palette(placeholder-text)")
        self.detected.setText(("✓ " if ok else "") + text)
        self.detected.setStyleSheet(f"color: {color};")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", self._start_dir(), FILE_FILTER)
        if path:
            self.set_path(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a data folder", self._start_dir())
        if path:
            self.set_path(path)

    def _start_dir(self) -> str:
        p = Path(self.path()).expanduser()
        return str(p if p.is_dir() else p.parent) if self.path() else str(Path.home())


def _dropped(mime) -> str:
    """The single local path in a drag, or ""."""
    if mime.hasUrls():
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        return paths[0] if len(paths) == 1 else ""
    text = mime.text().strip() if mime.hasText() else ""
    return text if text and "\n" not in text and Path(text).expanduser().exists() else ""
