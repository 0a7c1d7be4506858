"""The Embedding tab: a node's features for the current split, mapped to 2-D (PCA, t-SNE, UMAP).

The map is progressive: the PCA layout (or, from the second epoch on, the
previous epoch's map) shows at once and the t-SNE refines it in the
background, "iteration k / total" beside it. Points are coloured by true
class, prediction or correctness; hovering shows the sample, its label and
prediction; a click shows the sample in the panel and a double click (or
"Explain this sample") opens it in the Explain tab. The epoch slider walks
through the run's epoch checkpoints, each map started from the previous
epoch's (see :mod:`studio.ui.inspect.embedding_work`); finished maps are
kept, so going back is instant. The drawing is
:mod:`studio.ui.inspect.embedding_draw`.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.inspection.hooks import InspectionError
from studio.ui.inspect import embedding_work as work_
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.embedding_draw import COLOUR_MODES, MapPlot, facts_html, point_facts
from studio.ui.inspect.gallery import image_rgba
from studio.ui.inspect.image import ImagePane
from studio.ui.inspect.view import InspectView

_PHASES = {"exaggeration": "early exaggeration", "normal": "refining"}


class EmbeddingView(InspectView):
    """A 2-D map of a node's features, one point per sample.

    Attributes
    ----------
    max_points
        Samples mapped (the split's first ones; the splits are shuffled once).
    tsne_options
        Extra :class:`~studio.inspection.tsne.TsneJob` options (fewer iterations in tests).

    Signals
    -------
    explain_requested(int, str)
        Open sample ``index`` of ``split`` in the Explain tab.
    """

    title = "Embedding"
    depends_on = frozenset({"node", "sample"})
    explain_requested = Signal(int, str)
    max_points = work_.MAX_POINTS
    tsne_options: dict[str, Any] = {}

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.update_shown: work_.MapUpdate | None = None  # the layout on screen
        self.maps: dict[tuple, work_.MapUpdate] = {}  # finished maps
        self.histories: dict[tuple, Any] = {}
        self.features = work_.FeatureCache()
        self.entries: list[work_.EpochEntry] = []
        self.received: list[work_.MapUpdate] = []  # layouts of the running job, in order
        self.node_override: str | None = None  # chosen in this tab's node list
        self._run: Any = None
        self._run_dir: Any = None
        self._default: tuple[str, str] | None = None
        self._shown_key: tuple | None = None
        self._running_key: tuple | None = None
        self._drawn_key: tuple | None = None
        self._why = ""
        self._build()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.node_box = QComboBox()
        self.node_box.setToolTip(
            "The node whose output is mapped (selecting a node on the canvas chooses it)"
        )
        self.node_box.setMinimumWidth(200)
        self.node_box.activated.connect(self._node_chosen)
        self.method = QComboBox()
        for key, label in work_.METHOD_LABELS.items():
            self.method.addItem(label, key)
        self.method.setCurrentIndex(self.method.findData("tsne"))
        if importlib.util.find_spec("umap") is None:
            item = self.method.model().item(self.method.findData("umap"))
            item.setEnabled(False)
            item.setToolTip("UMAP needs the optional package umap-learn (pip install umap-learn)")
        self.method.setToolTip("PCA: instant, linear. t-SNE: neighbourhoods, refined in the background")
        self.method.currentIndexChanged.connect(lambda _i: self._request())
        self.colour = QComboBox()
        for label, key in COLOUR_MODES:
            self.colour.addItem(label, key)
        self.colour.setToolTip("What the colours show")
        self.colour.currentIndexChanged.connect(lambda _i: self.map.set_mode(self.colour.currentData()))
        self.epoch = QSlider(Qt.Orientation.Horizontal)
        self.epoch.setTracking(False)  # compute on release, not for every epoch passed over
        self.epoch.setPageStep(1)
        self.epoch.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.epoch.setMinimumWidth(140)
        self.epoch.setToolTip("Epoch checkpoints of the run: each map starts from the previous epoch's")
        self.epoch.valueChanged.connect(lambda _v: self._request())
        self.epoch.sliderMoved.connect(self._label_epoch)
        self.epoch_label = QLabel()
        self.epoch_label.setMinimumWidth(180)
        controls = QHBoxLayout()
        for caption, widget in (("Node", self.node_box), ("Map", self.method), ("Colour by", self.colour)):
            label = QLabel(caption)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Epoch"))
        controls.addWidget(self.epoch, 1)
        controls.addWidget(self.epoch_label)
        controls.addStretch(0)
        self.caption = QLabel()
        self.caption.setObjectName("inspectNote")
        self.caption.setWordWrap(True)
        self.status = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_plot())
        splitter.addWidget(self._build_side())
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 280])
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(splitter, 1)
        layout.addLayout(status_row)

    def _build_plot(self) -> QWidget:
        self.map = MapPlot(self)
        self.map.point_clicked.connect(self._clicked)
        return self.map.widget

    def _build_side(self) -> QWidget:
        self.preview = ImagePane()
        self.preview.setMinimumSize(160, 160)
        self.preview.setMaximumHeight(280)
        self.sample_text = QLabel()
        self.sample_text.setWordWrap(True)
        self.sample_text.setTextFormat(Qt.TextFormat.RichText)
        self.explain_button = QPushButton("Explain this sample")
        self.explain_button.setToolTip(
            "Open the highlighted sample in the Explain tab (or double-click a point)"
        )
        self.explain_button.clicked.connect(self._explain_current)
        hint = QLabel(
            "Hover a point for its label and prediction; click it to look at it, double-click to explain it."
        )
        hint.setObjectName("inspectNote")
        hint.setWordWrap(True)
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.sample_text)
        layout.addWidget(self.explain_button)
        layout.addWidget(hint)
        layout.addStretch(1)
        return side

    # ------------------------------------------------------------ choosing
    def _request(self) -> None:
        if self.context.run is not None and self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def _node_chosen(self, index: int) -> None:
        self.node_override = self.node_box.itemData(index)
        self._request()

    def _on_changed(self, what: str) -> None:
        if what == "node":
            self.node_override = None  # a canvas selection wins over this tab's own choice
        super()._on_changed(what)

    def _label_epoch(self, position: int) -> None:
        if 0 <= position < len(self.entries):
            self.epoch_label.setText(self.entries[position].label)

    def _sync_run(self) -> None:
        """A new run or new weights: node list, default node, epoch entries, caches."""
        context, run = self.context, self.context.run
        if run is self._run:
            return
        if context.run_dir != self._run_dir:
            self.maps.clear()
            self.histories.clear()
            self.features.clear()
            self.node_override = None
        self._run, self._run_dir = run, context.run_dir
        try:
            self._default = work_.penultimate_node(run)
        except InspectionError:
            self._default = None
        self.node_box.blockSignals(True)
        self.node_box.clear()
        for name in work_.map_nodes(run):
            penultimate = self._default is not None and name == self._default[0]
            tag = f"  ← penultimate (feeds {self._default[1]})" if penultimate else ""
            self.node_box.addItem(name + tag, name)
        self.node_box.blockSignals(False)
        self.entries, current = work_.epoch_entries(run, context.run_dir, context.checkpoint)
        self.epoch.blockSignals(True)
        self.epoch.setRange(0, len(self.entries) - 1)
        self.epoch.setValue(current)
        several = len(self.entries) > 1
        self.epoch.setEnabled(several)
        self.epoch.setVisible(several)  # one position is not worth a slider
        self.epoch.blockSignals(False)
        self._label_epoch(current)
        self.epoch_label.setToolTip(
            ""
            if several
            else "This run saved no other epoch checkpoints to compare (training option checkpoint_every)"
        )

    def _node(self) -> tuple[str, str]:
        """``(node, why)``: the node to map and how it was chosen."""
        names = {self.node_box.itemData(i) for i in range(self.node_box.count())}
        choices = ((self.node_override, "chosen here"), (self.context.node, "selected on the canvas"))
        for choice, why in choices:
            if choice in names:
                return choice, why
        if self._default is None:
            raise InspectionError(
                "no node to map: the graph has no layer with parameters before its output; "
                "select a node on the canvas"
            )
        return self._default[0], f"the penultimate node: the input of the last layer {self._default[1]}"

    # ------------------------------------------------------------ computing
    def compute(self) -> None:
        """Show the cached map of the current choice, or compute it in the background."""
        self._sync_run()
        try:
            node, why = self._node()
        except InspectionError as exc:
            self.show_message(str(exc))
            return
        self.node_box.setCurrentIndex(self.node_box.findData(node))
        context, run = self.context, self.context.run
        entry = self.entries[self.epoch.value()]
        method, split, limit = self.method.currentData(), context.split, int(self.max_points)
        options = dict(self.tsne_options) if method == "tsne" else {}
        options_key = tuple(sorted(options.items()))
        base = (str(context.run_dir), node, split, limit)
        key = base + (entry.epoch, method, options_key)
        self._why = why
        if key in (self._shown_key, self._running_key):
            self._mark_sample()  # only the highlighted sample changed
            return
        cached = self.maps.get(key)
        if cached is not None:
            self._running_key = None
            self.context.jobs.cancel(self.key)
            self._shown_key = key
            self._show(cached, key)
            return
        from studio.inspection.embedding import EmbeddingHistory

        history = self.histories.setdefault(base + (method, options_key), EmbeddingHistory(method, **options))
        request = work_.MapRequest(
            run,
            context.dataset(),
            node,
            entry.epoch,
            entry.weights,
            method,
            limit,
            history,
            self.features,
            base + (entry.epoch,),
        )
        self.received = []
        self._running_key = key
        self.status.setText(f"computing the features of {node} for {entry.label}…")
        self.progress.setRange(0, 0)
        self.progress.show()

        def progress(update: work_.MapUpdate) -> None:
            self.received.append(update)
            self._shown_key = key
            self._show(update, key)

        def finished(update: work_.MapUpdate | None) -> None:
            self._running_key = None
            if update is not None and update.done:
                self.maps[key] = update

        def failed(message: str) -> None:
            self._running_key = self._shown_key = None
            self.show_message(message)

        self.context.jobs.submit(
            self.key, lambda cancel: work_.compute_map(request, cancel), finished, failed, progress
        )

    # ------------------------------------------------------------ showing
    def _show(self, update: work_.MapUpdate, key: tuple) -> None:
        self.show_body()
        self.update_shown = update
        info = update.info
        self.colour.setEnabled(info.labels is not None or info.predictions is not None)
        fit = key != self._drawn_key  # another map: fit it in view (a refining one keeps fitting)
        self._drawn_key = key
        self.map.show(update.coords, info, self.context.class_names(), fit)
        self._describe(update)
        self._mark_sample()

    def _describe(self, update: work_.MapUpdate) -> None:
        info = update.info
        n, split = len(info.indices), self.context.split
        points = (
            f"the first {n:,} of {info.split_size:,} {split} samples (a map shows at most "
            f"{self.max_points:,})"
            if info.split_size > n
            else f"all {n:,} {split} samples"
        )
        what = f"{info.dims:,} features per sample"
        self.caption.setText(f"<b>{info.node}</b> — {self._why} · {what} · {points}")
        self.status.setText(self.status_text(update))
        self.progress.setVisible(not update.done)
        self.progress.setRange(0, max(1, update.total))
        self.progress.setValue(update.iteration)

    @staticmethod
    def status_text(update: work_.MapUpdate) -> str:
        """The line under the map: iterations done, KL divergence, where the map started."""
        label = work_.METHOD_LABELS[update.method]
        start = f" · started from epoch {update.warm_from}'s map" if update.warm_from is not None else ""
        kl = f" · KL divergence {update.kl:.3f}" if update.kl is not None else ""
        if update.done:
            steps = f": {update.total} iterations" if update.method == "tsne" else ""
            return f"{label} done{steps}{kl}{start}"
        if update.phase in ("pca", "start"):
            shown = "PCA layout" if update.phase == "pca" else f"epoch {update.warm_from}'s map"
            return (
                f"{label} iteration 0 / {update.total} — showing the {shown} while the neighbours are found…"
            )
        phase = _PHASES.get(update.phase, update.phase)
        return f"{label} iteration {update.iteration} / {update.total} ({phase}){kl}{start}"

    def _row_of_sample(self) -> int | None:
        update = self.update_shown
        if update is None or self._shown_key is None or self._shown_key[2] != self.context.split:
            return None
        rows = np.flatnonzero(update.info.indices == self.context.sample)
        return int(rows[0]) if len(rows) else None

    def _mark_sample(self) -> None:
        """Ring the panel's current sample and show it beside the map."""
        row = self._row_of_sample()
        self.map.mark(row)
        self._show_sample(row)

    def _show_sample(self, row: int | None) -> None:
        context = self.context
        x, _y = context.dataset()[context.sample]
        data = context.run.data
        rgba = None if isinstance(x, tuple) else image_rgba(x, list(data.mean or []), list(data.std or []))
        self.preview.setVisible(rgba is not None)
        if rgba is not None:
            self.preview.set_image(rgba)
        self.preview.set_title(f"sample {context.sample} ({context.split})")
        self.sample_text.setText(
            facts_html(*point_facts(self.update_shown.info, row, context.class_names()))
            if row is not None
            else f"Sample {context.sample} is not on this map (it shows the first "
            f"{self.max_points:,} samples of the split)."
        )
        self.explain_button.setEnabled(True)

    # ------------------------------------------------------------ clicking
    def _clicked(self, row: int, double: bool) -> None:
        if self.update_shown is None:
            return
        index = int(self.update_shown.info.indices[row])
        split = self._shown_key[2] if self._shown_key else self.context.split
        self.sample_requested.emit(index, split)
        if double:
            self.explain_requested.emit(index, split)

    def _explain_current(self) -> None:
        self.explain_requested.emit(int(self.context.sample), self.context.split)
