"""Small views of the data wizard: a thumbnail grid, a sample table and a class-count bar chart."""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QSize, Qt  # noqa: E402
from PySide6.QtGui import QColor, QIcon, QImage, QPalette, QPixmap  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractItemView,
    QHeaderView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

SPLIT_COLORS = {"train": "#4e79a7", "val": "#f28e2b", "test": "#59a14f"}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}


def to_pixmap(image: np.ndarray, size: int) -> QPixmap:
    """A display image (``(H, W)`` or ``(H, W, 3)`` floats in [0, 1]) scaled to fit ``size`` pixels.

    Small images are enlarged without smoothing so their pixels stay visible.
    """
    a = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    a = np.repeat(a[..., None], 3, axis=2) if a.ndim == 2 else a[..., :3]
    h, w = a.shape[:2]
    rgba = np.empty((h, w, 4), dtype=np.uint8)
    rgba[..., :3] = np.round(a * 255.0)
    rgba[..., 3] = 255
    qimage = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    mode = (
        Qt.TransformationMode.FastTransformation
        if max(h, w) < size
        else Qt.TransformationMode.SmoothTransformation
    )
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, mode)


class ThumbnailGrid(QListWidget):
    """Sample images with their labels, wrapped into rows.

    Parameters
    ----------
    size
        Edge of a thumbnail in pixels.
    """

    def __init__(self, size: int = 64, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataThumbnails")
        self.thumb = size
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(size, size))
        self.setGridSize(QSize(size + 22, size + 26))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        self.setUniformItemSizes(True)

    def set_images(self, images: list[np.ndarray], labels: list[str]) -> None:
        """Show ``images`` captioned with ``labels``."""
        self.clear()
        for image, label in zip(images, labels, strict=False):
            item = QListWidgetItem(QIcon(to_pixmap(image, self.thumb)), label)
            item.setToolTip(f"{label}  ·  {image.shape[1]}×{image.shape[0]}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)


class SampleTable(QTableWidget):
    """The first rows of a table (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(22)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def set_rows(self, header: list[str], rows: list[list[str]], highlight: str = "") -> None:
        """Show ``rows`` under ``header``; the column ``highlight`` (the target) is bold."""
        self.clear()
        self.setColumnCount(len(header))
        self.setRowCount(len(rows))
        self.setHorizontalHeaderLabels(header)
        bold = self.font()
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if header[c] == highlight:
                    item.setFont(bold)
                self.setItem(r, c, item)
        if highlight in header:
            self.horizontalHeaderItem(header.index(highlight)).setFont(bold)
        self.resizeColumnsToContents()


class ClassCountsChart(pg.PlotWidget):
    """Samples per class as bars stacked by split (train, validation, test)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataClassCounts")
        self.setMinimumHeight(150)
        self.setMinimumWidth(240)
        self.bars: list[pg.BarGraphItem] = []
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(y=True, alpha=0.15)
        self._restyle()

    def _restyle(self) -> None:
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        muted = QColor(palette.color(QPalette.ColorRole.Text))
        muted.setAlpha(170)
        for name in ("bottom", "left"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(muted))
            axis.setTextPen(pg.mkPen(muted))
        self._title([])

    def _title(self, splits: list[str]) -> None:
        """The title doubles as the legend (a legend inside the plot would cover the tallest bars)."""
        text = self.palette().color(QPalette.ColorRole.Text).name()
        keys = "".join(
            f"&nbsp;&nbsp;<span style='color:{SPLIT_COLORS[s]}'>■</span>&nbsp;{SPLIT_NAMES[s]}"
            for s in splits
        )
        self.getPlotItem().setTitle(f"<span style='color:{text}'>Samples per class{keys}</span>", size="9pt")

    def set_counts(self, class_names: list[str], counts: dict[str, list[int]]) -> None:
        """Draw ``counts`` (split -> samples per class)."""
        plot = self.getPlotItem()
        for bar in self.bars:
            plot.removeItem(bar)
        self.bars = []
        k = len(class_names)
        x = np.arange(k)
        base = np.zeros(k)
        for split in ("train", "val", "test"):
            values = np.asarray(counts.get(split) or [], dtype=float)
            if len(values) != k or not values.any():
                continue
            color = SPLIT_COLORS[split]
            bar = pg.BarGraphItem(
                x=x, height=values, y0=base.copy(), width=0.7, brush=color, pen=pg.mkPen(None)
            )
            plot.addItem(bar)
            bar.split = split
            self.bars.append(bar)
            base += values
        self._title([bar.split for bar in self.bars])
        step = max(1, int(np.ceil(k / 14)))  # keep the names legible when there are many classes
        names = [(i, f"{_short(class_names[i])} ({int(base[i]):,})") for i in range(0, k, step)]
        plot.getAxis("bottom").setTicks([names, []])
        plot.setXRange(-0.6, max(k, 1) - 0.4, padding=0)
        plot.setYRange(0, max(1.0, float(base.max()) if k else 1.0) * 1.12, padding=0)


def _short(name: str, most: int = 10) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"
