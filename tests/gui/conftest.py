"""GUI test setup: every test gets its own data dir (settings, recent files, recovery)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """NetStudio's per-user files go to a fresh folder, never the real profile."""
    monkeypatch.setenv("NETSTUDIO_DATA_DIR", str(tmp_path_factory.mktemp("netstudio-data")))


def _forget_unsaved_work(win) -> None:
    """Before pytest-qt closes a window: nothing left to prompt about."""
    if win.document is not None:
        win.document.history.set_clean()
    win.io.recovered = False


@pytest.fixture
def make_window(qtbot, registry):
    """Factory: a shown main window (a session window unless ``session=False``)."""
    from studio.ui.main_window import MainWindow

    def make(session: bool = True) -> MainWindow:
        win = MainWindow(registry, session=session)
        qtbot.addWidget(win, before_close_func=_forget_unsaved_work)
        win.resize(1400, 900)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


@pytest.fixture
def lenet_window(make_window):
    """A window with the LeNet-5 template open (untitled, clean)."""
    win = make_window()
    win.io.new_from_template("lenet5")
    return win


def answer_next_dialog(qtbot, button):
    """Click ``button`` (a QMessageBox.StandardButton) of the next modal message box."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen = []

    def click():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, click)
    return seen


def show_panel(qtbot, panel, size: tuple[int, int]):
    """Show ``panel`` at ``size`` for a test; pytest-qt calls its ``shutdown()`` before closing it."""
    qtbot.addWidget(panel, before_close_func=lambda w: w.shutdown())
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def make_panel(qtbot, registry, tmp_path):
    """Factory: ``make_panel(template="mlp", **training)`` -> a shown TrainingPanel.

    The project path is ``tmp_path/p.nsproj.json``, so runs go to ``tmp_path/runs/p/``.
    At teardown the run thread and the data dialogs' background jobs are stopped.
    """
    from studio.templates.catalog import get_template
    from studio.ui.document import Document
    from studio.ui.training import TrainingPanel

    panels = []

    def make(template: str = "mlp", **training):
        project = get_template(template).build()
        project.training.update(training)
        document = Document(registry, project, path=tmp_path / "p.nsproj.json")
        panels.append(show_panel(qtbot, TrainingPanel(document, registry), (1200, 760)))
        return panels[-1]

    yield make
    for panel in panels:
        chooser = panel.form.dataset
        for dialog in (chooser.wizard, chooser.augment_dialog):
            if dialog is not None:
                dialog.runner.shutdown()
        panel.shutdown()  # never leave a training thread behind, even when a test fails
