"""The canvas's caches stay in step with the model: tooltips, wire labels, scene rect, overview."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneHelpEvent

from studio.ui.document import Document


def _chain(document: Document, *type_ids: str, gap: float = 280.0) -> list[str]:
    ids = [document.add_node(t, (i * gap, 0.0)) for i, t in enumerate(type_ids)]
    for a, b in zip(ids, ids[1:], strict=False):
        assert document.connect((a, "y"), (b, "x")) == ""
    return ids


def _stored_tip(item: QGraphicsItem) -> str:
    """The tooltip Qt itself holds (what it shows on hover), bypassing the items' lazy toolTip()."""
    return QGraphicsItem.toolTip(item)


@pytest.mark.qt_log_ignore("does not support raise")  # the tooltip window, offscreen
def test_tooltips_and_labels_follow_param_edits(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    inp, lin, relu = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    scene = canvas.scene
    wire = next(w for w in scene.edge_items() if w.key.src[0] == lin)
    qtbot.waitUntil(lambda: wire.label() != "")
    before = wire.label()
    doc.set_param(lin, "out_features", 123)
    qtbot.waitUntil(lambda: wire.label() != before)
    assert "123" in wire.label()
    assert wire.toolTip() == f"tensor {wire.label()}"
    assert "123" in scene.node_item(relu).toolTip()
    assert wire.boundingRect().contains(wire.boundingRect().center())

    # hovering builds the tooltips Qt shows (they are built lazily)
    doc.set_param(lin, "out_features", 7)
    item = scene.node_item(relu)
    qtbot.waitUntil(lambda: "7" in item._shape_text)
    event = QGraphicsSceneHelpEvent()
    event.setScenePos(item.sceneBoundingRect().center())
    event.setScreenPos(canvas.view.mapToGlobal(canvas.view.mapFromScene(event.scenePos())))
    scene.helpEvent(event)
    assert "output (N, 7)" in _stored_tip(item)


def test_wire_label_of_another_length_grows_the_wire_rect(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    _, lin, _ = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    wire = next(w for w in canvas.scene.edge_items() if w.key.src[0] == lin)
    qtbot.waitUntil(lambda: wire.label() != "")
    doc.set_param(lin, "out_features", 5)
    qtbot.waitUntil(lambda: wire.label().endswith("5"))
    short = wire.boundingRect()
    doc.set_param(lin, "out_features", 123456)
    qtbot.waitUntil(lambda: wire.label().endswith("123456"))
    assert wire.boundingRect().width() >= short.width()
    assert wire.boundingRect().contains(wire._label_rect) or wire._label_rect.isNull()


def test_scene_rect_covers_cards_moved_far_away(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    a, b = _chain(doc, "core.input_vector", "core.linear")
    doc.move_nodes({b: (90_000.0, -70_000.0)}, finished=True)
    item = canvas.scene.node_item(b)
    assert canvas.scene.sceneRect().contains(item.sceneBoundingRect())
    assert item in canvas.scene.items(item.sceneBoundingRect().center())
    c = doc.add_node("core.relu", (-50_000.0, 40_000.0))
    assert canvas.scene.sceneRect().contains(canvas.scene.node_item(c).sceneBoundingRect())


def test_label_only_reports_keep_the_overview_cache(make_canvas, qtbot):
    canvas = make_canvas()
    doc = canvas.document
    _, lin, relu = _chain(doc, "core.input_vector", "core.linear", "core.relu")
    scene = canvas.scene
    qtbot.waitUntil(lambda: scene.node_item(relu)._shape_text != "")
    scene.overview_cache._rebuild()
    doc.set_param(lin, "out_features", 99)
    qtbot.waitUntil(lambda: "99" in scene.node_item(relu)._shape_text)
    assert not scene.overview_cache.dirty  # shapes changed, colours did not
    doc.rename(relu, "act")
    assert scene.overview_cache.dirty


def test_scene_render_defaults_to_the_items(make_canvas):
    canvas = make_canvas()
    _chain(canvas.document, "core.input_vector", "core.linear")
    scene = canvas.scene
    assert scene.sceneRect().contains(scene.itemsBoundingRect())
    image = QImage(200, 100, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter)
    painter.end()
    assert sum(image.pixel(x, y) != 0 for x in range(200) for y in range(100)) > 2000
