"""Live training curves: six pyqtgraph plots redrawn by a timer, never per event.

Events only append to the :class:`~studio.ui.training.buffers.RunCurves` ring
buffers and mark the view dirty; a ``QTimer`` (10 Hz) calls ``setData`` on the
existing ``PlotDataItem`` objects whose series grew, which downsample by peaks
and clip to the view, so a million points redraw in a few milliseconds.

Repainting is what costs on the GUI thread: every change of a plot's range
regenerates its axes (ticks, labels, grid lines). pyqtgraph's auto-range would
change every range on every frame while the curves grow, so the view keeps the
ranges itself (:class:`_AutoRange`): a range changes only when the data leaves
it or fills too little of it, and then with headroom, so a growing run changes
its ranges a few times rather than 10 times a second. A user who pans or zooms
a plot takes that plot over (double-click gives it back). The timer also slows
down when frames get expensive, so the GUI thread never spends more than about
a quarter of its time on the curves. Late in a run, when a frame's new steps
fall within the last pixel column, the step plots wait until the steps reach
the next column, leave a plot's range or are half a second old
(:meth:`CurvesView._steps_visible`).
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # pyqtgraph would otherwise prefer PyQt6

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget  # noqa: E402

from studio.ui.training.buffers import RunCurves, SmoothedSeries  # noqa: E402

TRAIN_COLOR = "#2f6fdf"
VAL_COLOR = "#f28e2b"
LR_COLOR = "#59a14f"
GRAD_COLOR = "#b07aa1"
SPEED_COLOR = "#76b7b2"
COMPARE_COLORS = ("#9c755f", "#e15759", "#4e79a7", "#bab0ac", "#edc948", "#ff9da7")
REDRAW_HZ = 10  # the issue asks for live curves at 10 Hz; each frame holds the GIL the worker needs
MAX_REDRAW_INTERVAL_MS = 500  # the adaptive redraw rate never drops below 2 Hz
FRAME_BUDGET = 0.25  # at most this fraction of the GUI thread's time goes to the curves
SPEED_SMOOTHING = 0.9  # throughput is noisy per step; always smoothed
_LOG_PLOTS = ("step_loss", "epoch_loss", "lr", "grad")
DOWNSAMPLE_FACTOR = 2.0  # peak downsampling to ~2 bins (4 points) per pixel column: the same envelope
SOFT_RANGE_CHANGES = 1  # ranges changed ahead of need per frame (each redraws two axes)
RAW_ALPHA = 60  # the raw per-step curves behind the smoothed ones
# Room left on the x axis for the curves to grow into. Each change of a range repaints two axes
# (the costliest part of a frame, and GIL time the training thread waits for), so the step plots
# double their range when full (a few changes per run rather than one per 20 % of growth) and the
# epoch plots grow by half rather than by one epoch; a finished run is fitted tightly.
STEP_HEADROOM = 1.0
EPOCH_HEADROOM = 0.5
STEP_PIXELS = 1.0  # new steps are drawn once they span this many pixels of a step plot's x axis ...
STEP_STALE_S = 0.5  # ... or leave its range, or have waited this long
# The step plots and the raw series their y ranges are fitted to (None: fitted to a smoothed one).
_STEP_PLOTS = {"step_loss": "loss", "lr": "lr", "grad": "grad_norm", "speed": None}


def _pen(color: str, width: float = 1.6, alpha: int = 255, dash: bool = False) -> pg.QtGui.QPen:
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    pen = pg.mkPen(qcolor, width=width)
    if dash:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _blend(color: QColor, background: QColor, alpha: float) -> QColor:
    """``color`` at opacity ``alpha`` over ``background``, as an opaque colour."""
    mix = [
        alpha * a + (1 - alpha) * b
        for a, b in zip(color.getRgbF()[:3], background.getRgbF()[:3], strict=True)
    ]
    return QColor.fromRgbF(*mix)


def _curve(plot: pg.PlotItem, pen, name: str | None = None, symbol: bool = False) -> pg.PlotDataItem:
    """An empty curve that downsamples by peaks and draws only what is in view."""
    kwargs = {"symbol": "o", "symbolSize": 5, "symbolPen": None, "symbolBrush": pen.color()} if symbol else {}
    item = plot.plot([], [], pen=pen, name=name, **kwargs)
    item.setDownsampling(auto=True, method="peak")
    item.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
    item.setClipToView(True)
    return item


def _view_bounds(values: np.ndarray, log: bool) -> tuple[float, float] | None:
    """Finite (positive, as log10, on a log axis) minimum and maximum of ``values``; None if none."""
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(values[values > 0])
    if not len(values):
        return None
    lo, hi = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))  # NaN skipped
    if not (math.isfinite(lo) and math.isfinite(hi)):
        finite = values[np.isfinite(values)]
        if not len(finite):
            return None
        lo, hi = float(finite.min()), float(finite.max())
    return lo, hi


class _AutoRange:
    """The range of one plot, kept by the view instead of pyqtgraph's per-frame auto-range.

    A range is set when the data leaves it or spans less than ``fill`` of it;
    the new range has ``headroom`` beyond the data on the x axis (where runs
    grow), ``pad`` on the y axis. ``y_floor`` pins the bottom of a linear y axis
    (the learning rate starts at 0). After the user pans or zooms, the plot is
    left alone until :meth:`release` (double-click or a new run).
    """

    def __init__(self, plot: pg.PlotItem, headroom: float = 0.25, y_floor: float | None = None) -> None:
        self.plot = plot
        self.box = plot.getViewBox()
        self.headroom = headroom
        self.y_floor = y_floor
        self.fill = 0.55
        self.pad = 0.08
        self.user = False
        self.box.disableAutoRange()
        self.box.sigRangeChangedManually.connect(self._taken_over)

    def _taken_over(self, *_args) -> None:
        self.user = True

    def release(self) -> None:
        """Follow the data again."""
        self.user = False

    def update(
        self,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        log_y: bool,
        force: bool = False,
        soft: bool = True,
        tight: bool = False,
    ) -> bool:
        """Make the range fit the curves ``(xs[i], ys[i])`` when it no longer does; True if it changed.

        A range the data has left changes now; one the data is about to leave
        (or fills too little) changes only when ``soft`` (the view allows one such
        change per frame, so the plots' axes are not all redrawn in the same frame).
        ``tight`` leaves no headroom (a run that has ended grows no more).
        """
        if self.user:
            return False
        bx = _merge(_view_bounds(x, False) for x in xs)
        by = _merge(_view_bounds(y, log_y) for y in ys)
        if bx is None or by is None:
            return False
        pinned = self.y_floor is not None and not log_y
        if pinned:
            by = (min(self.y_floor, by[0]), max(by[1], self.y_floor))
        (vx0, vx1), (vy0, vy1) = self.box.viewRange()
        x = self._axis(bx, (vx0, vx1), 0.02 if tight else self.headroom, True, force, soft)
        y = self._axis(by, (vy0, vy1), self.pad, False, force, soft, pinned)
        if x is None and y is None:
            return False
        self.box.setRange(xRange=x, yRange=y, padding=0, update=True)
        return True

    def _axis(self, data, view, margin: float, grow: bool, force: bool, soft: bool, pinned: bool = False):
        lo, hi = data
        vlo, vhi = view
        span, vspan = hi - lo, vhi - vlo
        if not force and vlo <= lo and hi <= vhi:  # the data is inside the range
            nearly_full = grow and hi > vlo + 0.92 * vspan
            # A growing axis leaves ``margin`` of room on purpose: "too little" is relative to that.
            fill = self.fill / (1.0 + margin) if grow else self.fill
            if not soft or not (nearly_full or span < fill * vspan) or (grow and span <= 0):
                return None
        if span <= 0:
            half = abs(lo) * 0.1 or 0.5
            return lo - half, hi + half
        if grow:
            return lo - 0.02 * span, hi + margin * span
        if pinned:
            return lo, hi + 2 * margin * span
        return lo - margin * span, hi + margin * span


def _merge(bounds) -> tuple[float, float] | None:
    found = [b for b in bounds if b is not None]
    if not found:
        return None
    return min(b[0] for b in found), max(b[1] for b in found)


class _Graphics(pg.GraphicsLayoutWidget):
    """A ``GraphicsLayoutWidget`` that times its paints (for the adaptive redraw rate)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.paint_seconds = 0.0
        self.setViewportUpdateMode(pg.QtWidgets.QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        start = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds = time.perf_counter() - start

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseDoubleClickEvent(event)
        self.double_clicked(self.mapToScene(event.position().toPoint()))

    def double_clicked(self, point) -> None:
        """Hook set by :class:`CurvesView`."""


class CurvesView(QWidget):
    """The plots of the current run and of the runs it is compared with.

    Attributes
    ----------
    current
        The run being shown (filled by the panel from events).
    compared
        Previous runs drawn dashed beside it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = RunCurves("current")
        self.compared: list[RunCurves] = []
        self.smoothing = 0.6
        self.log_scale = False
        self._smoothers = {k: SmoothedSeries(self.smoothing) for k in ("loss", "grad_norm")}
        self._smoothers["samples_per_s"] = SmoothedSeries(SPEED_SMOOTHING)
        self.graphics = _Graphics()
        self.graphics.setObjectName("trainingCurves")
        self.graphics.double_clicked = self._on_double_click
        self.plots: dict[str, pg.PlotItem] = {}
        self._build_plots()
        self.ranges = {
            key: _AutoRange(plot, EPOCH_HEADROOM if key in ("epoch_loss", "metric") else STEP_HEADROOM)
            for key, plot in self.plots.items()
        }
        self.ranges["lr"].y_floor = 0.0  # a constant learning rate reads as one
        self._drawn: tuple = ()  # what the curves show: (run, steps, epochs, generation)
        self._steps_drawn_at = 0.0  # perf_counter of the last setData of the step curves
        self.step_frames = 0  # frames that drew new steps (the benchmarks report their rate)
        self._generation = 0
        self._titles: dict[str, str] = {}
        self._range_changes = 0  # ranges changed in the current frame
        self._tight = False
        self._compare_items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self._dirty = True
        self.frame_seconds = 0.0  # the latest redraw's setData plus its paint
        self.timer = QTimer(self)
        self.timer.setInterval(1000 // REDRAW_HZ)
        self.timer.timeout.connect(self.redraw_if_dirty)
        self.apply_palette()

    # ------------------------------------------------------------ building
    def _add_plot(self, key: str, row: int, col: int, title: str, x_label: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=col, title=title)
        plot.showGrid(x=True, y=True, alpha=0.18)
        plot.setLabel("bottom", x_label)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.getAxis("left").setWidth(52)
        for name in ("left", "bottom"):
            # The grid lines make each axis as large as its plot, so every new point repaints it:
            # keep it as a pixmap, redrawn only when its range (or size) changes.
            plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plots[key] = plot
        return plot

    def _build_plots(self) -> None:
        step = self._add_plot("step_loss", 0, 0, "Training loss", "step")
        epoch = self._add_plot("epoch_loss", 0, 1, "Loss per epoch", "epoch")
        metric = self._add_plot("metric", 0, 2, "Accuracy per epoch", "epoch")
        lr = self._add_plot("lr", 1, 0, "Learning rate", "step")
        grad = self._add_plot("grad", 1, 1, "Gradient norm", "step")
        speed = self._add_plot("speed", 1, 2, "Throughput (samples/s)", "step")
        text = self.palette().color(QPalette.ColorRole.Text)
        self.legends = [
            epoch.addLegend(offset=(-8, 8), labelTextSize="8pt", labelTextColor=text, colCount=2),
            metric.addLegend(offset=(-8, -8), labelTextSize="8pt", labelTextColor=text, colCount=2),
        ]
        self.items = {
            "loss_raw": _curve(step, _pen(TRAIN_COLOR, 1.0, RAW_ALPHA)),
            "loss": _curve(step, _pen(TRAIN_COLOR)),
            "train_loss": _curve(epoch, _pen(TRAIN_COLOR), "train", symbol=True),
            "val_loss": _curve(epoch, _pen(VAL_COLOR), "validation", symbol=True),
            "train_metric": _curve(metric, _pen(TRAIN_COLOR), "train", symbol=True),
            "val_metric": _curve(metric, _pen(VAL_COLOR), "validation", symbol=True),
            "lr": _curve(lr, _pen(LR_COLOR)),
            "grad_raw": _curve(grad, _pen(GRAD_COLOR, 1.0, RAW_ALPHA)),
            "grad_norm": _curve(grad, _pen(GRAD_COLOR)),
            "samples_per_s": _curve(speed, _pen(SPEED_COLOR)),
        }

    def apply_palette(self) -> None:
        """Follow the widget palette (light or dark theme)."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlpha(150)
        self.graphics.setBackground(background)
        legend_brush = QColor(background)
        legend_brush.setAlpha(210)
        for legend in self.legends:
            legend.setBrush(legend_brush)
            legend.setLabelTextColor(text)
        # The raw curves are drawn opaque in the colour a translucent pen would give over the
        # background: a translucent path of thousands of crossing segments is many times slower.
        for key, color in (("loss_raw", TRAIN_COLOR), ("grad_raw", GRAD_COLOR)):
            self.items[key].setPen(pg.mkPen(_blend(QColor(color), background, RAW_ALPHA / 255), width=1.0))
        for key, plot in self.plots.items():
            self._set_title(key, plot.titleLabel.text, again=True)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(muted))
                axis.setTextPen(pg.mkPen(muted))

    # ------------------------------------------------------------ state
    def reset(self, curves: RunCurves | None = None) -> None:
        """Show ``curves`` (a fresh, empty run by default) as the current run."""
        self.current = curves or RunCurves("current")
        for smoother in self._smoothers.values():
            smoother.reset()
        for keeper in self.ranges.values():
            keeper.release()
        self._changed()

    def mark_dirty(self) -> None:
        """New points arrived: redraw on the next timer tick (the timer only runs while needed)."""
        self._dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        """Stop redrawing (the panel shuts down); the next change starts the timer again."""
        self.timer.stop()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Catch up with what arrived while hidden."""
        super().showEvent(event)
        if self._dirty:
            self.timer.start()

    def _changed(self) -> None:
        """Something other than new points changed: redraw every curve and fit every range."""
        self._generation += 1
        self.mark_dirty()

    def set_smoothing(self, weight: float) -> None:
        """EMA weight in [0, 1) for the per-step curves."""
        self.smoothing = weight
        for key in ("loss", "grad_norm"):
            self._smoothers[key].set_weight(weight)
        self._rebuild_compared()
        self._changed()

    def set_log_scale(self, on: bool) -> None:
        """Logarithmic y axis on the loss, learning-rate and gradient plots."""
        self.log_scale = on
        for key in _LOG_PLOTS:
            self.plots[key].setLogMode(y=on)
            self.plots[key].disableAutoRange()  # setLogMode turns pyqtgraph's auto-range back on
        self._changed()

    def set_compared(self, runs: list[RunCurves]) -> None:
        """Draw ``runs`` dashed beside the current one (replaces the earlier selection)."""
        self.compared = list(runs)
        self._rebuild_compared()
        self._changed()

    # ------------------------------------------------------------ drawing
    def redraw_if_dirty(self) -> None:
        """Timer slot: push the new points into the curves when something changed.

        The next tick is delayed when the last frame (``setData`` and paint) was
        expensive, so that drawing takes at most ``FRAME_BUDGET`` of the GUI thread.
        """
        if not (self._dirty and self.isVisible()):
            self.timer.stop()  # idle: nothing to draw, or hidden (showEvent resumes)
            return
        start = time.perf_counter()
        self._draw(force=False)
        self.frame_seconds = time.perf_counter() - start + self.graphics.paint_seconds
        wanted = 1000 * self.frame_seconds / FRAME_BUDGET
        interval = int(min(MAX_REDRAW_INTERVAL_MS, max(1000 // REDRAW_HZ, wanted)))
        if interval != self.timer.interval():
            self.timer.setInterval(interval)

    def redraw(self) -> None:
        """``setData`` on every current-run curve and fit every range to the data (no headroom)."""
        self._tight = True
        try:
            self._draw(force=True)
        finally:
            self._tight = False

    def _draw(self, force: bool) -> None:
        self._dirty = False
        run = self.current
        n_steps, n_epochs = len(run.steps), len(run.epochs)
        drawn = self._drawn
        full = force or not drawn or drawn[0] is not run or drawn[3] != self._generation
        steps_changed = full or drawn[1] != n_steps
        epochs_changed = full or drawn[2] != n_epochs
        if steps_changed and not full and not self._steps_visible(drawn[1]):
            steps_changed = False
            n_steps = drawn[1]  # drawn later, with the points after them
            self._dirty = True
        self._drawn = (run, n_steps, n_epochs, self._generation)
        self._range_changes = 0
        if steps_changed:
            self._draw_steps(full)
            self._steps_drawn_at = time.perf_counter()
            self.step_frames += 1
        if epochs_changed:
            self._draw_epochs(full)

    def _steps_visible(self, drawn: int) -> bool:
        """Whether the steps after the first ``drawn`` would change what the step plots show.

        Late in a run one pixel column holds dozens of steps, and a frame's new
        steps only refine the last column; repainting four plots for that costs
        GUI-thread time (and interpreter-lock time the training thread waits
        for) without a visible change. The new steps are drawn once they reach
        the next pixel column, leave a plot's range, or are ``STEP_STALE_S`` old.
        """
        if time.perf_counter() - self._steps_drawn_at >= STEP_STALE_S:
            return True
        run = self.current
        new = len(run.steps) - drawn
        for key, series in _STEP_PLOTS.items():
            box = self.plots[key].getViewBox()
            (x0, x1), (y0, y1) = box.viewRange()
            if self.ranges[key].user or new * box.width() >= (x1 - x0) * STEP_PIXELS:
                return True
            if series is None:  # the throughput plot's range follows the smoothed curve
                continue
            log = self.log_scale and key in _LOG_PLOTS
            bounds = _view_bounds(run.step_series[series].values[drawn:], log)
            if bounds is not None and (bounds[0] < y0 or bounds[1] > y1):
                return True
        return False

    def _draw_steps(self, full: bool) -> None:
        run, items = self.current, self.items
        steps = run.steps.values
        series = {k: b.values for k, b in run.step_series.items()}
        smooth = self.smoothing > 0
        loss = self._smoothers["loss"].update(series["loss"])
        grad = self._smoothers["grad_norm"].update(series["grad_norm"])
        speed = self._smoothers["samples_per_s"].update(series["samples_per_s"])
        items["loss_raw"].setData(steps, series["loss"]) if smooth else items["loss_raw"].clear()
        items["loss"].setData(steps, loss)
        items["lr"].setData(steps, series["lr"])
        # The gradient norm is measured at some steps only (NaN at the others): a line through
        # the measured points, not a line broken at every gap.
        measured = np.isfinite(series["grad_norm"])
        grad_steps, grad_raw, grad = steps[measured], series["grad_norm"][measured], grad[measured]
        items["grad_raw"].setData(grad_steps, grad_raw) if smooth else items["grad_raw"].clear()
        items["grad_norm"].setData(grad_steps, grad)
        items["samples_per_s"].setData(steps, speed)
        raw = self.smoothing > 0
        self._fit("step_loss", [steps], [series["loss"] if raw else loss], full)
        self._fit("lr", [steps], [series["lr"]], full)
        self._fit("grad", [grad_steps], [grad_raw if raw else grad], full)
        self._fit("speed", [steps], [speed], full)

    def _draw_epochs(self, full: bool) -> None:
        run, items = self.current, self.items
        epochs = run.epochs.values
        metric = run.metric_name() or "accuracy"
        self._set_title("metric", f"{_metric_title(metric)} per epoch")
        loss_y, metric_y = [], []
        for split in ("train", "val"):
            loss_y.append(run.epoch_values(f"{split}_loss"))
            metric_y.append(run.epoch_values(f"{split}_{metric}"))
            items[f"{split}_loss"].setData(epochs, loss_y[-1])
            items[f"{split}_metric"].setData(epochs, metric_y[-1])
        self._fit("epoch_loss", [epochs, epochs], loss_y, full)
        self._fit("metric", [epochs, epochs], metric_y, full)

    def _fit(self, key: str, xs: list[np.ndarray], ys: list[np.ndarray], full: bool) -> None:
        """Keep the range of plot ``key`` around its curves (and the compared runs' ones)."""
        for plot, item in self._compare_items:
            if plot is self.plots[key]:
                x, y = item.xData, item.yData
                if x is not None and y is not None:
                    xs, ys = [*xs, x], [*ys, y]
        log = self.log_scale and key in _LOG_PLOTS
        soft = self._range_changes < SOFT_RANGE_CHANGES
        keeper = self.ranges[key]
        self._range_changes += keeper.update(xs, ys, log, force=full, soft=soft, tight=self._tight)

    def _on_double_click(self, point) -> None:
        """Give a plot the user panned or zoomed back to the data."""
        for key, plot in self.plots.items():
            if plot.sceneBoundingRect().contains(point):
                self.ranges[key].release()
                self._changed()

    def _set_title(self, key: str, title: str, again: bool = False) -> None:
        """Set a plot's title (an unchanged title is not set again: that re-lays out the plot)."""
        text = self.palette().color(QPalette.ColorRole.Text)
        if not again and self._titles.get(key) == (title, text.name()):
            return
        self._titles[key] = (title, text.name())
        self.plots[key].setTitle(title, color=text.name(), size="9pt", bold=True)

    def _rebuild_compared(self) -> None:
        for plot, item in self._compare_items:
            plot.removeItem(item)
        self._compare_items.clear()
        metric = self.current.metric_name() or "accuracy"
        for i, run in enumerate(self.compared):
            pen = _pen(COMPARE_COLORS[i % len(COMPARE_COLORS)], 1.4, 220, dash=True)
            smooth = SmoothedSeries(self.smoothing).update(run.step_series["loss"].values)
            targets = (
                ("step_loss", run.steps.values, smooth),
                ("epoch_loss", run.epochs.values, run.epoch_values("val_loss")),
                ("metric", run.epochs.values, run.epoch_values(f"val_{metric}")),
            )
            for key, x, y in targets:
                plot = self.plots[key]
                item = _curve(plot, pen, f"{run.label} (val)" if key != "step_loss" else None)
                item.setData(x, y)
                self._compare_items.append((plot, item))

    def save_png(self, path: str) -> bool:
        """Write the plots as a PNG image (what is on screen, at the screen's pixel ratio)."""
        return self.graphics.grab().save(path, "PNG")


def _metric_title(name: str) -> str:
    titles = {"accuracy": "Accuracy", "r2": "R²", "mae": "Mean absolute error", "macro_f1": "Macro F1"}
    return titles.get(name, name.replace("_", " ").capitalize())
