"""The data wizard on real files: detection, options, preview, problems and Finish."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWizard

from studio.data import DataError, load_dataset
from studio.ui.data.loading import THUMBNAILS
from tests.gui.data.files import (
    CLASSES,
    to_preview,
    write_cifar,
    write_csv,
    write_idx,
    write_image_folder,
    write_npz,
)

FINISH = QWizard.WizardButton.FinishButton


def _finish(wizard) -> dict:
    assert wizard.button(FINISH).isEnabled()
    wizard.button(FINISH).click()
    assert wizard.result_config is not None
    return wizard.result_config


def _written(kind: str, tmp_path):
    """Path, expected (input shape, class totals, sample view count) of a small file of ``kind``."""
    if kind == "image_folder":
        return write_image_folder(tmp_path / "shapes"), (3, 32, 32), list(CLASSES.values()), 12
    if kind == "csv":
        # 3 one-hot colours + age + height; cat/dog alternate.
        return write_csv(tmp_path / "pets.csv", rows=30), (5,), [15, 15], 30
    if kind == "npz":
        return write_npz(tmp_path / "a.npz", n=40), (6,), [10, 10, 10, 10], 28
    if kind == "idx":
        return write_idx(tmp_path / "mnist", n=30, test=10), (1, 28, 28), [4] * 10, 27
    return write_cifar(tmp_path / "cifar", per_batch=20), (3, 32, 32), [4] * 10, 28


@pytest.mark.parametrize("kind", ["image_folder", "csv", "npz", "idx", "cifar10"])
def test_each_format_previews_and_finishes_into_a_loadable_config(qtbot, make_wizard, tmp_path, kind):
    path, shape, totals, shown = _written(kind, tmp_path)
    wizard = make_wizard()
    page = to_preview(qtbot, wizard, path)
    assert wizard.source_page.kind() == kind
    assert page.error == "" and page.isComplete()
    preview = page.preview
    assert preview.input_shapes == [shape]
    assert preview.totals() == totals
    if len(shape) == 3:
        assert page.thumbnails.count() == min(THUMBNAILS, shown) == len(preview.labels)
        assert page.samples.currentWidget() is page.thumbnails
        assert set(preview.labels) <= set(preview.class_names)
    else:
        assert page.table.rowCount() == shown
        assert page.samples.currentWidget() is page.table
    assert str(shape) in page.summary.text()
    assert page.chart.isVisibleTo(wizard) and len(page.chart.bars) == len(preview.sizes)
    heights = sum(bar.opts["height"] for bar in page.chart.bars)
    assert heights.tolist() == totals
    config = _finish(wizard)
    assert config["dataset"] == kind and config["path"] == str(path.resolve())
    bundle = load_dataset(config)
    assert bundle.input_shapes == [shape]
    sizes = {"train": len(bundle.train), "val": len(bundle.val), "test": len(bundle.test)}
    assert sizes == preview.sizes
    assert bundle.extra["class_counts"] == preview.class_counts


def test_image_folder_options_change_the_shape_and_the_statistics_match_the_loader(
    qtbot, make_wizard, tmp_path
):
    folder = write_image_folder(tmp_path / "shapes", colour=False)
    wizard = make_wizard()
    wizard.source_page.set_path(folder)
    wizard.next()
    options = wizard.options_page
    options.editors["image_size"].setValue(16)
    assert options.editors["color"].currentData() == "auto"
    options.val_spin.setValue(0.25)
    options.test_spin.setValue(0.0)
    wizard.next()
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=10000)
    preview = wizard.preview_page.preview
    assert preview.input_shapes == [(1, 16, 16)]  # greyscale files: one channel
    assert preview.sizes == {"train": 9, "val": 3}  # ceil(0.25 * 12) = 3
    config = _finish(wizard)
    assert config["image_size"] == 16 and config["split"] == {"val": 0.25, "test": 0.0, "stratify": True}
    bundle = load_dataset(config)
    assert bundle.input_shapes == [(1, 16, 16)] and bundle.test is None
    assert bundle.mean == pytest.approx(preview.mean, abs=1e-6)
    assert bundle.std == pytest.approx(preview.std, abs=1e-6)


def test_csv_columns_target_and_features(qtbot, make_wizard, tmp_path):
    path = write_csv(tmp_path / "pets.csv", rows=30)
    wizard = make_wizard()
    wizard.source_page.set_path(path)
    wizard.next()
    options = wizard.options_page
    combo = options.target_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["age", "colour", "height", "kind"]
    assert combo.currentData() == "kind"  # the loader's default: the last column
    assert options.columns == {
        "age": "numeric",
        "colour": "categorical",
        "height": "numeric",
        "kind": "categorical",
    }
    combo.setCurrentIndex(combo.findData("colour"))
    items = {
        options.feature_list.item(i).data(Qt.ItemDataRole.UserRole): options.feature_list.item(i)
        for i in range(3)
    }
    assert set(items) == {"age", "height", "kind"}
    assert "one-hot" in items["kind"].text() and "numeric" in items["age"].text()
    items["height"].setCheckState(Qt.CheckState.Unchecked)
    assert options.features() == ["age", "kind"]
    combo.setCurrentIndex(combo.findData("kind"))  # the unchecked column stays unchecked
    combo.setCurrentIndex(combo.findData("colour"))
    assert options.features() == ["age", "kind"]
    wizard.next()
    page = wizard.preview_page
    qtbot.waitUntil(page.isComplete, timeout=10000)
    assert page.preview.input_shapes == [(3,)]  # age + one-hot cat/dog
    assert page.preview.class_names == ["blue", "green", "red"] and page.preview.totals() == [10, 10, 10]
    assert page.table.columnCount() == 4 and page.table.horizontalHeaderItem(1).text() == "colour"
    assert page.table.horizontalHeaderItem(1).font().bold()  # the target column stands out
    config = _finish(wizard)
    assert config["target"] == "colour" and config["features"] == ["age", "kind"]
    assert load_dataset(config).input_shapes == [(3,)]


def test_npz_with_other_array_names_is_guessed(qtbot, make_wizard, tmp_path):
    wizard = make_wizard()
    wizard.source_page.set_path(write_npz(tmp_path / "a.npz"))
    wizard.next()
    editors = wizard.options_page.editors
    assert editors["x_key"].currentData() == "inputs" and editors["y_key"].currentData() == "labels"
    assert "(40, 6) float32" in editors["x_key"].currentText()
    assert "targets" not in editors  # only for a .npy of inputs


def _corrupt(kind: str, tmp_path):
    if kind == "idx":
        return write_idx(tmp_path / "mnist", truncate=True), "truncated"
    if kind == "csv":
        return write_csv(tmp_path / "bad.csv", rows=10, bad_row=5), "row 5 has 5 fields"
    folder = write_image_folder(tmp_path / "shapes")
    (folder / "cross" / "001.png").write_text("not an image")
    return folder, "unreadable image"


@pytest.mark.parametrize("kind", ["idx", "csv", "image_folder"])
def test_a_corrupt_file_shows_the_loaders_message_and_finish_stays_disabled(
    qtbot, make_wizard, tmp_path, kind
):
    path, words = _corrupt(kind, tmp_path)
    wizard = make_wizard()
    page = to_preview(qtbot, wizard, path)
    config = wizard.options_page.config()
    with pytest.raises(DataError) as caught:
        load_dataset(config)
    assert page.error == str(caught.value)  # the loader's own one-line message
    assert words in page.error and str(path.name) in page.error
    assert page.problem.isVisibleTo(wizard) and words in page.problem.text()
    assert "Traceback" not in page.problem.text()
    assert not page.isComplete()
    assert not wizard.button(FINISH).isEnabled()
    if kind == "image_folder":  # the readable images and the class counts stay on screen
        assert page.thumbnails.count() == 11 and page.preview.totals() == [5, 4, 3]
    wizard.accept()  # even called directly, Finish without a good preview does nothing
    assert wizard.result_config is None and wizard.isVisible()


def test_going_back_and_fixing_the_options_clears_the_problem(qtbot, make_wizard, tmp_path):
    wizard = make_wizard()
    page = to_preview(qtbot, wizard, write_image_folder(tmp_path / "shapes"))
    wizard.back()
    wizard.options_page.val_spin.setValue(0.45)
    wizard.options_page.test_spin.setValue(0.45)  # 6 + 6 of 12 images: nothing left to train on
    wizard.next()
    qtbot.waitUntil(lambda: bool(page.error), timeout=10000)
    assert "no training samples" in page.error and not wizard.button(FINISH).isEnabled()
    wizard.back()
    wizard.options_page.test_spin.setValue(0.2)
    wizard.next()
    qtbot.waitUntil(page.isComplete, timeout=10000)
    assert page.error == "" and not page.problem.isVisibleTo(wizard) and wizard.button(FINISH).isEnabled()


def test_dropping_a_folder_on_the_first_page_detects_it(qtbot, make_wizard, tmp_path):
    folder = write_cifar(tmp_path / "cifar")
    wizard = make_wizard()
    page = wizard.source_page
    assert not page.isComplete()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(event)
    assert page.path_edit.text() == str(folder)
    assert page.kind() == "cifar10" and page.isComplete()
    assert "2 data_batch files" in page.detected.text()


def test_the_format_can_be_forced_and_a_wrong_one_is_reported(qtbot, make_wizard, tmp_path):
    path = write_csv(tmp_path / "pets.csv")
    wizard = make_wizard()
    wizard.source_page.set_path(path)
    wizard.source_page.kind_combo.setCurrentIndex(wizard.source_page.kind_combo.findData("npz"))
    assert "your choice" in wizard.source_page.detected.text()
    wizard.next()
    wizard.next()
    page = wizard.preview_page
    qtbot.waitUntil(lambda: bool(page.error), timeout=10000)
    assert page.error.startswith(f"{path}: ")  # the NumPy loader's message, naming the file


def test_closing_while_a_large_folder_loads_cancels_and_joins_the_job(qtbot, make_wizard, tmp_path):
    folder = write_image_folder(tmp_path / "many", {"a": 150, "b": 150}, size=24)
    wizard = make_wizard()
    wizard.source_page.set_path(folder)
    wizard.next()
    wizard.next()
    page = wizard.preview_page
    qtbot.waitUntil(lambda: page.preview is not None, timeout=10000)  # thumbnails before the last file
    wizard.reject()
    assert not wizard.isVisible() and wizard.runner.closed and wizard.runner._executor is None
    # (the autouse thread fixture fails this test if the job thread were still running)


def test_the_wizard_starts_from_the_projects_file_dataset(qtbot, make_wizard, tmp_path):
    path = write_csv(tmp_path / "pets.csv")
    initial = {
        "dataset": "csv",
        "path": str(path),
        "target": "colour",
        "features": ["age"],
        "split": {"val": 0.2, "test": 0.1, "stratify": False},
        "seed": 7,
        "normalize": False,
    }
    wizard = make_wizard(initial)
    assert wizard.source_page.kind() == "csv"
    wizard.next()
    assert wizard.options_page.target_combo.currentData() == "colour"
    assert wizard.options_page.features() == ["age"]
    config = wizard.options_page.config()
    for key in ("split", "seed", "normalize", "target", "features"):
        assert config[key] == initial[key]
