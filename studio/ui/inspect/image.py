"""Showing numpy images: an input sample, a heat map, a tile grid.

:class:`ImagePane` is a pyqtgraph view with one ``ImageItem`` (row-major,
y down, square pixels) that zooms and pans with the mouse and reports clicks
in pixel coordinates; views reuse it for inputs, maps and grids.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Signal  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402


def display_image(x, mean: list[float] | None = None, std: list[float] | None = None) -> np.ndarray:
    """A per-sample input tensor ``(C, H, W)`` as a displayable float image in [0, 1].

    The dataset normalisation is undone (``x * std + mean`` per channel); one
    channel gives ``(H, W)``, three give ``(H, W, 3)``, others show channel 0.
    """
    a = np.asarray(x.detach().cpu().float().numpy() if hasattr(x, "detach") else x, dtype=np.float32)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise ValueError(f"not an image: shape {tuple(a.shape)}")
    if mean and std and len(mean) == a.shape[0] == len(std):
        a = a * np.asarray(std, np.float32)[:, None, None] + np.asarray(mean, np.float32)[:, None, None]
    a = a[:3] if a.shape[0] == 3 else a[:1]
    lo, hi = float(a.min()), float(a.max())
    a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return a[0] if a.shape[0] == 1 else np.transpose(a, (1, 2, 0))


def to_qimage(rgba: np.ndarray) -> QImage:
    """An ``(H, W, 4)`` uint8 array as a QImage (a copy: the array may be freed)."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


class ImagePane(QWidget):
    """One zoomable image with a title; ``clicked(row, col)`` in image pixels.

    Parameters
    ----------
    title
        Shown above the image.
    """

    clicked = Signal(int, int)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(None)
        self.box = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True)
        self.box.setMenuEnabled(False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.item)
        self.box.addItem(self.overlay)
        self.title = pg.LabelItem(title, size="9pt")
        self.graphics.addItem(self.title, row=1, col=0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.item.mouseClickEvent = self._click
        self.shape: tuple[int, ...] = ()

    def set_title(self, text: str) -> None:
        """Replace the caption."""
        self.title.setText(text)

    def set_image(self, image: np.ndarray | None, levels: tuple[float, float] | None = None,
                  lut: np.ndarray | None = None) -> None:
        """Show ``image`` ((H, W) with ``levels``/``lut``, or (H, W, 3|4) colours); None clears."""
        if image is None:
            self.item.clear()
            self.overlay.clear()
            self.shape = ()
            return
        image = np.asarray(image)
        new_shape = image.shape[:2] != self.shape[:2]
        self.shape = image.shape
        kwargs = {"autoLevels": levels is None and image.ndim == 2}
        if levels is not None:
            kwargs["levels"] = levels
        elif image.ndim == 3:
            kwargs["levels"] = (0, 255) if image.dtype == np.uint8 else (0.0, 1.0)
        self.item.setLookupTable(lut)
        self.item.setImage(image, **kwargs)
        if new_shape:
            self.box.autoRange(padding=0.02)

    def set_overlay(self, rgba: np.ndarray | None, opacity: float = 1.0) -> None:
        """Draw ``rgba`` (H, W, 4 uint8) over the image (scaled to its size); None removes it."""
        if rgba is None:
            self.overlay.clear()
            return
        self.overlay.setImage(rgba, levels=(0, 255))
        self.overlay.setOpacity(opacity)
        h, w = self.shape[:2] if self.shape else rgba.shape[:2]
        self.overlay.setRect(0, 0, w, h)

    def _click(self, event) -> None:
        pos = event.pos()
        self.clicked.emit(int(pos.y()), int(pos.x()))
        event.accept()
