"""Sample thumbnails and a clickable gallery of them (mistakes, a confusion cell, reconstructions).

A thumbnail is the input as the person would see it (normalisation undone by
:func:`~studio.ui.inspect.image.display_image`), scaled up without smoothing so
8×8 digits stay crisp. Inputs that are not images (a feature vector) get no
picture: their gallery entry is text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from studio.ui.inspect.image import display_image, to_qimage

THUMB = 64  # pixels on a side


def image_rgba(x: Any, mean: list[float] | None = None, std: list[float] | None = None) -> np.ndarray | None:
    """A per-sample input ``(C, H, W)`` as ``(H, W, 4)`` uint8 RGBA, or None when it is not an image."""
    shape = tuple(getattr(x, "shape", ()))
    if len(shape) not in (2, 3) or min(shape[-2:]) < 4:
        return None
    try:
        image = display_image(x, mean, std)
    except ValueError:
        return None
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image
    rgba = np.empty(rgb.shape[:2] + (4,), dtype=np.uint8)
    rgba[..., :3] = np.round(np.clip(rgb, 0.0, 1.0) * 255.0)
    rgba[..., 3] = 255
    return rgba


def pixmap(rgba: np.ndarray, size: int = THUMB) -> QPixmap:
    """``rgba`` scaled to fit ``size`` pixels, nearest neighbour (pixels stay pixels)."""
    image = to_qimage(rgba)
    return QPixmap.fromImage(image).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


def side_by_side(left: np.ndarray, right: np.ndarray, gap: int = 1) -> np.ndarray:
    """Two RGBA images of the same height next to each other, a transparent column between."""
    h = max(left.shape[0], right.shape[0])
    out = np.zeros((h, left.shape[1] + gap + right.shape[1], 4), dtype=np.uint8)
    out[: left.shape[0], : left.shape[1]] = left
    out[: right.shape[0], left.shape[1] + gap :] = right
    return out


@dataclass
class Entry:
    """One gallery item: a dataset ``index``, its caption, tooltip and picture (None: text only)."""

    index: int
    caption: str
    tooltip: str = ""
    rgba: np.ndarray | None = None


class Gallery(QListWidget):
    """Thumbnails in a wrapping grid; a click shows the sample, a double click asks to explain it.

    Signals
    -------
    sample_clicked(int)
        Dataset index of the clicked entry.
    sample_activated(int)
        Dataset index of a double-clicked entry (or Enter).
    """

    sample_clicked = Signal(int)
    sample_activated = Signal(int)

    def __init__(self, thumb: int = THUMB, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumb = thumb
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setWordWrap(True)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.itemClicked.connect(lambda item: self.sample_clicked.emit(self.index_of(item)))
        self.itemActivated.connect(lambda item: self.sample_activated.emit(self.index_of(item)))
        self.entries: list[Entry] = []

    @staticmethod
    def index_of(item: QListWidgetItem) -> int:
        """The dataset index an item stands for."""
        return int(item.data(Qt.ItemDataRole.UserRole))

    def set_entries(self, entries: list[Entry], wide: bool = False) -> None:
        """Show ``entries`` in order (``wide``: pictures twice as wide, e.g. input | reconstruction)."""
        self.entries = list(entries)
        pictures = any(e.rgba is not None for e in entries)
        width = self.thumb * (2 if wide else 1)
        self.setViewMode(QListView.ViewMode.IconMode if pictures else QListView.ViewMode.ListMode)
        self.setIconSize(QSize(width, self.thumb))
        if pictures:
            self.setGridSize(QSize(width + 24, self.thumb + 2 * self.fontMetrics().height() + 10))
        else:
            self.setGridSize(QSize())
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            for entry in entries:
                # Without pictures the entries are lines: the caption's lines joined, the sample named.
                line = " · ".join(entry.caption.splitlines())
                text = entry.caption if pictures else f"sample {entry.index} · {line}"
                item = QListWidgetItem(text)
                if entry.rgba is not None:
                    item.setIcon(QIcon(pixmap(entry.rgba, width)))
                item.setData(Qt.ItemDataRole.UserRole, int(entry.index))
                item.setToolTip(entry.tooltip or entry.caption)
                if pictures:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                self.addItem(item)
        finally:
            self.setUpdatesEnabled(True)

    def indices(self) -> list[int]:
        """Dataset indices shown, in order."""
        return [self.index_of(self.item(i)) for i in range(self.count())]
