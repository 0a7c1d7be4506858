"""The Evaluation tab on real trained runs: confusion matrix, cells, per-class scores, mistakes, ROC/PR."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from studio.inspection import evaluation as ev
from tests.gui.inspect.conftest import open_and_wait
from tests.screens import SCREENSHOTS

SCREENSHOT = SCREENSHOTS / "inspect-evaluation.png"


def evaluation_view(panel):
    return next(v for v in panel.views if type(v).__name__ == "EvaluationView")


def open_evaluation(qtbot, make_inspection_panel, run_dir, split="test"):
    panel = make_inspection_panel()
    view = evaluation_view(panel)
    panel.tabs.setCurrentWidget(view)
    open_and_wait(qtbot, panel, run_dir)
    panel.splits.setCurrentText(split)
    qtbot.waitUntil(lambda: view.result is not None and view._key[1] == split, timeout=20000)
    return panel, view


def reference(panel):
    run = panel.context.run
    preds = ev.predict_dataset(run.model, panel.context.dataset())
    return preds, ev.confusion_matrix(preds.targets, preds.predictions, preds.num_classes)


def click_cell(qtbot, view, row, col):
    plot = view.confusion.plot
    scene = plot.getViewBox().mapViewToScene(QPointF(col + 0.5, row + 0.5))
    pos = view.confusion.widget.mapFromScene(scene)
    viewport = view.confusion.widget.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_confusion_matrix_equals_the_evaluation_module(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_evaluation(qtbot, make_inspection_panel, lenet_run_dir)
    preds, (counts, normalised) = reference(panel)
    result = view.result
    assert counts.sum() == len(panel.context.dataset()) == 360
    np.testing.assert_array_equal(result.counts, counts)
    np.testing.assert_array_equal(view.confusion.heat.item.image, counts)
    # Every cell carries its number, class names on both axes.
    texts = {
        (round(t.pos().y() - 0.5), round(t.pos().x() - 0.5)): t.textItem.toPlainText()
        for t in view.confusion.texts
    }
    assert len(texts) == 100 and all(texts[r, c] == str(counts[r, c]) for r in range(10) for c in range(10))
    ticks = view.confusion.plot.getAxis("bottom")._tickLevels[0]
    assert [label for _pos, label in ticks] == [str(i) for i in range(10)]
    # Normalised: rows divided by their totals (the diagonal is the recall), numbers as shares.
    view.relative.setChecked(True)
    np.testing.assert_allclose(view.confusion.heat.item.image, normalised)
    assert view.confusion.texts[0].textItem.toPlainText() == f"{normalised[0, 0]:.2f}"
    # Per-class table: one row per class, macro average and accuracy rows.
    report = ev.per_class_metrics(preds.targets, preds.predictions, 10)
    assert view.table.rowCount() == 12
    assert [view.table.horizontalHeaderItem(i).text() for i in range(5)] == [
        "class",
        "precision",
        "recall",
        "F1",
        "support",
    ]
    assert view.table.item(3, 3).text() == f"{report.f1[3]:.3f}"
    assert view.table.item(10, 3).text() == f"{report.macro_f1:.3f}"
    assert view.table.item(11, 1).text() == f"{np.trace(counts) / 360:.3f}"
    assert f"{100 * np.trace(counts) / 360:.1f} %" in view.summary.text()
    assert not view.curves.widget.isVisible()  # ten classes: no ROC
    # A sample change redraws nothing and recomputes nothing.
    panel.show_sample(9, "test")
    panel.context.jobs.wait()
    qtbot.wait(20)
    assert view.result is result


def test_clicking_a_cell_lists_exactly_its_samples(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_evaluation(qtbot, make_inspection_panel, lenet_run_dir)
    preds, (counts, _normalised) = reference(panel)
    off = counts - np.diag(np.diag(counts))
    row, col = np.unravel_index(int(off.argmax()), off.shape)
    click_cell(qtbot, view, row, col)
    expected = ev.samples_in_cell(preds, row, col)
    assert view.cell == (row, col) and len(expected) == counts[row, col] > 0
    assert view.cell_gallery.indices() == [int(i) for i in expected]
    assert view.galleries.currentWidget() is view.cell_gallery
    assert f"({counts[row, col]})" in view.galleries.tabText(1)
    assert not view.cell_gallery.item(0).icon().isNull()  # a thumbnail of the digit
    item = view.cell_gallery.item(0)
    with qtbot.waitSignal(view.sample_requested, timeout=3000) as signal:
        rect = view.cell_gallery.visualItemRect(item)
        qtbot.mouseClick(view.cell_gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [int(expected[0]), "test"]
    assert panel.context.sample == int(expected[0])
    # A diagonal cell: the correctly classified samples of that class.
    click_cell(qtbot, view, 0, 0)
    assert view.cell_gallery.indices() == [int(i) for i in ev.samples_in_cell(preds, 0, 0)]


def test_most_confident_mistakes_first_and_double_click_explains(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_evaluation(qtbot, make_inspection_panel, lenet_run_dir)
    preds, _ = reference(panel)
    mistakes = ev.most_confident_mistakes(preds, 24)
    assert view.mistakes.indices() == [m.index for m in mistakes]
    confidence = [m.confidence for m in view.result.mistakes]
    assert confidence == sorted(confidence, reverse=True) and len(confidence) == 24
    first = view.mistakes.item(0)
    top = mistakes[0]
    assert first.text() == f"{top.target} → {top.prediction}\n{100 * top.confidence:.0f} %"
    with qtbot.waitSignal(view.explain_requested, timeout=3000) as signal:
        view.mistakes.itemActivated.emit(first)
    assert signal.args == [mistakes[0].index, "test"]
    assert type(panel.tabs.currentWidget()).__name__ == "ExplainView"
    assert panel.context.sample == mistakes[0].index


def test_binary_moons_shows_roc_and_pr_curves(qtbot, make_inspection_panel, mlp_run_dir):
    panel, view = open_evaluation(qtbot, make_inspection_panel, mlp_run_dir, split="val")
    preds, (counts, _) = reference(panel)
    curves = view.result.curves
    assert curves is not None and view.curves.widget.isVisible()
    assert 0.5 < curves.roc_auc <= 1.0 and 0.5 < curves.average_precision <= 1.0
    assert curves.roc_auc == ev.binary_curves(preds).roc_auc
    assert f"AUC {curves.roc_auc:.3f}" in view.curves.roc.titleLabel.text
    assert f"AP {curves.average_precision:.3f}" in view.curves.pr.titleLabel.text
    drawn = view.curves.roc.listDataItems()[-1].getData()
    np.testing.assert_allclose(drawn[0], curves.fpr)
    assert view.table.rowCount() == 4 and counts.sum() == len(panel.context.dataset())
    # Feature vectors are not pictures: the mistakes are listed as text.
    if view.mistakes.count():
        assert view.mistakes.item(0).icon().isNull()


def test_screenshot_of_the_lenet_evaluation(qtbot, make_inspection_panel, lenet_run_dir):
    panel, view = open_evaluation(qtbot, make_inspection_panel, lenet_run_dir)
    panel.resize(1400, 800)
    counts = view.result.counts
    off = counts - np.diag(np.diag(counts))
    view.show_cell(*np.unravel_index(int(off.argmax()), off.shape))
    view.galleries.setCurrentWidget(view.mistakes)
    qtbot.wait(200)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SCREENSHOT))


def _chain(*layers):
    from studio.templates.builder import ChainBuilder

    b = ChainBuilder()
    for type_id, name, params in layers:
        b.add(type_id, name, **params)
    return b.graph


@pytest.fixture(scope="module")
def task_runs(tmp_path_factory):
    """One-epoch runs of tiny models for segmentation (shapes), regression (sine), reconstruction (digits)."""
    from studio.core.serialize import Project
    from studio.data import load_dataset
    from studio.training.loop import Trainer

    base = {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 1, "seed": 0}
    projects = {
        "segmentation": Project(
            _chain(
                ("core.input_image", "image", {"channels": 1, "height": 16, "width": 16}),
                ("core.conv2d", None, {"out_channels": 8, "kernel_size": 3, "padding": 1}),
                ("core.relu", None, {}),
                ("core.conv2d", "scores", {"out_channels": 5, "kernel_size": 1}),
                ("core.output", "output", {}),
            ),
            data={"dataset": "shapes", "n_samples": 120, "size": 16, "task": "segmentation", "seed": 0},
            training=dict(base, task="segmentation"),
        ),
        "regression": Project(
            _chain(
                ("core.input_sequence", "series", {"length": 20, "features": 1}),
                ("core.flatten", None, {}),
                ("core.linear", None, {"out_features": 16}),
                ("core.relu", None, {}),
                ("core.linear", "value", {"out_features": 1}),
                ("core.output", "output", {}),
            ),
            data={"dataset": "sine", "n_samples": 200, "seed": 0},
            training=dict(base, task="regression"),
        ),
        "reconstruction": Project(
            _chain(
                ("core.input_image", "image", {"channels": 1, "height": 8, "width": 8}),
                ("core.flatten", None, {}),
                ("core.linear", None, {"out_features": 16}),
                ("core.relu", None, {}),
                ("core.linear", None, {"out_features": 64}),
                ("core.reshape", "decoded", {"shape": [1, 8, 8]}),
                ("core.output", "output", {}),
            ),
            data={"dataset": "digits", "seed": 0},
            training=dict(base, task="reconstruction"),
        ),
    }
    runs = {}
    for task, project in projects.items():
        out = tmp_path_factory.mktemp(task) / "run"
        Trainer(project, load_dataset(dict(project.data), seed=0), project.training, out).fit()
        runs[task] = out
    return runs


def test_segmentation_pixel_confusion_iou_and_mask_overlays(qtbot, make_inspection_panel, task_runs):
    from studio.inspection.segmentation import segmentation_overlay

    panel, view = open_evaluation(qtbot, make_inspection_panel, task_runs["segmentation"], split="val")
    preds, (counts, _) = reference(panel)
    result = view.result
    assert result.task == "segmentation" and preds.targets.ndim == 3
    np.testing.assert_array_equal(result.counts, counts)
    assert counts.sum() == preds.targets.size  # every pixel of the split counted once
    assert view.table.horizontalHeaderItem(4).text() == "IoU" and "mean IoU" in view.summary.text()
    assert view.galleries.isHidden() and not view.overlays.isHidden()
    # The current sample's masks over the input (background left clear), from the same predictions.
    panel.show_sample(3, "val")
    qtbot.waitUntil(lambda: view.overlays.input.title.text == "sample 3", timeout=5000)
    row = int(np.flatnonzero(preds.indices == 3)[0])
    image = view.overlays.input.item.image
    expected = segmentation_overlay(image[..., :3], preds.predictions[row], 5, 0.55, transparent=[0])
    np.testing.assert_array_equal(view.overlays.predicted.item.image, expected)
    truth = segmentation_overlay(image[..., :3], preds.targets[row], 5, 0.55, transparent=[0])
    np.testing.assert_array_equal(view.overlays.truth.item.image, truth)
    assert view.result is result  # a sample change recomputes nothing
    assert "circle" in view.overlays.legend.text() and "background" not in view.overlays.legend.text()


def test_regression_scatter_with_mae_and_r2(qtbot, make_inspection_panel, task_runs):
    from sklearn.metrics import r2_score

    from studio.inspection.batches import run_dataset

    panel, view = open_evaluation(qtbot, make_inspection_panel, task_runs["regression"], split="val")
    passed = run_dataset(panel.context.run.model, panel.context.dataset())
    t, o = passed.targets.reshape(-1), passed.outputs.reshape(-1)
    np.testing.assert_allclose(view.regression.scatter.data["x"], t, rtol=1e-6)
    np.testing.assert_allclose(view.regression.scatter.data["y"], o, rtol=1e-6)
    assert f"MAE <b>{np.abs(o - t).mean():.4g}</b>" in view.summary.text()
    assert f"R² <b>{r2_score(t, o):.3f}</b>" in view.summary.text()
    assert view.pages.currentIndex() == 1 and view.relative.isHidden()


def test_reconstructions_worst_first(qtbot, make_inspection_panel, task_runs):
    from studio.inspection.reconstruction import reconstruct_dataset

    panel, view = open_evaluation(qtbot, make_inspection_panel, task_runs["reconstruction"], split="val")
    recon = reconstruct_dataset(panel.context.run.model, panel.context.dataset())
    worst = recon.worst(48)
    assert view.reconstruction.gallery.indices() == [int(recon.indices[i]) for i in worst]
    errors = recon.errors[worst]
    assert (np.diff(errors) <= 0).all()
    assert view.reconstruction.gallery.item(0).text().endswith(f"MSE {errors[0]:.3g}")
    assert view.reconstruction.gallery.entries[0].rgba.shape == (8, 17, 4)  # input | reconstruction
