"""Flatten, Reshape, Permute, Pad, Crop and Identity: shapes, values and messages."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from studio.layers.spec import ShapeError
from tests.layers.layer_cases import REGISTRY, module, run


def test_flatten():
    assert run("core.flatten", (16, 5, 5))[2] == (None, 400)
    assert run("core.flatten", (256, 6, 6))[2] == (None, 9216)  # CaffeNet
    assert run("core.flatten", (3, 4, 5), start_dim=2)[2] == (None, 3, 20)
    assert run("core.flatten", (3, 4, 5), end_dim=2)[2] == (None, 12, 5)
    with pytest.raises(ShapeError, match="merge the batch dim: set start_dim=1"):
        run("core.flatten", (3, 4), start_dim=0)


def test_reshape_to_image_and_back():
    spec, p, y = run("core.reshape", (784,), shape=[1, 28, 28])
    assert y == (None, 1, 28, 28)
    x = torch.randn(2, 784)
    assert torch.equal(spec.build(p, {})(x), x.reshape(2, 1, 28, 28))
    assert run("core.reshape", (16, 5, 5))[2] == (None, 400)
    assert run("core.reshape", (6, 10), shape=[-1, 4])[2] == (None, 15, 4)


def test_reshape_errors():
    with pytest.raises(ShapeError, match=r"target \(3, 3\) holds 9 elements but \(N, 10\) has 10"):
        run("core.reshape", (10,), shape=[3, 3])
    with pytest.raises(ShapeError, match="cannot fill a -1"):
        run("core.reshape", (10,), shape=[3, -1])
    with pytest.raises(ShapeError, match="only one size may be -1"):
        run("core.reshape", (12,), shape=[-1, -1])


def test_permute_keeps_batch_first():
    spec, p, y = run("core.permute", (16, 8))  # (N, T, F) -> (N, F, T) for Conv1d
    assert y == (None, 8, 16)
    x = torch.randn(2, 16, 8)
    assert torch.equal(spec.build(p, {})(x), x.transpose(1, 2))
    assert run("core.permute", (3, 32, 24), dims=[1, 2, 0])[2] == (None, 32, 24, 3)
    with pytest.raises(ShapeError, match="give 3 dims"):
        run("core.permute", (3, 32, 24))
    with pytest.raises(ShapeError, match="must list 0..1 once each"):
        run("core.permute", (3, 4), dims=[1, 1])


def test_pad_follows_f_pad_order():
    spec, p, y = run("core.pad", (3, 4, 5), padding=[1, 2])  # last dim: left 1, right 2
    assert y == (None, 3, 4, 8)
    assert run("core.pad", (3, 4, 5), padding=[1, 2, 3, 4])[2] == (None, 3, 11, 8)
    x = torch.arange(4.0).reshape(1, 1, 4)
    assert module("core.pad", (1, 4), padding=[2, 1], mode="reflect")(x).flatten().tolist() == [
        2,
        1,
        0,
        1,
        2,
        3,
        2,
    ]
    assert module("core.pad", (1, 4), padding=[2, 1], mode="replicate")(x).flatten().tolist() == [
        0,
        0,
        0,
        1,
        2,
        3,
        3,
    ]
    padded = module("core.pad", (1, 4), padding=[1, 1], value=-1.0)(x)
    assert torch.equal(padded, F.pad(x, (1, 1), value=-1.0))


def test_pad_errors():
    with pytest.raises(ShapeError, match="reflect padding 4 must be smaller than the size 4"):
        run("core.pad", (1, 4), padding=[4, 0], mode="reflect")
    with pytest.raises(ShapeError, match="even number"):
        run("core.pad", (1, 4), padding=[1, 2, 3])


def test_unet_valid_convs_572_to_388():
    """Each 2x(3x3 valid conv) loses 4 px, pool halves, up-conv doubles; skips are centre-cropped."""

    def step(type_id, shape, **params):
        spec = REGISTRY.get(type_id)
        return spec.shape(spec.resolve_params(params), shape)

    def double_conv(shape, channels):
        shape = step("core.conv2d", shape, out_channels=channels)
        return step("core.conv2d", shape, out_channels=channels)

    x, skips = (None, 1, 572, 572), []
    for channels in (64, 128, 256, 512):
        x = double_conv(x, channels)
        skips.append(x)
        x = step("core.maxpool2d", x, kernel_size=2)
    x = double_conv(x, 1024)
    assert x[2:] == (28, 28)
    for channels, skip in zip((512, 256, 128, 64), reversed(skips), strict=True):
        x = step("core.convtranspose2d", x, out_channels=channels, kernel_size=2, stride=2)
        cropped = step("core.crop", skip, size=list(x[2:]))
        assert cropped == x
        x = double_conv((None, 2 * channels, *x[2:]), channels)
    assert x[2:] == (388, 388)


def test_crop_is_centred():
    spec, p, y = run("core.crop", (1, 6, 6), size=[2, 4])
    assert y == (None, 1, 2, 4)
    x = torch.arange(36.0).reshape(1, 1, 6, 6)
    assert torch.equal(spec.build(p, {})(x), x[:, :, 2:4, 1:5])
    with pytest.raises(ShapeError, match="size 8 > input 6 in dim 3"):
        run("core.crop", (1, 6, 6), size=[4, 8])


def test_identity():
    spec, p, y = run("core.identity", (3, 4))
    x = torch.randn(2, 3, 4)
    assert y == (None, 3, 4) and spec.build(p, {})(x) is x
