"""The Explain tab on real trained runs: Grad-CAM and attributions, class chooser, canvas link."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.inspection.attribution import NO_SPATIAL, grad_cam
from tests.gui.inspect.conftest import open_and_wait, train_run
from tests.screens import SCREENSHOTS

SCREENSHOT = SCREENSHOTS / "inspect-explain.png"


def explain_view(panel):
    return next(v for v in panel.views if type(v).__name__ == "ExplainView")


def open_explain(qtbot, make_inspection_panel, run_dir):
    panel = make_inspection_panel()
    view = explain_view(panel)
    panel.tabs.setCurrentWidget(view)
    open_and_wait(qtbot, panel, run_dir)
    qtbot.waitUntil(lambda: view.result is not None, timeout=20000)
    return panel, view


def wait_result(qtbot, view, predicate, timeout=20000):
    qtbot.waitUntil(lambda: view.result is not None and bool(predicate(view.result)), timeout=timeout)
    return view.result


def test_grad_cam_on_lenet_overlays_the_input_and_proposes_the_target(
    qtbot, make_inspection_panel, lenet_run_dir
):
    panel, view = open_explain(qtbot, make_inspection_panel, lenet_run_dir)
    result = view.result
    assert result.error is None and result.method == "grad_cam"
    # The proposed target (last spatial node before flatten) is preselected and named.
    assert view.target.currentData() == "maxpool2d_2" == result.target
    assert "proposed" in view.target.currentText() and "global pooling/flatten" in view.cam_note.text()
    assert [view.target.itemData(i) for i in range(view.target.count())][:2] == ["conv2d_1", "relu_1"]
    # Overlay at the input's H x W, raw map at the layer's 5 x 5, equal to a direct computation.
    x, _ = panel.context.sample_tensors()
    assert view.pane.item.image.shape == (32, 32)
    assert view.pane.overlay.image.shape[:2] == (32, 32)
    expected = grad_cam(panel.context.run.model, x, "maxpool2d_2")
    np.testing.assert_allclose(view.raw.item.image, expected.layer[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(result.full, expected.upsampled[0], rtol=1e-5, atol=1e-7)
    assert "5×5" in view.raw.plot.titleLabel.text and "maxpool2d_2" in view.raw.plot.titleLabel.text
    # Top-5 classes with probabilities, the predicted one explained and the truth shown.
    assert view.classes.count() == 5
    assert result.class_idx == int(expected.class_idx[0]) == result.predictions[0].index
    probabilities = [p.probability for p in result.predictions]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1 + 1e-6
    _, y = panel.context.sample_tensors()
    verdict = "✓ correct" if int(y) == result.predictions[0].index else "✗ wrong"
    assert f"true label <b>{int(y)}</b>" in view.truth.text() and verdict in view.truth.text()


def test_choosing_a_class_a_layer_and_the_opacity(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_explain(qtbot, make_inspection_panel, lenet_run_dir)
    first = view.result
    other = first.predictions[2].index
    item = view.classes.item(2)
    assert item.data(Qt.ItemDataRole.UserRole) == other
    view.classes.itemClicked.emit(item)
    second = wait_result(qtbot, view, lambda r: r.class_idx == other)
    assert panel.context.class_idx == other
    assert not np.allclose(second.raw, first.raw)
    # Selecting a spatial node on the canvas makes it the target; a non-spatial one changes nothing.
    panel.select_nodes(["conv2d_2"])
    third = wait_result(qtbot, view, lambda r: r.target == "conv2d_2")
    assert third.raw.shape == (10, 10) and view.target.currentData() == "conv2d_2"
    panel.select_nodes(["linear_1"])
    panel.context.jobs.wait()
    qtbot.wait(50)
    assert view.result is third and view.target.currentData() == "conv2d_2"
    # Opacity is a property of the overlay item: no recomputation.
    view.opacity.setValue(80)
    assert view.pane.overlay.opacity() == 0.8 and view.opacity_label.text() == "80 %"
    assert view.result is third


def test_other_methods_show_maps(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_explain(qtbot, make_inspection_panel, lenet_run_dir)
    view.set_method("saliency")
    assert view.status.text().startswith("computing…")
    saliency = wait_result(qtbot, view, lambda r: r.method == "saliency")
    assert saliency.error is None and saliency.raw.shape == (32, 32) and saliency.raw.max() > 0
    np.testing.assert_array_equal(view.raw.item.image, saliency.raw)
    assert view.pane.overlay.image.shape[:2] == (32, 32)
    view.window.setValue(8)
    view.stride.setValue(4)
    view.set_method("occlusion")
    occluded = wait_result(qtbot, view, lambda r: r.method == "occlusion")
    assert occluded.error is None and occluded.signed == bool(occluded.raw.min() < 0)
    # A window of 8 with stride 4: the map is constant on 4 x 4 blocks away from the edges.
    block = occluded.raw[8:12, 8:12]
    assert np.allclose(block, block[0, 0]) and np.abs(occluded.raw).max() > 0
    assert view.status.text() == ""
    view.steps.setValue(8)
    view.set_method("integrated_gradients")
    ig = wait_result(qtbot, view, lambda r: r.method == "integrated_gradients")
    assert ig.error is None and ig.raw.shape == (32, 32) and ig.signed


def test_compare_methods_shows_all_fast_methods(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_explain(qtbot, make_inspection_panel, lenet_run_dir)
    view.samples.setValue(4)
    view.compare_box.setChecked(True)
    qtbot.waitUntil(lambda: len(view.compared) == 5, timeout=20000)
    assert [r.method for r in view.compared] == [
        "grad_cam",
        "grad_cam_pp",
        "saliency",
        "smoothgrad",
        "guided_backprop",
    ]
    assert all(r.error is None for r in view.compared)
    assert view.left.currentWidget() is view.grid.widget and len(view.grid.overlays) == 5
    view.opacity.setValue(30)
    assert all(item.opacity() == 0.3 for item in view.grid.overlays)


def test_mlp_disables_grad_cam_and_shows_feature_bars(qtbot, make_inspection_panel, mlp_run_dir):
    panel, view = open_explain(qtbot, make_inspection_panel, mlp_run_dir)
    result = wait_result(qtbot, view, lambda r: r.method == "saliency")
    model = view.method.model()
    assert not model.item(0).isEnabled() and not model.item(1).isEnabled()
    assert model.item(2).isEnabled()
    assert NO_SPATIAL in view.cam_note.text() and "gradient methods" in view.cam_note.text()
    assert result.vector and result.raw.shape == (2,) and result.error is None
    assert view.left.currentWidget() is view.bars and not view.raw.widget.isVisible()
    bars = [i for i in view.bars.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert len(bars) == 1
    np.testing.assert_allclose(bars[0].opts["height"], result.raw)
    view.set_method("occlusion")  # one feature at a time on a vector
    occluded = wait_result(qtbot, view, lambda r: r.method == "occlusion")
    assert occluded.error is None and occluded.raw.shape == (2,)


def test_show_sample_and_explain_sample_update_the_view(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_explain(qtbot, make_inspection_panel, lenet_run_dir)
    panel.show_sample(5)
    fifth = wait_result(qtbot, view, lambda r: panel.context.sample == 5 and r is not None)
    qtbot.waitUntil(lambda: not panel.context.jobs.busy, timeout=20000)
    x, _ = panel.context.sample_tensors()
    expected = grad_cam(panel.context.run.model, x, "maxpool2d_2")
    np.testing.assert_allclose(view.result.raw, expected.layer[0], rtol=1e-5, atol=1e-7)
    # explain_sample: from another tab, the Explain tab comes forward on that sample of that split.
    panel.tabs.setCurrentIndex(0)
    assert panel.tabs.currentWidget() is not view
    panel.explain_sample(3, "test")
    assert panel.tabs.currentWidget() is view
    assert (panel.context.sample, panel.context.split) == (3, "test")
    qtbot.waitUntil(lambda: view.result is not fifth and not panel.context.jobs.busy, timeout=20000)
    x, _ = panel.context.sample_tensors()
    expected = grad_cam(panel.context.run.model, x, "maxpool2d_2")
    np.testing.assert_allclose(view.result.raw, expected.layer[0], rtol=1e-5, atol=1e-7)


@pytest.mark.slow
def test_screenshot_on_a_trained_lenet(qtbot, make_inspection_panel, tmp_path):
    """docs/screenshots/inspect-explain.png: LeNet-5 trained 6 epochs, a correctly classified digit."""
    run_dir = train_run("lenet5", tmp_path / "lenet5", epochs=6)
    panel, view = open_explain(qtbot, make_inspection_panel, run_dir)
    panel.resize(1400, 800)
    result = view.result
    assert result.error is None and result.target == "maxpool2d_2"
    assert "correct" in view.truth.text()  # sample 0 of the validation split is a well-classified 3
    qtbot.wait(200)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SCREENSHOT), "PNG")
    assert SCREENSHOT.stat().st_size > 10000
