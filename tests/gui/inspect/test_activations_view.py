"""The Feature maps tab on real trained runs: maps of the selected node for the current sample,
channel statistics, batch dead/saturated fractions, vectors as bars, attention heads, and a
model without spatial layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.inspection.activations import (
    activation_grid,
    as_maps,
    channel_stats,
    dead_fraction,
    feature_maps,
    saturation_fraction,
)
from studio.inspection.attention import attention_weights
from studio.inspection.hooks import capture_activations
from studio.ui.inspect.activations_view import ActivationsView
from studio.ui.inspect.activations_work import NO_SPATIAL
from studio.ui.inspect.batching import split_batch
from tests.gui.inspect.conftest import open_and_wait
from tests.screens import SCREENSHOTS


@pytest.fixture(scope="module")
def attention_run_dir(tmp_path_factory):
    """A tiny self-attention classifier of bit sequences (parity), 1 epoch (a few seconds)."""
    from studio.core.serialize import Project
    from studio.data import load_dataset
    from studio.layers.registry import LayerRegistry
    from studio.training.loop import Trainer
    from tests.compiler.graphs import chain

    graph = chain(
        LayerRegistry.with_builtins(),
        [
            ("core.input_sequence", {"length": 8, "features": 1}),
            ("core.linear", {"out_features": 8}),
            ("core.multihead_attention", {"num_heads": 2}),
            ("core.mean", {"dim": 1}),
            ("core.linear", {"out_features": 2}),
            ("core.output", {}),
        ],
    )
    training = {
        "task": "classification",
        "loss": "cross_entropy",
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 32,
        "epochs": 1,
        "seed": 0,
    }
    project = Project(graph, data={"dataset": "parity", "n_samples": 200, "seed": 0}, training=training)
    out = tmp_path_factory.mktemp("attention-run")
    Trainer(project, load_dataset(dict(project.data), seed=0), project.training, out).fit()
    return out


def activations_view(panel) -> ActivationsView:
    view = next(v for v in panel.views if isinstance(v, ActivationsView))
    panel.tabs.setCurrentWidget(view)
    return view


def shown(view, node: str, sample: int | None = None) -> bool:
    result = view.result
    return (
        result.get("node") == node
        and (sample is None or result.get("sample") == sample)
        and (view.stack.currentWidget() is view.body)
    )


def sample_x(context):
    return context.sample_tensors()[0]


def test_default_node_maps_stats_and_batch_fractions(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    panel.resize(1400, 800)
    view = activations_view(panel)
    open_and_wait(qtbot, panel, lenet_run_dir)
    qtbot.waitUntil(lambda: shown(view, "conv2d_1"), timeout=20000)
    context = panel.context
    model = context.run.model
    assert view.hint.isVisibleTo(view) and "select a node on the canvas" in view.hint.text()
    maps = feature_maps(model, sample_x(context), "conv2d_1")
    assert maps.shape == (6, 28, 28)
    np.testing.assert_array_equal(view.grid.item.image, activation_grid(maps, "viridis"))
    stats = channel_stats(maps)
    assert view.table.rowCount() == 6
    assert [view.table.item(r, 1).text() for r in range(6)] == [f"{v:.4g}" for v in stats.mean]
    assert view.table.item(3, 5).text() == f"{stats.zero_fraction[3]:.1%}"
    # Dead units and saturation over a batch of the split (the whole val split here: 180 samples).
    panel.select_nodes(["relu_3"])
    qtbot.waitUntil(lambda: shown(view, "relu_3"), timeout=20000)
    xb, _ = split_batch(context.dataset())
    batch = capture_activations(model, xb, ["relu_3"])["relu_3"]
    dead, saturated = dead_fraction(batch), saturation_fraction(batch, "relu")
    text = view.batch_label.text()
    assert f"Over {len(xb)} val samples" in text
    assert f"{int(round(dead * 120))} of 120 features</b> ({dead:.1%})" in text
    assert f"Saturated: <b>{saturated:.1%}</b> of values are exactly 0" in text
    assert view.result["batch"]["count"] == len(xb) == len(context.dataset())
    # A vector output is a bar chart of this sample's 120 values.
    assert view.display.currentWidget() is view.bars
    bars = [i for i in view.bars.getPlotItem().items if type(i).__name__ == "BarGraphItem"][0]
    np.testing.assert_allclose(bars.opts["height"], feature_maps(model, sample_x(context), "relu_3"))
    panel.select_nodes(["conv2d_1"])
    qtbot.waitUntil(lambda: shown(view, "conv2d_1"), timeout=20000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SCREENSHOTS / "inspect-feature-maps.png"))


def test_follows_node_and_sample_colour_map_and_channel_clicks(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    view = activations_view(panel)
    open_and_wait(qtbot, panel, lenet_run_dir)
    context = panel.context
    model = context.run.model
    panel.select_nodes(["relu_2"])
    qtbot.waitUntil(lambda: shown(view, "relu_2"), timeout=20000)
    assert not view.hint.isVisibleTo(view)
    first = feature_maps(model, sample_x(context), "relu_2")
    assert first.shape == (16, 10, 10)
    assert view.grid.item.image.shape == (43, 43, 4)  # 4 x 4 tiles of 10 with 1-pixel gaps
    panel.sample.setValue(5)
    qtbot.waitUntil(lambda: shown(view, "relu_2", sample=5), timeout=20000)
    fifth = feature_maps(model, sample_x(context), "relu_2")
    assert not np.array_equal(first, fifth)
    np.testing.assert_array_equal(view.grid.item.image, activation_grid(fifth, "viridis"))
    view.cmap.setCurrentText("grey")
    view.same_range.setChecked(True)
    np.testing.assert_array_equal(view.grid.item.image, activation_grid(fifth, "grey", per_map=False))
    # Clicking tile (row 1, column 2) = channel 6 selects its table row and enlarges it.
    view.grid.clicked.emit(1 * 11 + 4, 2 * 11 + 7)
    assert view.channel == 6
    assert view.table.selectionModel().selectedRows()[0].row() == 6
    assert view.frame.isVisible() and view.frame.rect().topLeft().toTuple() == (21.5, 10.5)
    assert view.channel_pane.item.image.shape == (10, 10, 4)
    assert "channel 6" in view.channel_pane.title.text
    view.table.selectRow(2)
    assert view.channel == 2 and view.frame.rect().topLeft().toTuple() == (21.5, -0.5)
    view.grid.clicked.emit(10, 3)  # the gap between tiles selects nothing
    assert view.channel == 2


def test_attention_nodes_show_heads(qtbot, make_inspection_panel, attention_run_dir):
    panel = make_inspection_panel()
    view = activations_view(panel)
    open_and_wait(qtbot, panel, attention_run_dir)
    panel.select_nodes(["multihead_attention_1"])
    qtbot.waitUntil(lambda: shown(view, "multihead_attention_1"), timeout=20000)
    weights = attention_weights(panel.context.run.model, sample_x(panel.context), "multihead_attention_1")
    assert weights.shape == (2, 8, 8)
    np.testing.assert_allclose(view.result["attention"], weights, atol=1e-6)
    np.testing.assert_array_equal(view.grid.item.image, activation_grid(weights, "viridis"))
    assert view.heads.isVisibleTo(view) and view.heads.count() == 3
    assert "query step (rows) × key step (columns)" in view.grid.title.text
    view.heads.setCurrentIndex(2)  # head 2 alone
    np.testing.assert_array_equal(view.grid.item.image, activation_grid(weights[1:2], "viridis"))
    assert "head 2" in view.channel_pane.title.text
    assert view.table.item(1, 0).text() == "2"


def test_model_without_spatial_layers(qtbot, make_inspection_panel, mlp_run_dir):
    panel = make_inspection_panel()
    view = activations_view(panel)
    open_and_wait(qtbot, panel, mlp_run_dir)
    qtbot.waitUntil(lambda: view.note.text() == NO_SPATIAL, timeout=20000)
    assert view.stack.currentWidget() is view.note
    panel.select_nodes(["relu_1"])
    qtbot.waitUntil(lambda: shown(view, "relu_1"), timeout=20000)
    assert view.display.currentWidget() is view.bars and view.table.rowCount() == 16
    x = sample_x(panel.context)
    with torch.no_grad():
        expected = torch.relu(panel.context.run.model.linear_1(x))[0].numpy()
    np.testing.assert_allclose(as_maps(view.result["act"])[0, 0], expected, atol=1e-6)
    panel.context.set_node("no_such_node")
    qtbot.waitUntil(lambda: "not in this run's model" in view.note.text(), timeout=20000)
