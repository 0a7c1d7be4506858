"""The main window: menus, the "Layers" dock and the project summary.

Thin by design (Orange's 2.8k-line ``CanvasMainWindow`` is the warning): it
builds widgets and wires actions; loading, saving and inference live in
:mod:`studio.core`, :mod:`studio.layers` and :mod:`studio.compiler`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from studio import __version__
from studio.templates import TEMPLATES
from studio.ui.empty_state import EmptyState
from studio.ui.palette import PalettePanel
from studio.ui.summary import SummaryPanel, build_summary

if TYPE_CHECKING:
    from studio.core.serialize import Project
    from studio.layers.registry import LayerRegistry

log = logging.getLogger(__name__)
PROJECT_FILTER = "NetStudio projects (*.nsproj.json);;JSON files (*.json);;All files (*)"


class MainWindow(QMainWindow):
    """The application window for one project at a time.

    Parameters
    ----------
    registry
        The layer catalog shown in the palette and used to load projects.
    """

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.project: Project | None = None
        self.project_path: Path | None = None
        self.project_title = ""
        self.setObjectName("mainWindow")
        self.setWindowTitle("NetStudio")

        self.palette_panel = PalettePanel(registry)
        self.layers_dock = QDockWidget("Layers", self)
        self.layers_dock.setObjectName("layersDock")
        self.layers_dock.setWidget(self.palette_panel)
        self.layers_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.layers_dock.setMinimumWidth(260)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layers_dock)

        self.empty_state = EmptyState()
        self.summary_panel = SummaryPanel()
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("centralPages")
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.summary_panel)
        self.setCentralWidget(self.pages)
        self.empty_state.open_requested.connect(self.choose_and_open)

        self.catalog_label = QLabel(f"{len(registry.all())} layer types")
        self.statusBar().addPermanentWidget(self.catalog_label)
        self._build_menus()
        self._update_actions()
        self.statusBar().showMessage("Ready")

    # ------------------------------------------------------------------ menus
    def _action(self, text: str, slot, shortcut: QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        self.new_action = QAction("&New Project", self)
        self.new_action.setEnabled(False)  # needs the graph editor, which has not landed yet
        self.new_action.setStatusTip("Arrives with the graph editor; meanwhile use `studio new`")
        self.open_action = self._action("&Open…", self.choose_and_open, QKeySequence.StandardKey.Open)
        self.save_action = self._action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        self.close_action = self._action("&Close Project", self.close_project, QKeySequence.StandardKey.Close)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.templates_menu = file_menu.addMenu("New from &Template")
        for template in TEMPLATES:
            action = self._action(template.title, lambda _=False, t=template.name: self.new_from_template(t))
            action.setStatusTip(template.description)
            self.templates_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action, self.close_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.layers_dock.toggleViewAction())
        self.full_screen_action = self._action("&Full Screen", self._toggle_full_screen, "F11")
        self.full_screen_action.setCheckable(True)
        view_menu.addAction(self.full_screen_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About NetStudio", self.show_about))
        help_menu.addAction(self._action("About &Qt", lambda: QMessageBox.aboutQt(self)))

    def _update_actions(self) -> None:
        loaded = self.project is not None
        for action in (self.save_action, self.save_as_action, self.close_action):
            action.setEnabled(loaded)
        name = self.project_path.name if self.project_path else (self.project_title if self.project else None)
        self.setWindowTitle(f"{name} — NetStudio" if name else "NetStudio")

    def _toggle_full_screen(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    # --------------------------------------------------------------- projects
    def open_project(self, path: str | Path) -> str:
        """Load ``path`` and show its summary; on failure keep the window usable.

        Returns
        -------
        str
            ``""`` on success, else the one-line error also shown in the window.
        """
        from studio.core.serialize import ProjectError
        from studio.layers.validation import open_project

        path = Path(path)
        try:
            project = open_project(path, self.registry)
        except ProjectError as exc:
            return self._show_load_error(str(exc))
        except Exception as exc:  # a bug must not close the app with the user's work
            log.exception("loading %s failed", path)
            return self._show_load_error(f"{path}: unexpected error: {exc}")
        self.project, self.project_path = project, path
        self.project_title = path.name.removesuffix(".nsproj.json")
        self.refresh_summary()
        self.pages.setCurrentWidget(self.summary_panel)
        self._update_actions()
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return ""

    def new_from_template(self, name: str) -> None:
        """Open a built-in template as a new, untitled project (Save asks for a file)."""
        from studio.core.serialize import project_from_dict, project_to_dict
        from studio.layers.ports import port_resolver
        from studio.layers.validation import param_validator
        from studio.templates import get_template

        template = get_template(name)
        if template is None:
            return
        # Through the file format, so the graph gets the catalog's ports and checks.
        raw = project_to_dict(template.build())
        self.project = project_from_dict(raw, port_resolver(self.registry), param_validator(self.registry))
        self.project_path = None
        self.project_title = f"Untitled ({template.title})"
        self.refresh_summary()
        self.pages.setCurrentWidget(self.summary_panel)
        self._update_actions()
        self.statusBar().showMessage(f"New project from the {template.title} template", 5000)

    def _show_load_error(self, message: str) -> str:
        if self.project is None:
            self.empty_state.set_error(message)
        self.statusBar().showMessage(message)
        return message

    def refresh_summary(self) -> None:
        """Recompute shape inference for the open project and redraw the table."""
        if self.project is None:
            return
        summary = build_summary(self.project.graph, self.registry)
        self.summary_panel.show_summary(self.project_title, summary)

    def close_project(self) -> None:
        """Forget the open project and show the empty state."""
        self.project = self.project_path = None
        self.empty_state.set_error("")
        self.pages.setCurrentWidget(self.empty_state)
        self._update_actions()
        self.statusBar().showMessage("Ready")

    def choose_and_open(self) -> None:
        """Ask for a project file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open Project", "", PROJECT_FILTER)
        if path:
            error = self.open_project(path)
            if error:
                QMessageBox.warning(self, "Could not open the project", error)

    def save(self) -> None:
        """Write the open project back to its file (ask for one if it is untitled)."""
        if self.project is not None and self.project_path is not None:
            self._save_to(self.project_path)
        elif self.project is not None:
            self.save_as()

    def save_as(self) -> None:
        """Ask for a file name and write the open project there."""
        if self.project is None:
            return
        start = str(self.project_path or "")
        path, _ = QFileDialog.getSaveFileName(self, "Save Project As", start, PROJECT_FILTER)
        if path:
            self._save_to(Path(path))

    def _save_to(self, path: Path) -> None:
        from studio.core.serialize import save_project

        try:
            save_project(self.project, path)
        except OSError as exc:
            QMessageBox.warning(self, "Could not save the project", f"{path}: {exc.strerror or exc}")
            return
        self.project_path = path
        self.project_title = path.name.removesuffix(".nsproj.json")
        self.refresh_summary()
        self._update_actions()
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def show_about(self) -> None:
        """The About box: version and the libraries it runs on."""
        QMessageBox.about(
            self,
            "About NetStudio",
            f"<h3>NetStudio {__version__}</h3>"
            "<p>Design, train and understand neural networks.</p>"
            f"<p>PySide6 {pyside_version}</p>",
        )
