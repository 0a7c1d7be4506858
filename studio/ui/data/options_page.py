"""Wizard page 2: the loader's options for the detected format, and the split.

Editors are made from the loader's declared options (:func:`studio.data.list_datasets`);
a few get a better editor from what :mod:`~studio.ui.data.detect` reads in the
file: the table's columns (target chooser, feature list with detected types)
and the arrays of an ``.npz`` (which is ``x``, which is ``y``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from studio.ui.data.detect import KINDS, npz_arrays, table_columns

LABELS = {
    "image_size": "Image size",
    "color": "Channels",
    "delimiter": "Separator",
    "task": "Task",
    "x_key": "Inputs array",
    "y_key": "Targets array",
    "targets": "Targets file",
    "layout": "Layout",
    "labels": "Labels file",
    "class_names": "Class names",
    "use_test": "Test files",
}
CHOICE_TEXT = {"\t": "tab", ",": "comma ,", ";": "semicolon ;", "auto": "auto", "grey": "grey (1 channel)"}
CHOICE_TEXT |= {"rgb": "RGB (3 channels)", "digits": "digits 0–9", "fashion": "Fashion-MNIST names"}
SPLIT_DEFAULTS = {"val": 0.1, "test": 0.2, "stratify": True}


@functools.cache
def _options() -> dict[str, dict[str, Any]]:
    from studio.data import list_datasets

    return {info["id"]: info["option_info"] for info in list_datasets() if info["source"] == "file"}


class OptionsPage(QWizardPage):
    """Options of one format plus split fractions, stratification, data seed and normalisation.

    Attributes
    ----------
    editors
        Option name -> editor for the current format (``target``/``features`` for tables).
    target_combo, feature_list
        The table's target column and its feature columns (checkable, with detected types).
    val_spin, test_spin, stratify_check, seed_spin, normalize_check
        The common settings.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Options")
        self.kind, self.path = "", ""
        self.editors: dict[str, QWidget] = {}
        self.columns: dict[str, str] = {}  # table column -> numeric / categorical
        self.format_box = QGroupBox("Format")
        self.format_form = QFormLayout(self.format_box)
        self.columns_box = QGroupBox("Columns")
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("dataTarget")
        self.feature_list = QListWidget()
        self.feature_list.setObjectName("dataFeatures")
        self.column_note = QLabel()
        self.column_note.setWordWrap(True)
        self.column_note.setEnabled(False)
        columns = QFormLayout(self.columns_box)
        columns.addRow("Target column", self.target_combo)
        columns.addRow("Feature columns", self.feature_list)
        columns.addRow("", self.column_note)
        self._unchecked: set[str] = set()  # feature columns the user switched off
        self.target_combo.currentIndexChanged.connect(self._fill_features)
        self.feature_list.itemChanged.connect(self._on_feature_checked)
        self.val_spin = _fraction(SPLIT_DEFAULTS["val"])
        self.test_spin = _fraction(SPLIT_DEFAULTS["test"])
        self.stratify_check = QCheckBox("Keep class proportions in every split (stratify)")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setMaximumWidth(160)
        self.seed_spin.setToolTip("Seed of the split: the same seed gives the same split on every run")
        self.normalize_check = QCheckBox("Normalise inputs with the training split's mean and std")
        split_box = QGroupBox("Split and normalisation")
        split = QFormLayout(split_box)
        fractions = QHBoxLayout()
        fractions.addWidget(QLabel("Validation"))
        fractions.addWidget(self.val_spin)
        fractions.addSpacing(12)
        fractions.addWidget(QLabel("Test"))
        fractions.addWidget(self.test_spin)
        fractions.addStretch(1)
        split.addRow("Fractions", fractions)
        split.addRow("", self.stratify_check)
        split.addRow("Split seed", self.seed_spin)
        split.addRow("", self.normalize_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.format_box)
        layout.addWidget(self.columns_box, 1)
        layout.addWidget(split_box)
        self.set_common({})

    # ------------------------------------------------------------ API
    def set_common(self, data: dict[str, Any]) -> None:
        """Show the split, seed and normalisation of a ``data`` section (defaults where missing)."""
        split = {**SPLIT_DEFAULTS, **(data.get("split") or {})}
        self.val_spin.setValue(split["val"])
        self.test_spin.setValue(split["test"])
        self.stratify_check.setChecked(bool(split["stratify"]))
        self.seed_spin.setValue(int(data.get("seed", 0)))
        self.normalize_check.setChecked(bool(data.get("normalize", True)))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Build the editors for the format and path chosen on page 1 (kept when they did not change)."""
        wizard = self.wizard()
        kind, path = wizard.source_page.kind(), wizard.source_page.path()
        if (kind, path) == (self.kind, self.path):
            return
        self.kind, self.path = kind, path
        initial = wizard.initial if wizard.initial.get("dataset") == kind else {}
        if initial and Path(str(initial.get("path", ""))).expanduser().resolve() != Path(path).resolve():
            initial = {}
        self.build(kind, path, initial, wizard.source_page.source.facts)

    def build(self, kind: str, path: str, initial: dict[str, Any], facts: dict[str, Any]) -> None:
        """Editors for ``kind`` reading ``path``, showing ``initial`` values."""
        self.setSubTitle(f"{KINDS.get(kind, kind)}: {path}")
        while self.format_form.rowCount():
            self.format_form.removeRow(0)
        self.editors = {}
        info = _options().get(kind, {})
        values = {k: m.get("default") for k, m in info.items()} | initial
        if kind == "idx":
            values.setdefault("labels", None)
            if "class_names" not in initial and facts.get("fashion"):
                values["class_names"] = "fashion"
            if Path(path).is_file() and not values.get("labels"):
                values["labels"] = facts.get("labels") or None
        for key, meta in info.items():
            editor = self._editor(kind, key, meta, values.get(key), path)
            if editor is None:
                continue
            editor.setToolTip(meta.get("help", ""))
            self.editors[key] = editor
            self.format_form.addRow(LABELS.get(key, key), editor)
        self.format_box.setVisible(bool(self.editors))
        self.columns_box.setVisible(kind == "csv")
        if kind == "csv":
            self._unchecked = set()
            self.target_combo.clear()
            self._fill_columns(values)
            self.editors["delimiter"].currentIndexChanged.connect(lambda _i: self._fill_columns({}))

    def config(self) -> dict[str, Any]:
        """The ``data`` section these editors describe (without ``augment``)."""
        info = _options().get(self.kind, {})
        out: dict[str, Any] = {"dataset": self.kind, "path": self.path}
        for key, editor in self.editors.items():
            value = _value(editor)
            if value != info[key].get("default") or key == "target":
                out[key] = value
        if self.kind == "csv":
            out["target"] = self.target_combo.currentData()
            features = self.features()
            if len(features) != self.feature_list.count():
                out["features"] = features
        out["split"] = {
            "val": round(self.val_spin.value(), 4),
            "test": round(self.test_spin.value(), 4),
            "stratify": self.stratify_check.isChecked(),
        }
        out["normalize"] = self.normalize_check.isChecked()
        out["seed"] = self.seed_spin.value()
        return out

    def features(self) -> list[str]:
        """The checked feature columns of a table."""
        items = [self.feature_list.item(i) for i in range(self.feature_list.count())]
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    # ------------------------------------------------------------ editors
    def _editor(self, kind: str, key: str, meta: dict[str, Any], value: Any, path: str) -> QWidget | None:
        if key == "path" or kind == "csv" and key in ("target", "features"):
            return None  # page 1 chose the path; the columns box edits the columns
        is_npy = Path(path).suffix.lower() == ".npy"
        if kind == "npz" and (key in ("x_key", "y_key") and is_npy or key == "targets" and not is_npy):
            return None
        if kind == "idx" and key == "labels" and not Path(path).is_file():
            return None  # a folder: the loader finds the pair itself
        if kind == "npz" and key in ("x_key", "y_key"):
            return _array_combo(npz_arrays(path), value, key)
        if meta.get("choices"):
            combo = QComboBox()
            for choice in meta["choices"]:
                combo.addItem(CHOICE_TEXT.get(choice, choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        if meta["type"] == "bool":
            check = QCheckBox({"use_test": "Use the shipped test files as the test split"}.get(key, ""))
            check.setChecked(bool(value))
            return check
        if meta["type"] == "int":
            spin = QSpinBox()
            spin.setRange(int(meta.get("minimum", 0)), 4096)
            spin.setValue(int(value))
            return spin
        edit = QLineEdit(str(value or ""))
        edit.setPlaceholderText("optional" if meta["type"] == "path" else "")
        return edit

    def _fill_columns(self, values: dict[str, Any]) -> None:
        delimiter = _value(self.editors["delimiter"]) if "delimiter" in self.editors else "auto"
        header, types, _found = table_columns(self.path, delimiter)
        self.columns = dict(zip(header, types, strict=True))
        target = values.get("target") or self.target_combo.currentData()
        if values.get("features"):
            self._unchecked = set(header) - set(values["features"]) - {target}
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for name in header:
            self.target_combo.addItem(f"{name}  ·  {self.columns[name]}", name)
        index = self.target_combo.findData(target)
        self.target_combo.setCurrentIndex(index if index >= 0 else len(header) - 1)
        self.target_combo.blockSignals(False)
        self._fill_features()
        if not header:
            self.column_note.setText("Could not read a header row; the preview will say why.")

    def _fill_features(self) -> None:
        target = self.target_combo.currentData()
        self.feature_list.blockSignals(True)
        self.feature_list.clear()
        for name, kind in self.columns.items():
            if name == target:
                continue
            text = f"{name}  —  {kind}" + ("  (one-hot encoded)" if kind == "categorical" else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            off = name in self._unchecked
            item.setCheckState(Qt.CheckState.Unchecked if off else Qt.CheckState.Checked)
            self.feature_list.addItem(item)
        self.feature_list.blockSignals(False)
        kind = self.columns.get(target, "")
        task = "classification" if kind == "categorical" else "regression (choose Task for classes)"
        self.column_note.setText(f"Target '{target}' is {kind}: {task}." if target else "")

    def _on_feature_checked(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._unchecked.discard(name)
        else:
            self._unchecked.add(name)


def _fraction(value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0.0, 0.9)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setValue(value)
    return spin


def _array_combo(arrays: list[tuple[str, tuple[int, ...], str]], value: Any, key: str) -> QComboBox:
    combo = QComboBox()
    for name, shape, dtype in arrays:
        combo.addItem(f"{name}   {shape} {dtype}", name)
    names = [a[0] for a in arrays]
    if value not in names and arrays:
        # Not the default name: guess inputs = the first array with a sample axis and more,
        # targets = the first one-dimensional array.
        want = (lambda s: len(s) >= 2) if key == "x_key" else (lambda s: len(s) == 1)
        value = next((n for n, shape, _ in arrays if want(shape)), value)
    index = combo.findData(value)
    if index < 0 and value:
        combo.addItem(f"{value}   (not in the file)", value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(0, index))
    return combo


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    text = editor.text().strip()
    return text or None
