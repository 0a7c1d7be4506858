"""Normalization and dropout layers against the worked examples (seeds/TESTCASES.md)."""

from __future__ import annotations

import math

import pytest
import torch

from studio.layers.spec import ShapeError
from tests.layers.layer_cases import REGISTRY, module, run


def test_batchnorm2d_64_has_128_params_and_buffers():
    spec, p, y = run("core.batchnorm2d", (64, 8, 8))
    assert y == (None, 64, 8, 8)
    assert spec.param_count(p, {"x": y}) == 128
    bn = spec.build(p, {"x": y})
    assert bn.running_mean.numel() + bn.running_var.numel() == 128
    assert spec.param_count(spec.resolve_params({"affine": False}), {"x": y}) == 0


def test_batchnorm_train_step_on_1_2_3_4():
    bn = module("core.batchnorm1d", (1,))  # eps=1e-5 moves x̂ by < 1e-5
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    out = bn.train()(x).flatten()
    assert out.tolist() == pytest.approx([-1.3416, -0.4472, 0.4472, 1.3416], abs=1e-4)
    assert bn.running_mean.item() == pytest.approx(0.25)
    assert bn.running_var.item() == pytest.approx(0.1 * 5 / 3 + 0.9, abs=1e-4)  # unbiased 1.6667 -> 1.0667
    assert bn.running_var.item() == pytest.approx(1.0667, abs=1e-4)


def test_batchnorm_can_learn_the_identity():
    """With gamma = sqrt(var + eps) and beta = mean the output is the input z (E29)."""
    bn = module("core.batchnorm1d", (3,))
    z = torch.randn(8, 3) * 3 + 1
    with torch.no_grad():
        bn.weight.copy_(torch.sqrt(z.var(0, unbiased=False) + bn.eps))
        bn.bias.copy_(z.mean(0))
    assert torch.allclose(bn.train()(z), z, atol=1e-5)


def test_batchnorm1d_accepts_features_and_sequences():
    assert run("core.batchnorm1d", (16,))[2] == (None, 16)
    assert run("core.batchnorm1d", (16, 10))[2] == (None, 16, 10)
    with pytest.raises(ShapeError, match="BatchNorm1d expects 2-D"):
        run("core.batchnorm1d", (3, 8, 8))


def test_layernorm_is_per_sample_and_mode_independent():
    spec, p, _ = run("core.layernorm", (10, 512))
    assert spec.param_count(p, {"x": (None, 10, 512)}) == 1024
    assert spec.ctor_source(p, {"x": (None, 10, 512)}) == "nn.LayerNorm(512)"
    ln = module("core.layernorm", (5, 8))
    x = torch.randn(4, 5, 8)
    together = ln.train()(x)
    alone = ln.eval()(x[2:3])
    assert torch.allclose(together[2:3], alone, atol=1e-6)
    assert torch.allclose(together.mean(-1), torch.zeros(4, 5), atol=1e-5)


def test_layernorm_over_two_dims():
    spec, p, _ = run("core.layernorm", (3, 4, 5), normalized_dims=2)
    assert spec.param_count(p, {"x": (None, 3, 4, 5)}) == 40
    assert spec.ctor_source(p, {"x": (None, 3, 4, 5)}) == "nn.LayerNorm((4, 5))"
    with pytest.raises(ShapeError, match="set normalized_dims <= 2"):
        run("core.layernorm", (3, 4), normalized_dims=3)


def test_groupnorm_needs_a_divisor():
    spec, p, y = run("core.groupnorm", (32, 7, 7), num_groups=8)
    assert y == (None, 32, 7, 7) and spec.param_count(p, {"x": y}) == 64
    with pytest.raises(ShapeError, match="num_groups=4 does not divide the 6 channels.*1, 2, 3, 6"):
        run("core.groupnorm", (6, 7, 7), num_groups=4)


def test_groupnorm_with_one_group_equals_layernorm_over_chw():
    gn = module("core.groupnorm", (4, 3, 3), num_groups=1, affine=False)
    x = torch.randn(2, 4, 3, 3)
    ref = torch.nn.functional.layer_norm(x, (4, 3, 3))
    assert torch.allclose(gn(x), ref, atol=1e-5)


def test_instancenorm_defaults_match_pytorch():
    spec, p, _ = run("core.instancenorm2d", (3, 8, 8))
    assert p["affine"] is False and p["track_running_stats"] is False
    assert spec.param_count(p, {"x": (None, 3, 8, 8)}) == 0
    x = torch.randn(2, 3, 8, 8)
    out = module("core.instancenorm2d", (3, 8, 8)).eval()(x)
    assert torch.allclose(out.mean((2, 3)), torch.zeros(2, 3), atol=1e-5)


def test_local_response_norm_formula():
    n, alpha, beta, k = 3, 0.1, 0.75, 2.0
    lrn = module("core.localresponsenorm", (4, 1, 1), size=n, alpha=alpha, beta=beta, k=k)
    a = torch.tensor([1.0, 2.0, 3.0, 4.0])
    out = lrn(a.reshape(1, 4, 1, 1)).flatten()
    # channel 1 sums channels 0..2 (window centred on it), PyTorch divides alpha by n
    expected = 2.0 / (k + alpha / n * (1 + 4 + 9)) ** beta
    assert out[1].item() == pytest.approx(expected, rel=1e-6)


def test_dropout_is_inverted():
    torch.manual_seed(0)
    drop = module("core.dropout", (1000,))
    x = torch.full((1, 1000), 2.0)
    values = set(drop.train()(x).unique().tolist())
    assert values == {0.0, 4.0}
    assert torch.equal(drop.eval()(x), x)


def test_dropout2d_zeroes_whole_channels():
    torch.manual_seed(0)
    drop = module("core.dropout2d", (64, 3, 3)).train()
    out = drop(torch.ones(2, 64, 3, 3))
    per_channel = out.flatten(2)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    with pytest.raises(ShapeError, match="Dropout2d expects 4-D"):
        run("core.dropout2d", (16,))


def test_alpha_dropout_keeps_selu_statistics():
    torch.manual_seed(0)
    x = torch.nn.functional.selu(torch.randn(200_000))
    drop = module("core.alphadropout", (200_000,), p=0.2)
    out = drop.train()(x.unsqueeze(0))
    assert out.mean().item() == pytest.approx(x.mean().item(), abs=0.02)
    assert out.std().item() == pytest.approx(x.std().item(), abs=0.02)
    assert torch.equal(drop.eval()(x.unsqueeze(0)), x.unsqueeze(0))


def test_help_texts_state_the_conventions():
    dropout = {prm.name: prm for prm in REGISTRY.get("core.dropout").params}
    assert "DROP probability" in dropout["p"].help and "1/(1-p)" in dropout["p"].help
    bn = {prm.name: prm for prm in REGISTRY.get("core.batchnorm2d").params}
    assert bn["momentum"].default == 0.1 and "β=0.9" in bn["momentum"].help
    assert math.isclose(bn["eps"].default, 1e-5)
