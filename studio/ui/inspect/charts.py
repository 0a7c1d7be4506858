"""Small pyqtgraph helpers shared by the filters and feature-map views: themed plots,
step histograms and a heat image with a colour bar.

Colours come from the widget palette (light and dark themes) plus one accent
and one neutral series colour that read on both backgrounds; colour maps are
:mod:`studio.inspection.colormaps`' tables.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from studio.inspection.colormaps import lut  # noqa: E402

ACCENT = "#e8702a"  # the highlighted series (chosen layer, this sample): orange reads on both themes
SERIES = "#4e79a7"  # the other series
OTHER_COLORS = ("#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac", "#e15759")


def text_colors(widget: QWidget) -> tuple[QColor, QColor]:
    """``(text, muted)`` colours of ``widget``'s palette (muted: text at 60 % opacity)."""
    text = widget.palette().color(QPalette.ColorRole.Text)
    muted = QColor(text)
    muted.setAlpha(150)
    return text, muted


def style_plot(plot: pg.PlotItem, widget: QWidget, title: str = "", x: str = "", y: str = "") -> pg.PlotItem:
    """Give ``plot`` a grid, axis labels and the palette's text colours; no context menu."""
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for name, label in (("bottom", x), ("left", y)):
        plot.getAxis(name).enableAutoSIPrefix(False)  # "weight (x0.001)" reads worse than 0.1 on the ticks
        if label:
            plot.setLabel(name, label)
    set_title(plot, widget, title)
    restyle(plot, widget)
    return plot


def restyle(plot: pg.PlotItem, widget: QWidget) -> None:
    """Colour ``plot``'s axes, labels and title from ``widget``'s palette (again, after a theme change)."""
    text, muted = text_colors(widget)
    for name in ("bottom", "left"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(muted))
        axis.setTextPen(pg.mkPen(muted))
        if axis.labelText:
            axis.setLabel(axis.labelText, color=muted.name())
    set_title(plot, widget, plot.titleLabel.text)


def set_title(plot: pg.PlotItem, widget: QWidget, title: str) -> None:
    """A plot title in the palette's text colour, at the panel's small size."""
    plot.setTitle(title, color=text_colors(widget)[0].name(), size="9pt")


def integer_ticks(axis: pg.AxisItem, values: np.ndarray, most: int = 12) -> None:
    """Label ``axis`` at the integers ``values`` (epochs) when there are few, else automatically."""
    values = np.unique(np.asarray(values, dtype=np.int64))
    if 0 < len(values) <= most:
        axis.setTicks([[(float(v), str(v)) for v in values], []])
    else:
        axis.setTicks(None)


def pen(color: str, width: float = 1.5, alpha: int = 255) -> pg.QtGui.QPen:
    """A cosmetic pen of ``color`` (hex) at ``alpha``."""
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    return pg.mkPen(qcolor, width=width)


def brush(color: str, alpha: int = 255) -> pg.QtGui.QBrush:
    """A brush of ``color`` (hex) at ``alpha``."""
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    return pg.mkBrush(qcolor)


def step_histogram(
    plot: pg.PlotItem,
    counts: np.ndarray,
    edges: np.ndarray,
    color: str,
    name: str | None = None,
    fill: int = 70,
) -> pg.PlotDataItem:
    """Draw ``counts`` over ``edges`` as a filled step curve (``fill``: alpha of the area, 0 for none)."""
    kwargs = {"fillLevel": 0, "brush": brush(color, fill)} if fill else {}
    return plot.plot(
        np.asarray(edges, dtype=np.float64),
        np.asarray(counts, dtype=np.float64),
        stepMode="center",
        pen=pen(color),
        name=name,
        **kwargs,
    )


def colormap(name: str = "viridis") -> pg.ColorMap:
    """``name``'s lookup table as a pyqtgraph colour map (for colour bars)."""
    table = lut(name)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(table)), table)


class HeatImage:
    """An ``ImageItem`` in a plot with real axis units and a colour bar beside it.

    Parameters
    ----------
    plot
        The plot to draw into (its layout gets the colour bar in the next column).
    label
        What the colours mean (the colour bar's axis label).
    """

    def __init__(self, plot: pg.PlotItem, label: str = "", cmap: str = "viridis") -> None:
        self.plot = plot
        self.item = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.item)
        self.bar = pg.ColorBarItem(colorMap=colormap(cmap), interactive=False, width=12, label=label)
        self.bar.setImageItem(self.item)
        self.image: np.ndarray | None = None

    def add_bar_to(self, layout: pg.GraphicsLayout, row: int, col: int) -> None:
        """Place the colour bar in ``layout`` at ``(row, col)``."""
        layout.addItem(self.bar, row=row, col=col)

    def set(
        self,
        image: np.ndarray | None,
        rect: tuple[float, float, float, float] | None = None,
        levels: tuple[float, float] | None = None,
    ) -> None:
        """Show ``image`` (rows = y) stretched over ``rect`` = ``(x, y, width, height)``; None clears."""
        self.image = None if image is None else np.asarray(image, dtype=np.float32)
        if self.image is None or self.image.size == 0:
            self.item.clear()
            return
        finite = self.image[np.isfinite(self.image)]
        lo, hi = levels or ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        hi = hi if hi > lo else lo + 1.0
        self.item.setImage(self.image, autoLevels=False)
        self.bar.setLevels((lo, hi))
        if rect is not None:
            self.item.setRect(*rect)
        self.plot.autoRange(padding=0)
