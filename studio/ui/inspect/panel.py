"""The Inspection panel: choose a run, a checkpoint and a sample; one tab per view.

It follows the Training panel by default: when a run starts the panel opens
it, and each new ``last`` checkpoint (written at epoch end, atomically)
reloads the weights in the background, so the views refresh without stalling
training. Any earlier run or checkpoint can be chosen instead. Node selection
on the canvas sets the node the views look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.ui.inspect.context import SPLITS, InspectionContext
from studio.ui.inspect.node_stats_control import NodeStatsControl
from studio.ui.inspect.view import InspectView


def view_classes() -> list[type[InspectView]]:
    """The views, in tab order (imported here so the panel stays a thin shell)."""
    from studio.ui.inspect import views

    return views.VIEWS


class InspectionPanel(QWidget):
    """Dock content: the run/checkpoint/sample bar above a tab per inspection view.

    Signals
    -------
    message(str)
        Status-bar text.
    node_activated(str)
        A view asks to select node ``id`` on the canvas.
    node_statistic(str, dict, bool)
        Colour the canvas by ``(title, {node name: value}, log)`` (“Colour canvas by”).
    clear_node_statistic()
        Back to the normal canvas colours.
    """

    message = Signal(str)
    node_activated = Signal(str)
    node_statistic = Signal(str, dict, bool)
    clear_node_statistic = Signal()

    def __init__(self, registry: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = InspectionContext(registry, self)
        self.document: Any = None
        self._syncing = False
        self._build()
        self.views: list[InspectView] = []
        for cls in view_classes():
            self.add_view(cls(self.context))
        self.context.changed.connect(self._on_context)
        self.context.failed.connect(self._on_failed)
        self.context.jobs.busy_changed.connect(self._on_busy)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.runs = QComboBox()
        self.runs.setMinimumWidth(220)
        self.runs.setToolTip("The run to inspect (runs of this project, newest first)")
        self.open_button = QPushButton("Open Run…")
        self.follow = QCheckBox("Follow training")
        self.follow.setChecked(True)
        self.follow.setToolTip("Open each new run and refresh at every epoch's checkpoint")
        self.checkpoints = QComboBox()
        self.checkpoints.setToolTip("Weights to inspect: best, last, or a saved epoch")
        self.splits = QComboBox()
        self.splits.addItems(SPLITS)
        self.sample = QSpinBox()
        self.sample.setToolTip("Sample index in the chosen split")
        self.sample.setMinimumWidth(80)
        self.sample_info = QLabel()
        self.sample_info.setObjectName("sampleInfo")
        self.busy = QLabel("")
        self.export_button = QPushButton("Export PNG…")
        self.node_stats = NodeStatsControl(self.context)
        self.node_stats.statistic_ready.connect(self.node_statistic)
        self.node_stats.cleared.connect(self.clear_node_statistic)
        self.node_stats.message.connect(self.message)
        bar = QHBoxLayout()
        for label, widget in (("Run", self.runs), ("Weights", self.checkpoints), ("Split", self.splits),
                              ("Sample", self.sample)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
            if widget is self.runs:
                bar.addWidget(self.open_button)
                bar.addWidget(self.follow)
        bar.addWidget(self.sample_info, 1)
        bar.addWidget(self.busy)
        bar.addWidget(self.export_button)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setCornerWidget(self.node_stats)  # beside the tabs: the bar above is full
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self.runs.activated.connect(self._on_run_chosen)
        self.open_button.clicked.connect(self.choose_run)
        self.checkpoints.activated.connect(self._on_checkpoint_chosen)
        self.splits.currentTextChanged.connect(lambda split: self.context.set_sample(0, split))
        self.sample.valueChanged.connect(lambda index: self.context.set_sample(index))
        self.export_button.clicked.connect(lambda: self.export_png())

    def add_view(self, view: InspectView) -> None:
        """Add ``view`` as a tab (plugins may add their own)."""
        self.views.append(view)
        self.tabs.addTab(view, view.title)
        view.message.connect(self.message)
        view.sample_requested.connect(self.show_sample)
        explain = getattr(view, "explain_requested", None)  # optional Signal(int, str) of a view
        if explain is not None:
            explain.connect(self.explain_sample)

    # ------------------------------------------------------------ document and runs
    def set_document(self, document: Any) -> None:
        """Inspect the runs of ``document``'s project (the last one, if any)."""
        self.document = document
        self.context.close_run()
        self.refresh_runs()
        if self.runs.count():
            self.open_run(self.runs.itemData(0))

    def runs_folder(self) -> Path:
        """Where this project's runs are."""
        from studio.ui.training.runs import runs_folder

        return runs_folder(getattr(self.document, "path", None))

    def refresh_runs(self) -> None:
        """List the project's runs in the chooser (keeps the current one selected)."""
        from studio.ui.training.runs import list_runs, run_label

        current = self.context.run_dir
        self._syncing = True
        try:
            self.runs.clear()
            paths = [info.path for info in list_runs(self.runs_folder())]
            if current is not None and current not in paths:
                paths.insert(0, current)
            for path in paths:
                self.runs.addItem(run_label(path.name), str(path))
                self.runs.setItemData(self.runs.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)
            if current is not None:
                self.runs.setCurrentIndex(max(0, self.runs.findData(str(current))))
        finally:
            self._syncing = False

    def open_run(self, run_dir: str | Path, checkpoint: str = "best") -> None:
        """Inspect ``run_dir`` at ``checkpoint`` (loads in the background)."""
        self.context.open(run_dir, checkpoint)

    def choose_run(self) -> None:
        """Ask for a run folder and open it."""
        folder = QFileDialog.getExistingDirectory(self, "Open run folder", str(self.runs_folder()))
        if folder:
            self.follow.setChecked(False)
            self.open_run(folder)

    def checkpoint_written(self, run_dir: str | Path, kind: str) -> None:
        """The run wrote ``kind`` weights (or ``stats``: an epoch's statistics): refresh when following it."""
        if not self.follow.isChecked() or kind not in ("last", "initial", "stats"):
            return
        run_dir = Path(run_dir)
        if run_dir != self.context.run_dir:
            self.refresh_runs()
        self.open_run(run_dir, "last")

    def _on_run_chosen(self, index: int) -> None:
        if not self._syncing and index >= 0:
            self.follow.setChecked(False)
            self.open_run(self.runs.itemData(index))

    def _on_checkpoint_chosen(self, index: int) -> None:
        if index >= 0 and self.context.run_dir is not None:
            self.follow.setChecked(False)
            self.open_run(self.context.run_dir, self.checkpoints.itemData(index))

    # ------------------------------------------------------------ selection
    def select_nodes(self, names: list[str]) -> None:
        """The canvas selection changed: look at the first selected node the run's model has."""
        for name in names:
            if self.context.run is None or self.context.has_node(name):
                self.context.set_node(name)
                return

    def show_sample(self, index: int, split: str = "") -> None:
        """Look at sample ``index`` of ``split`` (from a view: a mistake, an embedding point)."""
        if split and split != self.context.split:
            self.splits.setCurrentText(split)
        self.context.set_sample(index, split or None)

    def explain_sample(self, index: int, split: str = "") -> None:
        """Show sample ``index`` of ``split`` in the Explain tab (a mistake, an embedding outlier)."""
        self.show_sample(index, split)
        view = next((v for v in self.views if type(v).__name__ == "ExplainView"), None)
        if view is not None:
            self.tabs.setCurrentWidget(view)

    # ------------------------------------------------------------ context
    def _on_context(self, what: str) -> None:
        context = self.context
        if what == "run":
            self._fill_checkpoints()
            if context.run_dir is not None and self.runs.findData(str(context.run_dir)) < 0:
                self.refresh_runs()
        self._syncing = True
        try:
            self.sample.setMaximum(max(0, context.sample_count() - 1))
            self.sample.setValue(context.sample)
            self.splits.setCurrentText(context.split)
        finally:
            self._syncing = False
        self._update_sample_info()

    def _fill_checkpoints(self) -> None:
        from studio.inspection.run import list_checkpoints

        self.checkpoints.clear()
        run_dir = self.context.run_dir
        if run_dir is None:
            return
        for checkpoint in list_checkpoints(run_dir):
            self.checkpoints.addItem(checkpoint.label, checkpoint.path.stem)
        self.checkpoints.setCurrentIndex(max(0, self.checkpoints.findData(self.context.checkpoint)))

    def _update_sample_info(self) -> None:
        context = self.context
        if context.run is None:
            self.sample_info.setText("")
            return
        _, y = context.dataset()[context.sample]
        names = context.class_names()
        try:
            label = names[int(y)] if names and getattr(y, "ndim", 1) == 0 else ""
        except (IndexError, TypeError, ValueError):
            label = ""
        count = context.sample_count()
        self.sample_info.setText(f"of {count}" + (f" · label: {label}" if label else ""))

    def _on_failed(self, message: str) -> None:
        self.message.emit(f"Cannot inspect: {message}")
        for view in self.views:
            view.show_message(f"Cannot open this run:\n{message}")

    def _on_busy(self, busy: bool) -> None:
        self.busy.setText("computing…" if busy else "")

    # ------------------------------------------------------------ files
    def export_png(self, path: str | None = None) -> bool:
        """Save the current tab as a PNG (asks where when ``path`` is None)."""
        view = self.tabs.currentWidget()
        if view is None:
            return False
        if path is None:
            name = f"{view.title.lower().replace(' ', '-')}.png"
            path = QFileDialog.getSaveFileName(self, "Export view", name, "PNG image (*.png)")[0]
        if not path:
            return False
        ok = view.export_png(path)
        self.message.emit(f"Saved {path}" if ok else f"Could not write {path}")
        return ok

    def shutdown(self) -> None:
        """Cancel running computations and wait for the worker thread (the window closes)."""
        self.context.jobs.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Never leave a computation running behind a closed panel."""
        self.shutdown()
        super().closeEvent(event)
