"""Attention weights per head: rows are distributions, they match a hand-made softmax(QK^T/sqrt(d)),
and the model is the same afterwards (also after an exception)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from studio.compiler.lower import compile_graph
from studio.inspection.attention import attention_module, attention_nodes, attention_weights
from studio.inspection.hooks import InspectionError
from studio.layers.registry import LayerRegistry
from studio.layers.runtime.attention import DecoderLayer, MultiheadAttentionLayer
from tests.compiler.graphs import chain

REGISTRY = LayerRegistry.with_builtins()


def manual_weights(mha: nn.MultiheadAttention, q_in: torch.Tensor, k_in: torch.Tensor) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d_head)) per head, from the module's projections: (N, heads, T, S)."""
    e, h = mha.embed_dim, mha.num_heads
    wq, wk, _ = mha.in_proj_weight.detach().chunk(3)
    bq, bk, _ = mha.in_proj_bias.detach().chunk(3)
    q = (q_in @ wq.T + bq).reshape(q_in.shape[0], q_in.shape[1], h, e // h).transpose(1, 2)
    k = (k_in @ wk.T + bk).reshape(k_in.shape[0], k_in.shape[1], h, e // h).transpose(1, 2)
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(e // h), dim=-1)


class Wrap(nn.Module):
    """A model around one attention module, calling it as a user's code would."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.plain = type(inner) is nn.MultiheadAttention

    def forward(self, x):
        if isinstance(self.inner, DecoderLayer):
            return self.inner(x, x)
        if self.plain:
            return self.inner(x, x, x)  # need_weights defaults to True: (out, averaged weights)
        return self.inner(x)


def unchanged(model: nn.Module, module: nn.Module, cls: type) -> bool:
    return (
        type(module) is cls
        and "_studio_attention_records" not in module.__dict__
        and all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    )


def test_plain_mha_matches_manual_softmax_and_caller_gets_what_it_asked():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    model = Wrap(mha).eval()
    x = torch.randn(3, 5, 4)
    with torch.no_grad():
        before_out, before_w = model(x)
    w = attention_weights(model, x, "inner", sample=2)
    assert w.shape == (2, 5, 5) and w.dtype == np.float32
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(w, manual_weights(mha, x, x)[2].numpy(), atol=1e-6)
    np.testing.assert_allclose(before_w[2].numpy(), w.mean(axis=0), atol=1e-6)  # what the module averages
    assert unchanged(model, mha, nn.MultiheadAttention)
    with torch.no_grad():
        after_out, after_w = model(x)
    assert torch.equal(after_out, before_out) and torch.equal(after_w, before_w)


def seq_graph_model():
    torch.manual_seed(1)
    graph = chain(
        REGISTRY,
        [
            ("core.input_sequence", {"length": 6, "features": 8}),
            ("core.multihead_attention", {"num_heads": 2}),
            ("core.transformer_encoder_layer", {"nhead": 2, "dim_feedforward": 16}),
            ("core.output", {}),
        ],
    )
    return compile_graph(graph, REGISTRY).eval()


def test_app_layers_in_a_compiled_graph():
    model = seq_graph_model()
    assert attention_nodes(model) == ["multihead_attention_1", "transformer_encoder_layer_1"]
    x = torch.randn(4, 6, 8, generator=torch.Generator().manual_seed(2))
    reference = model(x)
    mha = model.multihead_attention_1
    w = attention_weights(model, x, "multihead_attention_1", sample=1)
    assert w.shape == (2, 6, 6)
    np.testing.assert_allclose(w, manual_weights(mha, x, x)[1].numpy(), atol=1e-6)
    # The encoder layer (post-LN) attends over its input, the MHA node's output. In eval mode
    # without hooks PyTorch would take its fused path and never call self_attn.
    enc = model.transformer_encoder_layer_1
    with torch.no_grad():
        enc_in = mha(x)
    w_enc = attention_weights(model, x, "transformer_encoder_layer_1", sample=3)
    assert w_enc.shape == (2, 6, 6)
    np.testing.assert_allclose(w_enc.sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(w_enc, manual_weights(enc.self_attn, enc_in, enc_in)[3].numpy(), atol=1e-5)
    assert unchanged(model, mha, MultiheadAttentionLayer)
    assert unchanged(model, enc.self_attn, nn.MultiheadAttention)
    assert torch.equal(model(x), reference)


def test_causal_decoder_self_attention_and_cross_attention():
    torch.manual_seed(3)
    model = Wrap(DecoderLayer(8, 2, dim_feedforward=16, dropout=0.0)).eval()
    x = torch.randn(2, 5, 8)
    w = attention_weights(model, x, "inner")
    assert w.shape == (2, 5, 5)
    assert np.triu(w, k=1).max() == 0.0  # step t sees only steps <= t
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, atol=1e-6)
    assert attention_module(model, "inner.multihead_attn") is model.inner.multihead_attn
    cross = attention_weights(model, x, "inner.multihead_attn")
    assert cross.shape == (2, 5, 5) and np.triu(cross, k=1).max() > 0  # cross-attention is not masked


def test_restored_after_an_exception_and_clear_errors():
    torch.manual_seed(4)
    layer = MultiheadAttentionLayer(8, 2)
    model = Wrap(layer).eval()
    with pytest.raises(RuntimeError):
        attention_weights(model, torch.randn(2, 5, 7), "inner")  # wrong width
    assert unchanged(model, layer, MultiheadAttentionLayer)
    x = torch.randn(2, 5, 8)
    out, _ = nn.MultiheadAttention.forward(layer, x, x, x, need_weights=False)
    assert torch.equal(model(x), out)
    with pytest.raises(InspectionError, match="not in the batch"):
        attention_weights(model, x, "inner", sample=2)
    with pytest.raises(InspectionError, match="no attention"):
        attention_weights(Wrap(nn.Linear(8, 8)), x, "inner")
    with pytest.raises(InspectionError, match="ran 1 time"):
        attention_weights(model, x, "inner", call=1)
