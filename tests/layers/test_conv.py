"""Conv1d/2d/3d, ConvTranspose2d and Upsample against the worked examples (seeds/TESTCASES.md)."""

from __future__ import annotations

import pytest
import torch

from studio.layers.spec import ParamError, ShapeError
from tests.layers.layer_cases import REGISTRY, run


def build_with_weight(type_id: str, kernel: list, x_shape: tuple, **params) -> torch.nn.Module:
    spec, p, _ = run(type_id, x_shape, bias=False, **params)
    module = spec.build(p, {"x": (None, *x_shape)})
    with torch.no_grad():
        module.weight.copy_(torch.tensor(kernel, dtype=torch.float32).reshape(module.weight.shape))
    return module


@pytest.mark.parametrize(
    ("size", "params", "expected"),
    [
        (32, {"kernel_size": 5}, 28),
        (7, {"kernel_size": 3, "stride": 2}, 3),
        (8, {"kernel_size": 3, "stride": 2}, 3),  # floor matters
        (6, {"kernel_size": 3, "padding": 1}, 6),
        (6, {"kernel_size": 3, "padding": "same"}, 6),
        (32, {"kernel_size": 3}, 30),
        (224, {"kernel_size": 7, "stride": 2, "padding": 3}, 112),
        (224, {"kernel_size": 3, "padding": 1}, 224),
        (227, {"kernel_size": 11, "stride": 4}, 55),  # AlexNet conv1
    ],
)
def test_conv_output_sizes(size, params, expected):
    assert run("core.conv2d", (3, size, size), **params)[2] == (None, 16, expected, expected)


def test_two_valid_convs_shrink_5_to_1():
    _, _, y = run("core.conv2d", (1, 5, 5), out_channels=1)
    assert run("core.conv2d", y[1:], out_channels=1)[2] == (None, 1, 1, 1)


@pytest.mark.parametrize(
    ("x", "params", "shape", "count"),
    [
        ((3, 6, 6), {"out_channels": 2}, (None, 2, 4, 4), 56),  # RGB conv, two 3x3x3 filters
        ((64, 7, 7), {"out_channels": 16, "kernel_size": 1}, (None, 16, 7, 7), 1040),
        ((3, 32, 32), {"out_channels": 64}, (None, 64, 30, 30), 1792),
        ((1, 32, 32), {"out_channels": 6, "kernel_size": 5}, (None, 6, 28, 28), 156),
        ((64, 8, 8), {"out_channels": 128, "padding": "same"}, (None, 128, 8, 8), 73856),
    ],
)
def test_conv_shapes_and_params(x, params, shape, count):
    spec, p, y = run("core.conv2d", x, **params)
    assert y == shape
    assert spec.param_count(p, {"x": (None, *x)}) == count


def test_lenet_conv1_macs():
    spec, p, y = run("core.conv2d", (1, 32, 32), out_channels=6, kernel_size=5)
    assert spec.macs(p, {"x": (None, 1, 32, 32)}, {"y": y}) == 6 * 28 * 28 * 25 == 117_600


def test_separable_and_bottleneck_weight_counts():
    def weights(x, **params):
        spec, p, _ = run("core.conv2d", x, bias=False, **params)
        return spec.param_count(p, {"x": (None, *x)})

    assert weights((32, 8, 8), out_channels=64) == 18_432
    depthwise = weights((32, 8, 8), out_channels=32, groups=32)
    pointwise = weights((32, 8, 8), out_channels=64, kernel_size=1)
    assert (depthwise, pointwise, depthwise + pointwise) == (288, 2048, 2336)
    assert weights((192, 28, 28), out_channels=32, kernel_size=5) == 153_600
    bottleneck = weights((192, 28, 28), out_channels=16, kernel_size=1) + weights(
        (16, 28, 28), out_channels=32, kernel_size=5
    )
    assert bottleneck == 3072 + 12_800 == 15_872


def test_conv_is_cross_correlation_vertical_edge():
    image = [
        [3, 0, 1, 2, 7, 4],
        [1, 5, 8, 9, 3, 1],
        [2, 7, 2, 5, 1, 3],
        [0, 1, 3, 1, 7, 8],
        [4, 2, 1, 6, 2, 8],
        [2, 4, 5, 2, 3, 9],
    ]
    conv = build_with_weight("core.conv2d", [[1, 0, -1]] * 3, (1, 6, 6), out_channels=1)
    out = conv(torch.tensor(image, dtype=torch.float32).reshape(1, 1, 6, 6))
    expected = [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
    assert out.squeeze().tolist() == expected

    edges = conv(torch.tensor([[10, 10, 10, 0, 0, 0]] * 6, dtype=torch.float32).reshape(1, 1, 6, 6))
    assert edges.squeeze().tolist() == [[0, 30, 30, 0]] * 4


def test_stride_two_top_left_is_91():
    x = torch.zeros(1, 1, 7, 7)
    x[0, 0, :3, :3] = torch.tensor([[2, 3, 7], [6, 6, 9], [3, 4, 8]])
    conv = build_with_weight(
        "core.conv2d", [[3, 4, 4], [1, 0, 2], [-1, 0, 3]], (1, 7, 7), out_channels=1, stride=2
    )
    out = conv(x)
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 0, 0].item() == 91


def test_transposed_conv_restores_shape_not_input():
    kernel = [[1, 2], [2, 1]]
    conv = build_with_weight("core.conv2d", kernel, (1, 3, 3), out_channels=1, kernel_size=2)
    x = torch.tensor([[1, 2, 3], [6, 5, 3], [1, 4, 1]], dtype=torch.float32).reshape(1, 1, 3, 3)
    y = conv(x)
    assert y.squeeze().tolist() == [[22, 21], [22, 20]]

    up = build_with_weight("core.convtranspose2d", kernel, (1, 2, 2), out_channels=1, kernel_size=2, stride=1)
    small = torch.tensor([[1, 2], [2, 4]], dtype=torch.float32).reshape(1, 1, 2, 2)
    assert up(small).squeeze().tolist() == [[1, 4, 4], [4, 13, 10], [4, 10, 4]]
    back = up(y)
    assert back.squeeze().tolist() == [[22, 65, 42], [66, 128, 61], [44, 62, 20]]
    assert back.shape == x.shape and not torch.equal(back, x)


@pytest.mark.parametrize(
    ("size", "params", "expected"),
    [(28, {"kernel_size": 2, "stride": 2}, 56), (16, {"kernel_size": 4, "stride": 2, "padding": 1}, 32)],
)
def test_transposed_conv_sizes(size, params, expected):
    assert run("core.convtranspose2d", (8, size, size), **params)[2][2:] == (expected, expected)


def test_transposed_conv_params():
    spec, p, _ = run("core.convtranspose2d", (128, 4, 4), out_channels=64, kernel_size=2, stride=2)
    assert spec.param_count(p, {"x": (None, 128, 4, 4)}) == 32_832
    assert sum(t.numel() for t in spec.build(p, {"x": (None, 128, 4, 4)}).parameters()) == 32_832


def test_tcn_receptive_field_is_31():
    """Causal convs f=3 with dilations 1, 2, 4, 8: R = (3-1)(2^4-1)+1 = 31, and no future leaks."""
    layers = []
    for d in (1, 2, 4, 8):
        spec, p, y = run("core.conv1d", (1, 64), out_channels=1, padding="causal", dilation=d, bias=False)
        assert y == (None, 1, 64)
        layer = spec.build(p, {"x": (None, 1, 64)})
        torch.nn.init.constant_(layer.weight, 1.0)
        layers.append(layer)
    x = torch.zeros(1, 1, 64, requires_grad=True)
    out = torch.nn.Sequential(*layers)(x)
    out[0, 0, 50].backward()
    seen = torch.nonzero(x.grad[0, 0]).flatten().tolist()
    assert len(seen) == 31 and max(seen) == 50  # steps 20..50: the past only


def test_conv3d_shape_and_params():
    spec, p, y = run("core.conv3d", (1, 32, 32, 32), out_channels=32, kernel_size=9, stride=2)
    assert y == (None, 32, 12, 12, 12)
    assert spec.param_count(p, {"x": (None, 1, 32, 32, 32)}) == 32 * 729 + 32


def test_upsample_nearest_copies_values():
    spec, p, y = run("core.upsample", (1, 2, 2))
    assert y == (None, 1, 4, 4)
    out = spec.build(p, {"x": (None, 1, 2, 2)})(torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert out[0, 0].tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert run("core.upsample", (3, 7, 5), scale_factor=1.5)[2] == (None, 3, 10, 7)


def test_errors_name_the_fix():
    conv2d = REGISTRY.get("core.conv2d")
    with pytest.raises(ParamError, match="'same' padding needs stride 1"):
        conv2d.check_params(conv2d.resolve_params({"padding": "same", "stride": 2}))
    with pytest.raises(ShapeError, match="stride 1"):
        run("core.conv2d", (3, 8, 8), padding="same", stride=2)
    with pytest.raises(ShapeError, match="insert Reshape") as err:
        run("core.conv2d", (784,))
    assert err.value.port == "x"
    with pytest.raises(ShapeError, match=r"kernel 5 > input 4 after padding"):
        run("core.conv2d", (3, 4, 4), kernel_size=5)
    with pytest.raises(ShapeError, match="groups=4 does not divide the 6 input channels"):
        run("core.conv2d", (6, 8, 8), groups=4)
    assert REGISTRY.get("core.conv1d").resolve_params({"padding": "causal"})["padding"] == "causal"
    with pytest.raises(ParamError, match="'padding' must be"):
        REGISTRY.get("core.conv2d").resolve_params({"padding": "causal"})  # causal is 1-D only
    with pytest.raises(ShapeError, match="output_padding"):
        run("core.convtranspose2d", (4, 5, 5), stride=2, output_padding=2)
    with pytest.raises(ShapeError, match="align_corners"):
        run("core.upsample", (1, 2, 2), align_corners=True)


def test_export_source_is_readable():
    spec, p, _ = run("core.conv2d", (3, 32, 32), out_channels=6, kernel_size=5)
    assert spec.ctor_source(p, {"x": (None, 3, 32, 32)}) == "nn.Conv2d(3, 6, kernel_size=5)"
    spec, p, _ = run("core.conv1d", (4, 16), out_channels=8, padding="causal", dilation=2)
    assert spec.ctor_source(p, {"x": (None, 4, 16)}) == "CausalConv1d(4, 8, kernel_size=3, dilation=2)"
