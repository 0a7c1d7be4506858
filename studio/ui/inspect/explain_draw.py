"""Drawing the Explain tab's results: the overlay, the raw map with its colour bar, feature bars
and the side-by-side grid of methods.

Colours come from :mod:`studio.inspection.colormaps` (viridis, diverging) and
:mod:`studio.inspection.attribution.display` (jet, inferno, hot, the maps
attribution papers use); signed maps (integrated gradients, occlusion) always
use the diverging map around zero, so "for" and "against" the class read apart.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from studio.inspection import colormaps
from studio.inspection.attribution import display
from studio.ui.inspect import charts
from studio.ui.inspect.explain_work import CAM_METHODS, LABELS, Explanation
from studio.ui.inspect.image import ImagePane

CMAPS = ("jet", "inferno", "viridis", "hot")
SIGNED_CMAP = "diverging"
_MEANING = {
    "grad_cam": "class evidence",
    "grad_cam_pp": "class evidence",
    "saliency": "|∂ score / ∂ input|",
    "smoothgrad": "mean |∂ score / ∂ input|",
    "guided_backprop": "|guided gradient|",
    "integrated_gradients": "attribution (red: for, blue: against)",
    "occlusion": "score drop when hidden",
}


def color_table(name: str) -> np.ndarray:
    """The ``(256, 4)`` uint8 table of colour map ``name`` (either module's)."""
    if name in colormaps.COLORMAPS:
        return np.asarray(colormaps.lut(name))
    return display.colorize(np.linspace(0.0, 1.0, colormaps.LUT_SIZE), name)


def colour(heat: np.ndarray, cmap: str, signed: bool, fade: bool = False) -> np.ndarray:
    """``heat`` as RGBA uint8: scaled like :func:`display.normalize_map` (0 stays 0, or 0.5 if signed).

    ``fade``: the alpha grows with the map's strength (``|value| / max``), so where
    the map is near zero the input shows through unchanged; otherwise opaque.
    """
    values = display.normalize_map(heat, symmetric=signed)
    name = SIGNED_CMAP if signed else cmap
    if name in colormaps.COLORMAPS:
        rgba = colormaps.apply_colormap(values, name)
    else:
        rgba = display.colorize(values, name)
    if fade:
        strength = np.abs(2 * values - 1) if signed else values
        rgba[..., 3] = np.round(255 * np.clip(strength, 0, 1)).astype(np.uint8)
    return rgba


def levels(heat: np.ndarray, signed: bool) -> tuple[float, float]:
    """The value range the colours span (the same scaling as :func:`colour`)."""
    if heat.size == 0:
        return 0.0, 1.0
    if signed:
        peak = float(np.abs(heat).max()) or 1.0
        return -peak, peak
    low, high = float(heat.min()), float(heat.max())
    low = min(low, 0.0) if low >= 0 else low
    return low, high if high > low else low + 1.0


def class_name(result: Explanation) -> str:
    """The name of the class ``result`` explains."""
    return result.class_label or f"class {result.class_idx}"


def size_text(shape: tuple) -> str:
    """``(5, 5)`` -> ``"5×5"``."""
    return "×".join(str(d) for d in shape)


class RawMap:
    """The map at the method's own resolution, with pixel axes and a colour bar."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground(None)
        self.widget.setMinimumHeight(150)
        self.plot = charts.style_plot(self.widget.addPlot(row=0, col=0), owner, x="column", y="row")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.item)
        self.bar = pg.ColorBarItem(colorMap=self._cmap("jet"), interactive=False, width=12)
        self.bar.axis.enableAutoSIPrefix(False)  # "(x0.1)" glued to the label reads worse than 0.1 on ticks
        self.bar.axis.setTextPen(pg.mkPen(charts.text_colors(owner)[1]))
        self.bar.setImageItem(self.item)
        self.widget.addItem(self.bar, row=0, col=1)
        self.data: np.ndarray | None = None

    @staticmethod
    def _cmap(name: str) -> pg.ColorMap:
        table = color_table(name)
        return pg.ColorMap(np.linspace(0.0, 1.0, len(table)), table)

    def show(self, result: Explanation | None, cmap: str) -> None:
        """Draw ``result``'s raw map (hidden for vector inputs and errors)."""
        ok = result is not None and result.error is None and result.raw is not None and not result.vector
        self.widget.setVisible(ok)
        if not ok:
            self.data = None
            self.item.clear()
            return
        self.data = np.asarray(result.raw, dtype=np.float32)
        self.bar.setColorMap(self._cmap(SIGNED_CMAP if result.signed else cmap))
        self.item.setImage(self.data, autoLevels=False)
        self.bar.setLevels(levels(self.data, result.signed))
        self.item.setRect(0, 0, self.data.shape[1], self.data.shape[0])
        self.plot.autoRange(padding=0.02)
        muted = charts.text_colors(self.owner)[1].name()
        self.bar.axis.setLabel(_MEANING.get(result.method, ""), color=muted)
        size = size_text(self.data.shape)
        if result.method in CAM_METHODS:
            layer = size_text(result.layer_shape or ())
            title = (
                f"{LABELS[result.method]} at <b>{result.target}</b> ({layer}): {size} map, layer resolution"
            )
        else:
            title = f"{LABELS[result.method]}: {size} map, input resolution"
        charts.set_title(self.plot, self.owner, title)


def draw_overlay(
    pane: ImagePane, result: Explanation | None, cmap: str, opacity: float, owner: QWidget, fade: bool = False
) -> None:
    """The input with ``result``'s map over it (scaled to the input's size)."""
    if result is None or result.error or result.image is None:
        pane.set_image(None)
        pane.title.setText("")
        return
    pane.set_image(result.image, levels=(0.0, 1.0))
    heat = result.full
    pane.set_overlay(None if heat is None else colour(heat, cmap, result.signed, fade), opacity)
    size = size_text(result.image.shape[:2])
    where = f" at {result.target}" if result.target else ""
    text = (
        f"{LABELS[result.method]}{where} for <b>{class_name(result)}</b> over the input ({size})"
        if heat is not None
        else f"{LABELS[result.method]}: no map at the input's resolution"
    )
    pane.title.setText(text, color=charts.text_colors(owner)[0].name())


def draw_bars(plot: pg.PlotItem, result: Explanation, owner: QWidget) -> None:
    """One bar per input feature (orange: for the class, blue: against); the input value under each."""
    plot.clear()
    values = np.asarray(result.raw, dtype=np.float64)
    x = np.arange(len(values))
    brushes = [charts.brush(charts.ACCENT if v >= 0 else charts.SERIES, 220) for v in values]
    plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.7, brushes=brushes, pen=None))
    plot.addLine(y=0, pen=charts.pen("#888888", 1.0, 160))
    features = result.features if result.features is not None else np.full(len(values), np.nan)
    most = 40  # beyond this many features, tick labels would overlap
    ticks = [(float(i), f"x{i} = {features[i]:.3g}") for i in x] if len(x) <= most else None
    plot.getAxis("bottom").setTicks([ticks, []] if ticks else None)
    plot.setXRange(-0.6, len(values) - 0.4, padding=0)
    charts.set_title(
        plot,
        owner,
        f"{LABELS[result.method]} per input feature for <b>{class_name(result)}</b>"
        " (a vector input: bars instead of a map)",
    )


class CompareGrid:
    """Small multiples: every fast method's overlay (or bars) for the same sample and class."""

    columns = 3

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground(None)
        self.overlays: list[pg.ImageItem] = []
        self.titles: list[str] = []

    def show(self, results: list[Explanation], cmap: str, opacity: float, fade: bool = False) -> None:
        """Draw one cell per result (a failed method says why in its caption)."""
        layout = self.widget.ci
        layout.clear()
        self.overlays, self.titles = [], []
        text = charts.text_colors(self.owner)[0].name()
        for i, result in enumerate(results):
            row, col = divmod(i, self.columns)
            title = LABELS[result.method] + (f" at {result.target}" if result.target else "")
            if result.error:
                title += f": not available ({result.error})"
                layout.addViewBox(row=2 * row, col=col)
            elif result.vector:
                plot = layout.addPlot(row=2 * row, col=col)
                charts.style_plot(plot, self.owner)
                draw_bars(plot, result, self.owner)
                plot.setTitle(None)
            else:
                box = layout.addViewBox(row=2 * row, col=col, lockAspect=True, invertY=True)
                box.setMenuEnabled(False)
                image = pg.ImageItem(result.image, axisOrder="row-major", levels=(0.0, 1.0))
                box.addItem(image)
                if result.full is not None:
                    over = pg.ImageItem(
                        colour(result.full, cmap, result.signed, fade), axisOrder="row-major", levels=(0, 255)
                    )
                    over.setOpacity(opacity)
                    over.setRect(0, 0, result.image.shape[1], result.image.shape[0])
                    box.addItem(over)
                    self.overlays.append(over)
                box.autoRange(padding=0.02)
            self.titles.append(title)
            layout.addLabel(title, row=2 * row + 1, col=col, size="9pt", color=text)
            layout.layout.setRowFixedHeight(2 * row + 1, 24)  # captions hug their image

    def set_opacity(self, opacity: float) -> None:
        """Change every overlay's opacity (nothing recomputed)."""
        for item in self.overlays:
            item.setOpacity(opacity)
