"""Pictures for the docs: the wizard's preview of an image folder and the augmentation preview."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from tests.gui.data.files import to_preview, write_image_folder
from tests.screens import SCREENSHOTS


def test_screenshots_of_the_wizard_preview_and_the_augmentation_page(qtbot, make_wizard, tmp_path):
    from studio.ui.resources import apply_theme, current_theme

    app = QApplication.instance()
    old_theme, old_sheet, old_palette = current_theme(app), app.styleSheet(), app.palette()
    apply_theme(app, "light")
    try:
        classes = {"circle": 14, "cross": 11, "square": 9}
        folder = write_image_folder(tmp_path / "shapes", classes, size=40)
        wizard = make_wizard()
        wizard.resize(980, 720)
        page = to_preview(qtbot, wizard, folder)
        qtbot.wait(50)
        assert page.thumbnails.count() == sum(classes.values())
        image = wizard.grab().toImage()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert image.save(str(SCREENSHOTS / "data-wizard.png"))
        wizard.next()
        editors = wizard.augment_page.panel.editor.editors
        editors["hflip"].setChecked(True)
        editors["crop"].setValue(4)
        editors["rotation"].setValue(20)
        editors["noise"].setValue(0.1)
        editors["color_jitter"].setValue(0.3)
        preview = wizard.augment_page.panel.preview
        assert len(preview.variants) == 8
        assert not any(np.allclose(v, preview.original) for v in preview.variants)
        qtbot.wait(50)
        assert wizard.grab().toImage().save(str(SCREENSHOTS / "augmentation-preview.png"))
    finally:
        app.setStyleSheet(old_sheet)
        app.setPalette(old_palette)
        app.setProperty("netstudio_theme", old_theme)
