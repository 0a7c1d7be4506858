"""Pooling layers against the worked examples (seeds/TESTCASES.md), incl. CaffeNet and EnzyNet."""

from __future__ import annotations

import pytest
import torch

from studio.layers.spec import ParamError, ShapeError
from tests.layers.layer_cases import REGISTRY, run


def chain(x: tuple, layers: list[tuple[str, dict]]) -> tuple[list[tuple], int]:
    """Shapes after each layer and the total parameter count of a plain stack."""
    shape, shapes, total = (None, *x), [], 0
    for type_id, params in layers:
        spec = REGISTRY.get(type_id)
        p = spec.resolve_params(params)
        total += spec.param_count(p, {"x": shape})
        shape = spec.shape(p, shape)
        shapes.append(shape)
    return shapes, total


def test_maxpool_2x2_halves_and_has_no_params():
    spec, p, y = run("core.maxpool2d", (3, 4, 4), kernel_size=2)
    assert y == (None, 3, 2, 2)
    assert p["stride"] is None and spec.param_count(p, {"x": (None, 3, 4, 4)}) == 0
    out = spec.build(p, {"x": y})(torch.arange(16.0).reshape(1, 1, 4, 4))
    assert out.squeeze().tolist() == [[5, 7], [13, 15]]


def test_resnet_stem_pool_and_ceil_mode():
    assert run("core.maxpool2d", (64, 112, 112), kernel_size=3, stride=2, padding=1)[2][2:] == (56, 56)
    assert run("core.avgpool1d", (1, 5), kernel_size=2)[2] == (None, 1, 2)
    assert run("core.avgpool1d", (1, 5), kernel_size=2, ceil_mode=True)[2] == (None, 1, 3)
    # PyTorch drops a last window that would start inside the right padding
    spec, p, y = run("core.maxpool1d", (1, 6), kernel_size=2, stride=2, padding=1, ceil_mode=True)
    assert y == (None, 1, 4) and spec.build(p, {})(torch.zeros(1, 1, 6)).shape == (1, 1, 4)


def test_avgpool_count_include_pad():
    x = torch.ones(1, 1, 3, 3)
    _, p, _ = run("core.avgpool2d", (1, 3, 3), kernel_size=3, stride=1, padding=1)
    spec = REGISTRY.get("core.avgpool2d")
    assert spec.build(p, {})(x)[0, 0, 0, 0].item() == pytest.approx(4 / 9)
    p = spec.resolve_params({"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False})
    assert spec.build(p, {})(x)[0, 0, 0, 0].item() == 1.0


def test_caffenet_shapes_and_params():
    conv = "core.conv2d"
    pool = ("core.maxpool2d", {"kernel_size": 3, "stride": 2})
    lrn = ("core.localresponsenorm", {"size": 5})
    layers = [
        (conv, {"out_channels": 96, "kernel_size": 11, "stride": 4}),
        pool,
        lrn,
        (conv, {"out_channels": 256, "kernel_size": 5, "padding": 2, "groups": 2}),
        pool,
        lrn,
        (conv, {"out_channels": 384, "kernel_size": 3, "padding": 1}),
        (conv, {"out_channels": 384, "kernel_size": 3, "padding": 1, "groups": 2}),
        (conv, {"out_channels": 256, "kernel_size": 3, "padding": 1, "groups": 2}),
        pool,
        ("core.flatten", {}),
        ("core.linear", {"out_features": 4096}),
        ("core.linear", {"out_features": 4096}),
        ("core.linear", {"out_features": 1000}),
    ]
    shapes, total = chain((3, 227, 227), layers)
    sizes = [s[2] for s in shapes if len(s) == 4]
    assert sizes == [55, 27, 27, 27, 13, 13, 13, 13, 13, 6]
    assert shapes[10] == (None, 9216)
    assert total == 60_965_224


def test_enzynet_shapes_and_params():
    layers = [
        ("core.conv3d", {"out_channels": 32, "kernel_size": 9, "stride": 2}),
        ("core.conv3d", {"out_channels": 64, "kernel_size": 5}),
        ("core.maxpool3d", {"kernel_size": 2}),
        ("core.flatten", {}),
        ("core.linear", {"out_features": 128}),
        ("core.linear", {"out_features": 6}),
    ]
    shapes, total = chain((1, 32, 32, 32), layers)
    assert [s[2] for s in shapes[:3]] == [12, 8, 4]
    assert shapes[3] == (None, 4096)
    assert total == 804_614


@pytest.mark.parametrize("x", [(512, 7, 7), (8, 10), (4, 3, 5, 6)])
def test_global_avg_pool_removes_spatial_dims(x):
    spec, p, y = run("core.globalavgpool", x)
    assert y == (None, x[0]) and spec.param_count(p, {"x": (None, *x)}) == 0
    t = torch.randn(2, *x)
    assert torch.allclose(spec.build(p, {})(t), t.flatten(2).mean(2))


def test_cam_identity_through_gap_and_linear():
    """mean_{x,y} of the class activation map + bias equals the logit."""
    torch.manual_seed(0)
    gap_spec, gp, pooled = run("core.globalavgpool", (512, 7, 7))
    fc_spec = REGISTRY.get("core.linear")
    fp = fc_spec.resolve_params({"out_features": 10})
    assert fc_spec.param_count(fp, {"x": pooled}) == 5130
    gap, fc = gap_spec.build(gp, {}), fc_spec.build(fp, {"x": pooled})
    maps = torch.randn(1, 512, 7, 7)
    logits = fc(gap(maps))
    cam = torch.einsum("c,chw->hw", fc.weight[3], maps[0])
    assert (cam.mean() + fc.bias[3]).item() == pytest.approx(logits[0, 3].item(), abs=1e-5)


def test_adaptive_pools():
    assert run("core.adaptiveavgpool2d", (512, 14, 14))[2] == (None, 512, 1, 1)
    assert run("core.adaptiveavgpool2d", (256, 13, 13), output_size=6)[2] == (None, 256, 6, 6)
    assert run("core.adaptiveavgpool2d", (8, 9, 9), output_size=[3, 2])[2] == (None, 8, 3, 2)
    spec, p, y = run("core.adaptiveavgpool1d", (4, 10), output_size=5)
    assert y == (None, 4, 5)
    assert spec.build(p, {})(torch.arange(10.0).reshape(1, 1, 10)).squeeze().tolist() == [
        0.5,
        2.5,
        4.5,
        6.5,
        8.5,
    ]


def test_pooling_errors():
    spec = REGISTRY.get("core.maxpool2d")
    with pytest.raises(ParamError, match="at most half the kernel size"):
        spec.check_params(spec.resolve_params({"kernel_size": 2, "padding": 2}))
    with pytest.raises(ShapeError, match="at most half"):
        run("core.maxpool2d", (3, 8, 8), kernel_size=3, padding=2)
    with pytest.raises(ShapeError, match="kernel 3 > input 2"):
        run("core.maxpool2d", (3, 2, 2), kernel_size=3)
    with pytest.raises(ShapeError, match="MaxPool2d expects 4-D") as err:
        run("core.maxpool2d", (3, 8))
    assert err.value.port == "x"
    with pytest.raises(ShapeError, match="no spatial dims"):
        run("core.globalavgpool", (16,))
