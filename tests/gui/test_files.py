"""Files: save/open round trip, dirty marker, the prompt before closing, recovery, recent, drop, export."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QThread, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from studio.core.serialize import project_to_dict
from studio.ui.files import Autosaver, RecentFiles
from tests.gui.conftest import answer_next_dialog

pytestmark = pytest.mark.gui


def save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def graph_dict(window) -> dict:
    return project_to_dict(window.document.project)["graph"]


def edit(window) -> str:
    doc = window.document
    conv = next(n.id for n in doc.graph.nodes.values() if n.type == "core.conv2d")
    assert doc.set_param(conv, "out_channels", 8) == ""
    return conv


def test_save_close_open_restores_the_same_graph(lenet_window, make_window, tmp_path, monkeypatch):
    edit(lenet_window)
    lenet_window.document.rename(next(iter(lenet_window.document.graph.nodes)), "pixels")
    before = graph_dict(lenet_window)
    target = tmp_path / "net.nsproj.json"
    save_to(monkeypatch, target)
    lenet_window.actions_["save"].trigger()
    assert target.is_file() and not lenet_window.io.is_dirty()
    assert lenet_window.close()
    again = make_window()
    assert again.open_project(target) == ""
    assert graph_dict(again) == before


def test_dirty_marker_and_prompt_before_closing(lenet_window, qtbot, tmp_path, monkeypatch):
    win = lenet_window
    assert not win.windowTitle().startswith("Untitled (LeNet-5)*")
    edit(win)
    assert win.windowTitle() == "Untitled (LeNet-5)* — NetStudio"
    seen = answer_next_dialog(qtbot, QMessageBox.StandardButton.Cancel)
    assert not win.close()  # Cancel keeps the window and the work
    assert seen and "Save the changes" in seen[0]
    assert win.isVisible() and win.io.is_dirty()
    target = tmp_path / "kept.nsproj.json"
    save_to(monkeypatch, target)
    answer_next_dialog(qtbot, QMessageBox.StandardButton.Save)
    assert win.close()
    assert target.is_file()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert any(n["params"].get("out_channels") == 8 for n in data["graph"]["nodes"])


def test_discard_closes_without_saving(lenet_window, qtbot):
    edit(lenet_window)
    answer_next_dialog(qtbot, QMessageBox.StandardButton.Discard)
    assert lenet_window.close()


def test_recovery_is_offered_after_a_crash(lenet_window, make_window, qtbot):
    conv = edit(lenet_window)
    assert lenet_window.io.autosave()  # what the one-minute timer does
    assert Autosaver.project_file().is_file()
    expected = graph_dict(lenet_window)
    # Simulated crash: the window goes away without closeEvent (no clean shutdown).
    lenet_window.io.autosaver.stop()
    lenet_window.document.history.set_clean()
    fresh = make_window()
    assert fresh.banner.isVisible() and "Recover" in fresh.banner.buttons
    assert "LeNet-5" in fresh.banner.text.text()
    qtbot.mouseClick(fresh.banner.buttons["Recover"], Qt.MouseButton.LeftButton)
    assert not fresh.banner.isVisible()
    assert graph_dict(fresh) == expected
    assert fresh.document.graph.node(conv).params["out_channels"] == 8
    assert fresh.io.is_dirty() and fresh.windowTitle().endswith("* — NetStudio")


def test_declining_recovery_deletes_it(lenet_window, make_window, qtbot):
    edit(lenet_window)
    lenet_window.io.autosave()
    lenet_window.document.history.set_clean()
    fresh = make_window()
    qtbot.mouseClick(fresh.banner.buttons["Discard"], Qt.MouseButton.LeftButton)
    assert Autosaver.pending() is None and fresh.document is None


def test_clean_close_leaves_no_recovery_file(lenet_window, qtbot):
    edit(lenet_window)
    lenet_window.io.autosave()
    answer_next_dialog(qtbot, QMessageBox.StandardButton.Discard)
    assert lenet_window.close()
    assert Autosaver.pending() is None


def test_recent_files_are_remembered_and_listed(make_window, tmp_path):
    from studio.core.serialize import save_project
    from studio.templates import get_template

    paths = []
    for name in ("mlp", "lenet5"):
        path = tmp_path / f"{name}.nsproj.json"
        save_project(get_template(name).build(), path)
        paths.append(path)
    win = make_window()
    for path in paths:
        assert win.open_project(path) == ""
    assert RecentFiles().paths()[:2] == [p.resolve() for p in reversed(paths)]
    win.io.close_project()
    items = [win.start_page.recent.item(i).text() for i in range(win.start_page.recent.count())]
    assert items[:2] == ["lenet5", "mlp"]
    win.start_page.recent_requested.emit(str(paths[0]))
    assert win.document.path == paths[0]


def test_dropping_a_project_file_opens_it(make_window, tmp_path):
    from studio.core.serialize import save_project
    from studio.templates import get_template

    path = tmp_path / "dropped.nsproj.json"
    save_project(get_template("mlp").build(), path)
    win = make_window()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(event)
    assert win.document is not None and win.document.path == path
    assert "dropped.nsproj.json" in win.windowTitle()


def test_export_python_writes_runnable_source(lenet_window, tmp_path, monkeypatch):
    out = tmp_path / "lenet.py"
    save_to(monkeypatch, out)
    lenet_window.actions_["export_python"].trigger()
    source = out.read_text(encoding="utf-8")
    assert "class Net(nn.Module)" in source and "Conv2d" in source


def test_no_timer_or_thread_left_after_close(lenet_window, qtbot):
    win = lenet_window
    edit(win)
    assert win.io.autosaver.timer.isActive()
    answer_next_dialog(qtbot, QMessageBox.StandardButton.Discard)
    assert win.close()
    QApplication.processEvents()
    running = [t for t in win.findChildren(QTimer) if t.isActive()]
    assert running == []
    assert [t for t in win.findChildren(QThread) if t.isRunning()] == []
