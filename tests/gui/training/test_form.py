"""The settings form writes the project's training and data sections."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def test_editors_store_into_the_project(qtbot, make_panel):
    panel = make_panel()
    form, training = panel.form, panel.document.project.training
    assert form.editors["lr"].value() == training["lr"] == 0.01
    with qtbot.waitSignal(panel.settings_changed):
        form.editors["lr"].setValue(0.003)
    assert training["lr"] == 0.003
    form.editors["optimizer"].setCurrentIndex(form.editors["optimizer"].findData("sgd"))
    form.editors["early_stopping.patience"].setValue(4)
    form.editors["device"].setCurrentIndex(form.editors["device"].findData("cpu"))
    assert training["optimizer"] == "sgd" and training["device"] == "cpu"
    assert training["early_stopping"]["patience"] == 4
    form.editors["lr"].stepBy(1)
    assert training["lr"] == 0.006
    assert form.editors["lr"].text() == "0.006"


def test_dataset_chooser_keeps_common_keys_and_shows_options(qtbot, make_panel):
    panel = make_panel()
    chooser = panel.form.dataset
    assert chooser.combo.currentData() == "moons"
    with qtbot.waitSignal(panel.settings_changed):
        chooser.combo.setCurrentIndex(chooser.combo.findData("circles"))
    assert panel.document.project.data == {"dataset": "circles", "seed": 0}
    assert chooser._option_rows == 3  # n_samples, noise, factor
    chooser.combo.setCurrentIndex(chooser.combo.findData("shapes"))
    combos = [w for w in panel.form.findChildren(QComboBox) if w.findData("rgb") >= 0]
    combos[0].setCurrentIndex(combos[0].findData("rgb"))
    assert panel.document.project.data["color"] == "rgb"


def test_start_refuses_a_graph_with_errors(qtbot, make_panel):
    panel = make_panel()
    doc = panel.document
    logits = next(n for n in doc.graph.nodes.values() if n.name == "logits")
    edge = next(e for e in doc.graph.edges if e.dst[0] == logits.id)
    doc.disconnect(edge)
    messages = []
    panel.message.connect(messages.append)
    assert doc.report.errors
    assert not panel.start()
    assert panel.state == "idle" and panel.session.thread is None
    assert messages and "logits" in messages[0] and "not connected" in panel.banner.text()
