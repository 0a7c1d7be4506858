"""Blocks in the main window: group, expand, palette, the definition editor, sharing, files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from studio.core.blocks import BLOCK_INPUT, BLOCK_OUTPUT, BLOCK_TYPE, instances_of
from studio.core.serialize import graph_to_dict
from studio.ui.blocks import BlockDocument
from studio.ui.canvas import style
from studio.ui.palette import BLOCK_MIME
from tests.screens import SCREENSHOTS

pytestmark = pytest.mark.gui

STAGE = ("conv2d_1", "relu_1", "maxpool2d_1")


def ids_of(doc, *names: str) -> list[str]:
    return [doc.graph.node_by_name(name).id for name in names]


def shapes_by_name(doc) -> dict[str, dict]:
    report = doc.report
    return {n.name: report.nodes[n.id].output_shapes for n in doc.graph.nodes.values()}


def canonical(doc) -> tuple:
    """Names, types, params, wires (by name) and shapes: what "the same graph" means to a person."""
    graph, name = doc.graph, {nid: n.name for nid, n in doc.graph.nodes.items()}
    nodes = sorted((n.name, n.type, sorted(n.params.items())) for n in graph.nodes.values())
    edges = sorted(((name[e.src[0]], e.src[1]), (name[e.dst[0]], e.dst[1])) for e in graph.edges)
    return nodes, edges, shapes_by_name(doc)


def group_stage(win, qtbot, name: str = "conv_stage") -> str:
    """Select LeNet's first conv stage, Ctrl+G, type ``name``, OK; the new instance's id."""
    doc = win.document
    doc.select(ids_of(doc, *STAGE))
    win.actions_["group_block"].trigger()
    dialog = win.blocks.name_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    [instance] = [n.id for n in doc.graph.nodes.values() if n.type == BLOCK_TYPE]
    return instance


def test_group_action_replaces_the_selection_by_one_instance(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    before, shapes, params = graph_to_dict(doc.graph), shapes_by_name(doc), doc.report.total_params
    doc.select(ids_of(doc, *STAGE))
    assert "Ctrl+G" in win.actions_["group_block"].shortcut().toString()
    win.actions_["group_block"].trigger()
    dialog = win.blocks.name_dialog
    assert dialog.name_edit.text() == "conv2d_block"  # suggested from the first layer
    dialog.name_edit.setText("2 stage")
    assert not dialog.ok_button.isEnabled() and "identifier" in dialog.hint.text()
    dialog.name_edit.setText("conv_stage")
    assert dialog.ok_button.isEnabled() and "ConvStage" in dialog.hint.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    [instance] = instances_of(doc.graph, "conv_stage")
    assert not any(doc.graph.node_by_name(n) for n in STAGE)
    assert doc.selection == [instance]
    after = shapes_by_name(doc)
    name = doc.graph.nodes[instance].name
    assert list(after[name].values()) == [shapes["maxpool2d_1"]["y"]]
    assert {k: v for k, v in after.items() if k != name} == {
        k: v for k, v in shapes.items() if k not in STAGE
    }
    assert doc.report.total_params == params == 61706
    item = win.canvas.scene.node_item(instance)
    assert item.look.badge == "BLOCK" and item.look.type_title == "conv_stage"
    assert (
        item.boundingRect().width()
        > win.canvas.scene.node_item(doc.graph.node_by_name("image").id).boundingRect().width()
    )

    win.actions_["undo"].trigger()  # one step restores everything
    assert graph_to_dict(doc.graph) == {**before, "next_id": doc.graph.next_id}
    assert shapes_by_name(doc) == shapes and not doc.graph.blocks
    assert win.palette_panel.tree.visible_block_ids() == []


def test_expand_round_trips_to_an_equivalent_graph(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    before = canonical(doc)
    instance = group_stage(win, qtbot)
    assert canonical(doc) != before
    doc.select([instance])
    assert QKeySequence("Ctrl+Shift+G") in win.actions_["expand_block"].shortcuts()
    assert win.actions_["expand_block"].isEnabled()
    win.actions_["expand_block"].trigger()
    assert canonical(doc) == before
    assert sorted(doc.graph.nodes[n].name for n in doc.selection) == sorted(STAGE)
    assert not win.actions_["expand_block"].isEnabled()  # the selection holds no instance now


def test_palette_lists_project_blocks_and_adds_instances(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    tree = win.palette_panel.tree
    assert tree.visible_block_ids() == []
    first = group_stage(win, qtbot)
    assert tree.visible_block_ids() == ["conv_stage"]
    item = tree.block_item("conv_stage")
    assert item.text(0) == "conv_stage" and "3 layers" in item.data(0, Qt.ItemDataRole.UserRole + 1)
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a view double-click
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # needs a press first
    assert len(instances_of(doc.graph, "conv_stage")) == 2
    [second] = doc.selection
    assert second != first and doc.graph.nodes[second].name == "conv_stage_2"
    scene = win.canvas.scene
    box = scene.node_item(second).sceneBoundingRect()
    assert not any(
        scene.node_item(n).sceneBoundingRect().intersects(box) for n in doc.graph.nodes if n != second
    )
    assert "used 2×" in tree.block_item("conv_stage").data(0, Qt.ItemDataRole.UserRole + 1)
    # Search finds blocks like layers; renaming relabels the palette and every card.
    win.palette_panel.search.setText("stage")
    assert tree.visible_block_ids() == ["conv_stage"] and not tree.visible_type_ids()
    win.palette_panel.search.clear()
    assert win.blocks.rename("conv_stage", "features") == ""
    assert tree.block_item("conv_stage").text(0) == "features"
    assert {scene.node_item(n).look.type_title for n in (first, second)} == {"features"}
    doc.undo()
    assert tree.block_item("conv_stage").text(0) == "conv_stage"


def test_dropping_a_project_block_on_the_canvas(lenet_window, qtbot):
    win = lenet_window
    group_stage(win, qtbot)
    viewport = win.canvas.view.viewport()
    mime = win.palette_panel.tree.mimeData([win.palette_panel.tree.block_item("conv_stage")])
    assert bytes(mime.data(BLOCK_MIME).data()) == b"conv_stage"
    at = QPointF(200, 420)
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(at, Qt.DropAction.CopyAction, mime, buttons, mods))
    doc = win.document
    assert len(instances_of(doc.graph, "conv_stage")) == 2
    [dropped] = doc.selection
    assert (
        win.canvas.scene.node_item(dropped)
        .sceneBoundingRect()
        .contains(win.canvas.view.mapToScene(at.toPoint()))
    )
    foreign = QMimeData()
    foreign.setData(BLOCK_MIME, b"no_such_block")
    QApplication.sendEvent(viewport, QDropEvent(at, Qt.DropAction.CopyAction, foreign, buttons, mods))
    assert len(doc.graph.nodes) == 13


def test_editing_the_definition_changes_every_instance(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    first = group_stage(win, qtbot)
    second = win.blocks.add_instance("conv_stage")
    assert doc.connect((doc.graph.node_by_name("image").id, "y"), (second, "image")) == ""
    report = doc.report
    assert [list(report.nodes[n].output_shapes.values()) for n in (first, second)] == [
        [(None, 6, 14, 14)]
    ] * 2
    conv2 = doc.graph.node_by_name("conv2d_2").id
    assert report.nodes[conv2].params == 2416

    doc.select([first])
    win.actions_["edit_block"].trigger()
    editor = win.canvas.document
    assert isinstance(editor, BlockDocument) and win.blocks.bar.isVisible()
    assert "conv_stage" in win.blocks.bar.label.text() and "2 instances" in win.blocks.bar.label.text()
    assert not win.actions_["group_block"].isEnabled()
    inner = {n.name: n.id for n in editor.graph.nodes.values()}
    assert set(inner) >= set(STAGE) and win.canvas.scene.node_item(inner["conv2d_1"]) is not None
    qtbot.waitUntil(lambda: bool(win.canvas.scene.node_item(inner["relu_1"])._shape_text))
    assert win.canvas.scene.node_item(inner["relu_1"])._shape_text == "(N, 6, 28, 28)"  # from the instances
    editor.select([inner["conv2d_1"]])
    assert win.inspector.form is not None and win.inspector.form.node_id == inner["conv2d_1"]
    assert editor.set_param(inner["conv2d_1"], "out_channels", 8) == ""

    report = doc.report
    assert [list(report.nodes[n].output_shapes.values()) for n in (first, second)] == [
        [(None, 8, 14, 14)]
    ] * 2
    assert report.nodes[first].params == report.nodes[second].params == 8 * 25 + 8
    assert report.nodes[conv2].params == 16 * 8 * 25 + 16  # downstream follows
    qtbot.waitUntil(lambda: win.canvas.scene.node_item(inner["relu_1"])._shape_text == "(N, 8, 28, 28)")
    assert "out_channels in conv_stage" in doc.history.undo_text()

    win.actions_["undo"].trigger()  # the project's history, also while editing
    assert list(doc.report.nodes[second].output_shapes.values()) == [(None, 6, 14, 14)]
    win.actions_["redo"].trigger()
    qtbot.mouseClick(win.blocks.bar.done_button, Qt.MouseButton.LeftButton)
    assert win.canvas.document is doc and not win.blocks.bar.isVisible()
    assert win.inspector.document is doc and sorted(doc.selection) == sorted([first, second])
    assert list(doc.report.nodes[second].output_shapes.values()) == [(None, 8, 14, 14)]


def test_renaming_or_deleting_a_block_port_inside_moves_the_instance_wires(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    instance = group_stage(win, qtbot)
    assert win.blocks.open_block("conv_stage")
    editor = win.blocks.editor
    port_in = next(n.id for n in editor.graph.nodes.values() if n.type == BLOCK_INPUT)
    port_out = next(n.id for n in editor.graph.nodes.values() if n.type == BLOCK_OUTPUT)
    out_name = editor.graph.nodes[port_out].name
    shapes = shapes_by_name(doc)
    assert editor.rename(port_in, "pixels") == ""
    assert [e.dst[1] for e in doc.graph.in_edges(instance)] == ["pixels"]
    assert shapes_by_name(doc) == shapes  # same wiring, same shapes
    win.canvas.scene.clearSelection()
    win.canvas.scene.node_item(port_out).setSelected(True)
    win.actions_["delete_selection"].trigger()
    assert doc.graph.out_edges(instance) == [] and doc.report.errors  # conv2d_2 lost its input
    win.actions_["undo"].trigger()
    assert [e.src[1] for e in doc.graph.out_edges(instance)] == [out_name]
    win.actions_["undo"].trigger()
    assert [e.dst[1] for e in doc.graph.in_edges(instance)] == ["image"] and not doc.report.errors


def test_undoing_the_group_while_editing_leaves_the_editor(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    before = canonical(doc)
    group_stage(win, qtbot)
    doc.select(doc.selection)
    win.actions_["edit_block"].trigger()
    assert win.blocks.editor is not None
    win.actions_["undo"].trigger()
    assert win.blocks.editor is None and win.canvas.document is doc and not win.blocks.bar.isVisible()
    assert canonical(doc) == before
    win.actions_["redo"].trigger()  # the block comes back (a fresh copy); editing it works again
    assert win.blocks.open_block("conv_stage")
    assert win.canvas.scene.node_item(win.blocks.editor.graph.node_by_name("relu_1").id) is not None


def test_double_click_opens_the_block_and_closing_the_project_leaves_it(lenet_window, qtbot):
    win = lenet_window
    instance = group_stage(win, qtbot)
    view = win.canvas.view
    win.canvas.scene.update()
    center = view.mapFromScene(win.canvas.scene.node_item(instance).sceneBoundingRect().center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    editor = win.blocks.editor
    assert editor is not None and win.canvas.document is editor
    win.document.history.set_clean()
    win.actions_["close_project"].trigger()
    assert win.document is None and win.blocks.editor is None and not win.blocks.bar.isVisible()
    assert win.canvas.document is None and win.inspector.document is None
    assert win.palette_panel.tree.visible_block_ids() == []


def test_unused_definitions_can_be_deleted_used_ones_cannot(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    instance = group_stage(win, qtbot)
    assert "used by 1 instance" in win.blocks.delete_definition("conv_stage")
    assert "conv_stage" in doc.graph.blocks
    doc.select([instance])
    win.actions_["expand_block"].trigger()
    assert win.blocks.delete_definition("conv_stage") == ""
    assert not doc.graph.blocks and win.palette_panel.tree.visible_block_ids() == []
    doc.undo()
    assert win.palette_panel.tree.visible_block_ids() == ["conv_stage"]


def test_sharing_weights_between_instances(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    first = group_stage(win, qtbot)
    second = win.blocks.add_instance("conv_stage")
    doc.connect((doc.graph.node_by_name("image").id, "y"), (second, "image"))
    total = doc.report.total_params
    doc.select([first, second])
    share = win.actions_["share_block_weights"]
    assert share.isEnabled() and share.isCheckable() and not share.isChecked()
    share.trigger()
    assert all(doc.graph.nodes[n].params["shared"] for n in (first, second)) and share.isChecked()
    assert doc.report.total_params == total - 156  # one conv stage's weights, used twice
    assert win.canvas.scene.node_item(second).look.badge == "SHARED"
    win.actions_["undo"].trigger()
    assert doc.report.total_params == total and not share.isChecked()


def test_blocks_survive_save_and_reopen(lenet_window, make_window, qtbot, tmp_path, monkeypatch, registry):
    win = lenet_window
    first = group_stage(win, qtbot)
    second = win.blocks.add_instance("conv_stage")
    doc = win.document
    doc.connect((doc.graph.node_by_name("image").id, "y"), (second, "image"))
    doc.set_param(first, "shared", True)
    before = canonical(doc)
    inner = graph_to_dict(doc.graph.blocks["conv_stage"].graph)
    target = tmp_path / "blocks.nsproj.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    win.actions_["save"].trigger()
    assert target.is_file() and win.close()
    again = make_window()
    assert again.open_project(target) == ""
    assert canonical(again.document) == before
    assert graph_to_dict(again.document.graph.blocks["conv_stage"].graph) == inner
    assert again.palette_panel.tree.visible_block_ids() == ["conv_stage"]
    # The reopened network runs: the GUI-made block compiles to one submodule class.
    import torch

    from studio.compiler.lower import compile_graph

    module = compile_graph(again.document.graph, registry).eval()
    with torch.no_grad():
        assert tuple(module(torch.zeros(2, 1, 32, 32)).shape) == (2, 10)
    own_weights = 156  # the second instance is not shared: it has its own conv stage
    total = again.document.report.total_params
    assert sum(p.numel() for p in module.parameters()) == total == 61706 + own_weights


def test_screenshot_of_a_siamese_network_with_shared_blocks(make_window, qtbot):
    """Two images through one shared encoder block: the picture in docs/screenshots/blocks.png."""
    win = make_window(session=False)
    win.io.new_blank()
    doc = win.document
    chain = [
        ("core.conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ("core.relu", {}),
        ("core.maxpool2d", {"kernel_size": 2}),
        ("core.flatten", {}),
        ("core.linear", {"out_features": 32}),
    ]
    merge = doc.add_node("core.concat", (1440, 110))
    head = doc.add_node("core.linear", (1680, 110), {"out_features": 2})
    out = doc.add_node("core.output", (1920, 110))
    doc.connect((merge, "y"), (head, "x"))
    doc.connect((head, "y"), (out, "x"))
    heads = []
    for row, side in enumerate(("left", "right")):
        y = row * 220.0
        image = doc.add_node("core.input_image", (0, y), {"channels": 1, "height": 16, "width": 16})
        doc.rename(image, side)
        ids = [doc.add_node(t, (240.0 * (i + 1), y), p) for i, (t, p) in enumerate(chain)]
        for a, b in zip([image, *ids], ids, strict=False):
            doc.connect((a, "y"), (b, "x"))
        doc.connect((ids[-1], "y"), (merge, f"in{row}"))
        heads.append(ids)
    assert win.blocks.group(heads[0], "encoder") == ""
    [left] = instances_of(doc.graph, "encoder")
    doc.remove_nodes(heads[1])
    right = win.blocks.add_instance("encoder")
    [port_in], [port_out] = (
        doc.graph.blocks["encoder"].input_names(),
        doc.graph.blocks["encoder"].output_names(),
    )
    assert doc.connect((doc.graph.node_by_name("right").id, "y"), (right, port_in)) == ""
    assert doc.connect((right, port_out), (merge, "in1")) == ""
    doc.select([left, right])
    win.actions_["share_block_weights"].trigger()
    assert not doc.report.errors
    win.canvas.ops.auto_layout(selection_only=False)
    doc.select([right])
    win.resize(1600, 1000)  # the size of `studio --screenshot`
    qtbot.wait(50)  # the window's own first fit runs from the event loop
    win.fit_view()
    image = win.grab().toImage()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SCREENSHOTS / "blocks.png"))
    small = image.scaled(350, 225)
    slate = style.category_color("Blocks")
    assert any(QColor(small.pixel(x, y)) == slate for x in range(350) for y in range(225))
    doc.history.set_clean()


def test_double_click_inside_a_block_selects_the_inner_node_only(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    instance = group_stage(win, qtbot)
    doc.select([instance])
    win.actions_["edit_block"].trigger()
    editor = win.canvas.document
    inner = editor.graph.node_by_name("conv2d_1").id
    doc.select([])
    win.canvas.node_activated.emit(inner)
    assert editor.selection == [inner]
    # The project's selection is untouched, even when an outer node happens to share the id.
    assert doc.selection == []
