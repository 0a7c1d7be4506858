"""File handling of the main window: new, open, save, export, recent files, autosave and recovery.

One small class so the window only wires: every method here is an action's
slot or a helper the window calls. Loading and saving themselves live in
:mod:`studio.core.serialize` (atomic saves) and :mod:`studio.layers.validation`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QMessageBox

from studio.ui.files import Autosaver, RecentFiles

if TYPE_CHECKING:
    from studio.core.serialize import Project
    from studio.ui.main_window import MainWindow

log = logging.getLogger(__name__)
PROJECT_FILTER = "NetStudio projects (*.nsproj.json);;JSON files (*.json);;All files (*)"
PROJECT_SUFFIXES = (".nsproj.json", ".json")


def _stem(path: Path) -> str:
    return path.name.removesuffix(".nsproj.json").removesuffix(".json")


class ProjectIO:
    """The file side of a :class:`~studio.ui.main_window.MainWindow`."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.recovered = False  # the open project came from a recovery file: unsaved until saved
        self.owns_recovery = False  # this session wrote (or settled) the recovery file
        self.autosaver = Autosaver(self._snapshot, parent=window)

    # -------------------------------------------------------------- state
    def is_dirty(self) -> bool:
        """True when the open project has edits that are not saved."""
        doc = self.window.document
        return doc is not None and (doc.is_dirty() or self.recovered)

    def _snapshot(self) -> tuple[Project, Path | None, str, bool] | None:
        doc = self.window.document
        if doc is None:
            return None
        return doc.project, doc.path, self.window.project_title, self.is_dirty()

    def autosave(self) -> bool:
        """Write the recovery file now (the timer does this every minute)."""
        written = self.autosaver.autosave()
        self.owns_recovery |= written
        return written

    # ---------------------------------------------------------- documents
    def _show(self, project: Project | None, path: Path | None, title: str) -> None:
        from studio.ui.document import Document

        document = Document(self.window.registry, project, path, parent=self.window)
        self.recovered = False
        self.window.set_document(document, title)

    def new_project(self) -> None:
        """File → New: close the project (asking about unsaved work) and show the start page."""
        if self.confirm_discard():
            self.window.set_document(None)

    def new_blank(self) -> None:
        """An empty, untitled project."""
        if self.confirm_discard():
            self._show(None, None, "Untitled")
            self.window.statusBar().showMessage("New blank project: drag layers from the palette", 5000)

    def new_from_template(self, name: str) -> None:
        """Open a built-in template as a new, untitled project (Save asks for a file)."""
        from studio.templates import get_template

        template = get_template(name)
        if template is None or not self.confirm_discard():
            return
        self._show(template.build(), None, f"Untitled ({template.title})")
        self.window.statusBar().showMessage(f"New project from the {template.title} template", 5000)

    def open_project(self, path: str | Path) -> str:
        """Load ``path``; on failure keep the window usable.

        Returns
        -------
        str
            ``""`` on success, else the one-line error also shown in the window.
        """
        from studio.core.serialize import ProjectError
        from studio.layers.validation import open_project

        path = Path(path)
        try:
            project = open_project(path, self.window.registry)
        except ProjectError as exc:
            return self._load_error(str(exc))
        except Exception as exc:  # a bug must not close the app with the user's work
            log.exception("loading %s failed", path)
            return self._load_error(f"{path}: unexpected error: {exc}")
        self._show(project, path, _stem(path))
        self._remember(path)
        self.window.statusBar().showMessage(f"Opened {path}", 5000)
        return ""

    def _load_error(self, message: str) -> str:
        if self.window.document is None:
            self.window.start_page.set_error(message)
        self.window.statusBar().showMessage(message)
        return message

    def choose_and_open(self) -> None:
        """Ask for a project file and open it."""
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open Project", "", PROJECT_FILTER)
        if path:
            self._open_or_warn(path)

    def open_recent(self, path: str) -> None:
        """Open a recent (or dropped) project, asking about unsaved work first."""
        if self.confirm_discard():
            self._open_or_warn(path)

    def _open_or_warn(self, path: str) -> None:
        error = self.open_project(path)
        if error:
            QMessageBox.warning(self.window, "Could not open the project", error)

    def close_project(self) -> None:
        """Close the project (asking about unsaved work) and show the start page."""
        if self.confirm_discard():
            self.window.set_document(None)

    # --------------------------------------------------------------- save
    def save(self) -> bool:
        """Write the project back to its file (ask for one if it is untitled); True when saved."""
        doc = self.window.document
        if doc is None:
            return False
        return self._save_to(doc.path) if doc.path is not None else self.save_as()

    def save_as(self) -> bool:
        """Ask for a file name and write the project there; True when saved."""
        doc = self.window.document
        if doc is None:
            return False
        start = str(
            doc.path or Path.cwd() / f"{_stem(Path(self.window.project_title or 'untitled'))}.nsproj.json"
        )
        path, _ = QFileDialog.getSaveFileName(self.window, "Save Project As", start, PROJECT_FILTER)
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        from studio.core.serialize import save_project

        doc = self.window.document
        if not path.name.endswith(PROJECT_SUFFIXES):
            path = path.with_name(path.name + ".nsproj.json")
        try:
            save_project(doc.project, path)
        except OSError as exc:
            QMessageBox.warning(self.window, "Could not save the project", f"{path}: {exc.strerror or exc}")
            return False
        doc.path, self.recovered = path, False
        self.window.project_title = _stem(path)
        doc.history.set_clean()  # emits history_changed: title and actions follow
        self._remember(path)
        Autosaver.discard()
        self.window.refresh_summary()
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_python(self) -> None:
        """Export the graph as readable PyTorch source (``.py``)."""
        from studio.compiler.export import write_python

        doc = self.window.document
        if doc is None:
            return
        start = str((doc.path.parent if doc.path else Path.cwd()) / "model.py")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export as PyTorch", start, "Python (*.py)")
        if not path:
            return
        try:
            write_python(doc.graph, self.window.registry, path)
        except Exception as exc:  # CompileError names the node; anything else is still the user's message
            QMessageBox.warning(self.window, "Could not export", str(exc))
            return
        self.window.statusBar().showMessage(f"Exported {path}", 5000)

    def _remember(self, path: Path) -> None:
        if self.window.session:
            RecentFiles().add(path)

    # ------------------------------------------------- unsaved work, recovery
    def confirm_discard(self) -> bool:
        """True when the open project may be closed: saved, or the user chose Save or Discard."""
        if not self.is_dirty():
            return True
        buttons = QMessageBox.StandardButton
        box = QMessageBox(self.window)
        box.setObjectName("unsavedPrompt")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{self.window.project_title}” before closing?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
        box.setDefaultButton(buttons.Save)
        answer = box.exec()
        if answer == buttons.Save:
            return self.save()
        if answer == buttons.Discard:
            self.recovered = False
            Autosaver.discard()
            return True
        return False

    def offer_recovery(self) -> None:
        """Offer the autosave of a session that ended without saving (a banner above the editor)."""
        pending = Autosaver.pending()
        if pending is None:
            return
        where = f" to {pending.original.name}" if pending.original else ""
        self.window.banner.show_message(
            f"NetStudio closed without saving changes{where} (“{pending.title}”). Recover them?",
            {"Recover": self.recover, "Discard": self.discard_recovery},
        )

    def recover(self) -> str:
        """Open the recovery file as the (unsaved) project it was an edit of; "" or the error."""
        from studio.core.serialize import ProjectError
        from studio.layers.validation import open_project

        pending = Autosaver.pending()
        if pending is None:
            return "nothing to recover"
        try:
            project = open_project(pending.path, self.window.registry)
        except ProjectError as exc:
            return self._load_error(str(exc))
        self._show(project, pending.original, pending.title)
        self.recovered = self.owns_recovery = True
        self.window.update_state()
        self.window.statusBar().showMessage("Recovered unsaved changes: save them to keep them", 8000)
        return ""

    def discard_recovery(self) -> None:
        """Delete the recovery file without opening it."""
        Autosaver.discard()
        self.window.banner.hide()

    def shutdown(self) -> None:
        """The window closes cleanly: stop autosaving and forget this session's recovery file."""
        self.autosaver.stop()
        if self.owns_recovery or (self.window.session and not self.window.banner.isVisible()):
            Autosaver.discard()

    @staticmethod
    def dropped_project(data: QMimeData) -> Path | None:
        """The project file in a drag's data, or None."""
        for url in data.urls() if data.hasUrls() else ():
            path = Path(url.toLocalFile())
            if path.name.endswith(PROJECT_SUFFIXES) and path.is_file():
                return path
        return None
