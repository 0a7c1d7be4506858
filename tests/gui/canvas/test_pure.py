"""The canvas's pure helpers: fuzzy matching and layout (no Qt)."""

from __future__ import annotations

from studio.ui.canvas.fuzzy import fuzzy_filter, fuzzy_score
from studio.ui.canvas.layout import align, distribute, layered_layout


def test_fuzzy_subsequence_matches_and_rejects():
    assert fuzzy_score("cv2", "Conv2d") is not None
    assert fuzzy_score("lin", "Linear") is not None
    assert fuzzy_score("zz", "Linear") is None
    assert fuzzy_score("", "Linear") == 0.0


def test_fuzzy_ranks_prefix_and_word_starts_first():
    candidates = [
        ("core.conv1d", "Conv1d"),
        ("core.conv2d", "Conv2d"),
        ("core.convtranspose2d", "ConvTranspose2d"),
        ("core.maxpool2d", "MaxPool2d"),
    ]
    assert fuzzy_filter("conv2", candidates)[0] == "core.conv2d"
    assert fuzzy_filter("mp2", candidates) == ["core.maxpool2d"]
    assert fuzzy_filter("ct", candidates)[0] == "core.convtranspose2d"


def test_fuzzy_uses_best_of_several_texts_and_limit():
    candidates = [("a", "Alpha", "first"), ("b", "Beta", "second")]
    assert fuzzy_filter("second", candidates) == ["b"]
    assert fuzzy_filter("", candidates, limit=1) == ["a"]


def test_layered_layout_puts_every_edge_left_to_right():
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("a", "e")]
    sizes = {n: (100.0, 50.0) for n in nodes}
    pos = layered_layout(nodes, edges, sizes, origin=(10.0, 20.0))
    assert all(pos[s][0] < pos[d][0] for s, d in edges)
    assert min(x for x, _ in pos.values()) == 10.0
    # b and c share a column and do not overlap
    assert pos["b"][0] == pos["c"][0] and abs(pos["b"][1] - pos["c"][1]) >= 50.0


def test_barycentric_ordering_uncrosses_two_chains():
    nodes = ["a1", "a2", "b2", "b1"]  # b2 listed before b1 would cross a1->b1, a2->b2
    edges = [("a1", "b1"), ("a2", "b2")]
    pos = layered_layout(nodes, edges, {n: (10.0, 10.0) for n in nodes})
    assert (pos["a1"][1] < pos["a2"][1]) == (pos["b1"][1] < pos["b2"][1])


def test_align_and_distribute():
    pos = {"a": (0.0, 0.0), "b": (50.0, 30.0), "c": (300.0, 10.0)}
    sizes = {n: (20.0, 10.0) for n in pos}
    assert {p[1] for p in align(pos, sizes, "top").values()} == {0.0}
    assert {p[0] + 20.0 for p in align(pos, sizes, "right").values()} == {320.0}
    spread = distribute(pos, sizes, "x")
    gaps = [spread["b"][0] - spread["a"][0], spread["c"][0] - spread["b"][0]]
    assert gaps[0] == gaps[1] and spread["a"] == pos["a"] and spread["c"] == pos["c"]
