"""A dialog for the training form: edit a project's augmentation with a preview of its data."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from studio.ui.data.augment_view import AugmentPanel


class AugmentDialog(QDialog):
    """Edit a project's augmentation with a preview on its first training sample.

    The dataset is loaded in the background (the wizard's preview job); closing
    the dialog cancels and joins that job.

    Parameters
    ----------
    data
        The project's ``data`` section.
    """

    def __init__(self, data: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from studio.ui.inspect.jobs import JobRunner

        self.setWindowTitle("Training augmentation")
        self.setObjectName("augmentDialog")
        self.data = dict(data)
        self.panel = AugmentPanel()
        self.panel.set_augment(self.data.get("augment"))
        self.panel.preview.set_message("Loading a training sample…")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.runner = JobRunner(self)
        app = QCoreApplication.instance()
        if app is not None:  # quitting with the dialog open: still join the job thread
            app.aboutToQuit.connect(self.runner.shutdown)
        self._load()

    def _load(self) -> None:
        from studio.ui.data.loading import preview_job

        config = {k: v for k, v in self.data.items() if k != "augment"}
        self.runner.submit(
            "sample",
            lambda cancel: preview_job(config, cancel),
            on_result=self._on_sample,
            on_error=lambda text: self.panel.preview.set_message(f"Cannot load the dataset: {text}"),
            on_progress=lambda item: isinstance(item, str) and self.panel.preview.set_message(item),
        )

    def _on_sample(self, preview: Any) -> None:
        self.panel.preview.set_sample(preview.sample, preview.mean, preview.std)

    def augment(self) -> dict[str, Any]:
        """The edited ``augment`` section."""
        return self.panel.augment()

    def done(self, result: int) -> None:
        """Join the loading job, then close."""
        self.runner.shutdown()
        super().done(result)
