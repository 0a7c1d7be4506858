"""The image-folder preview streams: thumbnails and counts first, then every file, cancellable."""

from __future__ import annotations

import pytest

from studio.ui.data import folder_preview
from studio.ui.data.loading import Preview
from studio.ui.inspect.jobs import Cancel, Cancelled
from tests.gui.data.files import write_image_folder


def test_partial_preview_then_progress_then_the_complete_preview(tmp_path, monkeypatch):
    monkeypatch.setattr(folder_preview, "PROGRESS_S", -1.0)  # a progress line after every file
    folder = write_image_folder(tmp_path / "shapes")
    items = list(
        folder_preview.image_folder_preview({"dataset": "image_folder", "path": str(folder)}, Cancel(), 0)
    )
    previews = [i for i in items if isinstance(i, Preview)]
    lines = [i for i in items if isinstance(i, str)]
    assert [p.done for p in previews] == [False, True] and items[-1] is previews[-1]
    partial, final = previews
    assert partial.class_counts == final.class_counts and partial.totals() == [5, 4, 3]
    assert len(partial.thumbnails) == 12 and partial.sample is None
    assert lines[-1] == "Reading images: 12 of 12" and "Reading images: 1 of 12" in lines
    assert final.sample.shape == (3, 32, 32) and len(final.mean) == 3


def test_cancelling_stops_between_files(tmp_path):
    folder = write_image_folder(tmp_path / "shapes")
    cancel = Cancel()
    job = folder_preview.image_folder_preview({"dataset": "image_folder", "path": str(folder)}, cancel, 0)
    assert next(item for item in job if isinstance(item, Preview)).done is False
    cancel.cancelled = True
    with pytest.raises(Cancelled):
        list(job)
