"""The Filters tab on real trained runs: kernels as tiles and grids, weight histograms, norms and
histograms over epochs, following the canvas selection, and models without convolutions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.inspection.colormaps import apply_colormap
from studio.inspection.filters import first_layer_tiles, kernel_grid, tile_grid, weight_history
from studio.inspection.run import InspectedRun, build_model
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.filters_view import FiltersView
from tests.gui.inspect.conftest import open_and_wait, train_run
from tests.screens import SCREENSHOTS

LENET_WEIGHTS = ["conv2d_1", "conv2d_2", "linear_1", "linear_2", "logits"]


@pytest.fixture(scope="module")
def lenet_epochs_run_dir(tmp_path_factory):
    """LeNet-5 trained 4 epochs (a few seconds), statistics of every epoch: weights that move."""
    return train_run("lenet5", tmp_path_factory.mktemp("lenet-4ep"), epochs=4, stats_budget=1.0)


def filters_view(panel) -> FiltersView:
    view = next(v for v in panel.views if isinstance(v, FiltersView))
    panel.tabs.setCurrentWidget(view)
    return view


def settle(qtbot, panel) -> None:
    """Wait until every queued job ran and its result was delivered."""
    qtbot.waitUntil(lambda: not panel.context.jobs.busy, timeout=20000)


def test_first_conv_tiles_histogram_and_norms_over_epochs(qtbot, make_inspection_panel, lenet_epochs_run_dir):
    panel = make_inspection_panel()
    panel.resize(1400, 800)
    view = filters_view(panel)
    open_and_wait(qtbot, panel, lenet_epochs_run_dir)
    qtbot.waitUntil(lambda: view.result.get("layer") == "conv2d_1", timeout=20000)
    model = panel.context.run.model
    assert [view.layers.itemData(i) for i in range(view.layers.count())] == LENET_WEIGHTS
    # 6 grey 5x5 tiles (1 input channel), 3 per row, zero weight = mid-grey.
    expected = apply_colormap(tile_grid(first_layer_tiles(model, "conv2d_1"), fill=np.nan), "grey")
    assert expected.shape == (11, 17, 4)
    np.testing.assert_array_equal(view.kernels.item.image, expected)
    assert view.kernel_stack.currentWidget() is view.kernels
    assert "6 filters of 5×5" in view.kernels.title.text and "mid-grey = 0" in view.kernels.title.text
    # The histogram of the weights now: 150 values in 32 bins over [min, max].
    w = model.conv2d_1.weight.detach().numpy()
    counts = view.hist_plot.listDataItems()[0].yData
    np.testing.assert_array_equal(counts, np.histogram(w, 32, (w.min(), w.max()))[0])
    # Norms per epoch from the run's stats: one curve per layer, the chosen one drawn thicker.
    history = weight_history(lenet_epochs_run_dir)
    curves = {item.name(): item for item in view.norm_plot.listDataItems()}
    assert set(curves) == set(LENET_WEIGHTS)
    np.testing.assert_array_equal(curves["conv2d_1"].xData, [1, 2, 3, 4])
    np.testing.assert_allclose(curves["linear_1"].yData, history["linear_1.weight"].norms)
    assert curves["conv2d_1"].opts["pen"].widthF() > curves["conv2d_2"].opts["pen"].widthF()
    # Histograms over epochs: epochs x bins, each row the share of the layer's weights per bin.
    heat = view.epoch_heat.image
    edges, share = history["conv2d_1.weight"].common_histograms()
    assert heat.shape == (4, 32)
    np.testing.assert_allclose(heat.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(heat, share / share.sum(axis=1, keepdims=True), atol=1e-6)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SCREENSHOTS / "inspect-filters.png"))


def test_follows_selection_of_weighted_nodes_and_normalisation(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    view = filters_view(panel)
    open_and_wait(qtbot, panel, lenet_run_dir)
    qtbot.waitUntil(lambda: view.result.get("layer") == "conv2d_1", timeout=20000)
    model = panel.context.run.model
    panel.select_nodes(["conv2d_2"])
    qtbot.waitUntil(lambda: view.result.get("layer") == "conv2d_2", timeout=20000)
    # Deeper layer: one row per filter, one column per input channel (16 x 6 tiles of 5x5).
    grid = apply_colormap(kernel_grid(model, "conv2d_2"), "grey")
    assert grid.shape == (95, 35, 4)
    np.testing.assert_array_equal(view.kernels.item.image, grid)
    assert "rows: 16 filters · columns: 6 input channels" in view.kernels.title.text
    assert view.layers.currentData() == "conv2d_2"
    panel.select_nodes(["relu_2"])  # no weights: the layer stays
    settle(qtbot, panel)
    assert view.result["layer"] == "conv2d_2"
    view.mode.setCurrentIndex(view.mode.findData("minmax"))
    qtbot.waitUntil(lambda: view.result.get("mode") == "minmax", timeout=20000)
    minmax = apply_colormap(kernel_grid(model, "conv2d_2", mode="minmax"), "grey")
    np.testing.assert_array_equal(view.kernels.item.image, minmax)
    assert not np.array_equal(minmax, grid)
    view.layers.setCurrentIndex(view.layers.findData("linear_1"))
    view.layers.activated.emit(view.layers.currentIndex())
    qtbot.waitUntil(lambda: view.result.get("layer") == "linear_1", timeout=20000)
    assert view.kernel_stack.currentWidget() is view.kernel_note
    assert "not a convolution" in view.kernel_note.text()
    assert view.hist_plot.listDataItems()[0].yData.sum() == 400 * 120


def test_without_convolutions_histograms_still_work(qtbot, make_inspection_panel, mlp_run_dir):
    panel = make_inspection_panel()
    view = filters_view(panel)
    open_and_wait(qtbot, panel, mlp_run_dir)
    qtbot.waitUntil(lambda: bool(view.result), timeout=20000)
    assert view.stack.currentWidget() is view.body
    assert view.kernel_stack.currentWidget() is view.kernel_note
    assert "no convolution" in view.kernel_note.text()
    assert [view.layers.itemData(i) for i in range(view.layers.count())] == ["linear_1", "linear_2", "logits"]
    assert view.result["layer"] == "linear_1"
    assert view.hist_plot.listDataItems()[0].yData.sum() == 2 * 16
    assert {item.name() for item in view.norm_plot.listDataItems()} == {"linear_1", "linear_2", "logits"}


def test_wide_layers_are_capped_with_a_note_and_rgb_first_layer(qtbot, registry):
    """A bare model (no run folder): 3 -> 120 -> 128 channels, untrained weights."""
    from studio.core.serialize import Project
    from studio.templates.builder import ChainBuilder

    b = ChainBuilder()
    b.add("core.input_image", "image", channels=3, height=8, width=8)
    b.add("core.conv2d", out_channels=120, kernel_size=3)
    b.add("core.conv2d", out_channels=128, kernel_size=3)
    b.add("core.flatten")
    b.add("core.linear", "logits", out_features=2)
    b.add("core.output", "output")
    project = Project(b.graph, data={"dataset": "digits"}, training={})
    model = build_model(project, registry)
    context = InspectionContext(registry)
    view = FiltersView(context)
    qtbot.addWidget(view, before_close_func=lambda _: context.jobs.shutdown())
    view.show()
    context.run = InspectedRun(project, model, Path("untrained.safetensors"), registry)
    context.changed.emit("run")
    qtbot.waitUntil(lambda: view.result.get("layer") == "conv2d_1", timeout=20000)
    # RGB tiles: 120 filters, 11 per row, gaps transparent.
    tiles = tile_grid(first_layer_tiles(model, "conv2d_1"), fill=np.nan)
    image = view.kernels.item.image
    assert image.shape == (*tiles.shape[:2], 4) and tiles.shape[2] == 3
    ok = np.isfinite(tiles).all(axis=2)
    np.testing.assert_array_equal(image[ok][:, :3], np.rint(tiles[ok] * 255).astype(np.uint8))
    assert (image[~ok][:, 3] == 0).all() and (image[ok][:, 3] == 255).all()
    assert "over R, G, B" in view.kernels.title.text
    assert "without a run folder" in view.norm_plot.titleLabel.text
    assert view.norm_plot.listDataItems() == []
    view.choose_layer("conv2d_2")
    qtbot.waitUntil(lambda: view.result.get("layer") == "conv2d_2", timeout=20000)
    assert view.kernels.item.image.shape == (64 * 4 - 1, 64 * 4 - 1, 4)
    assert "showing 64 of 128 filters, 64 of 120 input channels" in view.kernels.title.text
    context.jobs.shutdown()
