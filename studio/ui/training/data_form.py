"""The dataset rows of the training form: a chooser of :func:`studio.data.list_datasets` and its options."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

COMMON_KEYS = ("dataset", "split", "normalize", "augment", "seed")


@functools.cache
def _datasets() -> dict[str, dict[str, Any]]:
    from studio.data import list_datasets

    return {info["id"]: info for info in list_datasets()}


class DatasetChooser(QObject):
    """The built-in datasets (plus the project's own file dataset) and their numeric/choice options.

    File datasets are set up by the data wizard; here they are shown, not edited.

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
        self.form: QFormLayout | None = None
        self._first_option_row = 0
        self._option_rows = 0

    def add_rows(self, form: QFormLayout) -> None:
        """Put the chooser and its description into ``form``; option rows follow them."""
        form.addRow("Dataset", self.combo)
        form.addRow("", self.about)
        self.form = form
        self._first_option_row = form.rowCount()

    def set_project(self, project: Any) -> None:
        """Show ``project.data``."""
        self.project = project
        data = dict(project.data or {}) if project is not None else {}
        name = data.get("dataset", "")
        self.combo.blockSignals(True)
        index = self.combo.findData(name)
        if index < 0 and name:
            self.combo.addItem(f"{name} (file)", name)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self._show_options(name, data)

    def _on_dataset(self) -> None:
        if self.project is None:
            return
        name = self.combo.currentData()
        old = dict(self.project.data or {})
        # Options belong to one dataset; the split, normalisation and seed carry over.
        self.project.data = {k: v for k, v in old.items() if k in COMMON_KEYS} | {"dataset": name}
        self._show_options(name, self.project.data)
        self.changed.emit()

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
            self.changed.emit()
