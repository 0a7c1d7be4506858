"""Feature maps, per-channel statistics, dead and saturated units (checked by hand and against
the training statistics)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from studio.compiler.lower import compile_graph
from studio.inspection.activations import (
    activation_grid,
    activation_histogram,
    activation_kind,
    as_maps,
    channel_stats,
    dead_fraction,
    dead_units,
    feature_maps,
    output_bounds,
    saturation_fraction,
    unit_summary,
)
from studio.inspection.colormaps import lut
from studio.inspection.hooks import InspectionError
from studio.layers.registry import LayerRegistry
from studio.templates.catalog import get_template
from studio.training.stats import activation_stats

REGISTRY = LayerRegistry.with_builtins()


@pytest.fixture(scope="module")
def lenet():
    torch.manual_seed(0)
    return compile_graph(get_template("lenet5").build().graph, REGISTRY).eval()


@pytest.fixture(scope="module")
def batch():
    return torch.randn(5, 1, 32, 32, generator=torch.Generator().manual_seed(1))


def manual_forward(model, x, stop):
    """Apply the submodules in order up to and including ``stop``."""
    with torch.no_grad():
        for name, module in model.named_children():
            x = module(x)
            if name == stop:
                return x
    raise AssertionError(stop)


@pytest.mark.parametrize(
    "node,shape", [("relu_1", (6, 28, 28)), ("maxpool2d_2", (16, 5, 5)), ("linear_1", (120,))]
)
def test_feature_maps_equal_a_manual_forward(lenet, batch, node, shape):
    maps = feature_maps(lenet, batch, node, sample=3)
    assert maps.shape == shape and maps.dtype == np.float32
    np.testing.assert_allclose(maps, manual_forward(lenet, batch, node)[3].numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(feature_maps(lenet, batch, node, sample=-2), maps)  # -2 of 5 is 3


def test_feature_maps_errors_leave_no_hooks(lenet, batch):
    with pytest.raises(InspectionError, match="not in the batch"):
        feature_maps(lenet, batch, "relu_1", sample=5)
    with pytest.raises(InspectionError, match="no node or module"):
        feature_maps(lenet, batch, "relu_99")
    with pytest.raises(RuntimeError):  # a wrong input shape fails inside the model
        feature_maps(lenet, torch.randn(2, 3, 32, 32), "relu_1")
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in lenet.modules())


def test_as_maps_shapes():
    assert as_maps(np.zeros((6, 4, 5))).shape == (6, 4, 5)
    assert as_maps(np.zeros((3, 7))).shape == (3, 1, 7)
    assert as_maps(torch.zeros(10)).shape == (1, 1, 10)
    assert as_maps(np.zeros((2, 3, 4, 5))).shape == (6, 4, 5)
    with pytest.raises(InspectionError):
        as_maps(np.zeros(()))


def test_channel_stats_by_hand():
    # one sample (C=2, H=1, W=4)
    a = np.array([[[0.0, 1.0, 2.0, 5.0]], [[-2.0, -2.0, 0.0, 0.0]]])
    s = channel_stats(a, axis=0)
    assert len(s) == 2
    np.testing.assert_allclose(s.mean, [2.0, -1.0])
    np.testing.assert_allclose(s.std, [np.sqrt(3.5), 1.0])
    np.testing.assert_allclose(s.min, [0.0, -2.0])
    np.testing.assert_allclose(s.max, [5.0, 0.0])
    np.testing.assert_allclose(s.zero_fraction, [0.25, 0.5])
    batch = torch.tensor(np.stack([a, a + 1]))  # (N=2, C=2, 1, 4): channel axis 1
    sb = channel_stats(batch, axis=1)
    np.testing.assert_allclose(sb.mean, [2.5, -0.5])
    np.testing.assert_allclose(sb.zero_fraction, [1 / 8, 2 / 8])


def test_activation_histogram_by_hand():
    counts, edges = activation_histogram(torch.tensor([0.0, 0.1, 0.5, 0.9, 1.0, float("nan")]), bins=2)
    assert counts.tolist() == [2, 3] and edges.tolist() == [0.0, 0.5, 1.0]
    counts, edges = activation_histogram(np.array([3.0, 3.0]), bins=4)
    assert counts.sum() == 2
    counts, _ = activation_histogram(np.array([-1.0, 0.2, 2.0]), bins=2, range=(0, 1))
    assert counts.tolist() == [1, 0]


def test_dead_fraction_constructed():
    a = np.zeros((3, 4, 2))  # (N, C, L)
    a[:, 1] = -1.0  # never positive: dead
    a[1, 2, 0] = 0.5  # positive for one sample at one position: alive
    a[:, 3] = 2.0  # alive
    assert dead_units(a).tolist() == [True, True, False, False]
    assert dead_fraction(a) == 0.5
    assert dead_fraction(np.array([[0.0, 1.0, -3.0], [0.0, 0.0, -1.0]])) == pytest.approx(2 / 3)  # (N, F)
    # channels on another axis (channels-last)
    assert dead_fraction(np.moveaxis(a, 1, -1), axis=-1) == 0.5


def test_dead_and_saturation_agree_with_training_stats():
    torch.manual_seed(5)
    pre = torch.randn(16, 8, 4, 4)
    pre[:, [1, 6]] = -pre[:, [1, 6]].abs()  # two channels never positive
    for module in (nn.ReLU(), nn.ReLU6()):
        y = module(pre)
        out = {}
        activation_stats("n", module, y, out)
        assert dead_fraction(y) == pytest.approx(float(out["act/n/dead_fraction"])) == 0.25
        assert unit_summary(y, module)["zero_fraction"] == pytest.approx(float(out["act/n/zero_fraction"]))
    for module in (nn.Sigmoid(), nn.Tanh(), nn.Hardtanh(), nn.Softsign(), nn.Hardsigmoid()):
        y = module(pre * 30)  # softsign reaches 0.96 only beyond 24
        out = {}
        activation_stats("n", module, y, out)
        expected = float(out["act/n/saturated_fraction"])
        assert 0 < expected < 1
        assert saturation_fraction(y, module) == pytest.approx(expected, abs=1e-6)


def test_saturation_by_hand():
    sig = np.array([0.01, 0.5, 0.99, 0.98, 0.021])
    assert saturation_fraction(sig, "sigmoid") == pytest.approx(3 / 5)  # within 0.02 of 0 or 1
    tanh = np.array([-0.97, -0.95, 0.0, 0.961])
    assert saturation_fraction(tanh, "tanh") == pytest.approx(2 / 4)  # within 0.04 of -1 or 1
    assert saturation_fraction(np.array([0.0, 0.0, 1.0, 3.0]), nn.ReLU()) == 0.5
    assert saturation_fraction(np.array([-1.0, 0.5, 2.0]), nn.Hardtanh(-1.0, 2.0)) == pytest.approx(2 / 3)
    assert output_bounds(nn.Hardtanh(-1.0, 2.0)) == (-1.0, 2.0)
    assert activation_kind(nn.ReLU6()) == "relu" and activation_kind(nn.Linear(2, 2)) is None
    with pytest.raises(InspectionError, match="does not saturate"):
        saturation_fraction(sig, nn.Linear(2, 2))
    assert "saturated_fraction" not in unit_summary(sig[None], nn.Linear(5, 5))


def test_activation_grid_colours_each_map_in_place(lenet, batch):
    maps = np.zeros((3, 2, 2), dtype=np.float32)
    maps[0] = [[0, 1], [2, 4]]
    maps[1] = [[-1, -1], [-1, 1]]  # min -1 -> 0, max 1 -> 1
    maps[2] = 5.0  # constant -> 0
    img = activation_grid(maps, "grey", columns=2)
    assert img.shape == (5, 5, 4) and img.dtype == np.uint8
    grey = lut("grey")
    np.testing.assert_array_equal(img[0, 0], grey[0])
    np.testing.assert_array_equal(img[1, 1], grey[255])  # 4 is map 0's maximum
    np.testing.assert_array_equal(img[0, 1], grey[64])  # 1/4 of the range
    np.testing.assert_array_equal(img[1, 4], grey[255])  # map 1, bottom right
    np.testing.assert_array_equal(img[3, 0], grey[0])  # map 2 (constant)
    assert (img[2, :, 3] == 0).all() and (img[:, 2, 3] == 0).all() and (img[3:, 3:, 3] == 0).all()
    shared = activation_grid(maps, "grey", per_map=False, columns=2)  # one range, -1 .. 5
    np.testing.assert_array_equal(shared[3, 0], grey[255])
    real = activation_grid(feature_maps(lenet, batch, "relu_1"))
    assert real.shape == (2 * 29 - 1, 3 * 29 - 1, 4)  # 6 maps of 28x28: 3 columns, 2 rows
