"""The main window: menus, toolbar, status bar and the dockable panels.

Thin by design (Orange's 2.8k-line ``CanvasMainWindow`` is the warning): it
builds the panels, puts them in docks and wires signals. Editing goes through
the :class:`~studio.ui.document.Document`; files through
:class:`~studio.ui.project_io.ProjectIO`; each panel is its own class.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio import __version__
from studio.templates import TEMPLATES
from studio.ui.actions import ACTIONS, build_actions
from studio.ui.banner import Banner
from studio.ui.blocks import BlockController
from studio.ui.canvas import CanvasWidget
from studio.ui.docks import Area, add_dock, scrolling
from studio.ui.errors_panel import ErrorsPanel
from studio.ui.files import RecentFiles, settings
from studio.ui.history_panel import HistoryPanel
from studio.ui.inspect import InspectionPanel
from studio.ui.inspector import InspectorPanel
from studio.ui.palette import PalettePanel
from studio.ui.project_io import ProjectIO
from studio.ui.resources import apply_theme, current_theme, icon
from studio.ui.start_page import StartPage
from studio.ui.summary import SummaryPanel, build_summary
from studio.ui.training import TrainingPanel

if TYPE_CHECKING:
    from studio.layers.registry import LayerRegistry
    from studio.ui.document import Document

log = logging.getLogger(__name__)
TOOLBAR = (
    *("new_project", "choose_and_open", "save", None, "undo", "redo", None),
    *("delete_selection", "fit_view", None, "export_python", None, "toggle_theme"),
)
READABLE_ZOOM = 0.6  # below this the canvas draws cards without their shape and parameter lines
CANVAS_ACTIONS = ("cut", "copy", "paste", "duplicate", "fit_view")


class MainWindow(QMainWindow):
    """The application window for one project at a time.

    Parameters
    ----------
    registry
        The layer catalog shown in the palette and used to load projects.
    session
        False for throwaway windows (``--screenshot``): no recovery offer, no
        recent files, no saved layout.
    """

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None, session: bool = True) -> None:
        super().__init__(parent)
        self.registry, self.session = registry, session
        self.document: Document | None = None
        self.project_title = ""
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.actions_ = build_actions(self)
        self.io = ProjectIO(self)
        self._build_central()
        self._build_docks()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._wire()
        self.set_document(None)
        if session:
            self._restore_layout()
            self.io.offer_recovery()

    # ------------------------------------------------------------- building
    def _build_central(self) -> None:
        self.banner = Banner()
        self.start_page = StartPage(self.registry)
        self.summary_panel = SummaryPanel()
        self.pages = QStackedWidget()
        self.pages.setObjectName("centralPages")
        self.pages.addWidget(self.start_page)
        self.canvas = CanvasWidget()
        self.editor_host = self.canvas
        self.pages.addWidget(self.canvas)
        self.canvas.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.canvas.node_activated.connect(self._select_on_canvas)
        central = QWidget()
        central.setObjectName("centralArea")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.palette_panel = PalettePanel(self.registry)
        self.inspector = InspectorPanel()
        self.errors_panel = ErrorsPanel()
        self.history_panel = HistoryPanel()
        self.layers_dock = add_dock(self, "layersDock", "Layers", self.palette_panel, Area.LeftDockWidgetArea)
        self.layers_dock.setMinimumWidth(270)
        self.inspector_dock = add_dock(
            self, "inspectorDock", "Inspector", self.inspector, Area.RightDockWidgetArea
        )
        self.inspector_dock.setMinimumWidth(330)
        self.history_dock = add_dock(
            self, "historyDock", "History", self.history_panel, Area.RightDockWidgetArea
        )
        self.errors_dock = add_dock(
            self, "problemsDock", "Problems", self.errors_panel, Area.BottomDockWidgetArea
        )
        self.summary_dock = add_dock(
            self, "summaryDock", "Summary", self.summary_panel, Area.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.errors_dock, self.summary_dock)
        self.summary_panel.set_compact(True)
        self.training_panel = TrainingPanel(None, self.registry)
        self.training_dock = add_dock(
            self, "trainingDock", "Training", self.training_panel, Area.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.summary_dock, self.training_dock)
        self.training_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.training_panel.node_activated.connect(self.select_node)
        self.training_panel.settings_changed.connect(self.update_state)
        self.inspection_panel = InspectionPanel(self.registry)
        self.inspection_dock = add_dock(
            self, "inspectionDock", "Inspection", scrolling(self.inspection_panel), Area.BottomDockWidgetArea
        )
        # Curves and inspection views need room: raising their tab enlarges the bottom area.
        for dock, share in ((self.training_dock, 0.45), (self.inspection_dock, 0.55)):
            dock.visibilityChanged.connect(lambda visible, d=dock, f=share: self._make_room(d, f, visible))
        self.tabifyDockWidget(self.training_dock, self.inspection_dock)
        self.inspection_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.training_panel.checkpoint_written.connect(self.inspection_panel.checkpoint_written)
        self.inspection_panel.node_statistic.connect(self._show_node_statistic)
        self.inspection_panel.clear_node_statistic.connect(self.canvas.clear_statistic)
        self.canvas.legend.cleared.connect(self.inspection_panel.node_stats.reset)
        self.training_panel.findings_changed.connect(self.canvas.show_findings)
        self.summary_dock.raise_()
        self.splitDockWidget(self.inspector_dock, self.history_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.inspector_dock, self.history_dock], [640, 200], Qt.Orientation.Vertical)
        self.resizeDocks([self.errors_dock], [250], Qt.Orientation.Vertical)

    def _build_menus_and_toolbar(self) -> None:
        a = self.actions_
        menus = {name: self.menuBar().addMenu(f"&{name}") for name in ("File", "Edit", "View", "Help")}
        for spec in ACTIONS:
            if spec.name in (
                "save",
                "export_python",
                "quit",
                "undo",
                "cut",
                "delete_selection",
                "group_block",
                "toggle_theme",
            ):
                menus[spec.menu].addSeparator()
            menus[spec.menu].addAction(a[spec.name])
            if spec.name == "choose_and_open":
                self.templates_menu = menus["File"].addMenu("New from &Template")
                self.recent_menu = menus["File"].addMenu("Open &Recent")
        for template in TEMPLATES:
            action = self.templates_menu.addAction(template.title)
            action.setStatusTip(template.description)
            action.triggered.connect(lambda _=False, t=template.name: self.io.new_from_template(t))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        view = menus["View"]
        view.addSeparator()
        panels = view.addMenu("&Panels")
        for dock in self.findChildren(type(self.layers_dock)):
            panels.addAction(dock.toggleViewAction())
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setMovable(False)
        for name in TOOLBAR:
            self.toolbar.addSeparator() if name is None else self.toolbar.addAction(a[name])
        panels.addAction(self.toolbar.toggleViewAction())
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problemsLabel")
        self.catalog_label = QLabel(f"{len(self.registry.all())} layer types")
        self.statusBar().addPermanentWidget(self.problems_label)
        self.statusBar().addPermanentWidget(self.catalog_label)
        self.statusBar().showMessage("Ready")

    def _wire(self) -> None:
        self.blocks = BlockController(self)  # group/expand/edit blocks; palette's project blocks
        for spec in ACTIONS:
            target = getattr(self.io, spec.name, None) or getattr(self.blocks, spec.name, None)
            target = target or getattr(self, spec.name)
            self.actions_[spec.name].triggered.connect(target)
        self.actions_["toggle_theme"].setChecked(current_theme(QApplication.instance()) == "dark")
        self.start_page.new_requested.connect(self.io.new_blank)
        self.start_page.open_requested.connect(self.io.choose_and_open)
        self.start_page.template_requested.connect(self.io.new_from_template)
        self.start_page.recent_requested.connect(self.io.open_recent)
        self.palette_panel.add_requested.connect(self.add_layer)
        for panel in (self.summary_panel, self.errors_panel):
            panel.node_activated.connect(self.select_node)
        self.errors_panel.message.connect(lambda text: self.statusBar().showMessage(text, 5000))

    # ----------------------------------------------------------- documents
    @property
    def save_action(self):
        """File → Save (kept as an attribute for scripts and tests)."""
        return self.actions_["save"]

    def open_project(self, path: str | Path) -> str:
        """Open ``path``; "" on success, else the one-line error also shown in the window."""
        return self.io.open_project(path)

    def set_document(self, document: Document | None, title: str = "") -> None:
        """Show ``document`` in every panel (None: the start page)."""
        old = self.document
        if old is not None:
            for signal, slot in self._document_slots(old):
                signal.disconnect(slot)
        self.document, self.project_title = document, title
        if document is None or document is not old:
            self.training_panel.shutdown()  # a run belongs to the project it started from
        panels = (self.inspector, self.errors_panel, self.history_panel, self.training_panel)
        for panel in (*panels, self.inspection_panel):
            panel.set_document(document)
        self._show_in_canvas(document)
        if old is not None:
            old.close()
            old.deleteLater()
        if document is not None:
            for signal, slot in self._document_slots(document):
                signal.connect(slot)
            self.refresh_summary()
            self.pages.setCurrentWidget(self.editor_host)
        else:
            self.start_page.set_recent(RecentFiles().paths() if self.session else [])
            self.pages.setCurrentWidget(self.start_page)
            self.problems_label.setText("")
        self.update_state()
        self.blocks.set_document(document)

    def _document_slots(self, document: Document) -> list:
        return [
            (document.report_changed, self.refresh_summary),
            (document.history_changed, self.update_state),
            (document.selection_changed, self.summary_panel.select_nodes),
            (document.selection_changed, self._inspect_selection),
        ]

    def _make_room(self, dock, share: float, visible: bool) -> None:
        """Give a raised ``dock`` at least ``share`` of the window's height (docked, not floating)."""
        if visible and not dock.isFloating():
            wanted = int(share * self.height())
            if dock.height() < wanted:
                self.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def _inspect_selection(self, ids: list) -> None:
        """The inspection views look at the node selected on the canvas (by name, as the run knows it)."""
        nodes = self.document.graph.nodes if self.document is not None else {}
        self.inspection_panel.select_nodes([nodes[i].name for i in ids if i in nodes])

    def _show_node_statistic(self, title: str, values: dict, log: bool) -> None:
        """Colour the canvas cards by a statistic of the inspected run (its values keyed by node name)."""
        nodes = self.document.graph.nodes if self.document is not None else {}
        ids = {node.name: node_id for node_id, node in nodes.items()}
        self.canvas.show_statistic(title, {ids[n]: v for n, v in values.items() if n in ids}, log)

    def _show_in_canvas(self, document: Document | None) -> None:
        """Point the canvas at ``document``."""
        if document is None:
            self.canvas.close_document()
        else:
            self.canvas.set_document(document)
            # Fit again once the layout has given the canvas its real size.
            QTimer.singleShot(0, self, self._initial_view)

    def refresh_summary(self, *_: object) -> None:
        """Redraw the summary and the problem count from the document's latest report."""
        if self.document is None:
            return
        report = self.document.report
        summary = build_summary(self.document.graph, self.registry, report)
        self.summary_panel.show_summary(self.project_title, summary)
        count = len(report.errors)
        self.problems_label.setText(f"⚠ {count} problem{'s' * (count != 1)}" if count else "✓ shapes valid")
        self.problems_label.setProperty("state", "error" if count else "ok")
        self.problems_label.style().polish(self.problems_label)

    def update_state(self) -> None:
        """Enable actions, label undo/redo and show the dirty marker in the title."""
        doc, a = self.document, self.actions_
        for spec in ACTIONS:
            a[spec.name].setEnabled(doc is not None or not spec.needs_project)
        for name in CANVAS_ACTIONS:
            a[name].setEnabled(doc is not None)
        if doc is not None:
            a["undo"].setEnabled(doc.history.can_undo)
            a["redo"].setEnabled(doc.history.can_redo)
            a["undo"].setText(f"&Undo {doc.history.undo_text()}".rstrip())
            a["redo"].setText(f"&Redo {doc.history.redo_text()}".rstrip())
        dirty = self.io.is_dirty()
        name = (doc.path.name if doc is not None and doc.path else self.project_title) if doc else ""
        self.setWindowTitle(f"{name}{'*' if dirty else ''} — NetStudio" if name else "NetStudio")

    # ------------------------------------------------------------- editing
    def add_layer(self, type_id: str) -> None:
        """Add a layer of ``type_id`` right of the rightmost node and select it (palette double-click)."""
        if self.document is None:
            self.io.new_blank()
        self.canvas.view.drop_layer(type_id, self.canvas.view.viewport().rect().center())

    def select_node(self, node_id: str) -> None:
        """Select ``node_id`` and bring the inspector forward."""
        if self.document is not None and node_id in self.document.graph.nodes:
            self.document.select([node_id])
            self.inspector_dock.raise_()

    def _select_on_canvas(self, node_id: str) -> None:
        """A card was double-clicked: its id belongs to the graph the canvas shows (a block
        definition while one is edited), not necessarily to the project's graph.
        """
        document = self.canvas.document or self.document
        if document is not None and node_id in document.graph.nodes:
            document.select([node_id])
            self.inspector_dock.raise_()

    def import_data(self) -> None:
        """File → Import Data: the training panel's data wizard."""
        self.training_dock.show()
        self.training_dock.raise_()
        self.training_panel.form.dataset.import_data()

    def undo(self) -> None:
        """Undo the last step."""
        if self.document is not None:
            self.document.undo()

    def redo(self) -> None:
        """Redo the last undone step."""
        if self.document is not None:
            self.document.redo()

    def _route(self, name: str) -> bool:
        """Run the canvas operation ``name``; False when no project is open."""
        if self.document is None:
            return False
        getattr(self.canvas.ops, name)()
        return True

    def cut(self) -> None:
        """Cut the selection (canvas)."""
        self._route("cut")

    def copy(self) -> None:
        """Copy the selection (canvas)."""
        self._route("copy")

    def paste(self) -> None:
        """Paste (canvas)."""
        self._route("paste")

    def duplicate(self) -> None:
        """Duplicate the selection (canvas)."""
        self._route("duplicate")

    def fit_view(self) -> None:
        """Fit the whole graph in the canvas."""
        if self.document is not None:
            self.canvas.view.fit()

    def _initial_view(self) -> None:
        """Fit the graph, but never so small that the cards lose their text: long chains
        open readable at their inputs, and the minimap shows the rest.
        """
        if self.document is None:
            return
        view = self.canvas.view
        view.fit()
        if view.zoom() < READABLE_ZOOM and self.document.graph.nodes:
            first = next(iter(self.document.graph.nodes.values())).position
            view.set_zoom(READABLE_ZOOM)
            left = view.mapToScene(view.viewport().rect()).boundingRect()
            view.centerOn(
                first[0] + left.width() / 2 - 60, view.mapToScene(view.viewport().rect().center()).y()
            )

    def delete_selection(self) -> None:
        """Delete the selected nodes as one undo step."""
        if not self._route("delete_selection") and self.document is not None and self.document.selection:
            self.document.remove_nodes(list(self.document.selection))

    def select_all(self) -> None:
        """Select every node."""
        if not self._route("select_all") and self.document is not None:
            self.document.select(list(self.document.graph.nodes))

    # ---------------------------------------------------------- view, misc
    def toggle_theme(self, dark: bool) -> None:
        """Switch between the light and dark themes (remembered)."""
        theme = apply_theme(QApplication.instance(), "dark" if dark else "light")
        self.canvas.refresh_theme()
        if self.session:
            settings().setValue("ui/theme", theme)

    def toggle_full_screen(self, on: bool) -> None:
        """Full screen on/off."""
        self.showFullScreen() if on else self.showNormal()

    def quit(self) -> None:
        """Close the window (asks about unsaved work)."""
        self.close()

    def show_about(self) -> None:
        """The About box: version and the libraries it runs on."""
        QMessageBox.about(
            self,
            "About NetStudio",
            f"<h3>NetStudio {__version__}</h3><p>Design, train and understand neural networks.</p>"
            f"<p>PySide6 {pyside_version}</p>",
        )

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in RecentFiles().paths():
            action = self.recent_menu.addAction(path.name)
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=str(path): self.io.open_recent(p))
        self.recent_menu.setEnabled(True)
        if not self.recent_menu.actions():
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _restore_layout(self) -> None:
        store = settings()
        geometry, state = store.value("ui/geometry"), store.value("ui/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # -------------------------------------------------------------- events
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Ask about unsaved work; then stop timers, forget the recovery file, save the layout."""
        if not self.io.confirm_discard():
            event.ignore()
            return
        if self.session:
            store = settings()
            store.setValue("ui/geometry", self.saveGeometry())
            store.setValue("ui/state", self.saveState())
        self.io.shutdown()
        self.training_panel.shutdown()  # stop a run and join its thread before widgets go away
        self.inspection_panel.shutdown()
        self.set_document(None)
        self.statusBar().clearMessage()  # stops the status bar's message timer
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        """Accept a dragged project file."""
        if ProjectIO.dropped_project(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        """Open a dropped project file."""
        path = ProjectIO.dropped_project(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.io.open_recent(str(path))
