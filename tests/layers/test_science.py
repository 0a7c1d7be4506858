"""Catalog-wide science checks: PyTorch defaults, help texts that state formulas, messages."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch import nn

from studio.layers.registry import builtin_modules
from studio.layers.spec import ShapeError
from tests.layers.layer_cases import REGISTRY, module, run

# Where the app deliberately differs from PyTorch (DESIGN "Contracts": PyTorch has
# no usable default, or warns): (type id, param).
_OWN_DEFAULTS = {
    ("core.softmax", "dim"),  # PyTorch's None is deprecated: the app uses 1
    ("core.log_softmax", "dim"),
    ("core.upsample", "scale_factor"),  # PyTorch needs size or scale_factor
    ("core.upsample", "align_corners"),  # None means False for bilinear; the app says False
}
_TORCH_CLASS = {"core.multihead_attention": nn.MultiheadAttention}


def _torch_defaults(spec) -> dict:
    cls = _TORCH_CLASS.get(spec.type_id) or getattr(nn, type(spec).__name__, None)
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        return {}
    if issubclass(cls, nn.RNNBase):
        signature = inspect.signature(nn.RNNBase.__init__)
    else:
        signature = inspect.signature(cls.__init__)
    return {
        name: prm.default
        for name, prm in signature.parameters.items()
        if prm.default is not inspect.Parameter.empty and not callable(prm.default)
    }


@pytest.mark.parametrize("spec", REGISTRY.all(), ids=lambda s: s.type_id)
def test_defaults_follow_pytorch_where_it_has_one(spec) -> None:
    torch_defaults = _torch_defaults(spec)
    for prm in spec.params:
        if prm.name in torch_defaults and (spec.type_id, prm.name) not in _OWN_DEFAULTS:
            assert prm.default == torch_defaults[prm.name], f"{spec.type_id}.{prm.name}"


def test_the_default_check_sees_the_torch_classes() -> None:
    assert _torch_defaults(REGISTRY.get("core.convtranspose2d"))["stride"] == 1
    assert _torch_defaults(REGISTRY.get("core.gru"))["dropout"] == 0.0
    assert _torch_defaults(REGISTRY.get("core.leaky_relu"))["negative_slope"] == 0.01


def test_convtranspose2d_default_stride_is_pytorchs() -> None:
    spec, p, y = run("core.convtranspose2d", (4, 5, 5))
    assert p["stride"] == 1
    assert y == (None, 16, 6, 6)  # (5 - 1)·1 + (2 - 1) + 1
    assert spec.ctor_source(p, {"x": (None, 4, 5, 5)}) == "nn.ConvTranspose2d(4, 16, kernel_size=2)"
    assert run("core.convtranspose2d", (4, 5, 5), stride=2)[2] == (None, 16, 10, 10)


def test_elu_alpha_help_gives_the_negative_saturation() -> None:
    (alpha,) = REGISTRY.get("core.elu").params
    assert "−alpha" in alpha.help
    elu = module("core.elu", (3,), alpha=2.0)
    assert elu(torch.tensor([[-50.0, 0.0, 1.0]])).tolist() == [[-2.0, 0.0, 1.0]]


def test_conv_padding_help_does_not_claim_zeros_for_every_mode() -> None:
    for type_id in ("core.conv1d", "core.conv2d", "core.conv3d"):
        padding = {prm.name: prm for prm in REGISTRY.get(type_id).params}["padding"]
        assert "padding_mode" in padding.help and not padding.help.startswith("Zeros")
    reflect = module("core.conv1d", (1, 3), out_channels=1, kernel_size=1, padding=1, padding_mode="reflect")
    with torch.no_grad():
        reflect.weight.fill_(1.0)
        reflect.bias.zero_()
        assert reflect(torch.tensor([[[1.0, 2.0, 3.0]]])).tolist() == [[[2.0, 1.0, 2.0, 3.0, 2.0]]]


def test_groupnorm_help_keeps_affine_per_channel() -> None:
    groups = {prm.name: prm for prm in REGISTRY.get("core.groupnorm").params}["num_groups"]
    assert "per channel" in groups.help
    spec, p, _ = run("core.groupnorm", (6, 4, 4), num_groups=1)
    assert spec.param_count(p, {"x": (None, 6, 4, 4)}) == 12  # not 2·6·4·4 as LayerNorm((6, 4, 4))


@pytest.mark.parametrize(
    ("type_id", "shape"),
    [("core.conv1d", "(C, L)"), ("core.conv2d", "(C, H, W)"), ("core.maxpool3d", "(C, D, H, W)")],
)
def test_rank_hint_names_a_well_formed_per_sample_shape(type_id, shape) -> None:
    with pytest.raises(ShapeError) as err:
        run(type_id, (7,))
    assert err.value.message.endswith(f"insert Reshape to a per-sample {shape} shape")


@pytest.mark.parametrize(
    ("type_id", "x"),
    [
        ("core.maxpool2d", (3, 8, 8)),
        ("core.avgpool1d", (3, 8)),
        ("core.adaptiveavgpool2d", (3, 8, 8)),
        ("core.globalavgpool", (3, 8, 8)),
        ("core.upsample", (3, 8, 8)),
    ],
)
def test_pooling_and_upsampling_have_no_parameters(type_id, x) -> None:
    spec, p, _ = run(type_id, x)
    assert spec.param_count(p, {"x": (None, *x)}) == 0
    assert sum(t.numel() for t in module(type_id, x).parameters()) == 0


def test_conv_is_translation_equivariant() -> None:
    conv = module("core.conv1d", (1, 12), out_channels=2, kernel_size=3, bias=False)
    x = torch.zeros(1, 1, 12)
    x[0, 0, 3] = 1.0
    shifted = torch.roll(x, 4, dims=-1)
    assert torch.allclose(torch.roll(conv(x), 4, dims=-1), conv(shifted))


def test_silu_is_swish_and_gru_follows_pytorch() -> None:
    assert "x·σ(x)" in REGISTRY.get("core.silu").description
    assert "(1−z)·n + z·h_(t−1)" in REGISTRY.get("core.gru").description
    assert "output gate σ" in REGISTRY.get("core.lstm").description
    assert "CrossEntropyLoss" in REGISTRY.get("core.softmax").description


def test_private_helper_modules_are_not_layer_modules() -> None:
    assert "studio.layers.builtin._common" not in builtin_modules()
