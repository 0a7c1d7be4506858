"""The canvas editor driven like a user: drops, wires, drags, keys, clipboard."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication

from studio.templates import get_template
from studio.ui.canvas import LAYER_MIME, layer_mime, style
from studio.ui.document import Document
from tests.gui.canvas.conftest import drag, port_pos, vpos
from tests.screens import SCREENSHOTS


def _chain(document: Document, *type_ids: str, gap: float = 280.0) -> list[str]:
    ids = [document.add_node(t, (i * gap, 0.0)) for i, t in enumerate(type_ids)]
    for a, b in zip(ids, ids[1:], strict=False):
        assert document.connect((a, "y"), (b, "x")) == ""
    return ids


def test_palette_drop_creates_the_node_at_the_drop_position(make_canvas, qtbot):
    canvas = make_canvas()
    viewport = canvas.view.viewport()
    mime = layer_mime("core.conv2d")
    at = QPointF(300, 200)
    enter = QDragEnterEvent(
        at.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, drop)
    graph = canvas.document.graph
    assert [n.type for n in graph.nodes.values()] == ["core.conv2d"]
    node = next(iter(graph.nodes.values()))
    item = canvas.scene.node_item(node.id)
    assert item is not None and item.sceneBoundingRect().contains(canvas.view.mapToScene(at.toPoint()))
    assert node.position[0] % style.GRID == 0 and node.position[1] % style.GRID == 0
    assert canvas.document.selection == [node.id]


def test_foreign_drops_and_unknown_types_are_ignored(make_canvas):
    canvas = make_canvas()
    other = QMimeData()
    other.setText("hello")
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        other,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas.view.viewport(), enter)
    assert not enter.isAccepted()
    assert canvas.view.drop_layer("nope.layer", QPoint(10, 10)) == ""
    assert not canvas.document.graph.nodes


def test_wiring_two_ports_creates_an_edge_and_updates_shapes(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    image = doc.add_node("core.input_image", (0, 0), {"channels": 1, "height": 32, "width": 32})
    conv = doc.add_node("core.conv2d", (300, 0), {"out_channels": 6, "kernel_size": 5})
    qtbot.waitUntil(lambda: bool(canvas.scene.node_item(conv).errors))
    assert canvas.scene.node_item(conv).errors  # input not connected
    drag(qtbot, canvas, port_pos(canvas, image, "y", True), port_pos(canvas, conv, "x", False))
    assert [(e.src, e.dst) for e in doc.graph.edges] == [((image, "y"), (conv, "x"))]
    item = canvas.scene.node_item(conv)
    qtbot.waitUntil(lambda: item._shape_text == "(N, 6, 28, 28)")
    assert item._params_text == "156 params" and not item.errors
    edge_item = canvas.scene.edge_item(doc.graph.edges[0])
    assert edge_item.label() == "N×1×32×32"


def test_dropping_a_wire_on_a_card_uses_its_first_free_input(make_canvas, qtbot):
    canvas = make_canvas()
    a, b = _chain(canvas.document, "core.input_vector", "core.linear")
    c = canvas.document.add_node("core.relu", (600, 200))
    body = canvas.scene.node_item(c).sceneBoundingRect().center()
    drag(qtbot, canvas, port_pos(canvas, b, "y", True), vpos(canvas, body))
    assert canvas.document.graph.source_of(c, "x") == (b, "y")


def _refused(qtbot, canvas, start: QPoint, end: QPoint) -> str:
    with qtbot.waitSignal(canvas.message, timeout=1000) as blocker:
        drag(qtbot, canvas, start, end)
    return blocker.args[0]


def test_invalid_wires_are_refused_with_the_reason(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    vec, lin, relu = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    lin2 = doc.add_node("core.linear", (300, 300))
    assert doc.connect((lin2, "y"), (lin, "x")) != ""  # occupied
    doc.connect((relu, "y"), (lin2, "x"))
    edges_before = doc.graph.edges
    # an occupied input
    message = _refused(qtbot, canvas, port_pos(canvas, vec, "y", True), port_pos(canvas, lin, "x", False))
    assert "already connected" in message
    # a cycle: lin2 feeds ... relu -> lin2 exists, wire lin2 back into relu's chain start? use relu.x
    # relu.x is occupied; disconnect lin -> relu first, then try lin2.y -> relu.x (cycle)
    doc.disconnect(next(e for e in doc.graph.edges if e.dst == (relu, "x")))
    message = _refused(qtbot, canvas, port_pos(canvas, lin2, "y", True), port_pos(canvas, relu, "x", False))
    assert "cycle" in message
    # output to output
    message = _refused(qtbot, canvas, port_pos(canvas, lin, "y", True), port_pos(canvas, lin2, "y", True))
    assert "output" in message
    assert len(doc.graph.edges) == len(edges_before) - 1


def test_live_validation_marks_targets_while_dragging(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    vec, lin = _chain(doc, "core.input_vector", "core.linear")
    free = doc.add_node("core.relu", (300, 250))
    viewport = canvas.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=port_pos(canvas, vec, "y", True))
    qtbot.mouseMove(viewport, pos=port_pos(canvas, vec, "y", True) + QPoint(30, 30))
    free_port = canvas.scene.node_item(free).port("x", False)
    busy_port = canvas.scene.node_item(lin).port("x", False)
    assert free_port.highlight == "valid" and busy_port.highlight == ""
    qtbot.mouseMove(viewport, pos=port_pos(canvas, lin, "x", False))
    assert busy_port.highlight == "invalid" and "already connected" in canvas.view.hint_text
    qtbot.keyClick(canvas.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=port_pos(canvas, lin, "x", False))
    assert free_port.highlight == "" and busy_port.highlight == "" and len(doc.graph.edges) == 1


def test_dragging_from_a_connected_input_rewires_in_one_step(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    vec, lin = _chain(doc, "core.input_vector", "core.linear")
    relu = doc.add_node("core.relu", (280, 250))
    steps = doc.history.index
    drag(qtbot, canvas, port_pos(canvas, lin, "x", False), port_pos(canvas, relu, "x", False))
    assert [(e.src, e.dst) for e in doc.graph.edges] == [((vec, "y"), (relu, "x"))]
    assert doc.history.index == steps + 1
    doc.undo()
    assert [(e.src, e.dst) for e in doc.graph.edges] == [((vec, "y"), (lin, "x"))]
    assert canvas.scene.edge_item(doc.graph.edges[0]).isVisible()


def test_moving_a_node_by_drag_is_one_undo_step(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    a, b = _chain(doc, "core.input_vector", "core.linear")
    steps = doc.history.index
    header = canvas.scene.node_item(b).pos() + QPointF(60, 10)
    drag(qtbot, canvas, vpos(canvas, header), vpos(canvas, header + QPointF(137, 61)), steps=10)
    moved = doc.graph.nodes[b].position
    assert moved == (280.0 + 140.0, 60.0)  # snapped to the 20-px grid
    assert canvas.scene.node_item(b).pos() == QPointF(*moved)
    edge_item = canvas.scene.edge_item(doc.graph.edges[0])
    assert edge_item.path().currentPosition() == canvas.scene.node_item(b).port("x", False).scenePos()
    assert doc.history.index == steps + 1
    doc.undo()
    assert doc.graph.nodes[b].position == (280.0, 0.0)
    assert canvas.scene.node_item(b).pos() == QPointF(280.0, 0.0)


def test_click_ctrl_click_and_rubber_band_select_and_sync(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    a, b, c = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    viewport = canvas.view.viewport()
    center = lambda n: vpos(canvas, canvas.scene.node_item(n).sceneBoundingRect().center())  # noqa: E731
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=center(a))
    assert doc.selection == [a]
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, center(c))
    assert doc.selection == [a, c]
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(5, 700))  # empty: clears
    assert doc.selection == []
    top_left = vpos(canvas, canvas.scene.node_item(b).pos() - QPointF(20, 20))
    drag(qtbot, canvas, top_left, center(c) + QPoint(150, 80))
    assert doc.selection == [b, c]
    doc.select([a])  # document -> scene
    assert canvas.scene.selected_node_ids() == [a]


def test_delete_key_removes_selection_and_undo_restores(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    a, b, c = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    doc.select([b])
    qtbot.keyClick(canvas.view, Qt.Key.Key_Delete)
    assert list(doc.graph.nodes) == [a, c] and not doc.graph.edges
    assert canvas.scene.node_item(b) is None and not canvas.scene.edge_items()
    doc.undo()
    assert list(doc.graph.nodes) == [a, b, c] and len(doc.graph.edges) == 2
    assert canvas.scene.node_item(b) is not None and len(canvas.scene.edge_items()) == 2
    # a selected wire alone
    canvas.scene.edge_item(doc.graph.edges[0]).setSelected(True)
    canvas.ops.delete_selection()
    assert len(doc.graph.edges) == 1 and len(doc.graph.nodes) == 3


def test_copy_paste_keeps_params_and_internal_wires_with_new_ids(make_canvas, qtbot, registry):
    canvas = make_canvas()
    doc = canvas.document
    a, b = _chain(doc, "core.input_vector", "core.linear")
    doc.set_param(b, "out_features", 17)
    doc.select([a, b])
    assert canvas.ops.copy() == 2
    steps = doc.history.index
    new = canvas.ops.paste()
    assert len(new) == 2 and not set(new) & {a, b}
    assert doc.history.index == steps + 1
    copies = [doc.graph.nodes[n] for n in new]
    assert copies[1].params["out_features"] == 17 and copies[1].type == "core.linear"
    assert {n.name for n in copies}.isdisjoint({doc.graph.nodes[a].name, doc.graph.nodes[b].name})
    assert doc.graph.source_of(new[1], "x") == (new[0], "y")
    assert doc.selection == new
    # into another project
    other = make_canvas()
    pasted = other.ops.paste()
    assert [other.document.graph.nodes[n].params for n in pasted][1] == {"out_features": 17}
    assert len(other.document.graph.edges) == 1
    # duplicate and cut
    doc.select([b])
    dup = canvas.ops.duplicate()
    assert doc.graph.nodes[dup[0]].params == {"out_features": 17}
    doc.select(dup)
    canvas.ops.cut()
    assert dup[0] not in doc.graph.nodes


def test_quick_add_filters_and_wires_from_the_selected_node(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    (vec,) = _chain(doc, "core.input_vector")
    doc.select([vec])
    canvas.view.open_quick_add(QPoint(500, 300))
    popup = canvas.view.quick_add
    assert popup.isVisible()
    qtbot.keyClicks(popup.search, "linr")
    assert popup.visible_type_ids()[0] == "core.linear"
    steps = doc.history.index
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert not popup.isVisible()
    new = [n for n in doc.graph.nodes if n != vec]
    assert len(new) == 1 and doc.graph.nodes[new[0]].type == "core.linear"
    assert doc.graph.source_of(new[0], "x") == (vec, "y")
    assert doc.history.index == steps + 1 and doc.selection == new


def test_double_click_on_empty_canvas_opens_quick_add_and_on_a_node_activates(make_canvas, qtbot):
    canvas = make_canvas()
    (vec,) = _chain(canvas.document, "core.input_vector")
    viewport = canvas.view.viewport()
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(600, 600))
    assert canvas.view.quick_add.isVisible()
    qtbot.keyClick(canvas.view.quick_add.search, Qt.Key.Key_Escape)
    assert not canvas.view.quick_add.isVisible()
    with qtbot.waitSignal(canvas.node_activated) as blocker:
        center = canvas.scene.node_item(vec).sceneBoundingRect().center()
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=vpos(canvas, center))
    assert blocker.args == [vec]


def test_auto_layout_puts_every_edge_left_to_right_in_one_step(make_canvas, registry):
    doc = Document(registry)
    a = doc.add_node("core.input_vector", (500, 500))
    b = doc.add_node("core.linear", (0, 0))
    c = doc.add_node("core.relu", (-300, 90))
    d = doc.add_node("core.add", (-600, -40))
    doc.connect((a, "y"), (b, "x"))
    doc.connect((a, "y"), (c, "x"))
    doc.connect((c, "y"), (d, doc.graph.ports(doc.graph.nodes[d]).inputs[0]))
    canvas = make_canvas(doc)
    steps = doc.history.index
    canvas.ops.auto_layout()
    pos = {n.id: n.position for n in doc.graph.nodes.values()}
    assert all(pos[e.src[0]][0] < pos[e.dst[0]][0] for e in doc.graph.edges)
    assert doc.history.index == steps + 1
    rects = [canvas.scene.node_item(n).sceneBoundingRect() for n in pos]
    assert not any(r1.intersects(r2) for i, r1 in enumerate(rects) for r2 in rects[i + 1 :])
    doc.select([b, c])
    canvas.ops.align("top")
    assert doc.graph.nodes[b].position[1] == doc.graph.nodes[c].position[1]


def _pixel_at_node(canvas, node_id: str, zoom: float) -> QColor:
    canvas.view.set_zoom(zoom)
    canvas.view.centerOn(canvas.scene.node_item(node_id).sceneBoundingRect().center())
    image = canvas.view.grab().toImage()
    at = vpos(canvas, canvas.scene.node_item(node_id).pos() + QPointF(150, 60))
    return QColor(image.pixel(at))


def test_level_of_detail_draws_plain_rects_when_zoomed_out(make_canvas):
    canvas = make_canvas()
    lin = canvas.document.add_node("core.linear", (0, 0))
    category = style.category_color("Dense")
    near = _pixel_at_node(canvas, lin, 1.0)
    far = _pixel_at_node(canvas, lin, style.OVERVIEW_ZOOM * 0.5)
    assert near.red() > 200 and near.green() > 200  # the card's light body
    assert abs(far.blue() - category.blue()) < 30 and abs(far.red() - category.red()) < 30


def test_fit_zoom_and_minimap(make_canvas, qtbot):
    canvas = make_canvas()
    ids = _chain(canvas.document, "core.input_vector", *["core.linear"] * 12, gap=400)
    canvas.view.fit()
    visible = canvas.view.visible_rect()
    assert all(visible.contains(canvas.scene.node_item(n).sceneBoundingRect()) for n in ids)
    assert canvas.view.zoom() < 1.0
    canvas.document.select([ids[3]])
    canvas.view.zoom_to_selection()
    assert canvas.view.zoom() > 1.0
    minimap = canvas.minimap
    minimap.render_scene()
    target = canvas.scene.node_item(ids[-1]).sceneBoundingRect().center()
    qtbot.mouseClick(
        minimap,
        Qt.MouseButton.LeftButton,
        pos=minimap._to_map(canvas.scene.node_item(ids[-1]).sceneBoundingRect()).center().toPoint(),
    )
    assert canvas.view.visible_rect().contains(target)


def test_wheel_zooms_around_the_cursor(make_canvas, qtbot):
    from PySide6.QtGui import QWheelEvent

    canvas = make_canvas()
    canvas.document.add_node("core.linear", (0, 0))
    canvas.view.set_zoom(1.0)
    at = QPointF(300, 200)
    before = canvas.view.mapToScene(at.toPoint())
    event = QWheelEvent(
        at,
        canvas.view.viewport().mapToGlobal(at),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.view.viewport(), event)
    assert abs(canvas.view.zoom() - 1.2) < 1e-6
    after = canvas.view.mapToScene(at.toPoint())
    assert (after - before).manhattanLength() < 3


def test_lenet5_renders_with_shapes_and_param_counts(make_canvas, qtbot, registry):
    doc = Document(registry, get_template("lenet5").build())
    canvas = make_canvas(doc, size=(1600, 620))
    canvas.ops.auto_layout()
    qtbot.wait(10)
    items = {n.name: canvas.scene.node_item(n.id) for n in doc.graph.nodes.values()}
    assert items["conv2d_1"]._shape_text == "(N, 6, 28, 28)"
    assert items["conv2d_1"]._params_text == "156 params"
    assert items["logits"]._params_text == "850 params"
    assert all(item._shape_text and not item.errors for item in items.values())
    assert all(e.label() for e in canvas.scene.edge_items())
    canvas.view.set_zoom(1.0)
    canvas.view.centerOn(items["maxpool2d_1"].sceneBoundingRect().center() + QPointF(60, 40))
    doc.select([items["conv2d_2"].node_id])
    qtbot.wait(200)  # the minimap's debounced render
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = canvas.grab().toImage()
    assert image.save(str(SCREENSHOTS / "canvas-lenet5.png"))
    assert _has_colour(image, style.category_color("Convolution"))


def _has_colour(image: QImage, color: QColor) -> bool:
    small = image.scaled(200, 120)
    return any(QColor(small.pixel(x, y)) == color for x in range(200) for y in range(120))


def test_scene_follows_document_switch_and_errors_get_tooltips(make_canvas, qtbot, registry):
    canvas = make_canvas()
    doc = Document(registry)
    lin = doc.add_node("core.linear", (0, 0))
    canvas.set_document(doc)
    assert canvas.scene.node_item(lin) is not None
    qtbot.waitUntil(lambda: bool(canvas.scene.node_item(lin).errors))
    assert "not connected" in canvas.scene.node_item(lin).toolTip()
    doc.rename(lin, "head")
    assert canvas.scene.node_item(lin).look.title == "head"
    canvas.close_document()
    doc.close()
    assert not canvas.scene.items()


def test_painting_does_not_mutate_and_renders_offscreen(make_canvas):
    canvas = make_canvas()
    _chain(canvas.document, "core.input_vector", "core.linear", "core.relu")
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    canvas.scene.render(painter)
    painter.end()
    assert canvas.document.history.index == 5
    assert LAYER_MIME == "application/x-netstudio-layer"
