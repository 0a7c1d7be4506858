"""The training panel: settings, run controls, live curves and the training doctor's findings.

``TrainingPanel(document, registry)`` trains the open project on a worker
thread (:mod:`~studio.ui.training.session`); the main window docks it, calls
:meth:`TrainingPanel.shutdown` when it closes and listens to ``message``
(status bar) and ``findings_changed`` (marks on the canvas).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.ui.training.controls import RunControls
from studio.ui.training.doctor_view import DoctorList
from studio.ui.training.form import ConfigForm
from studio.ui.training.plots import CurvesView
from studio.ui.training.session import TrainingSession
from studio.ui.training.toolbar import CurvesToolbar
from studio.ui.training.worker import TrainingJob


class TrainingPanel(QWidget):
    """Train the open project and watch it learn.

    Parameters
    ----------
    document
        The open :class:`~studio.ui.document.Document` (or None; see :meth:`set_document`).
    registry
        The layer catalog the run compiles with.

    Signals
    -------
    message(str)
        One line for the status bar.
    findings_changed(list)
        Every doctor finding of the current run (dicts; ``node_id`` is set when a layer is concerned).
    node_activated(str)
        A finding about a layer was clicked: its node id.
    settings_changed()
        A training or data setting was stored in ``document.project`` (the project is modified).
    state_changed(str)
        ``idle``, ``starting``, ``running``, ``paused``, ``stopping``, ``finished``, ``stopped``, ``failed``.
    """

    message = Signal(str)
    findings_changed = Signal(list)
    node_activated = Signal(str)
    settings_changed = Signal()
    state_changed = Signal(str)
    checkpoint_written = Signal(str, str)  # run directory, kind (initial, last, best, epoch; stats: an npz)

    def __init__(self, document: Any = None, registry: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.document: Any = None  # set_document below connects it
        self.registry = registry
        self.session = TrainingSession(self)
        self.run_dir: Path | None = None
        self.findings: list[dict] = []
        self.summary: dict[str, Any] = {}
        self.failure = ""
        self._reset_clock()
        self.controls = RunControls()
        self.form = ConfigForm()
        self.curves = CurvesView()
        self.toolbar = CurvesToolbar(self.curves, self._runs_folder, lambda: self.run_dir)
        self.doctor = DoctorList()
        self.banner = QLabel()
        self._build()
        self._wire()
        self.set_document(document)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        self.banner.setObjectName("trainingBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            "QLabel#trainingBanner { background: rgba(214, 69, 69, 0.10); color: #c92a2a;"
            " border: 1px solid rgba(214, 69, 69, 0.45); border-radius: 4px; padding: 6px 8px; }"
        )
        self.banner.hide()
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(360)
        doctor_box = QWidget()
        doctor_layout = QVBoxLayout(doctor_box)
        doctor_layout.setContentsMargins(0, 0, 0, 0)
        doctor_layout.setSpacing(2)
        self.doctor_title = QLabel("<b>Training doctor</b>")
        self.doctor_title.setContentsMargins(4, 4, 0, 0)
        doctor_layout.addWidget(self.doctor_title)
        doctor_layout.addWidget(self.doctor)
        right = QSplitter(Qt.Orientation.Vertical)
        plots = QWidget()
        plots_layout = QVBoxLayout(plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        plots_layout.setSpacing(0)
        plots_layout.addWidget(self.toolbar)
        plots_layout.addWidget(self.curves, 1)
        right.addWidget(plots)
        right.addWidget(doctor_box)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setSizes([640, 110])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(scroll)
        body.addWidget(right)
        body.setStretchFactor(1, 1)
        body.setSizes([310, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self.banner)
        layout.addWidget(body, 1)

    def _wire(self) -> None:
        buttons = self.controls.buttons
        buttons["start"].clicked.connect(self.start)
        buttons["pause"].clicked.connect(self.pause)
        buttons["resume"].clicked.connect(self.resume)
        buttons["stop"].clicked.connect(self.stop)
        self.form.changed.connect(self._commit_settings)
        self.form.changed.connect(self.settings_changed)
        self.doctor.node_activated.connect(self.node_activated)
        self.toolbar.message.connect(self.message)
        self.session.progressed.connect(self._on_events)
        self.session.diagnosed.connect(self._on_findings)
        self.session.failed.connect(self._on_failed)
        self.session.finished.connect(self._on_finished)

    # ------------------------------------------------------------ API
    @property
    def state(self) -> str:
        """The run's state (see ``state_changed``)."""
        return self.controls.state

    def set_document(self, document: Any) -> None:
        """Edit and train ``document`` (None: nothing open). A running run keeps training its snapshot."""
        if self.document is not None:
            self.document.settings_changed.disconnect(self._show_settings)
        self.document = document
        if document is not None:
            document.settings_changed.connect(self._show_settings)
        self._show_settings()
        self.controls.buttons["start"].setEnabled(document is not None and self.state in _IDLE)

    def _show_settings(self) -> None:
        """Show the document's settings (after opening it, or after an undo of a settings edit)."""
        self.form.set_project(self.document.project if self.document is not None else None)

    def _commit_settings(self) -> None:
        """A form edit changed the project's settings: record it as an undoable step."""
        if self.document is not None:
            self.document.commit_settings()

    def start(self) -> bool:
        """Train a snapshot of the project in a training process; False (and a message) if it cannot start."""
        if self.document is None or self.session.running:
            return False
        problem = self._start_problem()
        if problem:
            self._show_failure(problem)
            self.message.emit(problem)
            return False
        from studio.core.serialize import project_to_dict

        project = self.document.project
        self.run_dir = _unique(self._runs_folder() / time.strftime("%Y%m%d-%H%M%S"))
        job = TrainingJob(
            project_to_dict(project),
            dict(project.training or {}),
            dict(project.data or {}),
            str(self.run_dir),
            self.registry,
        )
        self._node_ids = {n.name: n.id for n in project.graph.nodes.values()}
        self._clear_run()
        self._set_state("starting")
        self.session.start(job)
        self.message.emit(f"Training started: {self.run_dir}")
        return True

    def pause(self) -> None:
        """Hold the run between batches."""
        if self.state == "running":
            self.session.set_paused(True)
            self._pause_t0 = time.monotonic()
            self._set_state("paused")

    def resume(self) -> None:
        """Continue a paused run."""
        if self.state == "paused":
            self.session.set_paused(False)
            self._paused_s += time.monotonic() - self._pause_t0
            self._set_state("running")

    def stop(self) -> None:
        """Stop between batches; the run ends with status ``stopped`` (resumable from the CLI)."""
        if self.state in ("starting", "running", "paused"):
            self.session.request_stop()
            self._set_state("stopping")

    def shutdown(self) -> None:
        """Stop the run and join its thread (call when the window closes)."""
        if self.session.running or self.session.thread is not None:
            self.session.shutdown()
            if self.state in ("starting", "running", "paused", "stopping"):
                self._set_state("stopped")
        self.curves.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """A top-level panel stops its run when closed."""
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------ events
    def _on_events(self, events: list) -> None:
        from studio.training.events import (
            Checkpointed,
            EpochEnd,
            RunFinished,
            RunStarted,
            StatsRecorded,
            StepEnd,
        )

        curves = self.curves.current
        for event in events:
            if isinstance(event, StepEnd):
                curves.add_step(event.step, vars(event))
                self._last = event
                if math.isfinite(event.samples_per_s):
                    s = self._speed
                    self._speed = (
                        event.samples_per_s if math.isnan(s) else 0.9 * s + 0.1 * event.samples_per_s
                    )
            elif isinstance(event, EpochEnd):
                curves.add_epoch(event.epoch, event.metrics)
            elif isinstance(event, RunStarted):
                self._started = event
                self._t0 = time.monotonic()
                if self.state == "starting":
                    self._set_state("running")
            elif isinstance(event, RunFinished):
                self.summary = dict(event.summary)
            elif isinstance(event, Checkpointed) and self.run_dir is not None:
                self.checkpoint_written.emit(str(self.run_dir), event.kind)
            elif isinstance(event, StatsRecorded) and self.run_dir is not None:
                self.checkpoint_written.emit(str(self.run_dir), "stats")
        self.curves.mark_dirty()
        self._update_progress()

    def _note_speed(self, value: float) -> None:
        if math.isfinite(value):
            old = self._speed
            self._speed = value if math.isnan(old) else 0.9 * old + 0.1 * value

    def _update_progress(self) -> None:
        started, last = self._started, self._last
        if started is None:
            return
        total = started.epochs * started.steps_per_epoch
        first = (started.start_epoch - 1) * started.steps_per_epoch + started.start_step
        step = last.step if last is not None else first
        epoch = last.epoch if last is not None else started.start_epoch
        self.controls.set_progress(step, total, epoch, started.epochs)
        elapsed = time.monotonic() - self._t0 - self._paused_s
        done = step - first
        eta = elapsed / done * (total - step) if done > 0 else math.nan
        self.controls.set_detail(eta, elapsed, self._speed)

    def _on_findings(self, findings: list) -> None:
        for finding in findings:
            node = finding.get("node")
            finding["node_id"] = self._node_ids.get(node, node if node in self._node_ids.values() else None)
        self.findings.extend(findings)
        self.doctor.add_findings(findings)
        self.doctor_title.setText(f"<b>Training doctor</b> &nbsp;·&nbsp; {self.doctor.count} finding(s)")
        self.findings_changed.emit(list(self.findings))

    def _on_failed(self, message: str) -> None:
        self.failure = message
        self._show_failure(message)
        self.message.emit(f"Training failed: {message}")

    def _on_finished(self) -> None:
        status = self.summary.get("status") or ("failed" if self.failure else "stopped")
        self._set_state(status if status in ("finished", "stopped", "failed") else "stopped")
        self.curves.redraw()
        if status != "failed":
            self.message.emit(f"Training {status}: {self.run_dir}")
        self.toolbar.refresh_runs()

    # ------------------------------------------------------------ helpers
    def _start_problem(self) -> str:
        report = self.document.report
        if report.errors:
            node, _port, text = report.errors[0]
            name = self.document.graph.nodes[node].name if node in self.document.graph.nodes else node
            return f"Fix the graph first: {name}: {text}"
        problem = self.form.validate()
        if problem:
            return problem
        if not (self.document.project.data or {}).get("dataset"):
            return "Choose a dataset first."
        return ""

    def _runs_folder(self) -> Path:
        from studio.ui.training.runs import runs_folder

        return runs_folder(getattr(self.document, "path", None))

    def _reset_clock(self) -> None:
        self._started: Any = None
        self._last: Any = None
        self._t0 = time.monotonic()
        self._paused_s = 0.0
        self._pause_t0 = 0.0
        self._speed = math.nan
        self._node_ids: dict[str, str] = {}

    def _clear_run(self) -> None:
        node_ids = self._node_ids
        self._reset_clock()
        self._node_ids = node_ids
        self.summary, self.failure, self.findings = {}, "", []
        self.banner.hide()
        self.curves.reset()
        self.doctor.clear_findings()
        self.doctor_title.setText("<b>Training doctor</b>")
        self.findings_changed.emit([])

    def _show_failure(self, message: str) -> None:
        self.banner.setText(f"<b>Training failed.</b> {message}" if self.session.running else message)
        self.banner.show()

    def _set_state(self, state: str) -> None:
        self.controls.set_state(state)
        self.form.setEnabled(self.document is not None and state in _IDLE)
        self.state_changed.emit(state)


_IDLE = ("idle", "finished", "stopped", "failed")


def _unique(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
