"""The curves' toolbar: smoothing, log scale, comparison with previous runs, PNG/CSV export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QToolButton,
    QWidget,
)

from studio.ui.resources import icon
from studio.ui.training.buffers import RunCurves
from studio.ui.training.plots import CurvesView
from studio.ui.training.runs import list_runs, run_label


class CurvesToolbar(QWidget):
    """Controls above the plots of a :class:`CurvesView`.

    Parameters
    ----------
    curves
        The view it controls.
    runs_folder
        Returns the folder of the project's runs.
    current_run
        Returns the current run's directory (never offered for comparison), or None.

    Signals
    -------
    message(str)
        Feedback for the status bar.
    """

    message = Signal(str)

    def __init__(
        self,
        curves: CurvesView,
        runs_folder: Callable[[], Path],
        current_run: Callable[[], Path | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.curves = curves
        self.runs_folder = runs_folder
        self.current_run = current_run
        self._loaded: dict[Path, RunCurves] = {}
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(round(curves.smoothing * 100))
        self.smoothing.setFixedWidth(120)
        self.smoothing.valueChanged.connect(self._on_smoothing)
        self.smoothing_value = QLabel(f"{curves.smoothing:.2f}")
        self.smoothing_value.setMinimumWidth(28)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.toggled.connect(curves.set_log_scale)
        self.compare = QToolButton()
        self.compare.setText("Compare runs")
        self.compare.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.compare_menu = QMenu(self.compare)
        self.compare_menu.aboutToShow.connect(self.refresh_runs)
        self.compare.setMenu(self.compare_menu)
        self.export_png_button = QToolButton()
        self.export_png_button.setIcon(icon("export"))
        self.export_png_button.setText("PNG")
        self.export_png_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_png_button.setToolTip("Save the curves as an image")
        self.export_png_button.clicked.connect(lambda: self.export_png())
        self.export_csv_button = QToolButton()
        self.export_csv_button.setIcon(icon("export"))
        self.export_csv_button.setText("CSV")
        self.export_csv_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_csv_button.setToolTip("Save every point of the current run as CSV")
        self.export_csv_button.clicked.connect(lambda: self.export_csv())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 2)
        layout.setSpacing(8)
        layout.addWidget(QLabel("Smoothing"))
        layout.addWidget(self.smoothing)
        layout.addWidget(self.smoothing_value)
        layout.addSpacing(8)
        layout.addWidget(self.log_scale)
        layout.addStretch(1)
        layout.addWidget(self.compare)
        layout.addWidget(self.export_png_button)
        layout.addWidget(self.export_csv_button)

    def _on_smoothing(self, value: int) -> None:
        weight = value / 100.0
        self.smoothing_value.setText(f"{weight:.2f}")
        self.curves.set_smoothing(weight)

    # ------------------------------------------------------------ compare
    def refresh_runs(self) -> None:
        """List the project's previous runs as checkable entries (checked ones stay checked)."""
        checked = {a.data() for a in self.compare_menu.actions() if a.isChecked()}
        self.compare_menu.clear()
        current = self.current_run()
        runs = [r for r in list_runs(self.runs_folder()) if r.path != current]
        if not runs:
            action = self.compare_menu.addAction("No previous runs of this project")
            action.setEnabled(False)
        for run in runs[:20]:
            action = self.compare_menu.addAction(run.label())
            action.setCheckable(True)
            action.setData(str(run.path))
            action.setChecked(str(run.path) in checked)
            action.toggled.connect(self._apply_compare)

    def set_compared(self, paths: list[Path]) -> None:
        """Overlay the runs in ``paths`` (run directories with a metrics.jsonl)."""
        runs = []
        for path in paths:
            path = Path(path)
            if path not in self._loaded:
                self._loaded[path] = RunCurves.from_metrics_jsonl(
                    path / "metrics.jsonl", run_label(path.name)
                )
            runs.append(self._loaded[path])
        self.curves.set_compared(runs)
        self.compare.setText(f"Compare runs ({len(runs)})" if runs else "Compare runs")

    def _apply_compare(self) -> None:
        self.set_compared([Path(a.data()) for a in self.compare_menu.actions() if a.isChecked()])

    # ------------------------------------------------------------ export
    def export_png(self, path: str | None = None) -> bool:
        """Save the plots as a PNG (asks where when ``path`` is None)."""
        path = (
            path or QFileDialog.getSaveFileName(self, "Export curves", "curves.png", "PNG image (*.png)")[0]
        )
        if not path:
            return False
        ok = self.curves.save_png(path)
        self.message.emit(f"Curves saved to {path}" if ok else f"Could not write {path}")
        return ok

    def export_csv(self, path: str | None = None) -> bool:
        """Save every point of the current run as CSV (asks where when ``path`` is None)."""
        path = (
            path or QFileDialog.getSaveFileName(self, "Export curves", "curves.csv", "CSV table (*.csv)")[0]
        )
        if not path:
            return False
        try:
            self.curves.current.write_csv(path)
        except OSError as exc:
            self.message.emit(f"Could not write {path}: {exc.strerror}")
            return False
        self.message.emit(f"Curves saved to {path}")
        return True
