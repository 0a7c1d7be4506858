"""The training form's Import… and Augmentation… buttons, and File → Import Data."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWizard

from studio.data import load_dataset
from tests.gui.data.files import to_preview, write_image_folder


def test_import_button_runs_the_wizard_and_the_chooser_shows_the_file_dataset(qtbot, make_panel, tmp_path):
    folder = write_image_folder(tmp_path / "shapes")
    panel = make_panel()
    chooser = panel.form.dataset
    assert chooser.combo.currentData() == "moons"
    chooser.import_button.click()
    wizard = chooser.wizard
    assert wizard is not None and wizard.isVisible() and wizard.initial["dataset"] == "moons"
    to_preview(qtbot, wizard, folder)
    with qtbot.waitSignal(panel.settings_changed):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    data = panel.document.project.data
    assert data == wizard.result_config and data["dataset"] == "image_folder"
    assert chooser.combo.currentText() == "Image folder: shapes"
    assert chooser.combo.currentData() == "image_folder"
    qtbot.wait(10)  # new option rows are shown from the event loop
    size = [w for w in panel.form.findChildren(QSpinBox) if w.value() == 32 and w.isVisibleTo(panel)]
    assert size, "the image size option is editable in the form"
    size[0].setValue(16)
    assert panel.document.project.data["image_size"] == 16
    assert load_dataset(panel.document.project.data).input_shapes == [(3, 16, 16)]
    # Away to a built-in set and back: the file dataset keeps its path and options.
    chooser.combo.setCurrentIndex(chooser.combo.findData("circles"))
    assert panel.document.project.data["dataset"] == "circles" and "path" not in panel.document.project.data
    chooser.combo.setCurrentIndex(chooser.combo.findData("image_folder"))
    restored = panel.document.project.data
    assert restored["path"] == str(folder.resolve()) and restored["image_size"] == 16
    assert not panel._start_problem().startswith("Choose a dataset")


def test_augmentation_dialog_previews_the_projects_data_and_stores_the_settings(qtbot, make_panel):
    panel = make_panel()
    chooser = panel.form.dataset
    chooser.combo.setCurrentIndex(chooser.combo.findData("digits"))
    assert chooser.augment_label.text() == "none"
    chooser.augment_button.click()
    dialog = chooser.augment_dialog
    preview = dialog.panel.preview
    qtbot.waitUntil(lambda: preview.original is not None, timeout=15000)
    assert preview.original.shape[0] == 1 and preview.original.ndim == 3  # one digit (1, H, W)
    dialog.panel.editor.editors["hflip"].setChecked(True)
    dialog.panel.editor.editors["noise"].setValue(0.1)
    assert all(not np_allclose(v, preview.original) for v in preview.variants)
    with qtbot.waitSignal(panel.settings_changed):
        dialog.accept()
    assert panel.document.project.data["augment"] == {"hflip": True, "noise": 0.1}
    assert chooser.augment_label.text() == "flip, noise 0.1"
    assert dialog.runner.closed


def test_augmentation_dialog_on_a_table_says_it_needs_images(qtbot, make_panel):
    panel = make_panel()  # the MLP template trains on two moons: (2,) vectors
    panel.form.dataset.augment_button.click()
    dialog = panel.form.dataset.augment_dialog
    message = dialog.panel.preview.message
    qtbot.waitUntil(lambda: "needs image inputs" in message.text(), timeout=15000)
    dialog.reject()
    assert "augment" not in panel.document.project.data


def test_file_menu_import_data_opens_the_wizard(qtbot, lenet_window):
    win = lenet_window
    action = win.actions_["import_data"]
    assert action.isEnabled() and action in win.menuBar().actions()[0].menu().actions()
    action.trigger()
    wizard = win.training_panel.form.dataset.wizard
    assert wizard is not None and wizard.isVisible()
    wizard.reject()
    assert wizard.runner.closed


def np_allclose(a, b) -> bool:
    import numpy as np

    return bool(np.allclose(a, b, atol=1e-6))
