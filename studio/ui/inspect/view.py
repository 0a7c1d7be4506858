"""The base of every inspection view: recompute when the subject changes, only while visible.

A view names what it depends on (:attr:`InspectView.depends_on`); when the
context changes one of those, the view is stale and recomputes the next time
it is shown (a hidden tab costs nothing). Computations go through the
context's :class:`~studio.ui.inspect.jobs.JobRunner`; errors show as a
message in the view, never a dialog or a crash.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from studio.ui.inspect.context import InspectionContext


class InspectView(QWidget):
    """A tab of the inspection panel.

    Subclasses set :attr:`title` and :attr:`depends_on`, build their widgets
    into :attr:`body` and implement :meth:`compute`, which submits a job and
    shows its result. ``self.show_message(text)`` replaces the body with a
    centred explanation; ``self.show_body()`` brings the body back.

    Signals
    -------
    message(str)
        Status-bar text.
    sample_requested(int, str)
        Show sample ``index`` of ``split`` (a click on a point, a mistake ...).
    """

    title = ""
    depends_on: frozenset[str] = frozenset({"run"})
    needs_run = True
    message = Signal(str)
    sample_requested = Signal(int, str)

    def __init__(self, context: InspectionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stale = True
        self.body = QWidget()
        self.note = QLabel()
        self.note.setObjectName("inspectNote")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.body)
        self.stack.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        context.changed.connect(self._on_changed)

    @property
    def key(self) -> str:
        """The job key of this view (a new job replaces the previous one)."""
        return f"view:{type(self).__name__}"

    def _on_changed(self, what: str) -> None:
        if what == "run" or what in self.depends_on:
            self.stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """A stale view recomputes when it becomes visible."""
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Recompute now (explains what is missing instead when there is no run)."""
        self.stale = False
        if self.needs_run and self.context.run is None:
            self.show_message(
                "Nothing to inspect yet.\n\nTrain the model in the Training panel, or open a run folder "
                "with “Open Run…” above."
            )
            return
        self.compute()

    def compute(self) -> None:
        """Submit the view's job (subclasses)."""
        raise NotImplementedError

    def submit(self, work, on_result, on_progress=None) -> None:
        """Run ``work(cancel)`` in the background; ``on_result`` in the GUI thread, errors shown here."""
        self.context.jobs.submit(self.key, work, on_result, self.show_message, on_progress)

    def show_message(self, text: str) -> None:
        """Replace the body by ``text`` (an error or what to do next)."""
        self.note.setText(text)
        self.stack.setCurrentWidget(self.note)

    def show_body(self) -> None:
        """Show the view's content again."""
        self.stack.setCurrentWidget(self.body)

    def export_png(self, path: str) -> bool:
        """Save what the view shows as a PNG."""
        return self.grab().save(path, "PNG")
