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
    assert all(not item.childItems() or all(c.__class__.__name__ != "HeatBadge" for c in item.childItems())
               for item in canvas.scene.node_items())
