"""Colouring the cards by a statistic: badges on the named nodes, a legend, and back."""

from __future__ import annotations

from studio.templates.catalog import get_template
from studio.ui.canvas.heat import HEAT_COLORS, heat_bins, heat_color
from studio.ui.document import Document


def test_bins_span_the_values_and_colour_the_extremes():
    edges = heat_bins({"a": 1.0, "b": 3.0, "c": 11.0})
    assert edges[0] == 1.0 and edges[-1] == 11.0 and len(edges) == len(HEAT_COLORS) + 1
    assert heat_color(1.0, edges).name() == HEAT_COLORS[0]
    assert heat_color(11.0, edges).name() == HEAT_COLORS[-1]
    assert heat_color(float("nan"), edges) is None
    log_edges = heat_bins({"a": 1e-4, "b": 1.0}, log=True)
    assert abs(log_edges[1] - 10 ** (-4 + 4 / len(HEAT_COLORS))) < 1e-12


def test_canvas_shows_and_clears_a_statistic(qtbot, make_canvas, registry, tmp_path):
    document = Document(registry, get_template("lenet5").build())
    canvas = make_canvas(document)
    names = {node.name: nid for nid, node in document.graph.nodes.items()}
    values = {names["conv2d_1"]: 0.0, names["conv2d_2"]: 0.5, names["linear_1"]: 1.0}
    canvas.show_statistic("Dead ReLU fraction", values)
    colors = canvas.statistic_colors()
    assert set(colors) == set(values)
    assert colors[names["conv2d_1"]] == HEAT_COLORS[0] and colors[names["linear_1"]] == HEAT_COLORS[-1]
    assert canvas.legend.isVisible() and "Dead ReLU" in canvas.legend.title.text()
    assert canvas.legend.rows.count() == len(HEAT_COLORS) + 1  # one row per bin, then the missing count
    missing = canvas.legend.rows.itemAt(len(HEAT_COLORS)).widget().text()
    assert missing == f"{len(document.graph.nodes) - 3} nodes without a value"
    canvas.grab().save(str(tmp_path.parent / "heat.png"))
    canvas.legend.cleared.emit()
    assert canvas.statistic_colors() == {} and not canvas.legend.isVisible()
    assert all(
        not item.childItems() or all(c.__class__.__name__ != "HeatBadge" for c in item.childItems())
        for item in canvas.scene.node_items()
    )


def test_doctor_findings_mark_their_nodes(qtbot, make_canvas, registry):
    from studio.ui.canvas.doctor_marks import DoctorMark

    document = Document(registry, get_template("lenet5").build())
    canvas = make_canvas(document)
    ids = {node.name: nid for nid, node in document.graph.nodes.items()}
    findings = [
        {
            "code": "dead_relu",
            "severity": "warning",
            "message": "62% of relu_1 is dead",
            "fix": "lower the LR",
            "node": "relu_1",
            "node_id": ids["relu_1"],
        },
        {
            "code": "nan",
            "severity": "error",
            "message": "loss is NaN",
            "fix": "lower the LR",
            "node": "relu_1",
            "node_id": ids["relu_1"],
        },
        {
            "code": "overfit",
            "severity": "warning",
            "message": "overfitting",
            "fix": "more data",
            "node": None,
        },
    ]
    canvas.show_findings(findings)
    assert canvas.finding_marks() == {ids["relu_1"]: "error"}  # the worst of its two findings
    mark = next(c for c in canvas.scene.node_item(ids["relu_1"]).childItems() if isinstance(c, DoctorMark))
    assert "62% of relu_1 is dead" in mark.toolTip() and "loss is NaN" in mark.toolTip()
    canvas.show_findings([])
    assert canvas.finding_marks() == {}
    assert not any(isinstance(c, DoctorMark) for c in canvas.scene.node_item(ids["relu_1"]).childItems())


def test_main_window_marks_the_training_panels_findings(lenet_window):
    win = lenet_window
    relu = next(nid for nid, node in win.document.graph.nodes.items() if node.name == "relu_2")
    win.training_panel.findings_changed.emit(
        [{"severity": "warning", "message": "m", "fix": "f", "node": "relu_2", "node_id": relu}]
    )
    assert win.canvas.finding_marks() == {relu: "warning"}
