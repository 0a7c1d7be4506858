"""“Colour canvas by”: one statistic per node of the inspected run, for the canvas cards.

The statistics come from :func:`studio.inspection.nodestats.node_statistics`
(one forward and backward pass on a batch of the current split, off the GUI
thread). They are computed once per run, checkpoint and split and then only
re-emitted when another statistic is chosen; a new checkpoint of a training
run recomputes them, so the canvas follows training.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget
from torch import nn

from studio.inspection.activations import activation_kind, batch_size
from studio.inspection.nodestats import node_statistics
from studio.ui.inspect.batching import BATCH_SIZE, split_batch
from studio.ui.inspect.context import InspectionContext

# (menu text, nodestats key, log scale)
STATISTICS: tuple[tuple[str, str, bool], ...] = (
    ("none", "", False),
    ("gradient norm", "grad_norm", True),
    ("dead-ReLU fraction", "dead_fraction", False),
    ("activation sparsity", "sparsity", False),
    ("parameter count", "params", True),
)
_LOG = {key: log for _, key, log in STATISTICS}
_TITLES = {
    "grad_norm": "Gradient norm ‖∂L/∂θ‖",
    "dead_fraction": "Dead-ReLU fraction",
    "sparsity": "Activation sparsity (share of zeros)",
    "params": "Parameter count",
}


def statistic_values(stats: dict[str, dict[str, float]], key: str, model: nn.Module) -> dict[str, float]:
    """Node name -> value of ``key`` for the nodes that have it (finite; positive on a log scale).

    The dead-ReLU fraction is kept for rectifier nodes only (ReLU, ReLU6): elsewhere
    "never positive" is not a dead unit.
    """
    log = _LOG[key]
    values = {}
    for name, row in stats.items():
        value = row.get(key, math.nan)
        if not math.isfinite(value) or (log and value <= 0):
            continue
        if key == "dead_fraction" and activation_kind(model.get_submodule(name)) != "relu":
            continue
        values[name] = float(value)
    return values


class NodeStatsControl(QWidget):
    """A “Colour canvas by” chooser that computes the chosen statistic for every node.

    Signals
    -------
    statistic_ready(str, dict, bool)
        ``(title, {node name: value}, log)``: colour the canvas by these values.
    cleared()
        Back to the normal card colours ("none", or no run to compute from).
    message(str)
        Status-bar text (what went wrong).
    """

    statistic_ready = Signal(str, dict, bool)
    cleared = Signal()
    message = Signal(str)

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stats: dict[str, dict[str, float]] | None = None
        self._stats_for: tuple[Any, str] | None = None  # (run, split) the stats belong to
        self.batch_count = 0
        self.choice = QComboBox()
        for text, key, _ in STATISTICS:
            self.choice.addItem(text, key)
        self.choice.setToolTip(
            f"Colour the canvas cards by a statistic of the inspected model, computed on {BATCH_SIZE} "
            "samples of the chosen split"
        )
        label = QLabel("Colour canvas by")
        label.setBuddy(self.choice)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(label)
        layout.addWidget(self.choice)
        self.choice.currentIndexChanged.connect(lambda _: self.update_statistic())
        context.changed.connect(self._on_context)

    @property
    def key(self) -> str:
        """The chosen statistic's key (``""`` for none)."""
        return self.choice.currentData() or ""

    def set_statistic(self, key: str) -> None:
        """Choose statistic ``key`` (a :data:`STATISTICS` key; ``""`` for none)."""
        self.choice.setCurrentIndex(max(0, self.choice.findData(key)))

    def reset(self) -> None:
        """Back to "none" (the canvas legend was closed)."""
        self.set_statistic("")

    def _on_context(self, what: str) -> None:
        if not self.key:
            return
        if what == "run" or (
            what == "sample" and self._stats_for and self._stats_for[1] != self.context.split
        ):
            self.update_statistic()

    def update_statistic(self) -> None:
        """Emit the chosen statistic, computing the node statistics first when they are out of date."""
        key, run, split = self.key, self.context.run, self.context.split
        if not key or run is None:
            self.cleared.emit()
            return
        if self.stats is not None and self._stats_for is not None and self._stats_for[0] is run:
            if self._stats_for[1] == split:
                self._emit()
                return
        model, dataset = run.model, self.context.dataset()
        names = [node.name for node in run.project.graph.nodes.values()]

        def work(_cancel):
            x, y = split_batch(dataset)
            try:
                return node_statistics(model, x, names, y), len(dataset), batch_size(x)
            except (RuntimeError, ValueError):
                if y is None:
                    raise
                # Targets the default loss cannot take (a task of its own): the model's own predictions.
                return node_statistics(model, x, names), len(dataset), batch_size(x)

        def done(value) -> None:
            self.stats, _, self.batch_count = value
            self._stats_for = (run, split)
            self._emit()

        self.context.jobs.submit("node-stats", work, done, self._failed)

    def _failed(self, text: str) -> None:
        self.message.emit(f"Cannot colour the canvas: {text}")
        self.cleared.emit()

    def _emit(self) -> None:
        key = self.key
        if not key or self.stats is None or self.context.run is None:
            return
        log = _LOG[key]
        values = statistic_values(self.stats, key, self.context.run.model)
        title = _TITLES[key]
        if key != "params":
            title += f" ({self.batch_count} {self._stats_for[1]} samples)"
        self.statistic_ready.emit(title, values, log)
