"""Graph specs: GCN against a hand computation, GAT masking, counts and errors."""

from __future__ import annotations

import math

import pytest
import torch

from studio.layers.builtin import graph
from studio.layers.spec import ShapeError

# Path graph 0 - 1 - 2.
PATH = torch.tensor([[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]])
X = torch.tensor([[[1.0], [2.0], [3.0]]])
SHAPES = {"features": (None, 3, 1), "adjacency": (None, 3, 3)}


def _build(spec, params):
    p = spec.resolve_params(params)
    return p, spec.build(p, SHAPES).eval()


def test_gcn_matches_hand_computation_on_three_nodes() -> None:
    _, module = _build(graph.GCNLayer(), {"out_features": 1})
    with torch.no_grad():
        module.weight.fill_(1.0)
    # A + I has degrees 2, 3, 2; entry (i, j) of the normalised matrix is 1/sqrt(d_i d_j).
    expected = [
        1 / 2 * 1 + 1 / math.sqrt(6) * 2,
        1 / math.sqrt(6) * 1 + 1 / 3 * 2 + 1 / math.sqrt(6) * 3,
        1 / math.sqrt(6) * 2 + 1 / 2 * 3,
    ]
    assert module(X, PATH)[0, :, 0].tolist() == pytest.approx(expected)  # 1.3165, 2.2997, 2.3165


def test_gcn_without_self_loops_keeps_isolated_nodes_finite() -> None:
    _, module = _build(graph.GCNLayer(), {"out_features": 2, "add_self_loops": False})
    adj = PATH.clone()
    adj[0, 0, 1] = adj[0, 1, 0] = 0.0  # node 0 isolated
    y = module(X, adj)
    assert torch.isfinite(y).all()
    assert torch.equal(y[0, 0], module.bias)


def test_gcn_counts() -> None:
    spec = graph.GCNLayer()
    p = spec.resolve_params({"out_features": 16})
    shapes = {"features": (None, 34, 34), "adjacency": (None, 34, 34)}
    assert spec.infer(p, shapes) == {"y": (None, 34, 16)}
    assert spec.param_count(p, shapes) == 34 * 16 + 16
    assert spec.macs(p, shapes, {}) == 34 * 34 * 16 + 34 * 34 * 16


def test_gat_uniform_attention_is_neighbourhood_mean() -> None:
    _, module = _build(graph.GATLayer(), {"out_features": 1})
    with torch.no_grad():
        module.lin.weight.fill_(1.0)
        module.att_src.zero_()  # equal scores -> softmax is uniform over neighbours + self
        module.att_dst.zero_()
    assert module(X, PATH)[0, :, 0].tolist() == pytest.approx([1.5, 2.0, 2.5])


def test_gat_ignores_non_neighbours() -> None:
    torch.manual_seed(0)
    _, module = _build(graph.GATLayer(), {"out_features": 4, "heads": 2})
    changed = X.clone()
    changed[0, 2] = 100.0  # node 2 is not a neighbour of node 0
    assert torch.allclose(module(X, PATH)[0, 0], module(changed, PATH)[0, 0])


@pytest.mark.parametrize(("concat", "width", "bias"), [(True, 24, 24), (False, 8, 8)])
def test_gat_heads_width_and_params(concat, width, bias) -> None:
    spec = graph.GATLayer()
    p = spec.resolve_params({"heads": 3, "concat": concat})
    shapes = {"features": (None, 5, 10), "adjacency": (None, 5, 5)}
    assert spec.infer(p, shapes) == {"y": (None, 5, width)}
    expected = 10 * 24 + 2 * 24 + bias
    assert spec.param_count(p, shapes) == expected
    assert sum(t.numel() for t in spec.build(p, shapes).parameters()) == expected


def test_adjacency_errors() -> None:
    spec = graph.GCNLayer()
    p = spec.resolve_params({})
    with pytest.raises(ShapeError, match="covers 4 nodes but the features") as err:
        spec.infer(p, {"features": (None, 3, 2), "adjacency": (None, 4, 4)})
    assert err.value.port == "adjacency"
    with pytest.raises(ShapeError, match="not square"):
        spec.infer(p, {"features": (None, 3, 2), "adjacency": (None, 3, 4)})
