"""Augmentation settings with a live preview: one training sample and eight augmented variants.

The variants are made by :class:`studio.data.augment.Augment` itself, on the
sample normalised with the training statistics exactly as training does (so
noise is in units of the channel's std and padding is the training mean), then
shown back in the original value range. Eight small images take well under a
millisecond, so the preview is redrawn in the GUI thread whenever a setting
changes; "Reshuffle" draws new random parameters.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.ui.data.loading import display_images
from studio.ui.data.widgets import to_pixmap

VARIANTS = 8
TILE = 96
DEFAULTS = {"hflip": False, "crop": 0, "rotation": 0.0, "noise": 0.0, "color_jitter": 0.0}


def augment_section(values: dict[str, Any]) -> dict[str, Any]:
    """The ``augment`` entry to store: only the settings that are switched on (``{}``: none)."""
    return {k: v for k, v in values.items() if k in DEFAULTS and v != DEFAULTS[k]}


def describe(augment: dict[str, Any] | None) -> str:
    """One short line for the training form (``"flip, crop 4 px, noise 0.1"`` or ``"none"``)."""
    a = {**DEFAULTS, **(augment or {})}
    parts = ["flip"] if a["hflip"] else []
    parts += [f"crop {a['crop']} px"] if a["crop"] else []
    parts += [f"rotate ±{a['rotation']:g}°"] if a["rotation"] else []
    parts += [f"noise {a['noise']:g}"] if a["noise"] else []
    parts += [f"colour ±{a['color_jitter']:g}"] if a["color_jitter"] else []
    return ", ".join(parts) or "none"


class AugmentEditor(QWidget):
    """Editors for the five augmentation settings.

    Signals
    -------
    changed()
        A value was edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QWidget] = {
            "hflip": QCheckBox("Flip left–right"),
            "crop": _spin(QSpinBox(), 0, 64, 1, " px"),
            "rotation": _spin(QDoubleSpinBox(), 0.0, 180.0, 5.0, "°"),
            "noise": _spin(QDoubleSpinBox(), 0.0, 5.0, 0.05),
            "color_jitter": _spin(QDoubleSpinBox(), 0.0, 0.95, 0.05),
        }
        tips = {
            "hflip": "Mirror each image left-right with probability 1/2",
            "crop": "Pad by this many pixels, then crop back at a random offset",
            "rotation": "Rotate by a random angle in ±this many degrees",
            "noise": "Add Gaussian noise; in units of each channel's standard deviation",
            "color_jitter": "Random brightness and contrast (and saturation for RGB) of ±this fraction",
        }
        labels = {"hflip": "", "crop": "Random crop", "rotation": "Rotation", "noise": "Noise"}
        labels["color_jitter"] = "Colour jitter"
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for key, editor in self.editors.items():
            editor.setObjectName(f"augment_{key}")
            editor.setToolTip(tips[key])
            form.addRow(labels[key], editor)
            signal = editor.toggled if isinstance(editor, QCheckBox) else editor.valueChanged
            signal.connect(self.changed)

    def values(self) -> dict[str, Any]:
        """Every setting (the defaults included)."""
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            out[key] = editor.isChecked() if isinstance(editor, QCheckBox) else editor.value()
        out["crop"] = int(out["crop"])
        return out

    def set_values(self, augment: dict[str, Any] | None) -> None:
        """Show ``augment`` (missing settings: off) without emitting ``changed``."""
        values = {**DEFAULTS, **(augment or {})}
        for key, editor in self.editors.items():
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(values[key]))
            else:
                editor.setValue(values[key])
            editor.blockSignals(False)


def _spin(spin, lo: float, hi: float, step: float, suffix: str = ""):
    spin.setRange(lo, hi)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    if isinstance(spin, QDoubleSpinBox):
        spin.setDecimals(2)
    return spin


class AugmentPreview(QWidget):
    """The original sample and :data:`VARIANTS` augmented copies in a 3×3 grid, with Reshuffle.

    Parameters
    ----------
    tile
        Edge of one image in pixels.
    """

    def __init__(self, tile: int = TILE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.seed = 0
        self.sample: np.ndarray | None = None  # (C, H, W), original value range
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.augment: dict[str, Any] = {}
        self.original: np.ndarray | None = None
        self.variants: list[np.ndarray] = []
        self.tiles = [QLabel() for _ in range(VARIANTS + 1)]
        self.captions = [QLabel("original")] + [QLabel(f"#{i + 1}") for i in range(VARIANTS)]
        self.message = QLabel("No sample yet.")
        self.message.setObjectName("augmentMessage")
        self.message.setWordWrap(True)
        self.reshuffle_button = QPushButton("Reshuffle")
        self.reshuffle_button.setObjectName("augmentReshuffle")
        self.reshuffle_button.setToolTip("Draw new random flips, crops, angles and noise")
        self.reshuffle_button.clicked.connect(self.reshuffle)
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, (tile, caption) in enumerate(zip(self.tiles, self.captions, strict=True)):
            tile.setFixedSize(self.tile, self.tile)
            tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile.setStyleSheet("border: 1px solid palette(mid);")
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption.setEnabled(i == 0)  # muted captions for the variants
            grid.addWidget(tile, 2 * (i // 3), i % 3)
            grid.addWidget(caption, 2 * (i // 3) + 1, i % 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Preview augmentation</b>")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(16)
        head.addWidget(self.reshuffle_button)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self.message)
        tiles = QHBoxLayout()
        tiles.addLayout(grid)
        tiles.addStretch(1)  # the tiles stay together when the page is wide
        layout.addLayout(tiles)
        layout.addStretch(1)
        self._show_tiles(False)

    def set_sample(
        self, sample: np.ndarray | None, mean: list[float] | None, std: list[float] | None
    ) -> None:
        """Preview on ``sample`` (``(C, H, W)`` in its original range) normalised by ``mean``/``std``."""
        if sample is None or np.ndim(sample) != 3:
            self.sample = None
            self.set_message("The augmentation preview needs image inputs (C, H, W).")
            return
        self.sample = np.asarray(sample, dtype=np.float32)
        c = self.sample.shape[0]
        self.mean = np.asarray(mean, np.float32) if mean and len(mean) == c else np.zeros(c, np.float32)
        self.std = np.asarray(std, np.float32) if std and len(std) == c else np.ones(c, np.float32)
        self.refresh()

    def set_augment(self, augment: dict[str, Any]) -> None:
        """Preview the settings ``augment`` (an ``augment`` section)."""
        self.augment = dict(augment)
        self.refresh()

    def set_message(self, text: str) -> None:
        """Show ``text`` instead of the images (loading, no image inputs, a bad setting)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._show_tiles(False)

    def reshuffle(self) -> None:
        """New random parameters for the variants."""
        self.seed = random.randrange(2**31)
        self.refresh()

    def refresh(self) -> None:
        """Recompute the variants from the sample, the settings and the seed."""
        if self.sample is None:
            return
        import torch

        from studio.data import DataError
        from studio.data.augment import Augment

        try:
            augment = Augment.from_config(self.augment)
        except DataError as exc:
            self.set_message(str(exc))
            return
        mean = torch.from_numpy(self.mean).view(-1, 1, 1)
        std = torch.from_numpy(self.std).view(-1, 1, 1)
        x = (torch.from_numpy(self.sample) - mean) / std
        batch = x.unsqueeze(0).repeat(VARIANTS, 1, 1, 1)
        params = augment.draw(VARIANTS, torch.Generator().manual_seed(self.seed))
        out, _ = augment.apply(batch, params)
        self.original = self.sample.copy()
        self.variants = list((out * std + mean).numpy())
        self._draw()

    def _draw(self) -> None:
        images = display_images(np.stack([self.original, *self.variants]))
        for tile, image in zip(self.tiles, images, strict=True):
            tile.setPixmap(to_pixmap(image, self.tile - 4))
        self.message.hide()
        self._show_tiles(True)

    def _show_tiles(self, on: bool) -> None:
        for widget in (*self.tiles, *self.captions):
            widget.setVisible(on)
        self.reshuffle_button.setEnabled(on)


class AugmentPanel(QWidget):
    """:class:`AugmentEditor` beside :class:`AugmentPreview`, wired together.

    Parameters
    ----------
    tile
        Edge of one preview image in pixels.

    Signals
    -------
    changed()
        A setting was edited (the preview is already redrawn).
    """

    changed = Signal()

    def __init__(self, tile: int = TILE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = AugmentEditor()
        self.preview = AugmentPreview(tile)
        note = QLabel("Applied to the training split only, with new random draws every epoch.")
        note.setWordWrap(True)
        note.setEnabled(False)
        note.setMaximumWidth(340)
        self.editor.setMaximumWidth(340)
        left = QVBoxLayout()
        left.addWidget(self.editor)
        left.addWidget(note)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addSpacing(12)
        layout.addWidget(self.preview)
        self.editor.changed.connect(self._on_edit)

    def set_augment(self, augment: dict[str, Any] | None) -> None:
        """Show and preview ``augment``."""
        self.editor.set_values(augment)
        self.preview.set_augment(self.editor.values())

    def augment(self) -> dict[str, Any]:
        """The ``augment`` section to store (only the settings that are on)."""
        return augment_section(self.editor.values())

    def _on_edit(self) -> None:
        self.preview.set_augment(self.editor.values())
        self.changed.emit()
