"""Live training curves: six pyqtgraph plots redrawn by a timer, never per event.

Events only append to the :class:`~studio.ui.training.buffers.RunCurves` ring
buffers and mark the view dirty; a ``QTimer`` (15 Hz) calls ``setData`` on the
existing ``PlotDataItem`` objects, which downsample by peaks and clip to the
view, so a million points redraw in a few milliseconds.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # pyqtgraph would otherwise prefer PyQt6

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from studio.ui.training.buffers import RunCurves, SmoothedSeries  # noqa: E402

TRAIN_COLOR = "#2f6fdf"
VAL_COLOR = "#f28e2b"
LR_COLOR = "#59a14f"
GRAD_COLOR = "#b07aa1"
SPEED_COLOR = "#76b7b2"
COMPARE_COLORS = ("#9c755f", "#e15759", "#4e79a7", "#bab0ac", "#edc948", "#ff9da7")
REDRAW_HZ = 15
SPEED_SMOOTHING = 0.9  # throughput is noisy per step; always smoothed
_LOG_PLOTS = ("step_loss", "epoch_loss", "lr", "grad")


def _pen(color: str, width: float = 1.6, alpha: int = 255, dash: bool = False) -> pg.QtGui.QPen:
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    pen = pg.mkPen(qcolor, width=width)
    if dash:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _curve(plot: pg.PlotItem, pen, name: str | None = None, symbol: bool = False) -> pg.PlotDataItem:
    """An empty curve that downsamples by peaks and draws only what is in view."""
    kwargs = {"symbol": "o", "symbolSize": 5, "symbolPen": None, "symbolBrush": pen.color()} if symbol else {}
    item = plot.plot([], [], pen=pen, name=name, **kwargs)
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    return item


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
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("trainingCurves")
        self.plots: dict[str, pg.PlotItem] = {}
        self._build_plots()
        self._compare_items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self._dirty = True
        self.timer = QTimer(self)
        self.timer.setInterval(1000 // REDRAW_HZ)
        self.timer.timeout.connect(self.redraw_if_dirty)
        self.timer.start()
        self.apply_palette()

    # ------------------------------------------------------------ building
    def _add_plot(self, key: str, row: int, col: int, title: str, x_label: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=col, title=title)
        plot.showGrid(x=True, y=True, alpha=0.18)
        plot.setLabel("bottom", x_label)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.getAxis("left").setWidth(52)
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
            epoch.addLegend(offset=(-8, 8), labelTextSize="8pt", labelTextColor=text),
            metric.addLegend(offset=(-8, -8), labelTextSize="8pt", labelTextColor=text),
        ]
        self.items = {
            "loss_raw": _curve(step, _pen(TRAIN_COLOR, 1.0, 60)),
            "loss": _curve(step, _pen(TRAIN_COLOR)),
            "train_loss": _curve(epoch, _pen(TRAIN_COLOR), "train", symbol=True),
            "val_loss": _curve(epoch, _pen(VAL_COLOR), "validation", symbol=True),
            "train_metric": _curve(metric, _pen(TRAIN_COLOR), "train", symbol=True),
            "val_metric": _curve(metric, _pen(VAL_COLOR), "validation", symbol=True),
            "lr": _curve(lr, _pen(LR_COLOR)),
            "grad_raw": _curve(grad, _pen(GRAD_COLOR, 1.0, 60)),
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
        for key, plot in self.plots.items():
            self._set_title(key, plot.titleLabel.text)
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
        self.mark_dirty()

    def mark_dirty(self) -> None:
        """New points arrived: redraw on the next timer tick."""
        self._dirty = True

    def set_smoothing(self, weight: float) -> None:
        """EMA weight in [0, 1) for the per-step curves."""
        self.smoothing = weight
        for key in ("loss", "grad_norm"):
            self._smoothers[key].set_weight(weight)
        self._rebuild_compared()
        self.mark_dirty()

    def set_log_scale(self, on: bool) -> None:
        """Logarithmic y axis on the loss, learning-rate and gradient plots."""
        self.log_scale = on
        for key in _LOG_PLOTS:
            self.plots[key].setLogMode(y=on)
        self.mark_dirty()

    def set_compared(self, runs: list[RunCurves]) -> None:
        """Draw ``runs`` dashed beside the current one (replaces the earlier selection)."""
        self.compared = list(runs)
        self._rebuild_compared()
        self.mark_dirty()

    # ------------------------------------------------------------ drawing
    def redraw_if_dirty(self) -> None:
        """Timer slot: push the buffers into the curves when something changed."""
        if self._dirty and self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        """``setData`` on every current-run curve."""
        self._dirty = False
        run, items = self.current, self.items
        steps = run.steps.values
        series = {k: b.values for k, b in run.step_series.items()}
        items["loss_raw"].setData(steps, series["loss"]) if self.smoothing > 0 else items["loss_raw"].clear()
        items["loss"].setData(steps, self._smoothers["loss"].update(series["loss"]))
        items["lr"].setData(steps, series["lr"])
        self._lr_range(series["lr"])
        grad = series["grad_norm"]
        items["grad_raw"].setData(steps, grad) if self.smoothing > 0 else items["grad_raw"].clear()
        items["grad_norm"].setData(steps, self._smoothers["grad_norm"].update(grad))
        items["samples_per_s"].setData(
            steps, self._smoothers["samples_per_s"].update(series["samples_per_s"])
        )
        epochs = run.epochs.values
        metric = run.metric_name() or "accuracy"
        self._set_title("metric", f"{_metric_title(metric)} per epoch")
        for split in ("train", "val"):
            items[f"{split}_loss"].setData(epochs, run.epoch_values(f"{split}_loss"))
            items[f"{split}_metric"].setData(epochs, run.epoch_values(f"{split}_{metric}"))

    def _lr_range(self, lr) -> None:
        """Start the linear learning-rate axis at 0, so a constant rate reads as one."""
        plot = self.plots["lr"]
        finite = lr[np.isfinite(lr)] if len(lr) else lr
        if (
            plot.ctrl.logYCheck.isChecked()
            or not len(finite)
            or plot.getViewBox().state["mouseEnabled"] is False
        ):
            plot.enableAutoRange(y=True)
            return
        top = float(finite.max())
        plot.setYRange(0.0, top * 1.15 if top > 0 else 1.0, padding=0)

    def _set_title(self, key: str, title: str) -> None:
        text = self.palette().color(QPalette.ColorRole.Text)
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
