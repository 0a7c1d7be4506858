"""The Evaluation tab's pages beyond classification: segmentation masks, regression, reconstructions.

Each page shows a result of :mod:`studio.ui.inspect.evaluation_work` and
reports clicked samples by their dataset index (``sample_clicked``, and
``sample_activated`` for a double click where it means "explain this").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from studio.inspection.segmentation import class_colours, segmentation_overlay
from studio.ui.inspect import charts
from studio.ui.inspect.gallery import Entry, Gallery, side_by_side
from studio.ui.inspect.image import ImagePane

RECON_SHOWN = 48  # reconstructions listed, worst first
_ALPHA = 0.55  # opacity of the mask colours over the input


class MaskPanes(QWidget):
    """One sample's input, its true mask and the predicted mask over it, with a colour legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = ImagePane("input")
        self.truth = ImagePane("true mask")
        self.predicted = ImagePane("predicted mask")
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        row = QHBoxLayout()
        for pane in (self.input, self.truth, self.predicted):
            row.addWidget(pane, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.legend)

    def show_sample(self, result: Any, index: int, image: np.ndarray | None) -> None:
        """Masks of sample ``index`` of ``result`` (a segmentation ClassEvaluation) over RGBA ``image``."""
        rows = np.flatnonzero(result.preds.indices == index)
        if image is None or not len(rows):
            self.legend.setText(
                f"sample {index} was not evaluated (only the first {len(result.preds.indices):,} samples are)"
            )
            return
        row, names = int(rows[0]), result.names
        clear = [k for k, name in enumerate(names) if name.lower() == "background"]  # left uncoloured
        truth, predicted = result.preds.targets[row], result.preds.predictions[row]
        rgb = image[..., :3]
        self.input.set_image(image)
        self.input.set_title(f"sample {index}")
        self.truth.set_image(segmentation_overlay(rgb, truth, len(names), _ALPHA, transparent=clear))
        self.predicted.set_image(segmentation_overlay(rgb, predicted, len(names), _ALPHA, transparent=clear))
        self.predicted.set_title(
            f"predicted mask ({100 * float((truth == predicted).mean()):.1f} % of pixels right)"
        )
        self.legend.setText(
            " ".join(
                f"<span style='color:rgb({r},{g},{b})'>■</span> {name}"
                for k, ((r, g, b), name) in enumerate(zip(class_colours(len(names)), names, strict=True))
                if k not in clear
            )
        )


class RegressionPage(QWidget):
    """Predicted against true values, one point per value, the line of perfect predictions."""

    sample_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setBackground(None)
        title = "predicted against true (line: perfect)"
        charts.style_plot(self.plot.getPlotItem(), self, title, "true value", "predicted value")
        self.scatter = pg.ScatterPlotItem(
            size=6, pen=None, brush=charts.brush(charts.SERIES, 170), hoverable=True, tip=self._tip
        )
        self.scatter.sigClicked.connect(self._clicked)
        self.line = pg.PlotCurveItem(pen=charts.pen(charts.ACCENT, 1.5))
        self.plot.addItem(self.line)
        self.plot.addItem(self.scatter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.result: Any = None

    def show_result(self, result: Any) -> None:
        """Draw a RegressionEvaluation (several outputs per sample are pooled)."""
        self.result = result
        t, o = result.targets.reshape(-1), result.outputs.reshape(-1)
        rows = np.repeat(np.arange(len(result.targets)), result.targets.shape[1])
        self.scatter.setData(x=t, y=o, data=rows)
        lo, hi = float(min(t.min(), o.min())), float(max(t.max(), o.max()))
        self.line.setData([lo, hi], [lo, hi])

    def _tip(self, x: float, y: float, data: Any) -> str:
        if self.result is None or data is None:
            return ""
        return f"sample {int(self.result.indices[int(data)])}\ntrue {x:.4g}\npredicted {y:.4g}"

    def _clicked(self, _item: Any, points: Any, _event: Any) -> None:
        if self.result is not None and len(points):
            self.sample_clicked.emit(int(self.result.indices[int(points[0].data())]))


class ReconstructionPage(QWidget):
    """Inputs beside their reconstructions, worst first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gallery = Gallery(thumb=72)
        caption = QLabel(
            "Each pair: input (left) and reconstruction (right), both on the input's grey scale; worst "
            "reconstructions first. Click a pair to look at that sample."
        )
        caption.setObjectName("inspectNote")
        caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.gallery, 1)

    def show_result(self, result: Any, mean: list[float], std: list[float]) -> None:
        """List the ``RECON_SHOWN`` worst reconstructions of a ReconstructionEvaluation."""
        recon = result.recon
        entries = []
        for row in recon.worst(RECON_SHOWN):
            index, error = int(recon.indices[row]), float(recon.errors[row])
            pair = pair_image(recon.inputs[row], recon.outputs[row], mean, std)
            tip = f"sample {index}: mean squared error {error:.4g}"
            entries.append(Entry(index, f"#{index}\nMSE {error:.3g}", tip, pair))
        self.gallery.set_entries(entries, wide=True)


def pair_image(inp: np.ndarray, out: np.ndarray, mean: list[float], std: list[float]) -> np.ndarray | None:
    """Input | reconstruction as one RGBA picture, both on the input's scale (errors stay visible)."""
    a = np.asarray(inp, dtype=np.float32)
    b = np.asarray(out, dtype=np.float32)
    if a.ndim != 3 or min(a.shape[-2:]) < 4:
        return None
    if mean and std and len(mean) == a.shape[0] == len(std):
        m = np.asarray(mean, np.float32)[:, None, None]
        s = np.asarray(std, np.float32)[:, None, None]
        a, b = a * s + m, b * s + m
    lo, hi = float(a.min()), float(a.max())
    scale = (hi - lo) or 1.0
    images = []
    for x in (a, b):
        x = np.clip((x - lo) / scale, 0.0, 1.0)
        x = np.transpose(x[:3], (1, 2, 0)) if x.shape[0] == 3 else np.repeat(x[0][..., None], 3, axis=2)
        rgba = np.full(x.shape[:2] + (4,), 255, dtype=np.uint8)
        rgba[..., :3] = np.round(x * 255)
        images.append(rgba)
    return side_by_side(*images)
