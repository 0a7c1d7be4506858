"""Per-node statistics for colouring the canvas, colour maps and legends."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studio.compiler.lower import compile_graph
from studio.inspection.colormaps import (
    MISSING_RGBA,
    apply_colormap,
    lut,
    make_legend,
    normalise,
)
from studio.inspection.nodestats import default_loss, node_statistics, statistic_legend
from studio.layers.registry import LayerRegistry
from studio.templates.catalog import get_template

REGISTRY = LayerRegistry.with_builtins()


@pytest.fixture(scope="module")
def lenet_project():
    return get_template("lenet5").build()


def test_lenet5_statistics_for_every_layer(lenet_project):
    torch.manual_seed(0)
    model = compile_graph(lenet_project.graph, REGISTRY).train()
    x = torch.randn(8, 1, 32, 32, generator=torch.Generator().manual_seed(1))
    y = torch.arange(8) % 10
    stats = node_statistics(model, x, lenet_project.graph, y=y)
    weighted = ["conv2d_1", "conv2d_2", "linear_1", "linear_2", "logits"]
    assert set(weighted) <= set(stats)
    assert model.training  # mode restored
    assert all(p.grad is None for p in model.parameters())  # .grad untouched
    for name in weighted:
        s = stats[name]
        assert all(
            math.isfinite(s[k]) for k in ("grad_norm", "output_grad_norm", "dead_fraction", "sparsity")
        )
        assert s["grad_norm"] > 0
    assert stats["conv2d_1"]["params"] == 6 * 25 + 6 and stats["logits"]["params"] == 84 * 10 + 10
    assert math.isnan(stats["relu_1"]["grad_norm"]) and stats["relu_1"]["params"] == 0
    assert stats["relu_1"]["sparsity"] > 0.2  # ReLU zeros about half its inputs
    # grad_norm is the norm of d(loss)/d(params) of one eval-mode cross-entropy step
    model.eval()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    expected = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.conv2d_2.parameters()))
    assert stats["conv2d_2"]["grad_norm"] == pytest.approx(expected, rel=1e-4)
    assert all(not m._forward_hooks for m in model.modules())


def test_dead_fraction_and_names_on_a_constructed_net():
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, 0.0]]))
        net[0].bias.copy_(torch.tensor([0.0, 0.0, 0.0, -1.0]))
    x = torch.tensor([[1.0, 2.0], [3.0, 1.0]])  # unit 2 is -x0 < 0, unit 3 is -1: both dead
    stats = node_statistics(net, x, ["0", "1", "missing"])
    assert set(stats) == {"0", "1"}  # names without a submodule are left out
    assert stats["1"]["dead_fraction"] == 0.5 and stats["1"]["sparsity"] == 0.5
    assert stats["0"]["params"] == 12


def test_default_loss():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    assert float(default_loss(logits)) == pytest.approx(float(F.cross_entropy(logits, torch.tensor([0, 1]))))
    assert float(default_loss(logits, torch.tensor([1, 1]))) == pytest.approx(
        float(F.cross_entropy(logits, torch.tensor([1, 1])))
    )
    assert float(default_loss(torch.tensor([[2.0]]))) == pytest.approx(2.0)
    assert float(default_loss(torch.tensor([[2.0]]), torch.tensor([[1.0]]))) == pytest.approx(1.0)


def test_statistic_legend_bins(lenet_project):
    stats = {
        "a": {"params": 10.0, "dead_fraction": 0.0},
        "b": {"params": 1000.0, "dead_fraction": 0.9},
        "c": {"params": 0.0, "dead_fraction": math.nan},
    }
    colours, legend = statistic_legend(stats, "params", bins=2)
    np.testing.assert_allclose(legend.edges, [10, 100, 1000])  # log scale
    assert (colours["a"] == legend.colours[0]).all() and (colours["b"] == legend.colours[1]).all()
    assert (colours["c"] == MISSING_RGBA).all()
    colours, legend = statistic_legend(stats, "dead_fraction", bins=4)
    np.testing.assert_allclose(legend.edges, [0, 0.25, 0.5, 0.75, 1.0])  # fractions: fixed [0, 1]
    assert (colours["b"] == legend.colours[3]).all() and (colours["c"] == MISSING_RGBA).all()
    assert legend.labels()[0] == "0 – 0.25"
    with pytest.raises(ValueError):
        statistic_legend(stats, "colour")


def test_legend_by_hand():
    legend = make_legend([0.0, 1.0, 4.0], bins=4)
    np.testing.assert_allclose(legend.edges, [0, 1, 2, 3, 4])
    assert legend.bin_of([0.0, 0.99, 1.0, 3.5, 4.0, 9.0, -1.0, math.nan]).tolist() == [
        0,
        0,
        1,
        3,
        3,
        3,
        0,
        -1,
    ]
    assert legend.colours.shape == (4, 4) and legend.colours.dtype == np.uint8


def test_luts_and_apply_colormap():
    v = lut("viridis")
    assert v.shape == (256, 4) and v.dtype == np.uint8 and (v[:, 3] == 255).all()
    assert tuple(v[0, :3]) == (68, 1, 84) and tuple(v[-1, :3]) == (253, 231, 37)
    d = lut("diverging")
    assert tuple(d[128, :3]) == pytest.approx((247, 247, 247), abs=3)  # middle (zero) is white
    assert d[0, 2] > d[0, 0] and d[-1, 0] > d[-1, 2]  # blue below, red above
    img = np.array([[0.0, 1.0], [0.5, np.nan]], dtype=np.float32)
    rgba = apply_colormap(img, "grey")
    assert rgba.shape == (2, 2, 4) and rgba.dtype == np.uint8
    assert tuple(rgba[0, 0]) == (0, 0, 0, 255) and tuple(rgba[0, 1]) == (255, 255, 255, 255)
    assert tuple(rgba[1, 0, :3]) == (128, 128, 128) and rgba[1, 1, 3] == 0  # NaN transparent
    assert tuple(apply_colormap(np.array([-3.0, 7.0]), "grey")[:, 0]) == (0, 255)  # clipped
    with pytest.raises(ValueError):
        lut("jet")


def test_normalise_modes():
    maps = np.array([[[1.0, 3.0]], [[-2.0, 2.0]]])
    per_map = normalise(maps, axis=(1, 2))
    np.testing.assert_allclose(per_map, [[[0, 1]], [[0, 1]]])
    np.testing.assert_allclose(normalise(maps), [[[0.6, 1.0]], [[0, 0.8]]])
    np.testing.assert_allclose(normalise(maps, "symmetric"), [[[2 / 3, 1.0]], [[1 / 6, 5 / 6]]])
    np.testing.assert_allclose(normalise(np.zeros(3), "symmetric"), 0.5)
    np.testing.assert_allclose(normalise(np.full(3, 7.0)), 0.0)
    out = normalise(torch.tensor([0.0, np.inf, 2.0, np.nan]))
    np.testing.assert_allclose(out[[0, 2]], [0, 1])
    assert np.isnan(out[[1, 3]]).all()
    np.testing.assert_allclose(normalise([0.5, 2.0], vmin=0, vmax=1), [0.5, 1.0])
