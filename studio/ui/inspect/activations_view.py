"""The Feature maps tab: what the selected node outputs for the current sample.

Image-like outputs ``(C, H, W)`` show as a grid of coloured maps (click one to
enlarge it and highlight its row in the statistics table); 2-D outputs
``(rows, columns)`` as one heat map; vectors ``(F,)`` as a bar chart; attention
layers as their query x key weights per head. Beside them: per-map statistics
of this sample, a histogram of this sample's values against a batch of the
split, and the batch's dead-unit and saturation fractions (definitions in
:mod:`studio.inspection.activations`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.inspection import activations as acts
from studio.inspection.colormaps import COLORMAPS, apply_colormap, normalise
from studio.ui.inspect import charts
from studio.ui.inspect.activations_work import batch_text, compute_activations, table_content
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.image import ImagePane
from studio.ui.inspect.view import InspectView

MAX_MAPS = 256  # maps in the grid (and rows in the table)


def _is_input(registry: Any, type_id: str) -> bool:
    """True for a graph input node (its output is the data, not a feature map)."""
    spec = registry.get(type_id) if registry is not None else None
    return bool(getattr(spec, "is_input", False)) if spec is not None else type_id.startswith("core.input")


def _density(counts: np.ndarray, edges: np.ndarray) -> np.ndarray:
    total = counts.sum() * np.diff(edges)
    return np.divide(counts, total, out=np.zeros(len(counts)), where=total > 0)


class ActivationsView(InspectView):
    """Feature maps, statistics and unit health of the selected node for the current sample."""

    title = "Feature maps"
    depends_on = frozenset({"node", "sample"})

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.result: dict[str, Any] = {}
        self.maps: np.ndarray | None = None  # the (K, H, W) maps in the grid
        self.grid_layout: tuple[int, int, int, int] = (0, 0, 0, 1)  # K, H, W, columns
        self.channel = 0  # the table row (channel, head or feature) selected
        self.map_rows: list[int] = []  # the table row of each map in the grid
        self.map_names: list[str] = []
        self._batch_cache: tuple[Any, str, Any, dict] | None = None  # run, split, node, batch part
        self._build()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.node_label = QLabel()
        self.node_label.setTextFormat(Qt.TextFormat.RichText)
        self.cmap = QComboBox()
        self.cmap.addItems(COLORMAPS)
        self.same_range = QCheckBox("One range for all maps")
        self.same_range.setToolTip("Colour every map on the same scale, so channels compare")
        self.heads = QComboBox()
        self.heads.setToolTip("Attention head: all as a grid, or one enlarged")
        self.heads_label = QLabel("Head")
        bar = QHBoxLayout()
        bar.addWidget(self.node_label, 1)
        for widget in (self.heads_label, self.heads, QLabel("Colours"), self.cmap, self.same_range):
            bar.addWidget(widget)
        self.hint = QLabel()
        self.hint.setObjectName("sampleInfo")
        self.grid = ImagePane()
        self.frame = QGraphicsRectItem()
        frame_pen = QPen(QColor(charts.ACCENT), 2.5)
        frame_pen.setCosmetic(True)  # 2.5 screen pixels whatever the zoom
        self.frame.setPen(frame_pen)
        self.frame.setZValue(10)
        self.frame.hide()
        self.grid.box.addItem(self.frame)
        self.bars = pg.PlotWidget()
        self.bars.setBackground(None)
        charts.style_plot(self.bars.getPlotItem(), self, x="feature", y="activation")
        self.display = QStackedWidget()
        self.display.addWidget(self.grid)
        self.display.addWidget(self.bars)
        self.channel_pane = ImagePane()
        self.hist = pg.PlotWidget()
        self.hist.setBackground(None)
        self.hist_plot = charts.style_plot(self.hist.getPlotItem(), self, x="activation", y="density")
        self.hist_legend = self.hist_plot.addLegend(
            offset=(-6, 6), labelTextSize="8pt", labelTextColor=charts.text_colors(self)[0]
        )
        self.top = top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.channel_pane)
        top.addWidget(self.hist)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.batch_label = QLabel()
        self.batch_label.setWordWrap(True)
        self.batch_label.setTextFormat(Qt.TextFormat.RichText)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.table)
        right.addWidget(self.batch_label)
        right.setSizes([260, 300, 90])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.display)
        main.addWidget(right)
        main.setSizes([760, 620])
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(main, 1)
        self.cmap.currentIndexChanged.connect(self._render)
        self.same_range.toggled.connect(self._render)
        self.heads.currentIndexChanged.connect(self._render)
        self.grid.clicked.connect(self._grid_clicked)
        self.table.itemSelectionChanged.connect(self._row_selected)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Follow a theme change: plot text and captions take the new palette's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "hist_plot"):
            for plot in (self.bars.getPlotItem(), self.hist_plot):
                charts.restyle(plot, self)
            if self.result and self.stack.currentWidget() is self.body:
                self._show(self.result)

    # ------------------------------------------------------------ computing
    def compute(self) -> None:
        """Compute the node's output for the sample (and, once per node and split, the batch part)."""
        context = self.context
        run, node, split = context.run, context.node, context.split
        if node is not None and not context.has_node(node):
            self.show_message(
                f"The node {node!r} is not in this run's model (added after the run was trained?).\n\n"
                "Select another node, or train again to inspect it."
            )
            return
        model, dataset, sample = run.model, context.dataset(), context.sample
        x, _ = context.sample_tensors()
        skip = [n.name for n in run.project.graph.nodes.values() if _is_input(run.registry, n.type)]
        cache = self._batch_cache
        batch = cache[3] if cache and cache[0] is run and cache[1] == split and cache[2] == node else None

        def work(_cancel):
            return compute_activations(model, x, node, skip, dataset, batch)

        def done(result: dict[str, Any]) -> None:
            if "message" in result:
                self.result = {}
                self.show_message(result["message"])
                return
            self._batch_cache = (run, split, node, result["batch"])
            result.update(sample=sample, split=split)
            self._show(result)

        self.submit(work, done)

    # ------------------------------------------------------------ showing
    def _show(self, result: dict[str, Any]) -> None:
        self.show_body()
        self.result = result
        act = result["act"]
        attention = result.get("attention")
        shape = " × ".join(str(s) for s in act.shape) or "a scalar"
        self.node_label.setText(
            f"<b>{result['node']}</b> ({result['module']}) · output {shape} · sample {result['sample']} "
            f"of {result['split']}"
        )
        self.hint.setVisible(bool(result["why"]))
        self.hint.setText(
            f"Showing {result['node']}, {result['why']}: select a node on the canvas to see its activations."
        )
        self.heads.blockSignals(True)
        self.heads.clear()
        if attention is not None:
            self.heads.addItem("all heads", -1)
            for h in range(len(attention)):
                self.heads.addItem(f"head {h + 1}", h)
        self.heads.blockSignals(False)
        self.heads.setVisible(attention is not None)
        self.heads_label.setVisible(attention is not None)
        self.channel = 0
        self._fill_table(result)
        self._render()
        self._show_histogram(result)
        self._show_batch(result)

    def _render(self) -> None:
        """Draw the grid (or bars) from the last result with the chosen colours."""
        result = self.result
        if not result:
            return
        act, attention = result["act"], result.get("attention")
        cmap, per_map = self.cmap.currentText(), not self.same_range.isChecked()
        enlarge = act.ndim >= 3 or attention is not None
        if enlarge and self.channel_pane.isHidden():
            self.channel_pane.show()
            half = max(1, self.top.width() // 2)
            self.top.setSizes([half, half])  # a splitter gives a re-shown widget no room
        elif not enlarge:
            self.channel_pane.hide()
        if attention is None and act.ndim <= 1:
            self.maps = None
            self.display.setCurrentWidget(self.bars)
            self._draw_bars()
            return
        self.display.setCurrentWidget(self.grid)
        if attention is not None:
            head = self.heads.currentData()
            heads = range(len(attention)) if head is None or head < 0 else [head]
            maps = attention[list(heads)]
            self.map_rows, self.map_names = list(heads), [f"head {h + 1}" for h in heads]
            caption = "attention weights: query step (rows) × key step (columns), each row sums to 1"
        elif act.ndim == 2:
            maps = act[None]
            self.map_rows, self.map_names = [], ["the output"]
            caption = "rows: axis 1 (channels or steps) × columns: axis 2 of the output · click a row"
        else:
            all_maps = acts.as_maps(act)
            maps = all_maps[:MAX_MAPS]
            self.map_rows = list(range(len(maps)))
            self.map_names = [f"channel {i}" for i in self.map_rows]
            caption = f"{len(maps)} maps"
            if len(all_maps) > len(maps):
                caption = f"showing {len(maps)} of {len(all_maps)} maps"
            caption += " · click one to enlarge it"
        self.maps = maps
        k, h, w = maps.shape
        self.grid_layout = (k, h, w, math.ceil(math.sqrt(k)))
        self.grid.set_image(acts.activation_grid(maps, cmap, per_map=per_map))
        scale = "each map on its own range" if per_map else "one range for all maps"
        self.grid.title.setText(f"{caption} · {scale}", color=charts.text_colors(self)[0].name())
        self._select(self.map_rows.index(self.channel) if self.channel in self.map_rows else 0)

    def _draw_bars(self) -> None:
        values = np.ravel(self.result["act"])
        plot = self.bars.getPlotItem()
        plot.clear()
        brushes = [charts.brush(charts.SERIES)] * len(values)
        if 0 <= self.channel < len(values):
            brushes[self.channel] = charts.brush(charts.ACCENT)
        plot.addItem(
            pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.85, brushes=brushes, pen=None)
        )
        charts.set_title(plot, self, f"{len(values)} features of this sample (select a row to highlight one)")

    def _fill_table(self, result: dict[str, Any]) -> None:
        headers, rows, tips = table_content(result, MAX_MAPS * 4)
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        for column, tip in enumerate(tips):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setRowCount(len(rows))
        for r, texts in enumerate(rows):
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)

    def _show_histogram(self, result: dict[str, Any]) -> None:
        batch = result["batch"]
        edges = batch["edges"]
        self.hist_plot.clear()
        self.hist_legend.clear()
        charts.step_histogram(
            self.hist_plot,
            _density(batch["hist"], edges),
            edges,
            charts.SERIES,
            f"batch ({batch['count']})",
        )
        charts.step_histogram(
            self.hist_plot,
            _density(result["sample_hist"], edges),
            edges,
            charts.ACCENT,
            "this sample",
            fill=0,
        )
        charts.set_title(self.hist_plot, self, "Histogram of the values")

    def _show_batch(self, result: dict[str, Any]) -> None:
        self.batch_label.setText(batch_text(result))

    # ------------------------------------------------------------ channel selection
    def _grid_clicked(self, row: int, col: int) -> None:
        k, h, w, cols = self.grid_layout
        if self.maps is None or row < 0 or col < 0 or row % (h + 1) >= h or col % (w + 1) >= w:
            return
        if not self.map_rows:  # one 2-D map: its rows are the table's rows
            self.select_channel(row)
            return
        index = (row // (h + 1)) * cols + col // (w + 1)
        if index < k and col // (w + 1) < cols:
            self.select_channel(self.map_rows[index])

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select_channel(rows[0].row())

    def select_channel(self, index: int) -> None:
        """Highlight row ``index`` (channel, head or feature) in the table, the grid and the enlarged map."""
        self.channel = index
        if self.result and self.maps is None:
            self._draw_bars()
        self._select(self.map_rows.index(index) if index in self.map_rows else None)

    def _select(self, map_index: int | None) -> None:
        """Select the table row of the channel and frame grid tile ``map_index`` (None: no tile)."""
        self.table.blockSignals(True)
        if 0 <= self.channel < self.table.rowCount():
            self.table.selectRow(self.channel)
            self.table.scrollToItem(self.table.item(self.channel, 0))
        self.table.blockSignals(False)
        if self.maps is None:
            return
        show = map_index is not None and 0 <= map_index < len(self.maps)
        self._frame(map_index if show else None)
        if not show:
            return
        chosen = self.maps[map_index]
        self.channel_pane.set_image(apply_colormap(normalise(chosen), self.cmap.currentText()))
        self.channel_pane.title.setText(
            f"{self.map_names[map_index]}: min {float(np.nanmin(chosen)):.3g}, "
            f"max {float(np.nanmax(chosen)):.3g}",
            color=charts.text_colors(self)[0].name(),
        )

    def _frame(self, map_index: int | None) -> None:
        """Frame grid tile ``map_index`` (None: no frame) with a line that stays thin at any zoom."""
        if map_index is None or self.maps is None or len(self.maps) < 2:
            self.frame.hide()
            return
        k, h, w, cols = self.grid_layout
        top, left = (map_index // cols) * (h + 1), (map_index % cols) * (w + 1)
        self.frame.setRect(left - 0.5, top - 0.5, w + 1.0, h + 1.0)
        self.frame.show()
