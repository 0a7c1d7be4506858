"""One editor per :attr:`Param.kind <studio.layers.spec.Param.kind>`, from a small factory table.

``Param.kind`` describes data; this module picks the widget (DESIGN.md
pitfall 4). Every editor is a :class:`ParamEditor`: ``set_value`` fills it
without emitting, and ``edited(value, finished)`` reports what the user typed
(``finished`` is False while a spin box is still being changed, so the form
merges those edits into one undo step). Text that does not parse is reported
through ``invalid(message)`` and never reaches the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from studio.layers.spec import Param

INT_LIMIT = 2**31 - 1
_NONE_TEXT = "auto"


class ParamEditor(QWidget):
    """Base class: a widget that edits one param value.

    Signals
    -------
    edited(object, bool)
        The new value and whether editing is finished (commit one undo step).
    invalid(str)
        The user's text was refused; the message says why.
    """

    edited = Signal(object, bool)
    invalid = Signal(str)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting :attr:`edited`."""
        raise NotImplementedError

    def _add(self, widget: QWidget) -> QWidget:
        # Ignore the boxes' wide size hints (11-digit ranges): the dock decides the width.
        widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        widget.setMinimumWidth(48)
        self.layout_.addWidget(widget, 1)
        return widget


def _int_box(param: Param, optional: bool = False) -> QSpinBox:
    box = QSpinBox()
    low = int(param.min) if param.min is not None else -INT_LIMIT + 1
    box.setRange(low - 1 if optional else low, int(param.max) if param.max is not None else INT_LIMIT)
    if optional:
        box.setSpecialValueText(_NONE_TEXT)
    box.setAccelerated(True)
    return box


class IntEditor(ParamEditor):
    """``int``: a spin box with the param's limits (``auto`` below the minimum when optional)."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = self._add(_int_box(param, param.optional))
        self.box.valueChanged.connect(lambda _: self.edited.emit(self.value(), False))
        self.box.editingFinished.connect(lambda: self.edited.emit(self.value(), True))

    def value(self) -> int | None:
        """The value shown (None for ``auto``)."""
        if self.param.optional and self.box.value() == self.box.minimum():
            return None
        return self.box.value()

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self.box.blockSignals(True)
        self.box.setValue(self.box.minimum() if value is None else int(value))
        self.box.blockSignals(False)


class FloatBox(QDoubleSpinBox):
    """A double spin box that shows ``1e-05`` rather than ``0.00``."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        """Shortest faithful text."""
        return f"{value:.8g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt override)
        """Parse (scientific notation included)."""
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):  # noqa: D102 (Qt override)
        from PySide6.QtGui import QValidator

        stripped = text.strip()
        try:
            float(stripped)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            ok = stripped in ("", "-", "+", ".") or stripped[-1:] in "eE-+."
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos


class FloatEditor(ParamEditor):
    """``float``: a double spin box with the param's limits."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = self._add(FloatBox())
        self.box.setDecimals(12)
        self.box.setRange(
            param.min if param.min is not None else -1e12, param.max if param.max is not None else 1e12
        )
        default = abs(param.default or 0.0)
        self.box.setSingleStep(0.1 if default >= 0.1 or default == 0 else default)
        self.box.valueChanged.connect(lambda v: self.edited.emit(float(v), False))
        self.box.editingFinished.connect(lambda: self.edited.emit(float(self.box.value()), True))

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self.box.blockSignals(True)
        self.box.setValue(float(value or 0.0))
        self.box.blockSignals(False)


class BoolEditor(ParamEditor):
    """``bool``: a check box."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = self._add(QCheckBox())
        self.box.toggled.connect(lambda on: self.edited.emit(bool(on), True))

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self.box.blockSignals(True)
        self.box.setChecked(bool(value))
        self.box.blockSignals(False)


class ChoiceEditor(ParamEditor):
    """``choice``: a combo box of the param's choices."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = self._add(QComboBox())
        for choice in param.choices:
            self.box.addItem(str(choice), choice)
        self.box.activated.connect(lambda i: self.edited.emit(self.box.itemData(i), True))

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self.box.blockSignals(True)
        self.box.setCurrentIndex(max(0, self.box.findData(value)))
        self.box.blockSignals(False)


class TextEditor(ParamEditor):
    """``str`` (and the base of ``ints``): a line edit committed on Enter or focus out."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = self._add(QLineEdit())
        self.box.editingFinished.connect(self._commit)

    def parse(self, text: str) -> Any:
        """Text -> value; raise ValueError with a message for the user."""
        return text

    def format(self, value: Any) -> str:
        """Value -> text."""
        return "" if value is None else str(value)

    def _commit(self) -> None:
        if not self.box.isModified():
            return
        self.box.setModified(False)
        try:
            value = self.parse(self.box.text())
        except ValueError as exc:
            self.invalid.emit(str(exc))
            return
        self.edited.emit(value, True)

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self.box.setText(self.format(value))
        self.box.setModified(False)


class IntsEditor(TextEditor):
    """``ints``: comma-separated integers, e.g. ``16, 5, 5``."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box.setPlaceholderText("comma-separated integers, e.g. 16, 5, 5")

    def parse(self, text: str) -> Any:
        """``"16, 5, 5"`` -> ``[16, 5, 5]``; empty -> None when optional."""
        parts = [p for p in text.replace("(", "").replace(")", "").replace(",", " ").split()]
        if not parts and self.param.optional:
            return None
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(
                f"'{self.param.name}' must be integers separated by commas (got {text!r})"
            ) from None

    def format(self, value: Any) -> str:
        """``[16, 5, 5]`` -> ``"16, 5, 5"``."""
        if value is None:
            return ""
        return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


class SizeEditor(ParamEditor):
    """``size``: one spin box per dimension (``length`` of them), plus the named choices (``same``)."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.mode = None
        if param.choices:
            self.mode = self._add(QComboBox())
            self.mode.addItem("custom", None)
            for choice in param.choices:
                self.mode.addItem(str(choice), choice)
            self.mode.activated.connect(lambda _: self._emit(True))
            self.mode.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            self.mode.setMinimumWidth(76)
            self.layout_.setStretchFactor(self.mode, 0)
        self.boxes = [self._add(_int_box(param)) for _ in range(param.length or 1)]
        for box in self.boxes:
            box.valueChanged.connect(lambda _: self._emit(False))
            box.editingFinished.connect(lambda: self._emit(True))

    def value(self) -> Any:
        """An int when every dimension agrees, else the list; or the chosen name."""
        if self.mode is not None and self.mode.currentData() is not None:
            return self.mode.currentData()
        values = [box.value() for box in self.boxes]
        return values[0] if len(set(values)) == 1 else values

    def _emit(self, finished: bool) -> None:
        named = self.mode is not None and self.mode.currentData() is not None
        for box in self.boxes:
            box.setEnabled(not named)
        self.edited.emit(self.value(), finished)

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        for widget in [self.mode, *self.boxes]:
            if widget is not None:
                widget.blockSignals(True)
        named = isinstance(value, str)
        if self.mode is not None:
            self.mode.setCurrentIndex(max(0, self.mode.findData(value)) if named else 0)
        values = value if isinstance(value, (list, tuple)) else [value] * len(self.boxes)
        for box, v in zip(self.boxes, values, strict=False):
            box.setValue(v if isinstance(v, int) else box.value())
            box.setEnabled(not named)
            box.blockSignals(False)
        if self.mode is not None:
            self.mode.blockSignals(False)


EDITORS: dict[str, Callable[[Param], ParamEditor]] = {
    "int": IntEditor,
    "float": FloatEditor,
    "bool": BoolEditor,
    "choice": ChoiceEditor,
    "str": TextEditor,
    "ints": IntsEditor,
    "size": SizeEditor,
}


def make_editor(param: Param) -> ParamEditor:
    """The editor for ``param`` (plugins may add kinds to :data:`EDITORS`)."""
    factory = EDITORS.get(param.kind, TextEditor)
    return factory(param)
