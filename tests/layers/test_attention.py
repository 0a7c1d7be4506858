"""Attention specs: Transformer parameter counts, MACs, masking and positional codes."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from studio.layers.builtin import attention as att
from studio.layers.spec import ShapeError


def _count(module) -> int:
    return sum(t.numel() for t in module.parameters() if t.requires_grad)


@pytest.mark.parametrize("heads", [1, 8])
def test_mha_512_params_do_not_depend_on_heads(heads) -> None:
    spec = att.MultiheadAttention()
    p = spec.resolve_params({"num_heads": heads})
    shapes = {"query": (None, 4, 512)}
    assert spec.param_count(p, shapes) == 1_050_624
    assert _count(spec.build(p, shapes)) == 1_050_624


def test_encoder_layer_512_params() -> None:
    spec = att.TransformerEncoderLayer()
    p = spec.resolve_params({"nhead": 8})
    shapes = {"x": (None, 4, 512)}
    assert p["dim_feedforward"] == 2048 and p["dropout"] == 0.1 and p["norm_first"] is False
    assert spec.param_count(p, shapes) == 3_152_384
    assert _count(spec.build(p, shapes)) == 3_152_384


def test_cross_attention_with_other_key_value_widths() -> None:
    spec = att.MultiheadAttention()
    p = spec.resolve_params({"num_heads": 2})
    shapes = {"query": (None, 3, 8), "key": (None, 7, 6), "value": (None, 7, 4)}
    assert spec.infer(p, shapes) == {"y": (None, 3, 8)}
    assert spec.param_count(p, shapes) == _count(spec.build(p, shapes)) == 8 * (8 + 6 + 4 + 8) + 4 * 8
    assert "kdim=6, vdim=4" in spec.ctor_source(p, shapes)


def test_self_attention_equals_torch_with_query_as_key_and_value() -> None:
    torch.manual_seed(0)
    spec = att.MultiheadAttention()
    p = spec.resolve_params({"num_heads": 2})
    module = spec.build(p, {"query": (None, 5, 8)}).eval()
    ref = nn.MultiheadAttention(8, 2, batch_first=True).eval()
    ref.load_state_dict(module.state_dict())
    x = torch.randn(2, 5, 8)
    assert torch.allclose(module(x), ref(x, x, x)[0], atol=1e-6)


def test_macs_convention() -> None:
    spec = att.MultiheadAttention()
    p = spec.resolve_params({})
    t, e, s = 10, 16, 6
    assert spec.macs(p, {"query": (None, t, e)}, {}) == 4 * t * e * e + 2 * t * t * e
    cross = {"query": (None, t, e), "key": (None, s, e)}
    assert spec.macs(p, cross, {}) == t * e * e + 2 * s * e * e + t * e * e + 2 * t * s * e
    enc = att.TransformerEncoderLayer()
    pe = enc.resolve_params({"dim_feedforward": 32})
    assert enc.macs(pe, {"x": (None, t, e)}, {}) == 4 * t * e * e + 2 * t * t * e + 2 * t * e * 32


def test_heads_must_divide_embed_dim() -> None:
    spec = att.MultiheadAttention()
    with pytest.raises(ShapeError, match="num_heads=3 does not divide the embedding width E=8") as err:
        spec.infer(spec.resolve_params({"num_heads": 3}), {"query": (None, 5, 8)})
    assert err.value.port == "query"
    enc = att.TransformerEncoderLayer()
    with pytest.raises(ShapeError, match="nhead=5"):
        enc.infer(enc.resolve_params({"nhead": 5}), {"x": (None, 5, 8)})


def test_key_value_length_mismatch() -> None:
    spec = att.MultiheadAttention()
    shapes = {"query": (None, 3, 8), "key": (None, 7, 8), "value": (None, 6, 8)}
    with pytest.raises(ShapeError, match="same length S"):
        spec.infer(spec.resolve_params({}), shapes)


def test_decoder_params_and_memory_width_error() -> None:
    spec = att.TransformerDecoderLayer()
    p = spec.resolve_params({"nhead": 2, "dim_feedforward": 32})
    shapes = {"tgt": (None, 5, 8), "memory": (None, 3, 8)}
    assert spec.param_count(p, shapes) == _count(spec.build(p, shapes))
    with pytest.raises(ShapeError, match=r"insert Linear\(6→8\)"):
        spec.infer(p, {"tgt": (None, 5, 8), "memory": (None, 3, 6)})


@pytest.mark.parametrize("causal", [True, False])
def test_decoder_causal_mask(causal) -> None:
    torch.manual_seed(0)
    spec = att.TransformerDecoderLayer()
    p = spec.resolve_params({"nhead": 2, "dim_feedforward": 16, "causal": causal})
    module = spec.build(p, {"tgt": (None, 4, 8), "memory": (None, 3, 8)}).eval()
    tgt, memory = torch.randn(1, 4, 8), torch.randn(1, 3, 8)
    changed = tgt.clone()
    changed[:, -1] += 1.0  # alter only the last (future) step
    same_first = torch.allclose(module(tgt, memory)[:, 0], module(changed, memory)[:, 0], atol=1e-6)
    assert same_first is causal


def test_sinusoidal_positional_encoding_values() -> None:
    spec = att.PositionalEncoding()
    shapes = {"x": (None, 4, 5)}  # odd width works too
    p = spec.resolve_params({})
    assert spec.param_count(p, shapes) == 0
    module = spec.build(p, shapes)
    assert _count(module) == 0 and not module.state_dict()  # fixed, recomputed buffer
    pe = module(torch.zeros(1, 4, 5))[0]
    assert pe[0].tolist() == pytest.approx([0, 1, 0, 1, 0])
    assert pe[1, 0].item() == pytest.approx(math.sin(1.0))
    assert pe[1, 1].item() == pytest.approx(math.cos(1.0))
    assert pe[3, 2].item() == pytest.approx(math.sin(3 / 10000 ** (2 / 5)))


def test_learned_positional_encoding() -> None:
    spec = att.LearnedPositionalEncoding()
    p = spec.resolve_params({"max_len": 16})
    assert spec.param_count(p, {"x": (None, 10, 8)}) == 16 * 8
    with pytest.raises(ShapeError, match="sequence length 20 > max_len 16: set max_len >= 20"):
        spec.infer(p, {"x": (None, 20, 8)})
