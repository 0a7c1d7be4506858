"""Wizard page 3: samples, shapes, class counts and problems of the chosen data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget, QWizardPage

from studio.ui.data.detect import KINDS
from studio.ui.data.loading import Preview
from studio.ui.data.widgets import ClassCountsChart, SampleTable, ThumbnailGrid

SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}


class PreviewPage(QWizardPage):
    """What the model will see. Finish is enabled once every sample loaded without a problem.

    Attributes
    ----------
    summary, problem, progress
        Shapes and sizes; the loader's message (red); progress text.
    thumbnails, table, chart
        The sample grid (images), the first rows (tables and vectors), the class counts.
    preview, error
        The latest :class:`~studio.ui.data.loading.Preview` and problem ("" when none).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Preview")
        self.setFinalPage(True)  # Finish here; the augmentation page after it is optional
        self.preview: Preview | None = None
        self.error = ""
        self.augment_id = -1  # set by the wizard: the page shown after this one for images
        self.images = False  # the data are images: the augmentation page follows
        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setObjectName("dataProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setStyleSheet(
            "QLabel#dataProblem { background: rgba(214, 69, 69, 0.10); color: #c92a2a;"
            " border: 1px solid rgba(214, 69, 69, 0.45); border-radius: 4px; padding: 6px 8px; }"
        )
        self.problem.hide()
        self.progress = QLabel()
        self.progress.setObjectName("dataProgress")
        self.progress.setEnabled(False)  # muted text
        self.thumbnails = ThumbnailGrid(64)
        self.table = SampleTable()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.samples = QStackedWidget()
        for widget in (self.thumbnails, self.table, self.empty):
            self.samples.addWidget(widget)
        self.chart = ClassCountsChart()
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.samples)
        body.addWidget(self.chart)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)
        body.setSizes([600, 340])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addWidget(body, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Load the preview of the configured data in the background."""
        self.wizard().start_preview()

    # ------------------------------------------------------------ results
    def start(self, title: str, images: bool) -> None:
        """Forget the old preview; a new one is loading (``images``: the augmentation page follows)."""
        self.preview, self.error, self.images = None, "", images
        self.setSubTitle(title)
        self.summary.setText("")
        self.problem.hide()
        self.progress.setText("Loading…")
        self.thumbnails.clear()
        self.table.setRowCount(0)
        self.empty.setText("")
        self.samples.setCurrentWidget(self.empty)
        self.chart.set_counts([], {})
        self.chart.hide()
        self.completeChanged.emit()

    def show_progress(self, item: object) -> None:
        """A progress line or a partial preview from the job."""
        if isinstance(item, Preview):
            self.show_preview(item)
        else:
            self.progress.setText(str(item))

    def show_preview(self, preview: Preview) -> None:
        """Show ``preview`` (partial previews keep Finish disabled)."""
        self.preview = preview
        self.summary.setText(_summary(preview))
        self.progress.setText(preview.note)
        if preview.thumbnails:
            if self.thumbnails.count() != len(preview.thumbnails) or preview.done:
                self.thumbnails.set_images(preview.thumbnails, preview.labels)
            self.samples.setCurrentWidget(self.thumbnails)
        elif preview.table is not None:
            header, rows = preview.table
            target = header[-1] if header and header[-1] == "target" else ""
            if preview.dataset == "csv" and self.wizard() is not None:
                target = self.wizard().options_page.target_combo.currentData() or ""
            self.table.set_rows(header, rows, target)
            self.samples.setCurrentWidget(self.table)
        else:
            self.empty.setText(preview.note or "No samples to show.")
            self.samples.setCurrentWidget(self.empty)
        counts = preview.class_counts if preview.class_names else {}
        self.chart.setVisible(bool(counts))
        self.chart.set_counts(preview.class_names, counts)
        self.completeChanged.emit()

    def show_error(self, message: str) -> None:
        """Show the loader's one-line message; Finish stays disabled."""
        self.error = message
        self.problem.setText(f"<b>Cannot use this data.</b> {_escape(message)}")
        self.problem.show()
        self.progress.setText("Fix the file or go Back to change the options.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """Every sample was read and nothing is wrong."""
        return self.preview is not None and self.preview.done and not self.error

    def nextId(self) -> int:  # noqa: N802 - Qt override
        """The augmentation page follows for image data; tables finish here.

        Decided from the format when the page opens (QWizard lays out its buttons then).
        """
        return self.augment_id if self.images else -1


def _summary(p: Preview) -> str:
    total = sum(p.sizes.values())
    splits = " · ".join(f"{SPLIT_NAMES[k]} {v:,}" for k, v in p.sizes.items())
    shapes = ", ".join(str(tuple(s)) for s in p.input_shapes) or "…"
    if p.class_names:
        target = f"class index of {len(p.class_names)} classes"
    else:
        target = f"{tuple(p.target_shape)}"
    title = KINDS.get(p.dataset, p.dataset).split(" (")[0]
    task = f" · {p.task}" if p.task else ""
    return (
        f"<b>{title}</b>{task} · <b>{total:,}</b> samples ({splits})<br>"
        f"Input shape per sample <b>{shapes}</b> · target {target}"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
