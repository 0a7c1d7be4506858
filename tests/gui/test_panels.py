"""Palette search and drag source, start page, problems with quick fixes, history view, shortcuts, themes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from studio.ui.actions import ACTIONS
from studio.ui.palette import LAYER_MIME, fuzzy_score

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bnorm", "core.batchnorm2d"),
        ("cnv2", "core.conv2d"),
        ("lstm", "core.lstm"),
        ("max pool", "core.maxpool2d"),
    ],
)
def test_palette_fuzzy_search_finds_abbreviations(make_window, qtbot, query, expected):
    panel = make_window().palette_panel
    qtbot.keyClicks(panel.search, query)
    assert expected in panel.tree.visible_type_ids()
    assert "core.output" not in panel.tree.visible_type_ids()
    assert panel.tree.currentItem() is not None  # the best match is selected: Enter adds it


def test_fuzzy_score_prefers_title_prefixes(registry):
    conv = registry.get("core.conv2d")
    assert fuzzy_score("conv", conv) > fuzzy_score("cnv", conv) > 0
    assert fuzzy_score("zzz", conv) == 0


def test_palette_shows_icons_descriptions_and_drags_type_ids(make_window, registry):
    tree = make_window().palette_panel.tree
    item = tree.item_for("core.conv2d")
    assert not item.icon(0).isNull()
    assert registry.get("core.conv2d").description in item.toolTip(0)
    data = tree.mimeData([item])
    assert bytes(data.data(LAYER_MIME).data()).decode() == "core.conv2d"


def test_palette_double_click_and_enter_add_a_layer(make_window, qtbot):
    win = make_window()
    win.io.new_blank()
    panel = win.palette_panel
    panel.tree.itemDoubleClicked.emit(panel.tree.item_for("core.linear"), 0)
    qtbot.keyClicks(panel.search, "relu")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    types = [n.type for n in win.document.graph.nodes.values()]
    assert types == ["core.linear", "core.relu"]
    assert win.document.selection == [list(win.document.graph.nodes)[-1]]


def test_start_page_opens_lenet5_in_one_click(make_window, qtbot):
    win = make_window()
    card = win.start_page.card("lenet5")
    assert card.findChild(type(win.start_page.error), "templateThumb").pixmap() is not None
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert win.document is not None
    assert win.document.report.total_params == 61706 and win.document.report.ok
    assert win.pages.currentWidget() is win.editor_host
    assert not win.io.is_dirty()


def test_problems_panel_lists_errors_and_quick_fix_inserts_flatten(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    flat = next(n for n in doc.graph.nodes.values() if n.type == "core.flatten")
    src = doc.graph.source_of(flat.id, "x")
    dst = doc.graph.out_edges(flat.id)[0].dst
    doc.remove_nodes([flat.id])
    doc.connect(src, dst)
    qtbot.waitUntil(lambda: win.errors_panel.tree.topLevelItemCount() == 1)
    panel = win.errors_panel
    assert "insert Flatten" in panel.tree.topLevelItem(0).text(1)
    assert "1 problem" in win.problems_label.text()
    (fix,) = panel.fixes[0]
    assert panel.apply(fix) == ""
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 0)
    assert doc.report.ok and doc.report.total_params == 61706
    assert "No problems" in panel.status.text()


def test_residual_mismatch_offers_a_1x1_projection(make_window, qtbot):
    from studio.ui.quick_fixes import quick_fixes

    win = make_window()
    win.io.new_blank()
    doc = win.document
    image = doc.add_node("core.input_image", params={"channels": 3, "height": 8, "width": 8})
    conv = doc.add_node("core.conv2d", params={"out_channels": 16, "kernel_size": 3, "padding": 1})
    add = doc.add_node("core.add")
    spec = doc.registry.get("core.add")
    a, b = [p.name for p in spec.input_ports(spec.resolve_params({}))][:2]
    doc.connect((image, "y"), (conv, "x"))
    doc.connect((conv, "y"), (add, a))
    doc.connect((image, "y"), (add, b))
    (node, port, message) = doc.report.errors[0]
    fixes = quick_fixes(doc, node, port, message)
    assert fixes and "1×1" in fixes[0].label
    assert fixes[0].apply() == ""
    assert doc.report.ok


def test_history_view_lists_steps_and_clicking_goes_back(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    ids = list(doc.graph.nodes)
    doc.rename(ids[0], "pixels")
    doc.rename(ids[1], "conv_a")
    history = win.history_panel.list
    assert history.count() == 3  # the opened project, then two steps
    qtbot.mouseClick(
        history.viewport(), Qt.MouseButton.LeftButton, pos=history.visualItemRect(history.item(0)).center()
    )
    assert doc.graph.node(ids[0]).name != "pixels" and not doc.history.can_undo
    assert history.count() == 2  # the step to redo is shown, greyed
    history_item = history.item(1)
    qtbot.mouseClick(
        history.viewport(), Qt.MouseButton.LeftButton, pos=history.visualItemRect(history_item).center()
    )
    assert doc.graph.node(ids[0]).name == "pixels"


def test_standard_shortcuts_are_bound(make_window):
    win = make_window()
    keys = {name: {s.toString() for s in a.shortcuts()} for name, a in win.actions_.items()}
    assert "Ctrl+Z" in keys["undo"] and "Ctrl+Shift+Z" in keys["redo"]
    for name, key in [("save", "Ctrl+S"), ("choose_and_open", "Ctrl+O"), ("new_project", "Ctrl+N"),
                      ("copy", "Ctrl+C"), ("paste", "Ctrl+V"), ("cut", "Ctrl+X"), ("duplicate", "Ctrl+D"),
                      ("select_all", "Ctrl+A"), ("delete_selection", "Del"), ("fit_view", "F")]:  # fmt: skip
        assert key in keys[name], name
    assert {spec.name for spec in ACTIONS} == set(win.actions_)
    assert QKeySequence("Ctrl+S") == win.save_action.shortcut()


def test_undo_redo_actions_follow_the_history(lenet_window):
    win = lenet_window
    undo, redo = win.actions_["undo"], win.actions_["redo"]
    assert not undo.isEnabled()
    node = next(iter(win.document.graph.nodes))
    win.document.rename(node, "pixels")
    assert undo.isEnabled() and "pixels" in undo.text()
    undo.trigger()
    assert redo.isEnabled() and not undo.isEnabled()
    redo.trigger()
    assert win.document.graph.node(node).name == "pixels"


def test_delete_and_select_all(lenet_window):
    win = lenet_window
    win.actions_["select_all"].trigger()
    assert len(win.document.selection) == 14
    win.actions_["delete_selection"].trigger()
    assert not win.document.graph.nodes
    win.actions_["undo"].trigger()
    assert len(win.document.graph.nodes) == 14


def test_dark_and_light_themes(make_window):
    from studio.ui.resources import current_theme

    win = make_window()
    app = QApplication.instance()
    toggle = win.actions_["toggle_theme"]
    try:
        toggle.setChecked(False)
        toggle.trigger()
        assert current_theme(app) == "dark" and "#16191d" in app.styleSheet()
        toggle.trigger()
        assert current_theme(app) == "light"
    finally:
        from studio.ui.resources import apply_theme

        apply_theme(app, "light")


def test_the_canvas_follows_the_dark_theme(lenet_window):
    from studio.ui.canvas import style

    win = lenet_window
    light = style.CARD_FILL.name()
    win.actions_["toggle_theme"].trigger()
    try:
        dark = style.CARD_FILL.name()
        assert dark != light and style.CARD_FILL.lightnessF() < 0.3 and style.TEXT.lightnessF() > 0.7
        image = win.canvas.view.viewport().grab().toImage()
        corner = image.pixelColor(5, image.height() // 2)  # canvas background, left of the cards
        assert corner.lightnessF() < 0.2
    finally:
        win.actions_["toggle_theme"].trigger()
    assert style.CARD_FILL.name() == light
