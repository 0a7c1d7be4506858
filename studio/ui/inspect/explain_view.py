"""The Explain tab: why the model chose a class for this sample.

Left, the input with the chosen method's map over it (opacity and colours
change instantly, nothing is recomputed); a vector input gets a bar chart of
per-feature attributions instead. Right, the method and its settings, the
class chooser (top-5 predictions; a click explains that class) and the raw map
at the method's own resolution (Grad-CAM: the target layer's, e.g. 5×5).
Grad-CAM's layer is proposed from the graph and follows the canvas selection
when a spatial node is selected. "Compare methods" shows every fast method
side by side. The computation itself is :mod:`studio.ui.inspect.explain_work`.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.ui.inspect import charts
from studio.ui.inspect import explain_draw as draw
from studio.ui.inspect import explain_work as work_
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.image import ImagePane
from studio.ui.inspect.view import InspectView

# Settings pages of the method chooser (methods without settings share the empty page).
_PAGES = {"grad_cam": 1, "grad_cam_pp": 1, "smoothgrad": 2, "integrated_gradients": 3, "occlusion": 4}


class ExplainView(InspectView):
    """Grad-CAM and input attributions of the current sample, for a chosen class."""

    title = "Explain"
    depends_on = frozenset({"sample", "class", "node"})

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.settings = work_.Settings()
        self.targets: work_.Targets | None = None
        self._targets_run: Any = None  # the run self.targets were found for
        self.result: work_.Explanation | None = None
        self.compared: list[work_.Explanation] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._request)
        self._build()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.pane = ImagePane()
        self.bars = pg.PlotWidget()
        self.bars.setBackground(None)
        charts.style_plot(self.bars.getPlotItem(), self, x="input feature", y="attribution")
        self.grid = draw.CompareGrid(self)
        self.left = QStackedWidget()
        for widget in (self.pane, self.bars, self.grid.widget):
            self.left.addWidget(widget)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.left)
        splitter.addWidget(self._build_side())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 520])
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)

    def _build_side(self) -> QWidget:
        self.method = QComboBox()
        for key, label in work_.METHODS:
            self.method.addItem(label, key)
        self.method.setToolTip("How the explanation is computed")
        self.method.currentIndexChanged.connect(self._method_changed)
        self.cam_note = QLabel()
        self.cam_note.setObjectName("inspectNote")
        self.cam_note.setWordWrap(True)
        self.cmap = QComboBox()
        for name in draw.CMAPS:
            self.cmap.addItem(name, name)
        self.cmap.setToolTip("Colours of unsigned maps (signed maps use blue = against, red = for the class)")
        self.cmap.currentIndexChanged.connect(self._render)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(60)
        self.opacity.setToolTip("How much of the map covers the input (0 %: only the input)")
        self.opacity_label = QLabel("60 %")
        self.opacity_label.setMinimumWidth(40)
        self.opacity.valueChanged.connect(self._opacity_changed)
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(self.opacity, 1)
        opacity_row.addWidget(self.opacity_label)
        self.fade = QCheckBox("Fade weak values (the input shows where the map is near zero)")
        self.fade.setChecked(True)
        self.fade.toggled.connect(self._render)
        self.compare_box = QCheckBox("Compare methods (all fast ones side by side)")
        self.compare_box.toggled.connect(lambda _on: self._request())
        self.status = QLabel()
        self.status.setObjectName("inspectNote")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Method", self.method)
        form.addRow(self._build_settings())
        self._show_page(self.method.currentData())
        form.addRow("Colours", self.cmap)
        form.addRow("Opacity", opacity_row)
        form.addRow(self.fade)
        form.addRow(self.compare_box)
        form.addRow(self.cam_note)
        form.addRow(self.status)
        method_box = QGroupBox("Explanation")
        method_box.setLayout(form)
        self.truth = QLabel()
        self.truth.setWordWrap(True)
        self.truth.setTextFormat(Qt.TextFormat.RichText)
        self.classes = QListWidget()
        self.classes.setToolTip("Click a class to explain it (the predicted one is explained at first)")
        self.classes.itemClicked.connect(self._class_clicked)
        self._fit_classes()
        class_layout = QVBoxLayout()
        class_layout.addWidget(self.truth)
        class_layout.addWidget(self.classes)
        class_box = QGroupBox("Class (top-5 predictions)")
        class_box.setLayout(class_layout)
        self.raw = draw.RawMap(self)
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (method_box, class_box):  # as tall as their contents; the raw map takes the rest
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            layout.addWidget(box)
        layout.addWidget(self.raw.widget, 1)
        layout.addStretch(0)  # takes the room of the raw map when it is hidden (vector inputs)
        return side

    def _build_settings(self) -> QStackedWidget:
        self.pages = QStackedWidget()
        self.pages.addWidget(QWidget())  # no settings
        self.target = QComboBox()
        self.target.setToolTip(
            "The feature map Grad-CAM explains (selecting a spatial node on the canvas chooses it too)"
        )
        self.target.activated.connect(self._target_chosen)
        self.samples = self._spin(1, 500, self.settings.sg_samples, "Noisy copies averaged")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 100.0)
        self.noise.setSuffix(" %")
        self.noise.setValue(100 * self.settings.sg_noise)
        self.noise.setToolTip("Noise standard deviation, as a share of the sample's value range")
        self.noise.valueChanged.connect(lambda _v: self._debounce.start())
        self.steps = self._spin(
            2,
            1000,
            self.settings.ig_steps,
            "Points on the path from the baseline (zeros: the dataset mean after normalisation) to the input",
        )
        self.window = self._spin(1, 512, self.settings.occ_window, "Side of the square patch hidden")
        self.stride = self._spin(1, 512, self.settings.occ_stride, "Step between patches")
        for rows in (
            (("Target layer", self.target),),
            (("Samples", self.samples), ("Noise", self.noise)),
            (("Steps", self.steps),),
            (("Window", self.window), ("Stride", self.stride)),
        ):
            page = QWidget()
            form = QFormLayout(page)
            form.setContentsMargins(0, 0, 0, 0)
            for label, widget in rows:
                form.addRow(label, widget)
            self.pages.addWidget(page)
        return self.pages

    def _spin(self, low: int, high: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.valueChanged.connect(lambda _v: self._debounce.start())
        return spin

    # ------------------------------------------------------------ choosing
    def set_method(self, method: str) -> None:
        """Explain with ``method`` (a key of :data:`~studio.ui.inspect.explain_work.METHODS`)."""
        self.method.setCurrentIndex(self.method.findData(method))

    def set_target(self, node: str) -> None:
        """Use ``node``'s feature map for Grad-CAM."""
        self.settings.target = node
        self.target.setCurrentIndex(max(0, self.target.findData(node)))
        self._request()

    def _method_changed(self, index: int) -> None:
        self._show_page(self.method.itemData(index))
        self._update_cam_note()
        self._request()

    def _show_page(self, method: str) -> None:
        # Hidden pages must not reserve their height: the form stays as tall as the shown page.
        index = _PAGES.get(method, 0)
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.pages.widget(i).setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        self.pages.adjustSize()

    def _target_chosen(self, index: int) -> None:
        self.set_target(self.target.itemData(index))

    def _class_clicked(self, item: QListWidgetItem) -> None:
        index = item.data(Qt.ItemDataRole.UserRole)
        top = self.result.predictions[0].index if self.result and self.result.predictions else None
        self.context.set_class(None if index == top else index)  # the top class follows the prediction

    def _request(self) -> None:
        """Recompute now if shown, else when shown."""
        if self.context.run is not None and self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def _on_changed(self, what: str) -> None:
        # A canvas node matters only as Grad-CAM's layer: other selections recompute nothing.
        if what == "node":
            node = self.context.node
            targets = self.targets.nodes if self.targets else []
            if node not in targets or node == self.settings.target:
                return
            self.settings.target = node
            self.target.setCurrentIndex(max(0, self.target.findData(node)))
            if self.method.currentData() not in work_.CAM_METHODS and not self.compare_box.isChecked():
                return
        super()._on_changed(what)

    # ------------------------------------------------------------ computing
    def _capture(self) -> work_.Settings:
        s = self.settings
        s.method = self.method.currentData()
        s.class_idx = self.context.class_idx
        s.sg_samples, s.sg_noise = self.samples.value(), self.noise.value() / 100.0
        s.ig_steps, s.occ_window, s.occ_stride = self.steps.value(), self.window.value(), self.stride.value()
        return work_.Settings(**vars(s))

    def compute(self) -> None:
        """Explain the current sample with the chosen method (or all fast ones) in the background."""
        self._debounce.stop()  # this computation already uses the latest settings
        run = self.context.run
        settings = self._capture()
        model, registry = run.model, self.context.registry
        x, y = self.context.sample_tensors()
        names = self.context.class_names()
        mean, std = list(run.data.mean or []), list(run.data.std or [])
        targets = self.targets if self._targets_run is run else None
        comparing = self.compare_box.isChecked()
        label = "all fast methods" if comparing else work_.LABELS[settings.method]
        extra = {
            "integrated_gradients": f", {settings.ig_steps} steps",
            "smoothgrad": f", {settings.sg_samples} samples",
        }.get(settings.method, "")
        self.status.setText(f"computing… ({label}{'' if comparing else extra})")

        def work(cancel):
            found = targets or work_.find_targets(run.project.graph, registry)
            if comparing:
                return run, found, y, work_.compare(model, x, settings, found, names, mean, std, cancel)
            return run, found, y, work_.explain(model, x, settings, found, names, mean, std, cancel=cancel)

        self.submit(work, self._show)

    # ------------------------------------------------------------ showing
    def _show(self, payload: tuple) -> None:
        run, targets, y, result = payload
        self.show_body()
        if self._targets_run is not run:
            self._targets_run, self.targets = run, targets
            self._fill_targets(targets)
        if isinstance(result, list):
            self.compared, self.result = result, (result[0] if result else None)
        else:
            self.compared, self.result = [], result
        self.status.setText(self.result.error if self.result and self.result.error else "")
        self._show_classes(y)
        self._render()

    def _fill_targets(self, targets: work_.Targets) -> None:
        if self.settings.target not in targets.nodes:
            node = self.context.node
            self.settings.target = node if node in targets.nodes else targets.proposed
        self.target.blockSignals(True)
        try:
            self.target.clear()
            for name in targets.nodes:
                shape = "×".join(str(d) for d in targets.shapes.get(name, ()))
                tag = "  ← proposed" if name == targets.proposed else ""
                self.target.addItem(f"{name} ({shape}){tag}", name)
            self.target.setCurrentIndex(max(0, self.target.findData(self.settings.target)))
        finally:
            self.target.blockSignals(False)
        model = self.method.model()
        for row, (key, _label) in enumerate(work_.METHODS):
            if key in work_.CAM_METHODS:
                model.item(row).setEnabled(targets.error is None)
                model.item(row).setToolTip(targets.error or "")
        self._update_cam_note()
        if targets.error:
            if self.method.currentData() in work_.CAM_METHODS:
                self.method.blockSignals(True)
                self.set_method("saliency")
                self._show_page("saliency")
                self.method.blockSignals(False)
                self.stale = True  # explain again with saliency
                QTimer.singleShot(0, self._request)

    def _update_cam_note(self) -> None:
        # Why Grad-CAM is off (any method), or where its layer came from (Grad-CAM methods only).
        targets = self.targets
        if targets is not None and targets.error:
            self.cam_note.setText(
                f"Grad-CAM is off: {targets.error}. The gradient methods below it still work on any input."
            )
        elif targets is not None and self.method.currentData() in work_.CAM_METHODS:
            self.cam_note.setText(f"Grad-CAM layer {work_.PROPOSED_NOTE} ({targets.proposed}).")
        else:
            self.cam_note.setText("")
        self.cam_note.setVisible(bool(self.cam_note.text()))

    def _show_classes(self, y: Any) -> None:
        result = self.result
        self.classes.clear()
        if result is None or not result.predictions:
            self.truth.setText("")
            return
        names = self.context.class_names()
        true_idx, true_name = work_.true_label(y, names)
        predicted = result.predictions[0]
        for p in result.predictions:
            mark = "  (true)" if p.index == true_idx else ""
            item = QListWidgetItem(f"{p.name}   {100 * p.probability:5.1f} %{mark}")
            item.setData(Qt.ItemDataRole.UserRole, p.index)
            self.classes.addItem(item)
            if p.index == result.class_idx:
                item.setSelected(True)
        self._fit_classes()
        verdict = ""
        if true_idx is not None:
            ok = true_idx == predicted.index
            verdict = f"true label <b>{true_name}</b> · predicted <b>{predicted.name}</b> " + (
                "<span style='color:#3a9a4a'>✓ correct</span>"
                if ok
                else "<span style='color:#d0453a'>✗ wrong</span>"
            )
        explaining = f"explaining <b>{draw.class_name(result)}</b>"
        self.truth.setText(f"{verdict}<br>{explaining}" if verdict else explaining)

    def _fit_classes(self) -> None:
        # Exactly five rows tall: no scroll bar, no empty space under the list.
        row = self.classes.sizeHintForRow(0) if self.classes.count() else self.fontMetrics().height() + 2
        self.classes.setFixedHeight(5 * row + 2 * self.classes.frameWidth() + 2)

    def _opacity_changed(self, value: int) -> None:
        self.opacity_label.setText(f"{value} %")
        self.pane.overlay.setOpacity(value / 100.0)
        self.grid.set_opacity(value / 100.0)

    def _render(self) -> None:
        """Draw the current result(s) with the current colours and opacity (no recomputation)."""
        result, cmap, opacity = self.result, self.cmap.currentData(), self.opacity.value() / 100.0
        vector = result is not None and result.vector
        for widget in (self.cmap, self.opacity, self.fade):
            widget.setEnabled(not vector)  # bars have no colour map nor overlay
        if result is not None and result.signed and not self.compared:
            self.cmap.setEnabled(False)  # signed maps are always blue-white-red around zero
        if self.compared:
            self.left.setCurrentWidget(self.grid.widget)
            self.grid.show(self.compared, cmap, opacity, self.fade.isChecked())
        elif result is not None and result.vector:
            self.left.setCurrentWidget(self.bars)
            draw.draw_bars(self.bars.getPlotItem(), result, self)
        else:
            self.left.setCurrentWidget(self.pane)
            draw.draw_overlay(self.pane, result, cmap, opacity, self, self.fade.isChecked())
        self.raw.show(result, cmap)
