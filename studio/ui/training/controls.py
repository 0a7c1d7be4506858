"""Start / Pause / Resume / Stop, the progress bar with ETA and throughput, and the run's status."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStyle, QWidget

# Which buttons are enabled in each state of a run.
ENABLED = {
    "idle": {"start"},
    "starting": {"stop"},
    "running": {"pause", "stop"},
    "paused": {"resume", "stop"},
    "stopping": set(),
    "finished": {"start"},
    "stopped": {"start"},
    "failed": {"start"},
}
STATE_TEXT = {
    "idle": "Ready",
    "starting": "Loading data…",
    "running": "Training",
    "paused": "Paused",
    "stopping": "Stopping…",
    "finished": "Finished",
    "stopped": "Stopped",
    "failed": "Failed",
}
STATE_COLORS = {"running": "#2f9e44", "paused": "#e8a317", "failed": "#d64545", "finished": "#2f6fdf"}


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``; ``"–"`` when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RunControls(QWidget):
    """The run's buttons and progress; the panel connects the buttons and calls :meth:`set_state`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        sp = QStyle.StandardPixmap
        self.buttons = {
            "start": QPushButton(style.standardIcon(sp.SP_MediaPlay), "Train"),
            "pause": QPushButton(style.standardIcon(sp.SP_MediaPause), "Pause"),
            "resume": QPushButton(style.standardIcon(sp.SP_MediaPlay), "Resume"),
            "stop": QPushButton(style.standardIcon(sp.SP_MediaStop), "Stop"),
        }
        self.buttons["start"].setObjectName("trainingStart")
        self.buttons["start"].setDefault(True)
        self.status = QLabel()
        self.status.setObjectName("trainingStatus")
        self.status.setMinimumWidth(90)
        self.progress = QProgressBar()
        self.progress.setObjectName("trainingProgress")
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(220)
        self.detail = QLabel()
        self.detail.setObjectName("trainingDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.detail.setMinimumWidth(260)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        for button in self.buttons.values():
            layout.addWidget(button)
        layout.addSpacing(10)
        layout.addWidget(self.status)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.detail)
        self.state = ""
        self.set_state("idle")

    def set_state(self, state: str) -> None:
        """Enable the buttons that make sense in ``state`` and show it."""
        self.state = state
        for name, button in self.buttons.items():
            button.setEnabled(name in ENABLED[state])
        self.buttons["pause"].setVisible(state != "paused")
        self.buttons["resume"].setVisible(state == "paused")
        color = STATE_COLORS.get(state, "palette(text)")
        self.status.setText(f"<span style='color:{color}'>●</span> {STATE_TEXT[state]}")
        if state == "starting":
            self.progress.setRange(0, 0)  # busy indicator until the run knows its length
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    def set_progress(self, step: int, total: int, epoch: int, epochs: int) -> None:
        """Show ``step`` of ``total`` optimizer steps and the epoch."""
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(step, max(1, total)))
        self.progress.setFormat(f"epoch {epoch}/{epochs} · step {step:,}/{total:,} · %p%")

    def set_detail(self, eta_s: float, elapsed_s: float, samples_per_s: float) -> None:
        """``ETA 1:15 · 0:42 elapsed · 12,345 samples/s``."""
        speed = f"{samples_per_s:,.0f} samples/s" if math.isfinite(samples_per_s) else ""
        parts = [f"ETA {format_duration(eta_s)}", f"{format_duration(elapsed_s)} elapsed", speed]
        self.detail.setText(" · ".join(p for p in parts if p))
