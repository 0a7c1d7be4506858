"""Activation functions: element-wise nonlinearities, softmax and maxout.

Every activation is its own node (no layer fuses one), so hooks and the
inspector can show pre- and post-activation values separately.
"""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, ParamError, ShapeError


class _Activation(ModuleLayer):
    """The ``torch.nn`` class of the same name, whose constructor takes exactly this spec's params."""

    category = "Activation"
    icon = "activation"

    def shape(self, p, x):
        return x

    def example_inputs(self, p):
        return [{"x": (2, 5)}, {"x": (3, 4, 3, 3)}]

    def ctor(self, p, inputs):
        return f"nn.{type(self).__name__}", (), {prm.name: p[prm.name] for prm in self.params}


@register_layer
class ReLU(_Activation):
    """max(0, x)."""

    type_id = "core.relu"
    title = "ReLU"
    description = "Rectified linear unit: max(0, x) (gradient 0 for x <= 0)"


@register_layer
class LeakyReLU(_Activation):
    """x for x >= 0, negative_slope·x otherwise."""

    type_id = "core.leaky_relu"
    title = "LeakyReLU"
    description = "Leaky ReLU: x for x >= 0, negative_slope·x for x < 0"
    params = (
        Param(
            "negative_slope",
            "float",
            0.01,
            "Slope for x < 0: f(x) = negative_slope·x there (default 0.01).",
            min=0.0,
        ),
    )


@register_layer
class PReLU(_Activation):
    """Leaky ReLU with a learned slope (one, or one per channel)."""

    type_id = "core.prelu"
    title = "PReLU"
    description = "Parametric ReLU: f(x) = a·x for x < 0 with a learned (one or per channel)"
    params = (
        Param(
            "per_channel", "bool", False, "Learn one slope per channel (dim 1) instead of one shared slope."
        ),
        Param("init", "float", 0.25, "Initial value of the learned slope a (f(x) = a·x for x < 0)."),
    )
    test_param_variants = ({"per_channel": True},)

    def shape(self, p, x):
        if p["per_channel"]:
            expect_rank(self.title, x, (2, 3, 4, 5), hint="per-channel slopes need a channel dim 1")
        return x

    def _num(self, p, inputs) -> int:
        return inputs["x"][1] if p["per_channel"] else 1

    def param_count(self, p, inputs):
        return self._num(p, inputs)

    def ctor(self, p, inputs):
        return "nn.PReLU", (), {"num_parameters": self._num(p, inputs), "init": p["init"]}


@register_layer
class ELU(_Activation):
    """x for x > 0, alpha·(exp(x) − 1) otherwise."""

    type_id = "core.elu"
    title = "ELU"
    description = "Exponential linear unit: x for x > 0, alpha·(exp(x) − 1) otherwise"
    params = (
        Param(
            "alpha",
            "float",
            1.0,
            "Saturation depth: f(x) = alpha·(exp(x) − 1) for x ≤ 0, which tends to −alpha as x → −∞.",
        ),
    )


@register_layer
class SELU(_Activation):
    """Scaled ELU with the self-normalising constants."""

    type_id = "core.selu"
    title = "SELU"
    description = "Scaled ELU (self-normalising; pair with LeCun-normal init and AlphaDropout)"


@register_layer
class GELU(_Activation):
    """x·Φ(x), Φ the standard normal CDF."""

    type_id = "core.gelu"
    title = "GELU"
    description = "Gaussian error linear unit: x·Φ(x) (used in Transformers)"
    params = (
        Param(
            "approximate",
            "choice",
            "none",
            "'none' = exact x·Φ(x); 'tanh' = the faster tanh approximation.",
            choices=("none", "tanh"),
        ),
    )


@register_layer
class SiLU(_Activation):
    """x·sigmoid(x)."""

    type_id = "core.silu"
    title = "SiLU / Swish"
    description = "Sigmoid linear unit (Swish with β = 1): x·σ(x)"


@register_layer
class Mish(_Activation):
    """x·tanh(softplus(x))."""

    type_id = "core.mish"
    title = "Mish"
    description = "Mish: x·tanh(softplus(x))"


@register_layer
class Sigmoid(_Activation):
    """1 / (1 + exp(−x))."""

    type_id = "core.sigmoid"
    title = "Sigmoid"
    description = "Logistic sigmoid 1/(1 + e^−x) in (0, 1); for training prefer BCEWithLogitsLoss on logits"


@register_layer
class Tanh(_Activation):
    """Hyperbolic tangent."""

    type_id = "core.tanh"
    title = "Tanh"
    description = "Hyperbolic tangent, output in (−1, 1)"


@register_layer
class Hardtanh(_Activation):
    """x clipped to [min_val, max_val]."""

    type_id = "core.hardtanh"
    title = "Hardtanh"
    description = "Clamp x to [min_val, max_val] (piecewise linear tanh)"
    params = (
        Param("min_val", "float", -1.0, "Lower clipping value."),
        Param("max_val", "float", 1.0, "Upper clipping value (must exceed min_val)."),
    )

    def check_params(self, p):
        if p["max_val"] <= p["min_val"]:
            raise ParamError(
                f"Hardtanh: max_val ({p['max_val']}) must be greater than min_val ({p['min_val']})"
            )


@register_layer
class Softplus(_Activation):
    """(1/beta)·log(1 + exp(beta·x))."""

    type_id = "core.softplus"
    title = "Softplus"
    description = "Smooth ReLU: (1/beta)·log(1 + exp(beta·x)), always positive"
    params = (
        Param("beta", "float", 1.0, "Sharpness: f(x) = (1/beta)·log(1 + exp(beta·x)).", min=1e-6),
        Param(
            "threshold", "float", 20.0, "Where beta·x > threshold, return x (linear) for numerical stability."
        ),
    )


_DIM_HELP = "Dimension to normalise over, counting the batch as dim 0 (1 = features/classes, -1 = last)."


class _SoftmaxLike(_Activation):
    params = (Param("dim", "int", 1, _DIM_HELP),)

    def shape(self, p, x):
        dim = p["dim"]
        if not -len(x) <= dim < len(x):
            raise ShapeError(
                f"{self.title}: dim={dim} is out of range for {len(x)}-D input {fmt(x)}: "
                f"use 1..{len(x) - 1} or -1",
                "x",
            )
        if dim % len(x) == 0:
            raise ShapeError(
                f"{self.title}: dim={dim} is the batch dimension, which mixes samples: "
                "use dim=1 (classes) or -1",
                "x",
            )
        return x


@register_layer
class Softmax(_SoftmaxLike):
    """exp(x_i) / Σ_j exp(x_j) along ``dim``."""

    type_id = "core.softmax"
    title = "Softmax"
    description = (
        "Softmax exp(z_i)/Σ_j exp(z_j) along dim; don't put it before CrossEntropyLoss, which expects logits"
    )
    params = (Param("dim", "int", 1, _DIM_HELP + " Not before CrossEntropyLoss: it expects raw logits."),)


@register_layer
class LogSoftmax(_SoftmaxLike):
    """log(softmax(x)) along ``dim``, computed stably."""

    type_id = "core.log_softmax"
    title = "LogSoftmax"
    description = "log(softmax(x)) along dim, computed stably; pair with NLLLoss"


@register_layer
class Maxout(_Activation):
    """Max over groups of ``pool_size`` channels."""

    type_id = "core.maxout"
    title = "Maxout"
    runtime_module, runtime = "activation", "Maxout"
    description = "Maxout: max over groups of pool_size consecutive channels, C → C/pool_size"
    params = (
        Param(
            "pool_size",
            "int",
            2,
            "Channels per group k: each output is the max of k consecutive channels.",
            min=1,
        ),
    )

    def shape(self, p, x):
        expect_rank(self.title, x, (2, 3, 4, 5))
        k, c = p["pool_size"], x[1]
        if c % k:
            raise ShapeError(
                f"Maxout: {c} channels (dim 1) of {fmt(x)} are not divisible by pool_size={k}: "
                f"choose a pool_size that divides {c}",
                "x",
            )
        return (x[0], c // k, *x[2:])

    def example_inputs(self, p):
        k = p["pool_size"]
        return [{"x": (2, 3 * k)}, {"x": (2, 2 * k, 3, 3)}]

    def ctor(self, p, inputs):
        return "Maxout", (), {"pool_size": p["pool_size"]}
