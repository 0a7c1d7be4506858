"""Kernels as tiles, the tile grid, weight statistics now and over a real run's epochs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn
from torch.utils.data import TensorDataset

from studio.compiler.lower import compile_graph
from studio.core.serialize import Project
from studio.data.bundle import DataBundle
from studio.inspection.filters import (
    conv_filters,
    conv_layer_names,
    first_layer_tiles,
    histogram,
    kernel_grid,
    rebin,
    tile_grid,
    weight_history,
    weight_stats,
)
from studio.inspection.hooks import InspectionError
from studio.layers.registry import LayerRegistry
from studio.templates.builder import ChainBuilder
from studio.templates.catalog import get_template
from studio.training import Trainer

REGISTRY = LayerRegistry.with_builtins()


@pytest.fixture(scope="module")
def lenet():
    torch.manual_seed(0)
    return compile_graph(get_template("lenet5").build().graph, REGISTRY)


def test_conv_filters_of_lenet5(lenet):
    assert conv_layer_names(lenet) == ["conv2d_1", "conv2d_2"]
    first = conv_filters(lenet)  # no target: the first convolution
    assert first.shape == (6, 1, 5, 5) and first.dtype == np.float32
    np.testing.assert_array_equal(first, lenet.conv2d_1.weight.detach().numpy())
    assert conv_filters(lenet, "conv2d_2").shape == (16, 6, 5, 5)
    assert conv_filters(lenet.conv2d_2).shape == (16, 6, 5, 5)  # the module itself


def test_conv_filters_refuses_what_has_no_filters(lenet):
    with pytest.raises(InspectionError, match="ReLU, not a convolution"):
        conv_filters(lenet, "relu_1")
    mlp = compile_graph(get_template("mlp").build().graph, REGISTRY)
    with pytest.raises(InspectionError, match="no convolution"):
        conv_filters(mlp)
    with pytest.raises(InspectionError, match="no node or module"):
        conv_filters(lenet, "conv9")


def test_transposed_grouped_kernels_are_out_by_in():
    torch.manual_seed(1)
    m = nn.ConvTranspose2d(4, 6, 3, groups=2)  # weight (in=4, out/groups=3, 3, 3)
    k = conv_filters(m)
    assert k.shape == (6, 2, 3, 3)
    w = m.weight.detach().numpy()
    for o in range(6):
        g = o // 3
        for j in range(2):  # input channel g*2 + j feeds output o
            np.testing.assert_array_equal(k[o, j], w[g * 2 + j, o - g * 3])


def test_rgb_tiles_symmetric_per_filter():
    torch.manual_seed(2)
    conv = nn.Conv2d(3, 4, 3)
    with torch.no_grad():
        conv.weight[1, 2, 0, 0] = 0.0
    tiles = first_layer_tiles(conv)
    assert tiles.shape == (4, 3, 3, 3)  # (out, kh, kw, RGB)
    w = conv.weight.detach().numpy()
    half = np.abs(w).reshape(4, -1).max(axis=1)
    expected = w.transpose(0, 2, 3, 1) / (2 * half[:, None, None, None]) + 0.5
    np.testing.assert_allclose(tiles, expected, atol=1e-6)
    assert tiles[1, 0, 0, 2] == pytest.approx(0.5)  # a zero weight is mid-grey
    np.testing.assert_allclose(np.abs(tiles - 0.5).reshape(4, -1).max(axis=1), 0.5, atol=1e-6)
    assert tiles.min() >= 0 and tiles.max() <= 1


def test_tiles_minmax_and_layer_scale():
    torch.manual_seed(3)
    conv = nn.Conv2d(3, 5, 3)
    mm = first_layer_tiles(conv, mode="minmax").reshape(5, -1)
    np.testing.assert_allclose(mm.min(axis=1), 0, atol=1e-6)
    np.testing.assert_allclose(mm.max(axis=1), 1, atol=1e-6)
    layer = first_layer_tiles(conv, scale="layer")
    dist = np.abs(layer - 0.5).reshape(5, -1).max(axis=1)
    w = conv.weight.detach().numpy().reshape(5, -1)
    # one range for the layer: only the filter with the largest weight reaches 0 or 1
    assert dist.max() == pytest.approx(0.5) and (dist < 0.5 - 1e-6).sum() >= 1
    np.testing.assert_allclose(dist, np.abs(w).max(axis=1) / (2 * np.abs(w).max()), atol=1e-6)


def test_grey_tiles_for_one_and_two_input_channels(lenet):
    grey = first_layer_tiles(lenet)
    assert grey.shape == (6, 5, 5)
    torch.manual_seed(4)
    conv = nn.Conv2d(2, 3, 3)
    tiles = first_layer_tiles(conv)
    assert tiles.shape == (6, 3, 3)  # filter-major: (f0 c0, f0 c1, f1 c0, ...)
    w = conv.weight.detach().numpy()
    half = np.abs(w[1]).max()
    np.testing.assert_allclose(tiles[3], w[1, 1] / (2 * half) + 0.5, atol=1e-6)


def test_tile_grid_exact_layout():
    maps = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 2, 2)
    grid = tile_grid(maps, padding=1, columns=3, fill=-1)
    expected = np.array(
        [
            [0, 1, -1, 4, 5, -1, 8, 9],
            [2, 3, -1, 6, 7, -1, 10, 11],
            [-1, -1, -1, -1, -1, -1, -1, -1],
            [12, 13, -1, 16, 17, -1, -1, -1],
            [14, 15, -1, 18, 19, -1, -1, -1],
        ],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(grid, expected)
    assert grid.flags["C_CONTIGUOUS"]


def test_tile_grid_defaults_colour_and_no_padding():
    rng = np.random.default_rng(0)
    maps = rng.random((10, 3, 4, 3)).astype(np.float32)
    grid = tile_grid(maps, padding=2)
    assert grid.shape == (3 * 5 - 2, 4 * 6 - 2, 3)  # ceil(sqrt(10)) = 4 columns, 3 rows
    np.testing.assert_array_equal(grid[5:8, 6:10], maps[5])  # row 1, column 1
    np.testing.assert_array_equal(grid[10:13, 6:10], maps[9])
    assert (grid[10:13, 12:] == 0).all()  # unused cells of the last row
    tight = tile_grid(maps[:4], padding=0, columns=4)
    np.testing.assert_array_equal(tight, np.concatenate(list(maps[:4]), axis=1))
    with pytest.raises(InspectionError):
        tile_grid(np.zeros((3, 3)))


def test_tile_grid_of_256_maps_of_32():
    maps = np.random.default_rng(1).random((256, 32, 32)).astype(np.float32)
    grid = tile_grid(maps, padding=1, fill=np.nan)
    assert grid.shape == (16 * 33 - 1, 16 * 33 - 1)
    np.testing.assert_array_equal(grid[33 * 15 : 33 * 15 + 32, 33 * 15 :], maps[255])
    assert np.isnan(grid[32]).all() and np.isnan(grid[:, 32]).all()


def test_kernel_grid_rows_are_filters_columns_inputs(lenet):
    grid = kernel_grid(lenet, "conv2d_2")
    assert grid.shape == (16 * 6 - 1, 6 * 6 - 1)
    w = lenet.conv2d_2.weight.detach().numpy()
    half = np.abs(w[2]).max()
    np.testing.assert_allclose(grid[12:17, 24:29], w[2, 4] / (2 * half) + 0.5, atol=1e-6)
    assert np.isnan(grid[5]).all()
    small = kernel_grid(lenet, "conv2d_2", max_filters=3, max_channels=2, padding=0)
    assert small.shape == (15, 10)


def test_weight_stats_now(lenet):
    stats = weight_stats(lenet)
    conv = stats["conv2d_1.weight"]
    w = lenet.conv2d_1.weight.detach()
    assert conv.node == "conv2d_1" and conv.shape == (6, 1, 5, 5)
    assert conv.norm == pytest.approx(float(w.norm()), rel=1e-5)
    assert conv.mean == pytest.approx(float(w.mean()), abs=1e-6)
    assert conv.hist.sum() == 150 and conv.hist.shape == (32,)
    assert conv.edges[0] == pytest.approx(float(w.min())) and conv.edges[-1] == pytest.approx(float(w.max()))
    assert "logits.bias" in stats and "logits.bias" not in weight_stats(lenet, biases=False)


def test_histogram_and_rebin_by_hand():
    counts, edges = histogram([0.0, 0.0, 1.0, 3.0, 4.0], bins=4)
    assert counts.tolist() == [2, 1, 0, 2] and edges.tolist() == [0, 1, 2, 3, 4]
    const, const_edges = histogram([2.0, 2.0, 2.0], bins=4)
    assert const.sum() == 3 and const_edges[0] == 2.0
    np.testing.assert_allclose(rebin(np.array([2, 2]), [0, 1, 2], [0, 0.5, 1, 1.5, 2]), [1, 1, 1, 1])
    np.testing.assert_allclose(rebin(np.array([4]), [0, 2], [-1, 1, 3]), [2, 2])
    np.testing.assert_allclose(rebin(np.array([3, 0]), [2, 2, 2], [0, 1, 2, 3]), [0, 0, 3])


def tiny_conv_run(tmp_path):
    """Two epochs of a small CNN on 48 random 3x8x8 images: a real run directory."""
    b = ChainBuilder()
    b.add("core.input_image", "image", channels=3, height=8, width=8)
    b.add("core.conv2d", "conv", out_channels=4, kernel_size=3)
    b.add("core.relu")
    b.add("core.flatten")
    b.add("core.linear", "logits", out_features=2)
    b.add("core.output", "output")
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(48, 3, 8, 8, generator=g), torch.arange(48) % 2
    x[y == 1, 0] += 1.0  # learnable: class 1 is redder
    data = DataBundle(
        "tiny",
        "classification",
        TensorDataset(x[:32], y[:32]),
        TensorDataset(x[32:], y[32:]),
        None,
        [(3, 8, 8)],
        (),
        2,
    )
    config = {"epochs": 2, "batch_size": 16, "lr": 0.05, "seed": 0}
    for _ in Trainer(Project(b.graph), data, config, tmp_path).iter_fit():
        pass
    return tmp_path


def test_weight_history_of_a_real_run(tmp_path):
    run = tiny_conv_run(tmp_path)
    history = weight_history(run)
    assert {"conv.weight", "conv.bias", "logits.weight", "logits.bias"} <= set(history)
    conv = history["conv.weight"]
    assert conv.node == "conv" and conv.epochs.tolist() == [1, 2]
    assert conv.hists.shape == (2, 32) and (conv.hists.sum(axis=1) == 4 * 3 * 3 * 3).all()
    assert conv.edges.shape == (2, 33)
    last = load_file(run / "checkpoints" / "last.safetensors")["conv.weight"]
    assert conv.norms[-1] == pytest.approx(float(last.norm()), rel=1e-5)
    assert conv.norms[0] != conv.norms[1]  # the weights moved
    edges, counts = conv.common_histograms(bins=16)
    assert edges.shape == (17,) and counts.shape == (2, 16)
    np.testing.assert_allclose(counts.sum(axis=1), 108)
    assert edges[0] == pytest.approx(conv.edges.min()) and edges[-1] == pytest.approx(conv.edges.max())
    grads = weight_history(run, kind="grad")
    assert grads["conv.weight"].epochs.tolist() == [1, 2] and (grads["conv.weight"].norms > 0).all()


def test_weight_history_without_stats(tmp_path):
    with pytest.raises(InspectionError, match="stats_every"):
        weight_history(tmp_path)
    with pytest.raises(ValueError):
        weight_history(tmp_path, kind="act")


def test_1d_and_3d_kernels_as_images():
    torch.manual_seed(5)
    conv1 = nn.Conv1d(2, 4, 3)
    tiles = first_layer_tiles(conv1, mode="minmax")
    assert tiles.shape == (8, 1, 3)  # one row per (filter, input)
    conv3 = nn.Conv3d(1, 2, (2, 3, 4))
    w = conv3.weight.detach().numpy()
    grid = kernel_grid(conv3, padding=0, mode="minmax", scale="layer")
    assert grid.shape == (2 * 3, 2 * 4)  # depth slices side by side
    lo, hi = w.min(), w.max()
    np.testing.assert_allclose(grid[3:6, 4:8], (w[1, 0, 1] - lo) / (hi - lo), atol=1e-6)
