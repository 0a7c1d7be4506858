"""The dataset rows of the training form: a chooser of :func:`studio.data.list_datasets` and its options."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

COMMON_KEYS = ("dataset", "split", "normalize", "augment", "seed")


@functools.cache
def _datasets() -> dict[str, dict[str, Any]]:
    from studio.data import list_datasets

    return {info["id"]: info for info in list_datasets()}


class DatasetChooser(QObject):
    """The built-in datasets (plus the project's own file dataset) and their numeric/choice options.

    File datasets are set up by the data wizard ("Import Data…", :meth:`import_data`);
    here their numeric and choice options can be changed, their path and columns not.
    "Augmentation…" edits the ``augment`` section with a preview (:meth:`edit_augmentation`).

    Signals
    -------
    changed()
        ``project.data`` was changed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.combo = QComboBox()
        self.combo.setObjectName("trainingDataset")
        for info in _datasets().values():
            if info["source"] == "builtin":
                self.combo.addItem(info["title"], info["id"])
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.combo.currentIndexChanged.connect(self._on_dataset)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setEnabled(False)  # drawn in the palette's muted text colour
        self.import_button = QPushButton("Import Data…")
        self.import_button.setObjectName("importData")
        self.import_button.setToolTip(
            "Use your own files: image folders, CSV/TSV, NumPy, MNIST IDX, CIFAR-10"
        )
        self.import_button.clicked.connect(self.import_data)
        self.augment_label = QLabel()
        self.augment_label.setObjectName("augmentSummary")
        self.augment_label.setWordWrap(True)
        self.augment_button = QPushButton("Edit…")
        self.augment_button.setObjectName("editAugmentation")
        self.augment_button.setToolTip("Flip, crop, rotation, noise and colour jitter, with a preview")
        self.augment_button.clicked.connect(self.edit_augmentation)
        self.wizard: Any = None  # the open DataWizard, if any
        self.augment_dialog: Any = None
        self._file_data: dict[str, Any] = {}  # the project's file dataset, to come back to
        self.form: QFormLayout | None = None
        self._first_option_row = 0
        self._option_rows = 0

    def add_rows(self, form: QFormLayout) -> None:
        """Put the chooser and its description into ``form``; option rows follow them."""
        form.addRow("Dataset", self.combo)
        form.addRow("", self.about)
        form.addRow("", _row(self.import_button, None))
        self.form = form
        self._first_option_row = form.rowCount()
        form.addRow("Augment", _row(self.augment_label, self.augment_button))

    def set_project(self, project: Any) -> None:
        """Show ``project.data``."""
        self.project = project
        data = dict(project.data or {}) if project is not None else {}
        name = data.get("dataset", "")
        info = _datasets().get(name)
        self.combo.blockSignals(True)
        for i in reversed(range(self.combo.count())):
            if self.combo.itemData(i) not in _builtin_ids():
                self.combo.removeItem(i)  # one file dataset at a time: the project's
        if name and name not in _builtin_ids():
            self._file_data = data
            title = info["title"].split(" (")[0] if info else name
            where = Path(str(data.get("path", ""))).name
            self.combo.addItem(f"{title}: {where}" if where else f"{title} (file)", name)
            self.combo.setItemData(
                self.combo.count() - 1, str(data.get("path", "")), Qt.ItemDataRole.ToolTipRole
            )
        self.combo.setCurrentIndex(self.combo.findData(name) if name else -1)
        self.combo.blockSignals(False)
        self._show_options(name, data)
        self._show_augment()

    def _on_dataset(self) -> None:
        if self.project is None:
            return
        name = self.combo.currentData()
        old = dict(self.project.data or {})
        # Options belong to one dataset; the split, normalisation and seed carry over.
        own = {k: v for k, v in self._file_data.items() if k not in COMMON_KEYS}
        own = own if self._file_data.get("dataset") == name else {}
        self.project.data = {k: v for k, v in old.items() if k in COMMON_KEYS} | own | {"dataset": name}
        self._show_options(name, self.project.data)
        self.changed.emit()

    # ------------------------------------------------------------ wizard and augmentation
    def import_data(self) -> None:
        """Open the data wizard (non-blocking); Finish makes its data the project's dataset."""
        if self.project is None:
            return
        from studio.ui.data import DataWizard

        if self.wizard is not None:
            self.wizard.deleteLater()
        seed = (self.project.training or {}).get("seed", 0)
        self.wizard = DataWizard(self.combo.window(), dict(self.project.data or {}), seed)
        self.wizard.data_chosen.connect(self.set_data)
        self.wizard.open()

    def set_data(self, data: dict[str, Any]) -> None:
        """Make ``data`` the project's ``data`` section and show it."""
        if self.project is None:
            return
        self.project.data = dict(data)
        self.set_project(self.project)
        self.changed.emit()

    def edit_augmentation(self) -> None:
        """Open the augmentation editor with its preview (non-blocking); OK stores it."""
        if self.project is None:
            return
        from studio.ui.data import AugmentDialog

        if self.augment_dialog is not None:
            self.augment_dialog.deleteLater()
        self.augment_dialog = AugmentDialog(dict(self.project.data or {}), self.combo.window())
        self.augment_dialog.accepted.connect(self._store_augment)
        self.augment_dialog.open()

    def _store_augment(self) -> None:
        augment = self.augment_dialog.augment()
        data = {k: v for k, v in (self.project.data or {}).items() if k != "augment"}
        self.project.data = data | ({"augment": augment} if augment else {})
        self._show_augment()
        self.changed.emit()

    def _show_augment(self) -> None:
        from studio.ui.data.augment_view import describe

        augment = (self.project.data or {}).get("augment") if self.project is not None else None
        self.augment_label.setText(describe(augment))

    def _show_options(self, name: str, data: dict[str, Any]) -> None:
        if self.form is None:
            return
        for _ in range(self._option_rows):
            self.form.removeRow(self._first_option_row)
        self._option_rows = 0
        info = _datasets().get(name)
        self.about.setText(info["description"] if info else "")
        if info is None:
            return
        for key, meta in info["option_info"].items():
            editor = self._editor(meta, data.get(key, meta.get("default")))
            if editor is None:
                continue
            row = self._first_option_row + self._option_rows
            self.form.insertRow(row, key.replace("_", " ").capitalize(), editor)
            self._option_rows += 1
            editor.setToolTip(meta.get("help", ""))
            self._connect(key, editor)

    @staticmethod
    def _editor(meta: dict[str, Any], value: Any) -> QWidget | None:
        kind = meta.get("type")
        if meta.get("choices"):
            editor = QComboBox()
            for choice in meta["choices"]:
                editor.addItem(str(choice), choice)
            editor.setCurrentIndex(max(0, editor.findData(value)))
            return editor
        if kind == "int":
            editor = QSpinBox()
            editor.setRange(int(meta.get("minimum", 0)), 1_000_000)
        elif kind == "float":
            editor = QDoubleSpinBox()
            editor.setDecimals(3)
            editor.setSingleStep(0.01)
            editor.setRange(float(meta.get("minimum", 0.0)), 1e6)
        else:
            return None  # paths and column lists: the data wizard edits those
        editor.setKeyboardTracking(False)
        if isinstance(value, (int, float)):
            editor.setValue(value)
        return editor

    def _connect(self, key: str, editor: QWidget) -> None:
        if isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(lambda _i, e=editor: self._store(key, e.currentData()))
        else:
            editor.valueChanged.connect(lambda value: self._store(key, value))

    def _store(self, key: str, value: Any) -> None:
        if self.project is not None:
            self.project.data = {**(self.project.data or {}), key: value}
            if self.project.data.get("dataset") not in _builtin_ids():
                self._file_data = self.project.data
            self.changed.emit()


@functools.cache
def _builtin_ids() -> frozenset[str]:
    return frozenset(i for i, info in _datasets().items() if info["source"] == "builtin")


def _row(*widgets: QWidget | None) -> QWidget:
    """Widgets side by side in one form row; the first one stretches (None: a stretch)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for i, widget in enumerate(widgets):
        if widget is None:
            layout.addStretch(1)
        else:
            layout.addWidget(widget, 1 if i == 0 else 0)
    return row
