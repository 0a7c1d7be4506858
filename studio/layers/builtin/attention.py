"""Attention layers, Transformer blocks and positional encodings, batch first (N, T, E).

MAC convention (one sample, dense): the four projections (T·E·E for the
query and output, S·E·kdim and S·E·vdim for key and value), QKᵀ (T·S·E) and
the weighted sum AV (T·S·E), plus 2·T·E·dim_feedforward for a Transformer
layer's feed-forward block. Causal masks don't reduce the count. Softmax,
LayerNorm and dropout are not counted.
"""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer, drop_param
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, Port, ShapeError

_XF_PARAMS = (
    Param(
        "nhead",
        "int",
        1,
        "Attention heads; must divide the model width E (each head has E/nhead features).",
        min=1,
    ),
    Param(
        "dim_feedforward", "int", 2048, "Hidden width of the feed-forward block Linear → act → Linear.", min=1
    ),
    drop_param("on attention weights and FFN outputs", 0.1),
    Param(
        "activation",
        "choice",
        "relu",
        "Activation between the two feed-forward Linear layers.",
        choices=("relu", "gelu"),
    ),
    Param(
        "layer_norm_eps",
        "float",
        1e-5,
        "Added to the variance in LayerNorm for numerical stability.",
        min=0.0,
    ),
    Param(
        "norm_first",
        "bool",
        False,
        "False = post-LN as in the original paper; True = pre-LN "
        "(LayerNorm before each sub-block), often more stable when deep.",
    ),
    Param("bias", "bool", True, "Learn biases in the Linear projections and LayerNorms."),
)


def attention_macs(t: int, s: int, e: int, kdim: int, vdim: int) -> int:
    """Multi-head attention MACs for T queries over S keys (heads don't change it)."""
    projections = t * e * e + s * e * kdim + s * e * vdim + t * e * e
    return projections + 2 * t * s * e


def _check_heads(title: str, e: int, heads: int, name: str, port: str) -> None:
    if e % heads:
        divisors = [d for d in range(1, min(e, 16) + 1) if e % d == 0]
        raise ShapeError(
            f"{title}: {name}={heads} does not divide the embedding width E={e}: "
            f"use one of {divisors} or change E",
            port,
        )


def _seq(title: str, x, port: str) -> None:
    expect_rank(title, x, 3, port=port, hint="attention takes batch-first sequences (N, T, E)")


@register_layer
class MultiheadAttention(ModuleLayer):
    """Scaled dot-product attention with several heads; returns only the output."""

    type_id = "core.multihead_attention"
    title = "MultiheadAttention"
    category = "Attention"
    description = "Multi-head attention, batch first; key/value default to the query (self-attention)"
    icon = "attention"
    runtime_module, runtime = "attention", "MultiheadAttentionLayer"
    params = (
        Param(
            "num_heads",
            "int",
            1,
            "Heads; must divide E. More heads split E, they don't add parameters.",
            min=1,
        ),
        drop_param("on the attention weights"),
        Param("bias", "bool", True, "Learn biases of the input and output projections."),
    )
    inputs = (
        Port("query", rank=3),
        Port("key", rank=3, optional=True, label="key (default: query)"),
        Port("value", rank=3, optional=True, label="value (default: key)"),
    )
    test_param_variants = ({"num_heads": 2, "bias": False},)

    def _qkv(self, inputs):
        q = inputs["query"]
        k = inputs.get("key") or q
        return q, k, inputs.get("value") or k

    def infer(self, p, inputs):
        q, k, v = self._qkv(inputs)
        for port, shape in zip(("query", "key", "value"), (q, k, v), strict=True):
            _seq(self.title, shape, port)
        _check_heads(self.title, q[-1], p["num_heads"], "num_heads", "query")
        if k[1] != v[1]:
            raise ShapeError(
                f"{self.title}: key has {k[1]} steps {fmt(k)} but value has {v[1]} {fmt(v)}: "
                "key and value must have the same length S",
                "value",
            )
        return {"y": (q[0], q[1], q[-1])}

    def param_count(self, p, inputs):
        q, k, v = self._qkv(inputs)
        e = q[-1]
        return e * (e + k[-1] + v[-1] + e) + (4 * e if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        q, k, v = self._qkv(inputs)
        return attention_macs(q[1], k[1], q[-1], k[-1], v[-1])

    def ctor(self, p, inputs):
        q, k, v = self._qkv(inputs)
        kw = {"dropout": p["dropout"], "bias": p["bias"]}
        # Separate key/value widths only when they differ from E (PyTorch then keeps q/k/v_proj_weight).
        kw.update({n: s[-1] for n, s in (("kdim", k), ("vdim", v)) if s[-1] != q[-1]})
        return self.runtime, (q[-1], p["num_heads"]), kw

    def example_inputs(self, p):
        return [
            {"query": (2, 5, 8)},
            {"query": (2, 5, 8), "key": (2, 3, 8)},
            {"query": (3, 4, 6), "key": (3, 7, 4), "value": (3, 7, 2)},
        ]


def _ffn_params(e: int, f: int, bias: bool) -> int:
    return 2 * e * f + ((f + e) if bias else 0)


class _Transformer(ModuleLayer):
    """Encoder/decoder layer: ``ctor`` is (E, nhead, **the _XF_PARAMS) plus the subclass's extras."""

    category = "Attention"
    icon = "attention"
    params = _XF_PARAMS

    def extra_kwargs(self, p) -> tuple[dict, dict]:
        """Kwargs before and after the shared ones."""
        return {}, {}

    def ctor(self, p, inputs):
        e = inputs[self.input_ports(p)[0].name][-1]
        before, after = self.extra_kwargs(p)
        shared = {prm.name: p[prm.name] for prm in _XF_PARAMS[1:]}
        return self.runtime, (e, p["nhead"]), {**before, **shared, **after}


@register_layer
class TransformerEncoderLayer(_Transformer):
    """Self-attention + feed-forward, each with residual and LayerNorm."""

    type_id = "core.transformer_encoder_layer"
    title = "TransformerEncoderLayer"
    description = "Transformer encoder block: self-attention + Linear→act→Linear, residuals, LayerNorm"
    runtime = "nn.TransformerEncoderLayer"
    inputs = (Port("x", rank=3),)
    test_param_variants = (
        {"nhead": 2, "activation": "gelu", "norm_first": True, "dim_feedforward": 16},
        {"bias": False, "dim_feedforward": 8},
    )

    def shape(self, p, x):
        _seq(self.title, x, "x")
        _check_heads(self.title, x[-1], p["nhead"], "nhead", "x")
        return x

    def param_count(self, p, inputs):
        e, bias = inputs["x"][-1], p["bias"]
        norms = 2 * (2 * e if bias else e)
        return 4 * e * e + (4 * e if bias else 0) + _ffn_params(e, p["dim_feedforward"], bias) + norms

    def macs(self, p, inputs, outputs):
        t, e = inputs["x"][1], inputs["x"][-1]
        return attention_macs(t, t, e, e, e) + 2 * t * e * p["dim_feedforward"]

    def extra_kwargs(self, p):
        return {}, {"batch_first": True}

    def example_inputs(self, p):
        return [{"x": (2, 5, 8)}, {"x": (3, 1, 4)}]


@register_layer
class TransformerDecoderLayer(_Transformer):
    """Masked self-attention on the target, cross-attention on the memory, feed-forward."""

    type_id = "core.transformer_decoder_layer"
    title = "TransformerDecoderLayer"
    description = "Transformer decoder block: (causal) self-attention, cross-attention to memory, FFN"
    runtime_module, runtime = "attention", "DecoderLayer"
    params = (
        *_XF_PARAMS,
        Param("causal", "bool", True, "Mask the target self-attention so step t only sees steps <= t."),
    )
    inputs = (Port("tgt", rank=3, label="target (N, T, E)"), Port("memory", rank=3, label="memory (N, S, E)"))
    test_param_variants = ({"nhead": 2, "causal": False, "norm_first": True, "dim_feedforward": 16},)

    def infer(self, p, inputs):
        tgt, mem = inputs["tgt"], inputs["memory"]
        _seq(self.title, tgt, "tgt")
        _seq(self.title, mem, "memory")
        _check_heads(self.title, tgt[-1], p["nhead"], "nhead", "tgt")
        if mem[-1] != tgt[-1]:
            raise ShapeError(
                f"{self.title}: memory has {mem[-1]} features {fmt(mem)} but tgt has {tgt[-1]} "
                f"{fmt(tgt)}: insert Linear({mem[-1]}→{tgt[-1]}) on the memory",
                "memory",
            )
        return {"y": tgt}

    def param_count(self, p, inputs):
        e, bias = inputs["tgt"][-1], p["bias"]
        attn = 4 * e * e + (4 * e if bias else 0)
        return 2 * attn + _ffn_params(e, p["dim_feedforward"], bias) + 3 * (2 * e if bias else e)

    def macs(self, p, inputs, outputs):
        t, s, e = inputs["tgt"][1], inputs["memory"][1], inputs["tgt"][-1]
        return (
            attention_macs(t, t, e, e, e) + attention_macs(t, s, e, e, e) + 2 * t * e * p["dim_feedforward"]
        )

    def extra_kwargs(self, p):
        return {"causal": p["causal"]}, {}

    def example_inputs(self, p):
        return [{"tgt": (2, 5, 8), "memory": (2, 3, 8)}, {"tgt": (3, 1, 4), "memory": (3, 6, 4)}]


class _Positional(ModuleLayer):
    category = "Attention"
    icon = "attention"
    inputs = (Port("x", rank=3, label="sequence (N, T, E)"),)
    runtime_module = "attention"

    def shape(self, p, x):
        _seq(self.title, x, "x")
        return x

    def _max_len(self, p, inputs) -> int:
        return p["max_len"]

    def ctor(self, p, inputs):
        return self.runtime, (inputs["x"][-1], self._max_len(p, inputs)), {"dropout": p["dropout"]}

    def example_inputs(self, p):
        return [{"x": (2, 5, 8)}, {"x": (3, 4, 7)}]


@register_layer
class PositionalEncoding(_Positional):
    """Fixed sinusoidal position codes added to the input (no parameters)."""

    type_id = "core.positional_encoding"
    title = "PositionalEncoding"
    description = "Adds fixed sinusoidal position codes (Vaswani et al.) to (N, T, E); no parameters"
    runtime = "PositionalEncoding"
    params = (drop_param("applied after the addition"),)

    def _max_len(self, p, inputs):
        return inputs["x"][1]  # the table covers the input's length T


@register_layer
class LearnedPositionalEncoding(_Positional):
    """A learned vector per position, added to the input."""

    type_id = "core.learned_positional_encoding"
    title = "LearnedPositionalEncoding"
    description = "Adds a learned vector per position (max_len × E parameters) to (N, T, E)"
    runtime = "LearnedPositionalEncoding"
    params = (
        Param("max_len", "int", 512, "Longest sequence supported; one learned E-vector per position.", min=1),
        drop_param("applied after the addition"),
    )

    def shape(self, p, x):
        _seq(self.title, x, "x")
        if x[1] > p["max_len"]:
            raise ShapeError(
                f"{self.title}: sequence length {x[1]} > max_len {p['max_len']}: set max_len >= {x[1]}", "x"
            )
        return x

    def param_count(self, p, inputs):
        return p["max_len"] * inputs["x"][-1]
