"""The Embedding tab on real trained runs: progressive t-SNE, colours, clicks, the epoch slider."""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, QPointF, Qt

from studio.inspection.embedding import extract_features, pca_2d
from studio.inspection.segmentation import class_colours
from tests.gui.inspect.conftest import open_and_wait
from tests.screens import SCREENSHOTS

SCREENSHOT = SCREENSHOTS / "inspect-embedding.png"
FAST = {"early_exaggeration_iter": 25, "n_iter": 50, "every": 25}  # 75 iterations, a layout every 25


def embedding_view(panel):
    return next(v for v in panel.views if type(v).__name__ == "EmbeddingView")


def open_embedding(qtbot, make_inspection_panel, run_dir, split="val", max_points=300, options=FAST):
    panel = make_inspection_panel()
    view = embedding_view(panel)
    view.max_points, view.tsne_options = max_points, dict(options)
    panel.tabs.setCurrentWidget(view)
    open_and_wait(qtbot, panel, run_dir)
    panel.splits.setCurrentText(split)
    wait_done(qtbot, view)
    return panel, view


def wait_done(qtbot, view, timeout=30000):
    qtbot.waitUntil(
        lambda: view.update_shown is not None and view.update_shown.done and view._running_key is None,
        timeout=timeout,
    )
    return view.update_shown


def shown_positions(view) -> np.ndarray:
    return view.map.shown_positions()


def test_pca_first_then_tsne_refines_and_colours_by_class(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_embedding(qtbot, make_inspection_panel, lenet_run_dir, split="test")
    run = panel.context.run
    final = view.update_shown
    # The penultimate node (input of the last Linear) by default, and the caption says so.
    assert final.info.node == "relu_4" and "penultimate" in view.caption.text()
    assert "logits" in view.caption.text() and "the first 300 of 360 test samples" in view.caption.text()
    # The PCA layout came first, then t-SNE layouts every 25 iterations up to 75.
    first = view.received[0]
    feats = extract_features(run.model, run.split("test"), "relu_4", limit=300)
    assert first.phase == "pca" and first.iteration == 0
    np.testing.assert_allclose(first.coords, pca_2d(feats.features), rtol=1e-4, atol=1e-4)
    assert [u.iteration for u in view.received[1:]] == [25, 50, 75]
    assert all(not u.done for u in view.received[:-1]) and view.received[-1].done
    assert "iteration 25 / 75" in view.status_text(view.received[1])
    assert view.status.text().startswith("t-SNE done: 75 iterations")
    # All 300 points drawn at the final coordinates, each with its true class's colour.
    np.testing.assert_array_equal(final.info.labels, feats.labels)
    np.testing.assert_allclose(shown_positions(view), final.coords, rtol=1e-6)
    colours = class_colours(10)
    brushes = view.map.scatter.data["brush"]
    rows = view.map.scatter.data["data"].astype(int)
    got = np.array([b.color().getRgb()[:3] for b in brushes])
    np.testing.assert_array_equal(got, colours[feats.labels[rows]])
    names = [label.text for _sample, label in view.map.legend.items]
    assert len(names) == len(np.unique(feats.labels)) and names[0].startswith("0  (")
    # Colouring by correctness: two colours, the wrong predictions drawn last (on top).
    view.colour.setCurrentIndex(view.colour.findData("correct"))
    wrong = ~final.info.correct[view.map.scatter.data["data"].astype(int)]
    assert wrong.sum() == (feats.predictions != feats.labels).sum() > 0
    assert wrong[-wrong.sum() :].all()
    assert {label.text.split("  ")[0] for _s, label in view.map.legend.items} == {"wrong", "correct"}


def test_click_shows_the_sample_and_double_click_explains_it(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_embedding(qtbot, make_inspection_panel, lenet_run_dir)
    coords = view.update_shown.coords
    # The most isolated point: a click on it cannot hit another one.
    distances = np.linalg.norm(coords[:, None] - coords[None], axis=2) + np.eye(len(coords)) * 1e9
    row = int(distances.min(axis=1).argmax())
    expected = int(view.update_shown.info.indices[row])
    box = view.map.widget.getPlotItem().getViewBox()
    scene_pos = box.mapViewToScene(QPointF(*coords[row]))
    pos = view.map.widget.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.sample_requested, timeout=5000) as signal:
        qtbot.mouseClick(view.map.widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    assert signal.args == [expected, "val"]
    assert panel.context.sample == expected
    np.testing.assert_allclose(view.map.ring.data["x"], [coords[row, 0]], rtol=1e-6)
    assert f"sample {expected}" in view.sample_text.text()
    # The tooltip of that point names it, its label and prediction.
    tip = view.map._tip(0, 0, row)
    assert tip.startswith(f"sample {expected}\nlabel ") and "predicted " in tip
    with qtbot.waitSignal(view.explain_requested, timeout=5000) as signal:
        view.explain_button.click()
    assert signal.args == [expected, "val"]
    assert type(panel.tabs.currentWidget()).__name__ == "ExplainView"


@pytest.fixture(scope="module")
def two_epoch_run(lenet_run_dir, tmp_path_factory):
    """The LeNet run plus an ``epoch_002`` checkpoint: epoch 1's weights moved by a small step."""
    from studio.compiler.weights import save_state
    from studio.inspection.run import open_run

    run_dir = tmp_path_factory.mktemp("lenet-2-epochs") / "run"
    shutil.copytree(lenet_run_dir, run_dir)
    model = open_run(run_dir, "epoch_001").model
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * p.std() * torch.randn(p.shape, generator=generator))
    save_state(model, run_dir / "checkpoints" / "epoch_002.safetensors")
    return run_dir


def test_epoch_slider_warm_starts_from_the_previous_epoch(qtbot, make_inspection_panel, two_epoch_run):
    panel, view = open_embedding(qtbot, make_inspection_panel, two_epoch_run)
    labels = [entry.label for entry in view.entries]
    assert labels == ["epoch 1 (best weights)", "epoch 2 (checkpoint)"]
    assert view.epoch.value() == 0 and view.epoch.isEnabled()
    epoch1 = view.update_shown
    assert epoch1.epoch == 1 and epoch1.warm_from is None and view.received[0].phase == "pca"
    view.epoch.setValue(1)
    epoch2 = wait_done(qtbot, view)
    # Epoch 2's t-SNE started from epoch 1's map: its first layout is that map, not a PCA.
    assert epoch2.epoch == 2 and epoch2.warm_from == 1
    start = view.received[0]
    assert start.phase == "start"
    np.testing.assert_array_equal(start.coords, epoch1.coords)
    assert "started from epoch 1's map" in view.status.text()
    assert not np.allclose(epoch2.coords, epoch1.coords)  # other weights, other features: it moved
    # Back to epoch 1: the cached map is drawn at once, nothing is computed.
    received = list(view.received)
    view.epoch.setValue(0)
    assert view.update_shown is epoch1 and view._running_key is None
    np.testing.assert_allclose(shown_positions(view), epoch1.coords, rtol=1e-6)
    panel.context.jobs.wait()
    qtbot.wait(20)
    assert view.received == received


def test_mlp_moons_maps_the_hidden_layer_and_follows_the_canvas(qtbot, make_inspection_panel, mlp_run_dir):
    panel, view = open_embedding(qtbot, make_inspection_panel, mlp_run_dir, options=FAST)
    assert view.update_shown.info.node == "relu_2" and view.update_shown.info.dims == 16
    assert not view.epoch.isEnabled()  # no epoch checkpoints in this run
    assert view.preview.isHidden()  # a feature vector is not an image
    umap_item = view.method.model().item(view.method.findData("umap"))
    assert umap_item.isEnabled() == (importlib.util.find_spec("umap") is not None)
    assert umap_item.isEnabled() or "umap-learn" in umap_item.toolTip()
    panel.select_nodes(["linear_1"])
    qtbot.waitUntil(
        lambda: view.update_shown.info.node == "linear_1" and view.update_shown.done, timeout=30000
    )
    assert "selected on the canvas" in view.caption.text()
    assert view.node_box.currentData() == "linear_1"
    # PCA is one layout, shown at once when computed.
    view.method.setCurrentIndex(view.method.findData("pca"))
    qtbot.waitUntil(lambda: view.update_shown.method == "pca", timeout=10000)
    assert view.update_shown.done and len(view.received) == 1


def test_screenshot_of_the_lenet_map(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_embedding(
        qtbot, make_inspection_panel, lenet_run_dir, split="test", max_points=2000, options={}
    )
    panel.resize(1400, 800)
    panel.show_sample(int(view.update_shown.info.indices[5]), "test")
    qtbot.wait(200)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SCREENSHOT))
