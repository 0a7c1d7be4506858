"""The Inspector: forms from the param schema, undoable edits, refusals, rename."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from studio.ui.document import Document
from studio.ui.inspector import InspectorForm, InspectorPanel
from studio.ui.inspector.editors import SizeEditor

pytestmark = pytest.mark.gui


def node_of(doc: Document, type_id: str) -> str:
    return next(n.id for n in doc.graph.nodes.values() if n.type == type_id)


def test_spin_box_edit_changes_the_model_and_one_ctrl_z_restores_it(lenet_window, qtbot):
    win = lenet_window
    doc = win.document
    conv = node_of(doc, "core.conv2d")
    doc.select([conv])
    form = win.inspector.form
    assert form is not None and form.node_id == conv
    box = form.editors["out_channels"].box
    assert isinstance(box, QSpinBox) and box.value() == 6 and box.minimum() == 1
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "12")  # "1" then "12": two value changes, one undo step
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert doc.graph.node(conv).params["out_channels"] == 12
    assert doc.history.texts().count(doc.history.undo_text()) == 1 and len(doc.history.texts()) == 1
    win.activateWindow()
    win.canvas.setFocus() if win.canvas else win.setFocus()
    qtbot.keyClick(win.canvas or win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.graph.node(conv).params.get("out_channels", 6) == 6
    assert box.value() == 6  # the form follows undo
    assert not doc.history.can_undo


def test_every_kind_gets_its_editor(lenet_window):
    doc = lenet_window.document
    conv = node_of(doc, "core.conv2d")
    form = InspectorForm(doc, conv)
    assert isinstance(form.editors["kernel_size"], SizeEditor)
    assert isinstance(form.editors["bias"].box, QCheckBox)
    assert isinstance(form.editors["padding_mode"].box, QComboBox)
    form.detach()
    lstm = doc.add_node("core.lstm")
    form = InspectorForm(doc, lstm)
    assert isinstance(form.editors["dropout"].box, QDoubleSpinBox)
    assert "batch_first=True" in form.findChild(type(form.message), "inspectorNote").text()
    assert form.findChildren(type(form.message), "paramHelp")  # help text is shown
    form.detach()


def test_invalid_text_is_refused_with_a_message(make_window, qtbot):
    win = make_window()
    win.io.new_blank()
    doc = win.document
    reshape = doc.add_node("core.reshape")
    doc.select([reshape])
    form = win.inspector.form
    before = dict(doc.graph.node(reshape).params)
    edit = form.editors["shape"].box
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "16, five")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert form.message.isVisibleTo(win) and "integers" in form.message.text()
    assert doc.graph.node(reshape).params == before
    # A value the schema refuses (through the document) is refused the same way.
    assert form.commit("kernel_size", 3) != ""
    assert "no parameter" in form.message.text()


def test_rename_and_refused_names(lenet_window, qtbot):
    doc = lenet_window.document
    conv = node_of(doc, "core.conv2d")
    doc.select([conv])
    form = lenet_window.inspector.form
    form.name_edit.setFocus()
    form.name_edit.selectAll()
    qtbot.keyClicks(form.name_edit, "features")
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Return)
    assert doc.graph.node(conv).name == "features"
    form.name_edit.selectAll()
    qtbot.keyClicks(form.name_edit, "forward")
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Return)
    assert doc.graph.node(conv).name == "features"
    assert form.message.isVisibleTo(lenet_window) and "forward" in form.message.text()
    assert form.name_edit.text() == "features"


def test_panel_follows_selection(lenet_window):
    panel: InspectorPanel = lenet_window.inspector
    doc = lenet_window.document
    ids = list(doc.graph.nodes)
    doc.select(ids[:2])
    assert panel.form is None and "2 layers" in panel.hint.text()
    doc.select([ids[3]])
    assert panel.form is not None and panel.form.node_id == ids[3]
    doc.remove_nodes([ids[3]])
    assert panel.form is None
