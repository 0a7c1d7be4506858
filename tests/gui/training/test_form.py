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


def test_settings_edits_are_undoable_and_mark_the_project_unsaved(qtbot, make_panel):
    panel = make_panel()
    document, form = panel.document, panel.form
    document.history.set_clean()
    assert not document.is_dirty()
    form.editors["lr"].setValue(0.003)
    form.editors["lr"].setValue(0.004)  # spinning one setting merges into one step
    assert document.is_dirty()
    assert document.history.undo_text() == "change training.lr"
    form.editors["optimizer"].setCurrentIndex(form.editors["optimizer"].findData("sgd"))
    with qtbot.waitSignal(document.settings_changed):
        document.undo()
    assert document.project.training["optimizer"] != "sgd"
    assert form.editors["optimizer"].currentData() == document.project.training["optimizer"]
    document.undo()
    assert document.project.training["lr"] == 0.01 and form.editors["lr"].value() == 0.01
    assert not document.is_dirty()
    document.redo()
    assert document.project.training["lr"] == 0.004 and form.editors["lr"].value() == 0.004


def test_changing_the_dataset_is_one_undo_step(qtbot, make_panel):
    panel = make_panel()
    document, chooser = panel.document, panel.form.dataset
    before = dict(document.project.data)
    chooser.combo.setCurrentIndex(chooser.combo.findData("circles"))
    assert document.project.data["dataset"] == "circles" and document.is_dirty()
    document.undo()
    assert document.project.data == before
    assert chooser.combo.currentData() == before["dataset"]


def test_checkpoint_interval_and_statistics_budget_are_editable(qtbot, make_panel):
    panel = make_panel(stats_budget=0.05)
    form, training = panel.form, panel.document.project.training
    interval, budget = form.editors["checkpoint_interval"], form.editors["stats_budget"]
    assert interval.value() == 2.0 and interval.text() == "every 2.0 s or more"  # the default
    assert budget.value() == 5.0 and budget.text() == "5.0 % of the time"  # stored as a fraction
    interval.setValue(0.0)
    assert training["checkpoint_interval"] == 0.0 and interval.text() == "Every epoch"
    budget.setValue(100.0)
    assert training["stats_budget"] == 1.0  # every epoch
    budget.setValue(2.5)
    assert training["stats_budget"] == 0.025
    assert form.validate() == ""
