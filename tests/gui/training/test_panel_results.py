"""A failing run shows why and the doctor's findings; curves export to CSV/PNG; runs compare."""

from __future__ import annotations

import csv
import math

import numpy as np

from tests.gui.training.conftest import curve_len


def run_to_end(qtbot, panel, timeout=30000):
    with qtbot.waitSignal(panel.session.finished, timeout=timeout):
        assert panel.start()


def test_failing_run_shows_message_and_findings(qtbot, make_panel):
    panel = make_panel(optimizer="sgd", lr=1e6, epochs=3)
    with qtbot.waitSignal(panel.findings_changed, timeout=30000, check_params_cb=bool):
        run_to_end(qtbot, panel)
    assert panel.state == "failed" and panel.controls.buttons["start"].isEnabled()
    assert panel.banner.isVisible()
    assert "NaN" in panel.banner.text() and "learning rate" in panel.banner.text()
    codes = {f["code"] for f in panel.findings}
    assert "loss_not_finite" in codes
    assert panel.doctor.topLevelItemCount() == panel.doctor.count >= 1
    row = panel.doctor.topLevelItem(0)
    assert row.text(2) and row.text(3)  # what happened, and the fix
    assert not row.icon(0).isNull()


def test_doctor_rows_name_layers_and_map_them_to_node_ids(qtbot, make_panel):
    panel = make_panel(optimizer="adam", lr=1e6, epochs=2)  # explodes without NaN: per-layer findings
    run_to_end(qtbot, panel)
    about_layers = [f for f in panel.findings if f.get("node")]
    assert about_layers, panel.findings
    graph = panel.document.graph
    for finding in about_layers:
        assert graph.nodes[finding["node_id"]].name == finding["node"]
    clicked = []
    panel.node_activated.connect(clicked.append)
    item = next(
        panel.doctor.topLevelItem(i)
        for i in range(panel.doctor.topLevelItemCount())
        if panel.doctor.topLevelItem(i).text(0) != "—"
    )
    panel.doctor.itemClicked.emit(item, 0)
    assert clicked and clicked[0] in graph.nodes


def test_export_csv_and_png(qtbot, make_panel, tmp_path):
    panel = make_panel(epochs=2)
    run_to_end(qtbot, panel)
    assert panel.state == "finished"
    curves = panel.curves.current
    assert curve_len(panel) == len(curves.steps) > 0
    path = tmp_path / "curves.csv"
    assert panel.toolbar.export_csv(str(path))
    rows = list(csv.DictReader(path.open()))
    steps = [r for r in rows if r["kind"] == "step"]
    epochs = [r for r in rows if r["kind"] == "epoch"]
    assert len(steps) == len(curves.steps) and len(epochs) == 2
    np.testing.assert_allclose([float(r["loss"]) for r in steps], curves.step_series["loss"].values)
    assert math.isclose(float(epochs[-1]["val_accuracy"]), curves.epoch_values("val_accuracy")[-1])
    png = tmp_path / "curves.png"
    assert panel.toolbar.export_png(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_with_a_previous_run(qtbot, make_panel):
    panel = make_panel(epochs=2)
    run_to_end(qtbot, panel)
    first = panel.run_dir
    panel.document.project.training["lr"] = 0.05
    run_to_end(qtbot, panel)
    assert panel.run_dir != first
    panel.toolbar.refresh_runs()
    actions = [a for a in panel.toolbar.compare_menu.actions() if a.isCheckable()]
    assert [a.data() for a in actions] == [str(first)]
    actions[0].setChecked(True)
    assert len(panel.curves.compared) == 1
    overlay = panel.curves._compare_items
    assert len(overlay) == 3 and all(len(item.getData()[0]) > 0 for _plot, item in overlay)
    panel.toolbar.log_scale.setChecked(True)
    panel.toolbar.smoothing.setValue(90)
    panel.curves.redraw()
    actions[0].setChecked(False)
    assert panel.curves._compare_items == []
