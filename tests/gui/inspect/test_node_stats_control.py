"""“Colour canvas by”: per-node statistics of the inspected run, computed off the GUI thread,
re-emitted from cache for another statistic, recomputed for another split, shown on the canvas."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from studio.inspection.nodestats import node_statistics
from studio.ui.inspect.batching import split_batch
from tests.gui.inspect.conftest import open_and_wait
from tests.screens import SCREENSHOTS

LENET_PARAMS = {"conv2d_1": 156, "conv2d_2": 2416, "linear_1": 48120, "linear_2": 10164, "logits": 850}


def test_statistics_are_emitted_by_node_name(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    shown, cleared = [], []
    panel.node_statistic.connect(lambda *args: shown.append(args))
    panel.clear_node_statistic.connect(lambda: cleared.append(True))
    open_and_wait(qtbot, panel, lenet_run_dir)
    panel.node_stats.set_statistic("grad_norm")
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    title, values, log = shown[-1]
    run = panel.context.run
    x, y = split_batch(panel.context.dataset())
    names = [node.name for node in run.project.graph.nodes.values()]
    expected = node_statistics(run.model, x, names, y)
    assert title == f"Gradient norm ‖∂L/∂θ‖ ({len(x)} val samples)" and log
    assert set(values) == set(LENET_PARAMS)  # nodes without parameters have no gradient norm
    for name, value in values.items():
        assert value == pytest.approx(expected[name]["grad_norm"], rel=1e-4)
    # Another statistic comes from the same pass at once, without a new job.
    panel.node_stats.set_statistic("dead_fraction")
    assert not panel.context.jobs.busy and len(shown) == 2
    title, values, log = shown[-1]
    assert title.startswith("Dead-ReLU fraction") and not log
    assert set(values) == {"relu_1", "relu_2", "relu_3", "relu_4"}
    assert all(values[n] == expected[n]["dead_fraction"] for n in values)
    panel.node_stats.set_statistic("params")
    assert shown[-1] == ("Parameter count", LENET_PARAMS, True)
    panel.node_stats.set_statistic("")
    assert cleared
    # Another split recomputes on that split.
    panel.node_stats.set_statistic("sparsity")
    panel.splits.setCurrentText("train")
    qtbot.waitUntil(lambda: "train samples" in shown[-1][0], timeout=20000)
    title, values, log = shown[-1]
    assert title.startswith("Activation sparsity") and not log
    assert all(0.0 <= v <= 1.0 and math.isfinite(v) for v in values.values())
    assert values["relu_1"] > 0.0 and values["conv2d_1"] == 0.0


def test_main_window_canvas_shows_badges_for_the_chosen_statistic(qtbot, lenet_window, lenet_run_dir):
    win = lenet_window
    panel = win.inspection_panel
    open_and_wait(qtbot, panel, lenet_run_dir)
    win.inspection_dock.raise_()
    ids = {node.name: node_id for node_id, node in win.document.graph.nodes.items()}
    panel.node_stats.set_statistic("grad_norm")
    qtbot.waitUntil(lambda: bool(win.canvas.statistic_colors()), timeout=20000)
    assert set(win.canvas.statistic_colors()) == {ids[name] for name in LENET_PARAMS}
    assert win.canvas.legend.isVisible() and "Gradient norm" in win.canvas.legend.title.text()
    # The screenshot shows the canvas: the bottom docks as small as they go.
    win.resize(1600, 1000)
    win.inspection_dock.hide()
    win.resizeDocks([win.summary_dock], [200], Qt.Orientation.Vertical)
    qtbot.wait(100)  # the canvas re-lays its overlays (legend) after the resize
    win._initial_view()  # readable cards from the input on, as a project opens
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert win.grab().save(str(SCREENSHOTS / "canvas-node-stats.png"))
    win.inspection_dock.show()
    panel.node_stats.set_statistic("dead_fraction")
    relus = {ids[f"relu_{i}"] for i in range(1, 5)}
    qtbot.waitUntil(lambda: set(win.canvas.statistic_colors()) == relus, timeout=20000)
    # Closing the legend clears the canvas and puts the chooser back to "none".
    win.canvas.legend.cleared.emit()
    assert win.canvas.statistic_colors() == {} and panel.node_stats.key == ""
