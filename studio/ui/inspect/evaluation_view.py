"""The Evaluation tab: how good the model is on the chosen split, and where it goes wrong.

Classification: the confusion matrix (counts or row-normalised; a click on a
cell lists that cell's samples as thumbnails), precision/recall/F1 per class
with macro averages, ROC and precision–recall curves for two classes, and the
most confident mistakes (a click shows the sample, a double click explains
it). Segmentation: the same per pixel, with IoU, and the current sample's true
and predicted masks over the input. Regression: predicted against true values
with MAE, RMSE and R². Reconstruction: inputs beside their reconstructions,
worst first. The numbers are :mod:`studio.inspection.evaluation`'s; the pass
over the split runs once per run and split (a sample change only redraws).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.ui.inspect import evaluation_draw as draw
from studio.ui.inspect import evaluation_pages as pages
from studio.ui.inspect import evaluation_work as work_
from studio.ui.inspect.context import InspectionContext
from studio.ui.inspect.gallery import Entry, Gallery, image_rgba
from studio.ui.inspect.view import InspectView

MAX_CELL_THUMBS = 200  # thumbnails listed for one confusion cell


class EvaluationView(InspectView):
    """Scores of the model on the current split, by task.

    Signals
    -------
    explain_requested(int, str)
        Open sample ``index`` of ``split`` in the Explain tab.
    """

    title = "Evaluation"
    depends_on = frozenset({"sample"})
    explain_requested = Signal(int, str)

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.result: Any = None
        self.cell: tuple[int, int] | None = None
        self.cell_indices: np.ndarray | None = None
        self._key: tuple | None = None  # (run, split) of self.result
        self._pending: tuple | None = None
        self._failed: tuple[tuple | None, str] = (None, "")
        self._build()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.relative = QCheckBox("Normalised (share of each true class)")
        self.relative.setToolTip("Counts, or each row divided by its total: the diagonal is then the recall")
        self.relative.toggled.connect(lambda _on: self._draw_confusion())
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_classes())
        self.pages.addWidget(self._build_regression())
        self.pages.addWidget(self._build_reconstruction())
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)

    def _build_classes(self) -> QWidget:
        self.confusion = draw.ConfusionPlot(self)
        self.confusion.cell_clicked.connect(self.show_cell)
        self.confusion_caption = QLabel(
            "Rows: true class · columns: predicted class · click a cell to list its samples"
        )
        self.confusion_caption.setObjectName("inspectNote")
        self.confusion_caption.setWordWrap(True)
        heading = QHBoxLayout()
        heading.addWidget(QLabel("<b>Confusion matrix</b>"), 1)
        heading.addWidget(self.relative)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(heading)
        left_layout.addWidget(self.confusion.widget, 1)
        left_layout.addWidget(self.confusion_caption)
        self.table = draw.class_table(self)
        self.table.setMinimumWidth(360)  # five columns of numbers stay readable beside the masks
        self.curves = draw.CurvesPlot(self)
        self.curves_note = QLabel()
        self.curves_note.setObjectName("inspectNote")
        self.overlays = pages.MaskPanes()
        self.mistakes = Gallery()
        self.cell_gallery = Gallery()
        for gallery in (self.mistakes, self.cell_gallery):
            gallery.sample_clicked.connect(self._sample_clicked)
            gallery.sample_activated.connect(self._explain)
        self.galleries = QTabWidget()
        self.galleries.setDocumentMode(True)
        self.galleries.addTab(self.mistakes, "Most confident mistakes")
        self.galleries.addTab(self.cell_gallery, "Confusion cell")
        hint = QLabel("Click a sample to look at it; double-click to explain it.")
        hint.setObjectName("inspectNote")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.galleries, 1)
        lower_layout.addWidget(hint)
        self.right = right = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.table, self.curves.widget, self.overlays, lower):
            right.addWidget(widget)
        page = QSplitter(Qt.Orientation.Horizontal)
        page.addWidget(left)
        page.addWidget(right)
        page.setStretchFactor(0, 5)
        page.setStretchFactor(1, 6)
        page.setSizes([600, 760])
        return page

    def _build_regression(self) -> QWidget:
        self.regression = pages.RegressionPage()
        self.regression.sample_clicked.connect(self._sample_clicked)
        return self.regression

    def _build_reconstruction(self) -> QWidget:
        self.reconstruction = pages.ReconstructionPage()
        self.reconstruction.gallery.sample_clicked.connect(self._sample_clicked)
        self.reconstruction.gallery.sample_activated.connect(self._explain)
        return self.reconstruction

    # ------------------------------------------------------------ computing
    def compute(self) -> None:
        """Evaluate the run on the split in the background (once per run and split)."""
        context = self.context
        run, split = context.run, context.split
        key = (run, split)  # compared by identity: a reloaded checkpoint is another run object
        if _same(key, self._key) and self.result is not None:
            self._show_sample()  # only the current sample changed
            return
        if _same(key, self._pending):
            return
        if _same(key, self._failed[0]):
            self.show_message(self._failed[1])  # the same run and split fail the same way
            return
        task = work_.task_of(run)
        dataset = context.dataset()
        self._pending = key
        self.summary.setText(f"evaluating the {split} split ({len(dataset):,} samples, {task})…")

        def work(cancel):
            return work_.evaluate(run, dataset, task, cancel)

        def done(result: Any) -> None:
            self._pending = None
            self.result, self._key = result, key
            self._show()

        def failed(message: str) -> None:
            self._pending = None
            self._failed = (key, message)
            self.show_message(message)

        self.context.jobs.submit(self.key, work, done, failed)

    # ------------------------------------------------------------ showing
    def _show(self) -> None:
        self.show_body()
        result = self.result
        self.cell, self.cell_indices = None, None
        if isinstance(result, work_.ClassEvaluation):
            self.pages.setCurrentIndex(0)
            self._show_classes(result)
        elif isinstance(result, work_.RegressionEvaluation):
            self.pages.setCurrentIndex(1)
            self._show_regression(result)
        else:
            self.pages.setCurrentIndex(2)
            self._show_reconstruction(result)
        self._show_sample()

    def _split_text(self, used: int, total: int) -> str:
        part = f"the first {used:,} of {total:,}" if used < total else f"all {total:,}"
        return f"{part} {self.context.split} samples"

    def _show_classes(self, r: work_.ClassEvaluation) -> None:
        per_sample = r.per_sample
        n = len(r.preds.targets)
        what = "pixel accuracy" if not per_sample else "accuracy"
        self.summary.setText(
            f"<b>{r.task.capitalize()}</b> on {self._split_text(n, r.split_size)} · {what} "
            f"<b>{100 * r.accuracy:.1f} %</b> · macro F1 <b>{r.report.macro_f1:.3f}</b>"
            + (f" · mean IoU <b>{r.iou.mean():.3f}</b>" if not per_sample else "")
        )
        self._draw_confusion()
        columns = [("precision", r.report.precision), ("recall", r.report.recall), ("F1", r.report.f1)]
        if not per_sample:
            columns.append(("IoU", r.iou))
        draw.fill_class_table(self.table, r.names, columns, r.report.support, r.accuracy)
        self.confusion_caption.setText(
            "Rows: true class · columns: predicted class · "
            + ("click a cell to list its samples" if per_sample else "counted per pixel")
        )
        self.curves.widget.setVisible(r.curves is not None)
        if r.curves is not None:
            positive_share = float((r.preds.targets == 1).mean())
            self.curves.set(r.curves, positive_share, r.names[1])
        self.overlays.setVisible(not per_sample)
        # The table as tall as its rows, then the curves (two classes), the masks (segmentation)
        # or the galleries below it.
        header = self.table.horizontalHeader().sizeHint().height()
        rows = self.table.verticalHeader().defaultSectionSize() * (len(r.names) + 2) + header + 6
        if r.curves is not None:
            self.right.setSizes([rows, 320, 0, 300])
        elif per_sample:
            self.right.setSizes([max(rows, 330), 0, 0, 370])
        else:
            self.right.setSizes([rows, 0, 700 - rows, 0])
        self.galleries.setVisible(per_sample)
        self.relative.setVisible(True)
        if per_sample:
            self._fill_mistakes(r)
            self.cell_gallery.set_entries([])
            self.galleries.setTabText(1, "Confusion cell (click one)")

    def _draw_confusion(self) -> None:
        r = self.result
        if isinstance(r, work_.ClassEvaluation):
            self.confusion.set(r.counts, r.normalised, r.names, self.relative.isChecked())
            self.confusion.select(*(self.cell or (None, None)))

    def _entry(self, index: int, caption: str, tooltip: str) -> Entry:
        x, _y = self.context.dataset()[int(index)]
        data = self.context.run.data
        rgba = None if isinstance(x, tuple) else image_rgba(x, list(data.mean or []), list(data.std or []))
        return Entry(int(index), caption, tooltip, rgba)

    def _fill_mistakes(self, r: work_.ClassEvaluation) -> None:
        entries = []
        for m in r.mistakes:
            true, predicted = r.names[m.target], r.names[m.prediction]
            entries.append(
                self._entry(
                    m.index,
                    f"{true} → {predicted}\n{100 * m.confidence:.0f} %",
                    f"sample {m.index}: true {true}, predicted {predicted} with {100 * m.confidence:.1f} % "
                    "confidence (double-click to explain)",
                )
            )
        self.mistakes.set_entries(entries)
        wrong = int((r.preds.predictions != r.preds.targets).sum())
        self.galleries.setTabText(0, f"Most confident mistakes ({len(entries)} of {wrong})")

    def show_cell(self, true_class: int, predicted: int) -> None:
        """List the samples of the confusion cell (``true_class``, ``predicted``)."""
        from studio.inspection.evaluation import samples_in_cell

        r = self.result
        if not isinstance(r, work_.ClassEvaluation) or not r.per_sample:
            return
        self.cell = (true_class, predicted)
        self.confusion.select(true_class, predicted)
        indices = samples_in_cell(r.preds, true_class, predicted)
        self.cell_indices = indices
        rows = {int(i): k for k, i in enumerate(r.preds.indices)}
        confidence = r.preds.confidence
        true, guess = r.names[true_class], r.names[predicted]
        entries = []
        for index in indices[:MAX_CELL_THUMBS]:
            p = 100 * float(confidence[rows[int(index)]])
            entries.append(
                self._entry(
                    index,
                    f"#{int(index)}\n{p:.0f} %",
                    f"sample {int(index)}: true {true}, predicted {guess} ({p:.1f} %)",
                )
            )
        self.cell_gallery.set_entries(entries)
        shown = f"first {MAX_CELL_THUMBS} of " if len(indices) > MAX_CELL_THUMBS else ""
        self.galleries.setTabText(1, f"True {true} → predicted {guess} ({shown}{len(indices)})")
        self.galleries.setCurrentWidget(self.cell_gallery)

    def _show_regression(self, r: work_.RegressionEvaluation) -> None:
        self.relative.setVisible(False)
        d = r.targets.shape[1]
        pooled = f" ({d} outputs pooled)" if d > 1 else ""
        self.summary.setText(
            f"<b>Regression</b> on {self._split_text(len(r.targets), r.split_size)}{pooled} · "
            f"MAE <b>{r.mae:.4g}</b> · RMSE <b>{r.rmse:.4g}</b> · R² <b>{r.r2:.3f}</b>"
        )
        self.regression.show_result(r)

    def _show_reconstruction(self, r: work_.ReconstructionEvaluation) -> None:
        self.relative.setVisible(False)
        errors = r.recon.errors
        self.summary.setText(
            f"<b>Reconstruction</b> on {self._split_text(len(errors), r.split_size)} · mean squared "
            f"error <b>{errors.mean():.4g}</b> · median <b>{np.median(errors):.4g}</b> · "
            f"worst <b>{errors.max():.4g}</b>"
        )
        data = self.context.run.data
        self.reconstruction.show_result(r, list(data.mean or []), list(data.std or []))

    def _show_sample(self) -> None:
        """Segmentation: the current sample's true and predicted masks over the input."""
        r = self.result
        if isinstance(r, work_.ClassEvaluation) and not r.per_sample:
            context = self.context
            x, _y = context.dataset()[context.sample]
            data = context.run.data
            self.overlays.show_sample(
                r, context.sample, image_rgba(x, list(data.mean or []), list(data.std or []))
            )

    # ------------------------------------------------------------ clicking
    def _sample_clicked(self, index: int) -> None:
        self.sample_requested.emit(int(index), self.context.split)

    def _explain(self, index: int) -> None:
        self.sample_requested.emit(int(index), self.context.split)
        self.explain_requested.emit(int(index), self.context.split)


def _same(a: tuple | None, b: tuple | None) -> bool:
    return a is not None and b is not None and a[0] is b[0] and a[1] == b[1]
