"""The main window offscreen, and ``studio --screenshot`` as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from studio.ui.main_window import MainWindow
from studio.ui.palette import TYPE_ID_ROLE

pytestmark = pytest.mark.gui


def studio(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def write_project(path: Path, nodes: list[dict], edges: list[dict]) -> Path:
    path.write_text(
        json.dumps({"format_version": 1, "graph": {"nodes": nodes, "edges": edges}}), encoding="utf-8"
    )
    return path


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


def test_window_opens_on_the_start_page(window):
    assert window.isVisible()
    assert window.pages.currentWidget() is window.start_page
    assert {card.template.name for card in window.start_page.cards} >= {"logreg", "mlp", "lenet5"}
    assert not window.save_action.isEnabled()
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Edit", "&View", "&Help"]
    docks = {d.objectName() for d in window.findChildren(type(window.layers_dock)) if d.isVisible()}
    assert {"layersDock", "inspectorDock", "problemsDock", "historyDock"} <= docks


def test_palette_lists_every_layer_with_title_and_description(window, registry):
    tree = window.palette_panel.tree
    linear = registry.get("core.linear")
    item = tree.item_for("core.linear")
    assert item is not None and item.text(0) == linear.title
    assert linear.description in item.toolTip(0)
    assert tree.visible_type_ids() == [
        spec.type_id for group in registry.categories().values() for spec in group
    ]


def test_search_box_hides_non_matching_layers(window, qtbot):
    panel = window.palette_panel
    qtbot.keyClicks(panel.search, "linear")
    shown = panel.tree.visible_type_ids()
    assert "core.linear" in shown
    assert "core.conv2d" not in shown
    assert panel.tree.item_for("core.conv2d").isHidden()
    # Categories without a match disappear too.
    groups = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    assert all(g.isHidden() == all(g.child(r).isHidden() for r in range(g.childCount())) for g in groups)
    panel.search.clear()
    assert not panel.tree.item_for("core.conv2d").isHidden()
    assert panel.tree.item_for("core.conv2d").data(0, TYPE_ID_ROLE) == "core.conv2d"


def test_opening_a_project_fills_the_summary(window, tmp_path):
    path = write_project(
        tmp_path / "tiny.nsproj.json",
        [
            {"id": "n1", "type": "core.input_vector", "name": "x", "params": {"features": 8}},
            {"id": "n2", "type": "core.linear", "name": "fc", "params": {"out_features": 3}},
        ],
        [{"src": ["n1", "y"], "dst": ["n2", "x"]}],
    )
    assert window.open_project(path) == ""
    table = window.summary_panel.table
    assert window.pages.currentWidget() is window.editor_host
    assert window.summary_panel.isVisibleTo(window)
    assert table.rowCount() == 2
    assert [table.item(1, c).text() for c in range(3)] == ["fc", "Linear", "(N, 3)"]
    assert table.item(1, 3).text() == "27"  # 8 * 3 weights + 3 biases
    assert window.save_action.isEnabled()
    assert "tiny.nsproj.json" in window.windowTitle()


def test_a_bad_project_shows_the_error_and_keeps_the_window(window, tmp_path):
    path = tmp_path / "broken.nsproj.json"
    path.write_text("{not json", encoding="utf-8")
    error = window.open_project(path)
    assert "broken.nsproj.json" in error and "JSON" in error
    assert window.pages.currentWidget() is window.start_page
    assert window.start_page.error.isVisibleTo(window) and error in window.start_page.error.text()


def test_screenshot_writes_a_1600x1000_png(tmp_path):
    out = tmp_path / "shot.png"
    proc = studio("--screenshot", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)


@pytest.mark.parametrize("content", [None, "{not json", '{"format_version": 1, "graph": 7}'])
def test_bad_project_exits_2_with_one_line(tmp_path, content):
    path = tmp_path / "bad.nsproj.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    proc = studio("--screenshot", str(tmp_path / "out.png"), str(path), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("studio: error: ") and "bad.nsproj.json" in lines[0]
    assert not (tmp_path / "out.png").exists()


def test_unwritable_screenshot_exits_2(tmp_path):
    proc = studio("--screenshot", str(tmp_path / "missing" / "out.png"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "out.png" in proc.stderr and "Traceback" not in proc.stderr


def test_new_from_template_opens_an_untitled_project(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    titles = [a.text() for a in window.templates_menu.actions()]
    assert {"Logistic Regression", "Multi-Layer Perceptron", "LeNet-5"} <= set(titles)
    window.templates_menu.actions()[titles.index("LeNet-5")].trigger()
    assert window.document is not None and window.document.path is None
    assert window.windowTitle() == "Untitled (LeNet-5) — NetStudio"
    table = window.summary_panel.table
    assert table.rowCount() == 14
    assert sum(int(table.item(r, 3).text().replace(",", "")) for r in range(table.rowCount())) == 61706
    target = tmp_path / "mine.nsproj.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.save_action.trigger()  # untitled: Save asks for a file name
    assert target.is_file() and window.document.path == target
    assert window.windowTitle() == "mine.nsproj.json — NetStudio"
