"""The training settings form, bound to the project's ``training`` and ``data`` sections.

Editors write into ``project.training`` / ``project.data`` and the form emits
``changed``; the training panel then records the edit in the document's undo
history (``Document.commit_settings``), so it is undoable and marks the
project unsaved. Values are pushed back into the editors with signals blocked,
so nothing loops.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from studio.ui.training.data_form import DatasetChooser


class SciSpinBox(QDoubleSpinBox):
    """A spin box for rates: shows ``1e-3`` style values and steps by a factor of two."""

    def __init__(self, minimum: float = 0.0, maximum: float = 1e9, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)

    def sizeHint(self):  # noqa: N802 - Qt override
        """As wide as a short number (the 15 decimals would make Qt's hint huge)."""
        hint = super().sizeHint()
        hint.setWidth(110)
        return hint

    def minimumSizeHint(self):  # noqa: N802 - Qt override
        """See :meth:`sizeHint`."""
        hint = super().minimumSizeHint()
        hint.setWidth(70)
        return hint

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        """``0.001`` -> ``"0.001"``, ``1e-05`` -> ``"1e-05"``."""
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        """Parse any Python float literal."""
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        """Accept anything that is, or may become, a float."""
        from PySide6.QtGui import QValidator

        try:
            float(text)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        """Double or halve the value (from 0 the first step goes to 1e-5)."""
        value = self.value() or 1e-5 / 2
        self.setValue(min(self.maximum(), max(self.minimum(), value * 2.0**steps)))
        self.editingFinished.emit()


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    for value, text in items:
        combo.addItem(text, value)
    return combo


def _spin(lo: int, hi: int, special: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(lo, hi)
    spin.setKeyboardTracking(False)
    if special:
        spin.setSpecialValueText(special)
    return spin


class ConfigForm(QWidget):
    """Editors for the common :class:`~studio.training.config.TrainConfig` keys and the dataset.

    Signals
    -------
    changed()
        A value was stored in the project (mark it modified).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from studio.training.config import DEVICES, LOSSES, OPTIMIZERS, SCHEDULES, TASKS

        self.project: Any = None
        self.dataset = DatasetChooser()
        self.dataset.changed.connect(self.changed)
        self.editors: dict[str, QWidget] = {
            "task": _combo([(t, t.capitalize()) for t in TASKS]),
            "loss": _combo([("", "Task default"), *[(v, _pretty(v)) for v in LOSSES]]),
            "optimizer": _combo([(v, _pretty(v)) for v in OPTIMIZERS]),
            "lr": SciSpinBox(1e-12, 1e9),
            "weight_decay": SciSpinBox(0.0, 1e3),
            "batch_size": _spin(1, 1 << 20),
            "epochs": _spin(1, 1_000_000),
            "schedule": _combo([(v, _pretty(v)) for v in SCHEDULES]),
            "warmup_epochs": QDoubleSpinBox(),
            "early_stopping.patience": _spin(0, 10_000, "Off"),
            "seed": _spin(0, 2**31 - 1),
            "device": _combo([(v, {"auto": "Auto"}.get(v, v.upper())) for v in DEVICES]),
            "checkpoint_interval": _seconds(),
            "stats_budget": _percent(),
        }
        # Shown in other units than stored: the budget is a fraction, shown in percent.
        self.scales = {"stats_budget": 100.0}
        self.editors["warmup_epochs"].setRange(0.0, 1000.0)
        self.editors["warmup_epochs"].setSingleStep(0.5)
        self.editors["early_stopping.patience"].setSuffix(" epochs")
        self.error = QLabel()
        self.error.setObjectName("trainingConfigError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d64545;")
        self.error.hide()
        self._layout()
        self.editors["device"].setToolTip("Auto picks CUDA, then Apple MPS, then the CPU")
        self.editors["checkpoint_interval"].setToolTip(
            "Write the last checkpoint (weights and what Resume needs) at the end of an epoch at most "
            "this often; always after the last epoch and on Stop. A best epoch in between is kept and "
            "written with the next one."
        )
        self.editors["stats_budget"].setToolTip(
            "Share of the training time the per-layer statistics may take (the Inspection views over "
            "epochs and the doctor's layer checks read them): epochs beyond it are skipped, the first "
            "and the last never. 100 % = every epoch."
        )
        for key, editor in self.editors.items():
            self._connect(key, editor)

    def _layout(self) -> None:
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(10, 6, 10, 6)
        form.setVerticalSpacing(5)
        labels = {
            "task": "Task",
            "loss": "Loss",
            "optimizer": "Optimizer",
            "lr": "Learning rate",
            "weight_decay": "Weight decay",
            "batch_size": "Batch size",
            "epochs": "Epochs",
            "schedule": "LR schedule",
            "warmup_epochs": "Warm-up (epochs)",
            "early_stopping.patience": "Early stopping",
            "seed": "Seed",
            "device": "Device",
            "checkpoint_interval": "Checkpoint",
            "stats_budget": "Layer statistics",
        }
        sections = {"task": "Objective", "optimizer": "Optimizer", "epochs": "Schedule", "seed": "Run"}
        form.addRow(_section("Data"))
        self.dataset.add_rows(form)
        for key, editor in self.editors.items():
            if key in sections:
                form.addRow(_section(sections[key]))
            form.addRow(labels[key], editor)
        form.addRow(self.error)

    def _connect(self, key: str, editor: QWidget) -> None:
        if isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(lambda _i, k=key, e=editor: self._store(k, e.currentData()))
        else:
            scale = self.scales.get(key, 1.0)
            editor.valueChanged.connect(lambda value, k=key, f=scale: self._store(k, value / f))

    # ------------------------------------------------------------ binding
    def set_project(self, project: Any) -> None:
        """Show ``project``'s settings (None: an empty, disabled form)."""
        from studio.training.config import TrainConfig

        self.project = project
        self.setEnabled(project is not None)
        self.dataset.set_project(project)
        if project is None:
            return
        defaults = TrainConfig().to_dict()
        section = project.training or {}
        for key, editor in self.editors.items():
            head, _, tail = key.partition(".")
            value = section.get(head, defaults.get(head))
            if tail:
                value = (value or {}).get(tail, defaults[head][tail])
            if key in self.scales and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = value * self.scales[key]
            self._show(editor, value)
        self.validate()

    @staticmethod
    def _show(editor: QWidget, value: Any) -> None:
        editor.blockSignals(True)
        try:
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                if index < 0 and isinstance(value, str):
                    editor.addItem(value, value)  # a plugin task or loss: keep it selectable
                    index = editor.count() - 1
                editor.setCurrentIndex(index)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                editor.setValue(value)
        finally:
            editor.blockSignals(False)

    def _store(self, key: str, value: Any) -> None:
        if self.project is None:
            return
        if self.project.training is None:
            self.project.training = {}
        head, _, tail = key.partition(".")
        if tail:
            nested = dict(self.project.training.get(head) or {})
            nested[tail] = value
            value = nested
        self.project.training[head] = value
        self.validate()
        self.changed.emit()

    def validate(self) -> str:
        """Check the settings; show and return the problem ("" when they are valid)."""
        from studio.training.config import ConfigError, TrainConfig

        message = ""
        if self.project is not None:
            try:
                TrainConfig.from_dict(self.project.training)
            except ConfigError as exc:
                message = str(exc)
        self.error.setText(message)
        self.error.setVisible(bool(message))
        return message


def _pretty(name: str) -> str:
    special = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "nll": "NLL"}
    special.update({"bce_with_logits": "BCE with logits", "mse": "MSE", "l1": "L1", "one_cycle": "One-cycle"})
    return special.get(name, name.replace("_", " ").capitalize())


def _seconds() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 86_400.0)
    box.setDecimals(1)
    box.setPrefix("every ")
    box.setSuffix(" s or more")
    box.setSpecialValueText("Every epoch")  # shown at 0
    return box


def _percent() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.1, 100.0)
    box.setDecimals(1)
    box.setSingleStep(1.0)
    box.setSuffix(" % of the time")
    return box


def _section(title: str) -> QLabel:
    label = QLabel(title.upper())
    label.setObjectName("trainingFormSection")
    label.setStyleSheet("font-weight: 600; font-size: 8pt; letter-spacing: 1px; padding-top: 6px;")
    label.setEnabled(False)  # drawn in the palette's muted text colour
    return label
