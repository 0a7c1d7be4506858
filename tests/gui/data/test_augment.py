"""The augmentation preview: eight draws of the current settings on one training sample."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWizard

from studio.data import load_dataset
from studio.ui.data import AugmentPreview
from tests.gui.data.files import to_preview, write_image_folder


def _sample() -> np.ndarray:
    """A (3, 8, 8) image in [0, 1] that is not left-right symmetric."""
    rng = np.random.default_rng(0)
    return rng.uniform(0.1, 0.9, (3, 8, 8)).astype(np.float32)


@pytest.fixture
def preview(qtbot):
    widget = AugmentPreview()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_sample(_sample(), [0.5, 0.4, 0.6], [0.25, 0.2, 0.3])
    return widget


def test_all_off_shows_eight_copies_of_the_original(preview):
    preview.set_augment({})
    assert len(preview.variants) == 8
    for v in preview.variants:
        np.testing.assert_allclose(v, preview.original, atol=1e-6)
    assert all(tile.isVisible() and not tile.pixmap().isNull() for tile in preview.tiles)
    assert len(preview.tiles) == 9


def test_flips_give_mirror_images_and_noise_changes_every_variant(preview):
    original = preview.sample
    preview.set_augment({"hflip": True})
    flipped = [np.allclose(v, original[..., ::-1], atol=1e-6) for v in preview.variants]
    same = [np.allclose(v, original, atol=1e-6) for v in preview.variants]
    assert all(f or s for f, s in zip(flipped, same, strict=True))  # nothing but flips
    assert any(flipped)  # eight coin flips of the seed-0 draw: some are heads
    preview.set_augment({"noise": 0.2})
    diffs = [v - original for v in preview.variants]
    assert all(np.abs(d).max() > 1e-3 for d in diffs)
    # Noise is in units of the channel's std (0.25, 0.2, 0.3), as training applies it.
    stds = np.std(np.stack(diffs), axis=(0, 2, 3))
    np.testing.assert_allclose(stds, 0.2 * np.array([0.25, 0.2, 0.3]), rtol=0.25)


def test_reshuffle_draws_new_variants(preview):
    preview.set_augment({"noise": 0.1, "rotation": 30})
    before = [v.copy() for v in preview.variants]
    preview.reshuffle_button.click()
    assert not any(np.allclose(a, b) for a, b in zip(before, preview.variants, strict=True))


def test_a_non_image_sample_explains_why_there_is_no_preview(preview):
    preview.set_sample(np.zeros(5, np.float32), None, None)
    assert "needs image inputs" in preview.message.text() and preview.message.isVisible()
    assert not any(tile.isVisible() for tile in preview.tiles)
    assert not preview.reshuffle_button.isEnabled()


def test_the_wizard_augmentation_page_previews_and_stores_the_settings(qtbot, make_wizard, tmp_path):
    wizard = make_wizard({"dataset": "digits", "augment": {"crop": 2}})
    to_preview(qtbot, wizard, write_image_folder(tmp_path / "shapes"))
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is wizard.augment_page
    panel = wizard.augment_page.panel
    assert panel.editor.editors["crop"].value() == 2  # the project's augmentation is the start
    preview = panel.preview
    assert preview.original.shape == (3, 32, 32)
    assert not all(np.allclose(v, preview.original) for v in preview.variants)
    panel.editor.editors["crop"].setValue(0)
    assert all(np.allclose(v, preview.original, atol=1e-6) for v in preview.variants)
    panel.editor.editors["hflip"].setChecked(True)
    assert any(np.allclose(v, preview.original[..., ::-1], atol=1e-6) for v in preview.variants)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    config = wizard.result_config
    assert config["augment"] == {"hflip": True}
    bundle = load_dataset(config)
    assert type(bundle.train).__name__ == "AugmentedSplit" and bundle.train.augment.hflip
