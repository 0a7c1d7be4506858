"""Drawing an embedding map: one scatter item for all points, a legend, a ring on the current sample.

Thousands of points stay fluid because there is one ``ScatterPlotItem`` and
its brushes are picked from a per-class table by numpy indexing (a handful
of distinct brushes, so pyqtgraph's symbol atlas draws every point from a few
cached pixmaps). A refining t-SNE only moves the points; colours and the
legend are rebuilt only when the points or the colouring change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from studio.inspection.segmentation import class_colours
from studio.ui.inspect import charts

COLOUR_MODES = (("true class", "class"), ("prediction", "prediction"), ("correct / wrong", "correct"))
_CORRECT_COLOURS = np.array([(225, 87, 89), (89, 161, 79)], dtype=np.uint8)  # wrong, right
_PLAIN = np.array([(78, 121, 167)], dtype=np.uint8)
_ALPHA = 210


def point_facts(info: Any, row: int, names: list[str]) -> tuple[list[str], bool | None]:
    """Plain lines about point ``row`` (sample, label, prediction) and whether it is right (None: unknown)."""

    def name(c: int) -> str:
        return names[c] if 0 <= c < len(names) else str(c)

    lines = [f"sample {int(info.indices[row])}"]
    if info.labels is not None:
        lines.append(f"label {name(int(info.labels[row]))}")
    if info.predictions is not None:
        conf = f" ({100 * float(info.confidence[row]):.0f} %)" if info.confidence is not None else ""
        lines.append(f"predicted {name(int(info.predictions[row]))}{conf}")
    correct = info.correct
    return lines, None if correct is None else bool(correct[row])


def facts_html(lines: list[str], correct: bool | None) -> str:
    """:func:`point_facts` as rich text: the sample in bold, a green tick or a red cross."""
    parts = [f"<b>{lines[0]}</b>"] + lines[1:]
    if correct is not None:
        parts.append(
            "<span style='color:#3a9a4a'>✓ correct</span>"
            if correct
            else "<span style='color:#d0453a'>✗ wrong</span>"
        )
    return "<br>".join(parts)


def palette(info: Any, mode: str, names: list[str]) -> tuple[np.ndarray | None, np.ndarray, list[str]]:
    """``(code per point, RGB per code, legend names)`` for colouring by ``mode``.

    A mode the points cannot show (no labels: no "true class") falls back to
    the first that they can; without labels or predictions all points share
    one colour (codes None).
    """
    usable = {"class": info.labels, "prediction": info.predictions, "correct": info.correct}
    if usable.get(mode) is None:
        mode = next((m for m, v in usable.items() if v is not None), "")
    if not mode:
        return None, _PLAIN, []
    if mode == "correct":
        return info.correct.astype(np.int64), _CORRECT_COLOURS, ["wrong", "correct"]
    codes = np.asarray(usable[mode], dtype=np.int64)
    count = max(int(codes.max()) + 1, len(names))
    return codes, class_colours(count), [names[i] if i < len(names) else f"class {i}" for i in range(count)]


class MapPlot(QObject):
    """The map's plot: points, legend and the ring on the panel's sample.

    Signals
    -------
    point_clicked(int, bool)
        Row of the clicked point (in the features' order) and whether it was a double click.
    """

    point_clicked = Signal(int, bool)

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.widget = pg.PlotWidget()
        self.widget.setBackground(None)
        plot = self.widget.getPlotItem()
        charts.style_plot(plot, owner)
        plot.showGrid(x=False, y=False)
        for axis in ("left", "bottom"):
            plot.hideAxis(axis)  # map coordinates have no units worth reading
        plot.getViewBox().setAspectLocked(True)
        self.scatter = pg.ScatterPlotItem(
            size=7,
            pen=None,
            hoverable=True,
            tip=self._tip,
            hoverSize=11,
            hoverPen=charts.pen(charts.ACCENT, 1.5),
        )
        self.scatter.sigClicked.connect(self._clicked)
        plot.addItem(self.scatter)
        self.ring = pg.ScatterPlotItem(size=15, pen=charts.pen(charts.ACCENT, 2.5), brush=None, symbol="o")
        self.ring.setZValue(10)
        plot.addItem(self.ring)
        self.legend = pg.LegendItem(offset=(-8, 8), verSpacing=-4, labelTextSize="8pt")
        self.legend.setParentItem(plot.getViewBox())
        self.legend.setLabelTextColor(charts.text_colors(owner)[0])
        self.coords: np.ndarray | None = None
        self.info: Any = None
        self.names: list[str] = []
        self.mode = "class"
        self._order = np.zeros(0, dtype=np.int64)
        self._brushes = np.zeros(0, dtype=object)

    def show(self, coords: np.ndarray, info: Any, names: list[str], fit: bool) -> None:
        """Draw ``coords`` (rows of ``info``); ``fit``: a new map, zoom to it."""
        if info is not self.info or names != self.names:
            self.info, self.names = info, list(names)
            self._colour()
        self.coords = coords
        if fit:
            self.widget.getPlotItem().enableAutoRange()
        self._draw()

    def set_mode(self, mode: str) -> None:
        """Colour by ``mode`` ("class", "prediction" or "correct")."""
        self.mode = mode
        if self.info is not None:
            self._colour()
            self._draw()

    def mark(self, row: int | None) -> None:
        """Ring point ``row`` (None: no ring)."""
        if row is None or self.coords is None:
            self.ring.setData([])
        else:
            self.ring.setData(pos=self.coords[row : row + 1])

    def shown_positions(self) -> np.ndarray:
        """The drawn positions back in the rows' order (the item draws wrong predictions last)."""
        data = self.scatter.data
        coords = np.empty((len(data), 2))
        coords[data["data"].astype(int)] = np.column_stack([data["x"], data["y"]])
        return coords

    def _colour(self) -> None:
        codes, colours, names = palette(self.info, self.mode, self.names)
        n = len(self.info.indices)
        codes = np.zeros(n, dtype=np.int64) if codes is None else codes
        table = np.array([pg.mkBrush(int(r), int(g), int(b), _ALPHA) for r, g, b in colours], dtype=object)
        # Wrong predictions are drawn last (on top): there are few, and they are what one looks for.
        correct = self.info.correct
        self._order = np.argsort(correct, kind="stable")[::-1].copy() if correct is not None else np.arange(n)
        self._brushes = table[codes[self._order]]
        self.legend.clear()
        counts = np.bincount(codes, minlength=len(colours))
        for i, name in enumerate(names):
            if counts[i]:
                self.legend.addItem(
                    pg.ScatterPlotItem(size=9, pen=None, brush=table[i]), f"{name}  ({counts[i]})"
                )

    def _draw(self) -> None:
        coords = self.coords[self._order]
        self.scatter.setData(x=coords[:, 0], y=coords[:, 1], brush=self._brushes, data=self._order)

    def _tip(self, x: float, y: float, data: Any) -> str:
        if self.info is None or data is None:
            return ""
        lines, correct = point_facts(self.info, int(data), self.names)
        if correct is not None:
            lines.append("✓ correct" if correct else "✗ wrong")
        return "\n".join(lines)

    def _clicked(self, _item: Any, points: Any, event: Any) -> None:
        if len(points) == 0:
            return
        where = event.pos()  # several points under the cursor: the nearest one
        spot = min(points, key=lambda p: (p.pos().x() - where.x()) ** 2 + (p.pos().y() - where.y()) ** 2)
        self.point_clicked.emit(int(spot.data()), bool(event.double()))
