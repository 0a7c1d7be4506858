"""The Filters tab: a layer's kernels as images, its weight histogram, and norms and histograms
of the weights over the run's epochs.

Kernels: a first convolution with 1 or 3 input channels shows each filter as
one grey or RGB tile (what it matches in the input); any other convolution
shows a grid with one row per filter and one column per input channel, capped
at 64 x 64 (a 512 x 512 layer would be 262,144 tiles) with a note saying so.
Layers without kernels (linear, embedding) still get the histograms. The
per-epoch plots read the run's ``stats/epoch_NNN.npz`` files
(:func:`studio.inspection.filters.weight_history`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from torch import nn

from studio.inspection import filters
from studio.ui.inspect import charts
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.filters_work import compute_filters, layer_for_node, weighted_layers
from studio.ui.inspect.image import ImagePane
from studio.ui.inspect.view import InspectView

_MODES = (("symmetric (0 = middle)", "symmetric"), ("min–max", "minmax"))
_SCALES = (("per filter", "filter"), ("whole layer", "layer"))
_CMAPS = (("grey", "grey"), ("blue–white–red", "diverging"), ("viridis", "viridis"))
_MEANING = {
    ("symmetric", "grey"): "mid-grey = 0, lighter = positive, darker = negative",
    ("symmetric", "diverging"): "white = 0, red = positive, blue = negative",
    ("symmetric", "viridis"): "green-blue = 0, yellow = positive, purple = negative",
}


class FiltersView(InspectView):
    """Kernels, weight histogram and weight statistics over epochs of one layer.

    The layer follows the canvas selection when the selected node has weights;
    otherwise it stays what the chooser says (the first convolution at first).
    """

    title = "Filters"
    depends_on = frozenset({"node"})

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.layer: str | None = None  # the chosen layer (kept across checkpoints)
        self._last_node: str | None = None
        self.result: dict[str, Any] = {}
        self._build()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.layers = QComboBox()
        self.layers.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layers.setToolTip(
            "The layer whose weights are shown (selecting a node on the canvas picks it too)"
        )
        self.mode, self.scale, self.cmap = QComboBox(), QComboBox(), QComboBox()
        for combo, items in ((self.mode, _MODES), (self.scale, _SCALES), (self.cmap, _CMAPS)):
            for label, data in items:
                combo.addItem(label, data)
            combo.currentIndexChanged.connect(self._options_changed)
        self.mode.setToolTip(
            "symmetric: zero is the middle colour, so the sign shows; min–max: full contrast"
        )
        self.scale.setToolTip(
            "Normalise each filter on its own, or the whole layer at once (filters compare)"
        )
        self.layers.activated.connect(self._layer_chosen)
        bar = QHBoxLayout()
        for caption, widget in (
            ("Layer", self.layers),
            ("Normalise", self.mode),
            ("Range", self.scale),
            ("Colours", self.cmap),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addStretch(1)
        self.kernels = ImagePane()
        self.kernel_note = QLabel()
        self.kernel_note.setObjectName("inspectNote")
        self.kernel_note.setWordWrap(True)
        self.kernel_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.kernel_stack = QStackedWidget()
        self.kernel_stack.addWidget(self.kernels)
        self.kernel_stack.addWidget(self.kernel_note)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(None)
        self.hist_plot = charts.style_plot(self.plots.addPlot(row=0, col=0), self, x="weight", y="count")
        self.norm_plot = charts.style_plot(self.plots.addPlot(row=1, col=0), self, x="epoch", y="L2 norm")
        self.norm_legend = self.norm_plot.addLegend(
            offset=(-6, 6), labelTextSize="8pt", labelTextColor=charts.text_colors(self)[0]
        )
        self.epoch_plot = charts.style_plot(self.plots.addPlot(row=2, col=0), self, x="weight", y="epoch")
        self.epoch_plot.showGrid(x=False, y=False)  # grid lines would cross the heat image
        self.epoch_heat = charts.HeatImage(self.epoch_plot, "share of weights")
        self.epoch_heat.add_bar_to(self.plots.ci, 2, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.kernel_stack)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------ choosing
    def _layer_chosen(self, index: int) -> None:
        self.layer = self.layers.itemData(index)
        self.refresh()

    def _options_changed(self) -> None:
        if self.context.run is not None and self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def choose_layer(self, layer: str) -> None:
        """Show ``layer`` (a dotted module name of the model)."""
        self.layer = layer
        self.refresh()

    def _fill_layers(self, layers: list[str], model: nn.Module, current: str) -> None:
        self.layers.blockSignals(True)
        try:
            self.layers.clear()
            for name in layers:
                self.layers.addItem(f"{name} ({type(model.get_submodule(name)).__name__})", name)
            self.layers.setCurrentIndex(max(0, self.layers.findData(current)))
        finally:
            self.layers.blockSignals(False)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Follow a theme change: plot text and captions take the new palette's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "hist_plot"):
            for plot in (self.hist_plot, self.norm_plot, self.epoch_plot):
                charts.restyle(plot, self)
            if self.result and self.stack.currentWidget() is self.body:
                self._show(self.result)

    # ------------------------------------------------------------ computing
    def compute(self) -> None:
        """Pick the layer (selected node, chosen, first convolution) and compute in the background."""
        run = self.context.run
        model = run.model
        layers = weighted_layers(model)
        if not layers:
            self.show_message(
                "This model has no layer with weights: no filters or weight histograms to show."
            )
            return
        node = self.context.node
        from_node = layer_for_node(node, layers)
        if node != self._last_node and from_node is not None:
            self.layer = from_node
        self._last_node = node
        convs = filters.conv_layer_names(model)
        if self.layer not in layers:
            self.layer = convs[0] if convs else layers[0]
        layer = self.layer
        self._fill_layers(layers, model, layer)
        mode, scale, cmap = self.mode.currentData(), self.scale.currentData(), self.cmap.currentData()
        run_dir, checkpoint = run.path, getattr(run.checkpoint, "stem", "")

        def work(_cancel):
            result = compute_filters(model, layer, convs, run_dir, mode, scale, cmap)
            result["checkpoint"] = checkpoint or "now"
            return result

        self.submit(work, self._show)

    # ------------------------------------------------------------ showing
    def _show(self, result: dict[str, Any]) -> None:
        self.show_body()
        self.result = result
        layer = result["layer"]
        if result["kernels"] is None:
            self.kernel_note.setText(result["kernel_message"])
            self.kernel_stack.setCurrentWidget(self.kernel_note)
            self.kernels.set_image(None)
        else:
            self.kernel_stack.setCurrentWidget(self.kernels)
            self.kernels.set_image(result["kernels"])
            meaning = _MEANING.get(
                (result["mode"], result["cmap"]), "full contrast per filter, sign not shown"
            )
            if result["kernels_rgb"]:
                meaning = "mid-grey = 0" if result["mode"] == "symmetric" else "full contrast"
            caption = f"<b>{layer}</b> · {result['kernel_caption']}<br>{meaning}"
            self.kernels.title.setText(caption, color=charts.text_colors(self)[0].name())
        self._show_histogram(result)
        self._show_history(result)

    def _show_histogram(self, result: dict[str, Any]) -> None:
        stats = result["stats"]
        self.hist_plot.clear()
        charts.step_histogram(self.hist_plot, stats.hist, stats.edges, charts.ACCENT)
        self.hist_plot.addLine(x=0, pen=charts.pen("#888888", 1.0, 160))
        charts.set_title(
            self.hist_plot,
            self,
            f"{result['layer']}.weight ({result['checkpoint']}): {math.prod(stats.shape):,} values, "
            f"mean {stats.mean:.3g}, std {stats.std:.3g}",
        )

    def _show_history(self, result: dict[str, Any]) -> None:
        self.norm_plot.clear()
        self.norm_legend.clear()
        history, layer = result["history"], result["layer"]
        if history is None:
            charts.set_title(self.norm_plot, self, f"No weights over epochs: {result['history_message']}")
            charts.set_title(self.epoch_plot, self, "")
            self.epoch_heat.set(None)
            return
        others = iter(charts.OTHER_COLORS * 8)
        for name, series in history.items():
            if not name.endswith(".weight"):
                continue
            chosen = series.node == layer
            color = charts.ACCENT if chosen else next(others)
            self.norm_plot.plot(
                series.epochs,
                series.norms,
                pen=charts.pen(color, 3.0 if chosen else 1.2, 255 if chosen else 150),
                symbol="o",
                symbolSize=7 if chosen else 4,
                symbolPen=None,
                symbolBrush=charts.brush(color, 255 if chosen else 150),
                name=series.node,
            )
        epochs = np.concatenate([s.epochs for s in history.values()]) if history else np.zeros(0)
        charts.integer_ticks(self.norm_plot.getAxis("bottom"), epochs)
        charts.integer_ticks(self.epoch_plot.getAxis("left"), epochs)
        charts.set_title(
            self.norm_plot, self, f"L2 norm of each layer's weights per epoch ({layer} highlighted)"
        )
        series = history.get(f"{layer}.weight")
        if series is None:
            charts.set_title(self.epoch_plot, self, f"{layer}: not in the run's statistics")
            self.epoch_heat.set(None)
            return
        edges, share = result["epoch_edges"], result["epoch_share"]
        first, count = int(series.epochs[0]), len(series.epochs)
        # One row per stored epoch; epochs are assumed evenly spaced for the y axis.
        step = (int(series.epochs[-1]) - first) / (count - 1) if count > 1 else 1.0
        self.epoch_heat.set(
            share, rect=(float(edges[0]), first - step / 2, float(edges[-1] - edges[0]), step * count)
        )
        charts.set_title(
            self.epoch_plot,
            self,
            f"{layer}.weight: histogram per epoch ({count} epoch{'s' * (count != 1)}; each row sums to 1)",
        )
