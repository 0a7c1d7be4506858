"""The data wizard: source → options → preview → (images) augmentation.

``DataWizard(parent, initial=project.data)`` is a non-blocking ``QWizard``:
open it with ``open()`` and read :attr:`DataWizard.result_config` (or listen to
``data_chosen``) once it is accepted. The preview loads on one background job
thread (:class:`~studio.ui.inspect.jobs.JobRunner`, newest request wins);
closing the wizard cancels and joins it, so no thread outlives the dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget, QWizard, QWizardPage

from studio.ui.data.augment_view import AugmentPanel
from studio.ui.data.detect import KINDS
from studio.ui.data.options_page import OptionsPage
from studio.ui.data.preview_page import PreviewPage
from studio.ui.data.source_page import SourcePage
from studio.ui.inspect.jobs import JobRunner

SOURCE, OPTIONS, PREVIEW, AUGMENT = range(4)


class AugmentPage(QWizardPage):
    """Wizard page 4 (image data only): augmentation settings with a live preview."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Augmentation")
        self.setSubTitle("Random changes to the training images; eight draws of the current settings.")
        self.panel = AugmentPanel(tile=128)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Preview on the first training sample of the loaded data."""
        preview = self.wizard().preview_page.preview
        self.panel.preview.set_sample(preview.sample, preview.mean, preview.std)


class DataWizard(QWizard):
    """Import the user's files as the project's dataset.

    Parameters
    ----------
    initial
        The project's current ``data`` section: its split, seed, normalisation and
        augmentation are the starting values, and a file dataset's path and options too.
    seed
        The run seed (only used by a config without a data ``seed``).

    Attributes
    ----------
    source_page, options_page, preview_page, augment_page
        The pages (their editors are attributes too).
    result_config
        The accepted ``data`` section (None until Finish).

    Signals
    -------
    data_chosen(dict)
        Finish was pressed: the new ``data`` section.
    """

    data_chosen = Signal(dict)

    def __init__(self, parent: QWidget | None = None, initial: dict[str, Any] | None = None, seed: int = 0):
        super().__init__(parent)
        self.setObjectName("dataWizard")
        self.setWindowTitle("Import Data")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.initial = dict(initial or {})
        self.seed = seed
        self.result_config: dict[str, Any] | None = None
        self.runner = JobRunner(self)
        app = QCoreApplication.instance()
        if app is not None:  # quitting with the wizard open: still join the job thread
            app.aboutToQuit.connect(self.runner.shutdown)
        self.source_page = SourcePage()
        self.options_page = OptionsPage()
        self.preview_page = PreviewPage()
        self.augment_page = AugmentPage()
        for page_id, page in enumerate(
            (self.source_page, self.options_page, self.preview_page, self.augment_page)
        ):
            self.setPage(page_id, page)
        self.preview_page.augment_id = AUGMENT
        self.options_page.set_common(self.initial)
        self.augment_page.panel.set_augment(self.initial.get("augment"))
        if self.initial.get("dataset") in KINDS and self.initial.get("path"):
            self.source_page.set_path(Path(str(self.initial["path"])).expanduser())
        # The theme styles no disabled push button; Finish must look disabled until the preview is good.
        self.setStyleSheet("QPushButton:disabled { color: palette(placeholder-text); }")
        self.resize(920, 660)

    # ------------------------------------------------------------ API
    def config(self) -> dict[str, Any]:
        """The ``data`` section the pages describe now."""
        out = self.options_page.config()
        preview = self.preview_page.preview
        augment = self.augment_page.panel.augment()
        if augment and preview is not None and preview.sample is not None:
            out["augment"] = augment  # augmentation needs image inputs (C, H, W)
        return out

    def start_preview(self) -> None:
        """Load the preview of :meth:`config` in the background (replacing a running load)."""
        from studio.ui.data.loading import preview_job

        config = self.options_page.config()
        page = self.preview_page
        page.start(f"{KINDS.get(config['dataset'], config['dataset'])}: {config['path']}", _images(config))
        self.runner.submit(
            "preview",
            lambda cancel: preview_job(config, cancel, self.seed),
            on_result=page.show_preview,
            on_error=page.show_error,
            on_progress=page.show_progress,
        )

    def wait_preview(self) -> None:
        """Block until the running preview job finished (tests; the GUI never waits)."""
        self.runner.wait()

    # ------------------------------------------------------------ closing
    def accept(self) -> None:
        """Finish: only with a complete, problem-free preview."""
        if not self.preview_page.isComplete():
            return
        self.result_config = self.config()
        super().accept()
        self.data_chosen.emit(self.result_config)

    def done(self, result: int) -> None:
        """Cancel and join the background job, then close."""
        self.runner.shutdown()
        super().done(result)


def _images(config: dict[str, Any]) -> bool:
    """Whether ``config`` describes images (C, H, W), judged before loading."""
    kind = config["dataset"]
    if kind in ("image_folder", "idx", "cifar10"):
        return True
    if kind != "npz" or config.get("layout") == "sequences":
        return False
    from studio.ui.data.detect import npz_arrays

    arrays = {name: shape for name, shape, _ in npz_arrays(config["path"])}
    shape = arrays.get("" if config["path"].lower().endswith(".npy") else config.get("x_key", "x"), ())
    return len(shape) in (3, 4)
