"""Drawing the Evaluation tab: the confusion matrix heat map, the per-class table, ROC and PR curves.

The confusion matrix is an image (one pixel per cell, rows = true class) in a
plot whose ticks are the class names, with the number in each cell written in
black or white, whichever reads on that cell's colour, and a colour bar.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGraphicsRectItem,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from studio.inspection.colormaps import lut
from studio.ui.inspect import charts

MAX_NUMBERS = 20  # classes up to which every cell shows its number
_CMAP = "viridis"


class ConfusionPlot(QObject):
    """A confusion matrix as a clickable heat map with numbers, class-name ticks and a colour bar.

    Signals
    -------
    cell_clicked(int, int)
        ``(true class, predicted class)`` of a clicked cell.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground(None)
        self.plot = self.widget.addPlot(row=0, col=0)
        charts.style_plot(self.plot, owner, x="predicted class", y="true class")
        self.plot.showGrid(x=False, y=False)
        self.plot.setTitle(None)  # no empty title row above the matrix
        self.plot.invertY(True)  # row 0 (the first true class) at the top, as matrices are written
        self.plot.getViewBox().setMouseEnabled(False, False)
        self.heat = charts.HeatImage(self.plot, "samples", _CMAP)
        self.heat.add_bar_to(self.widget.ci, 0, 1)
        # The bar's frame gets a bottom margin as tall as the matrix's axis: both end at the last row.
        self.plot.getAxis("bottom").setHeight(44)
        self.heat.bar.getAxis("bottom").setHeight(44)
        self.heat.item.mouseClickEvent = self._click
        self.heat.item.hoverEvent = self._hover
        self.selection = QGraphicsRectItem(0, 0, 1, 1)
        self.selection.setPen(charts.pen(charts.ACCENT, 3))
        self.selection.setZValue(20)
        self.selection.hide()
        self.plot.addItem(self.selection)
        self.texts: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None
        self.counts: np.ndarray | None = None
        self.names: list[str] = []

    def set(self, counts: np.ndarray, normalised: np.ndarray, names: list[str], relative: bool) -> None:
        """Show ``counts`` or, with ``relative``, the row-normalised matrix."""
        c = len(counts)
        self.counts, self.names = counts, list(names)
        self.matrix = normalised if relative else counts.astype(np.float64)
        levels = (0.0, 1.0) if relative else (0.0, max(1.0, float(counts.max())))
        self.heat.bar.setLabel("left", "share of the true class" if relative else "samples")
        self.heat.set(self.matrix, rect=(0, 0, c, c), levels=levels)
        ticks = [(i + 0.5, name) for i, name in enumerate(names)] if c <= 40 else None
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setTicks([ticks, []] if ticks else None)
        self._write_numbers(levels, relative)
        self.selection.hide()

    def _write_numbers(self, levels: tuple[float, float], relative: bool) -> None:
        for item in self.texts:
            self.plot.removeItem(item)
        self.texts = []
        c = len(self.matrix)
        if c > MAX_NUMBERS:
            return
        table = lut(_CMAP)
        font = QFont()
        font.setPointSizeF(9.0 if c <= 10 else 7.5)
        span = levels[1] - levels[0]
        for r in range(c):
            for k in range(c):
                value = self.matrix[r, k]
                colour = table[int(np.clip((value - levels[0]) / span, 0, 1) * 255)]
                luminance = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
                ink = QColor(20, 20, 20) if luminance > 140 else QColor(245, 245, 245)
                text = f"{value:.2f}" if relative else f"{int(self.counts[r, k])}"
                item = pg.TextItem(text, color=ink, anchor=(0.5, 0.5))
                item.setFont(font)
                item.setPos(k + 0.5, r + 0.5)
                self.plot.addItem(item)
                self.texts.append(item)

    def select(self, true_class: int | None, predicted: int | None) -> None:
        """Outline a cell (None hides the outline)."""
        if true_class is None or predicted is None:
            self.selection.hide()
            return
        self.selection.setRect(QRectF(predicted, true_class, 1, 1))
        self.selection.show()

    def _cell(self, event) -> tuple[int, int] | None:
        if self.matrix is None:
            return None
        pos = event.pos()  # image pixels: x = column (predicted), y = row (true)
        r, k = int(pos.y()), int(pos.x())
        c = len(self.matrix)
        return (r, k) if 0 <= r < c and 0 <= k < c else None

    def _click(self, event) -> None:
        cell = self._cell(event)
        if cell is not None:
            event.accept()
            self.select(*cell)
            self.cell_clicked.emit(*cell)

    def _hover(self, event) -> None:
        if event.isExit():
            self.heat.item.setToolTip("")
            return
        cell = self._cell(event)
        if cell is None or self.counts is None:
            return
        r, k = cell
        total = int(self.counts[r].sum())
        share = f" ({100 * self.counts[r, k] / total:.0f} % of class {self.names[r]})" if total else ""
        self.heat.item.setToolTip(
            f"true {self.names[r]} → predicted {self.names[k]}: {int(self.counts[r, k])} samples{share}"
        )


def class_table(owner: QWidget) -> QTableWidget:
    """An empty read-only table for per-class scores."""
    table = QTableWidget(owner)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setAlternatingRowColors(True)
    return table


def fill_class_table(
    table: QTableWidget,
    names: list[str],
    columns: list[tuple[str, np.ndarray]],
    support: np.ndarray,
    accuracy: float,
) -> None:
    """One row per class, then macro averages and the accuracy; ``columns`` are ``(title, values)``."""
    titles = ["class"] + [title for title, _ in columns] + ["support"]
    table.clear()
    table.setColumnCount(len(titles))
    table.setHorizontalHeaderLabels(titles)
    table.setRowCount(len(names) + 2)
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

    def put(row: int, col: int, text: str, bold: bool = False) -> None:
        item = QTableWidgetItem(text)
        if col:
            item.setTextAlignment(right)
        if bold:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        table.setItem(row, col, item)

    for row, name in enumerate(names):
        put(row, 0, name)
        for col, (_title, values) in enumerate(columns, start=1):
            put(row, col, f"{float(values[row]):.3f}")
        put(row, len(titles) - 1, f"{int(support[row]):,}")
    macro = len(names)
    put(macro, 0, "macro average", True)
    for col, (_title, values) in enumerate(columns, start=1):
        put(macro, col, f"{float(np.mean(values)):.3f}", True)
    put(macro, len(titles) - 1, f"{int(support.sum()):,}", True)
    put(macro + 1, 0, "accuracy", True)
    put(macro + 1, 1, f"{accuracy:.3f}", True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)


class CurvesPlot:
    """ROC and precision–recall curves of a binary classifier, side by side."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground(None)
        self.roc = self.widget.addPlot(row=0, col=0)
        self.pr = self.widget.addPlot(row=0, col=1)
        charts.style_plot(self.roc, owner, "ROC", "false positive rate", "true positive rate")
        charts.style_plot(self.pr, owner, "Precision–recall", "recall", "precision")
        for plot in (self.roc, self.pr):
            plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.03)
            plot.getViewBox().setMouseEnabled(False, False)
            plot.getViewBox().disableAutoRange()  # both axes are rates: always 0 to 1

    def set(self, curves, positive_share: float, positive: str) -> None:
        """Draw ``curves`` (:class:`~studio.inspection.evaluation.BinaryCurves`) for class ``positive``."""
        muted = charts.text_colors(self.owner)[1]
        dashed = pg.mkPen(muted, width=1, style=Qt.PenStyle.DashLine)
        self.roc.clear()
        self.roc.plot([0, 1], [0, 1], pen=dashed)
        self.roc.plot(curves.fpr, curves.tpr, pen=charts.pen(charts.SERIES, 2))
        charts.set_title(self.roc, self.owner, f"ROC · AUC {curves.roc_auc:.3f} (positive class {positive})")
        self.pr.clear()
        self.pr.plot([0, 1], [positive_share, positive_share], pen=dashed)
        self.pr.plot(curves.recall, curves.precision, pen=charts.pen(charts.ACCENT, 2), stepMode=None)
        charts.set_title(self.pr, self.owner, f"Precision–recall · AP {curves.average_precision:.3f}")
