"""Normalization (batch, layer, group, instance, local response) and dropout layers.

All of them are torch modules; the channel count (``num_features``) is read
from the input, never set by hand.
"""

from __future__ import annotations

import math

from studio.layers.builtin._common import ModuleLayer, changed
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, Port, ShapeError

_EPS = Param(
    "eps", "float", 1e-5, "Added to the variance before the square root, for stability (> 0).", min=1e-12
)
_MOMENTUM = Param(
    "momentum",
    "float",
    0.1,
    "Running-stat update running = (1-m)·running + m·batch; "
    "PyTorch's m=0.1 is β=0.9 in the β·running + (1-β)·batch form.",
    min=0,
    max=1,
)
_AFFINE = Param("affine", "bool", True, "Learn a per-channel scale γ and shift β after normalizing.")
_TRACK = Param(
    "track_running_stats",
    "bool",
    True,
    "Keep running mean/variance for eval mode "
    "(running_var stores the unbiased batch variance); off = batch statistics in eval too.",
)
_P = Param(
    "p",
    "float",
    0.5,
    "DROP probability. PyTorch uses inverted dropout: kept values are scaled "
    "by 1/(1-p) in training, and eval mode is the identity.",
    min=0,
    max=1,
)


class _Norm(ModuleLayer):
    """A normalization of (N, C, ...) input that keeps its shape: nn.<class name>(C, **changed)."""

    category = "Normalization"
    icon = "norm"
    ranks: tuple[int, ...] = (4,)
    torch_defaults: dict = {}

    def shape(self, p, x):
        expect_rank(self.title, x, self.ranks)
        return tuple(x)

    def param_count(self, p, inputs):
        return 2 * inputs["x"][1] if p["affine"] else 0  # γ and β per channel

    def ctor(self, p, inputs):
        return f"nn.{type(self).__name__}", (inputs["x"][1],), changed(p, self.torch_defaults)


class _BatchNorm(_Norm):
    params = (_EPS, _MOMENTUM, _AFFINE, _TRACK)
    torch_defaults = {"eps": 1e-5, "momentum": 0.1, "affine": True, "track_running_stats": True}
    test_param_variants = ({"affine": False, "momentum": 0.5}, {"track_running_stats": False})


@register_layer
class BatchNorm1d(_BatchNorm):
    """Batch normalization of features (N, C) or sequences (N, C, L)."""

    type_id = "core.batchnorm1d"
    title = "BatchNorm1d"
    description = "Normalize each feature over the batch: (N, C) or (N, C, L)"
    ranks = (2, 3)
    inputs = (Port("x", rank=(2, 3)),)

    def example_inputs(self, p):
        return [{"x": (3, 4)}, {"x": (2, 4, 5)}]


@register_layer
class BatchNorm2d(_BatchNorm):
    """Batch normalization of image channels (N, C, H, W)."""

    type_id = "core.batchnorm2d"
    title = "BatchNorm2d"
    description = "Normalize each channel over batch and H×W; running stats in eval"
    inputs = (Port("x", rank=4),)

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}]


@register_layer
class BatchNorm3d(_BatchNorm):
    """Batch normalization of volume channels (N, C, D, H, W)."""

    type_id = "core.batchnorm3d"
    title = "BatchNorm3d"
    description = "Normalize each channel over batch and D×H×W (after Conv3d)"
    ranks = (5,)
    inputs = (Port("x", rank=5),)

    def example_inputs(self, p):
        return [{"x": (2, 3, 2, 3, 4)}]


@register_layer
class LayerNorm(_Norm):
    """Normalize each sample over its last ``normalized_dims`` dims."""

    type_id = "core.layernorm"
    title = "LayerNorm"
    description = "Normalize each sample over its last dims; no batch statistics"
    params = (
        Param(
            "normalized_dims",
            "int",
            1,
            "How many trailing dims to normalize over, per sample "
            "(1 = the features of each token). Independent of the batch; same in train and eval.",
            min=1,
        ),
        _EPS,
        Param("elementwise_affine", "bool", True, "Learn per-element scale γ and shift β."),
        Param("bias", "bool", True, "Learn the shift β (with elementwise_affine)."),
    )
    test_param_variants = ({"normalized_dims": 2}, {"elementwise_affine": False}, {"bias": False})

    def shape(self, p, x):
        k = p["normalized_dims"]
        if k > len(x) - 1:
            raise ShapeError(
                f"LayerNorm: normalized_dims={k} but each sample of {fmt(x)} has {len(x) - 1} "
                f"dims: set normalized_dims <= {len(x) - 1}",
                "x",
            )
        return tuple(x)

    def param_count(self, p, inputs):
        n = math.prod(inputs["x"][-p["normalized_dims"] :])
        return n * (1 + p["bias"]) if p["elementwise_affine"] else 0

    def ctor(self, p, inputs):
        dims = inputs["x"][-p["normalized_dims"] :]
        shape = dims[0] if len(dims) == 1 else tuple(dims)
        return "nn.LayerNorm", (shape,), changed(p, {"eps": 1e-5, "elementwise_affine": True, "bias": True})

    def example_inputs(self, p):
        return [{"x": (2, 5, 8)}, {"x": (3, 6)}] if p["normalized_dims"] == 1 else [{"x": (2, 3, 4, 5)}]


@register_layer
class GroupNorm(_Norm):
    """Normalize each sample over channel groups (batch-size independent)."""

    type_id = "core.groupnorm"
    title = "GroupNorm"
    description = "Normalize each sample over groups of channels; works with tiny batches"
    params = (
        Param(
            "num_groups",
            "int",
            4,
            "Channel groups; must divide the channels (Wu & He use 32). "
            "1 group normalizes like LayerNorm over (C, H, W), C groups like InstanceNorm "
            "(γ and β stay per channel).",
            min=1,
        ),
        _EPS,
        Param("affine", "bool", True, "Learn a per-channel scale γ and shift β."),
    )
    ranks = (2, 3, 4, 5)
    inputs = (Port("x", rank=ranks),)
    test_param_variants = ({"num_groups": 1, "affine": False}, {"num_groups": 8})

    def shape(self, p, x):
        super().shape(p, x)
        c, g = x[1], p["num_groups"]
        if c % g:
            divisors = ", ".join(str(d) for d in range(1, c + 1) if c % d == 0)
            raise ShapeError(
                f"GroupNorm: num_groups={g} does not divide the {c} channels of {fmt(x)}: "
                f"choose one of {divisors}",
                "x",
            )
        return tuple(x)

    def ctor(self, p, inputs):
        return "nn.GroupNorm", (p["num_groups"], inputs["x"][1]), changed(p, {"eps": 1e-5, "affine": True})

    def example_inputs(self, p):
        return [{"x": (2, 8, 3, 3)}, {"x": (2, 8, 5)}]


@register_layer
class InstanceNorm2d(_Norm):
    """Normalize each channel of each sample over H×W (style transfer)."""

    type_id = "core.instancenorm2d"
    title = "InstanceNorm2d"
    description = "Normalize each channel of each image over H×W (style transfer)"
    params = (
        _EPS,
        _MOMENTUM,
        Param("affine", "bool", False, "Learn a per-channel scale γ and shift β (off, as in PyTorch)."),
        Param(
            "track_running_stats",
            "bool",
            False,
            "Keep running statistics for eval mode (off by "
            "default: eval also uses each instance's own statistics).",
        ),
    )
    inputs = (Port("x", rank=4),)
    torch_defaults = {"eps": 1e-5, "momentum": 0.1, "affine": False, "track_running_stats": False}
    test_param_variants = ({"affine": True}, {"track_running_stats": True})

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}]


@register_layer
class LocalResponseNorm(_Norm):
    """AlexNet's lateral inhibition across neighbouring channels."""

    type_id = "core.localresponsenorm"
    title = "LocalResponseNorm"
    description = "Local response normalization across nearby channels (AlexNet)"
    params = (
        Param("size", "int", 5, "Neighbouring channels summed over (AlexNet: 5).", min=1),
        Param("alpha", "float", 1e-4, "Scale; PyTorch divides it by size: b = a/(k + α/n·Σa²)^β.", min=0),
        Param("beta", "float", 0.75, "Exponent β.", min=0),
        Param("k", "float", 1.0, "Additive constant (AlexNet used k=2).", min=0),
    )
    ranks = (3, 4, 5)
    inputs = (Port("x", rank=ranks),)
    test_param_variants = ({"size": 3, "k": 2.0},)

    def param_count(self, p, inputs):
        return 0

    def ctor(self, p, inputs):
        return "nn.LocalResponseNorm", (p["size"],), changed(p, {"alpha": 1e-4, "beta": 0.75, "k": 1.0})

    def example_inputs(self, p):
        return [{"x": (2, 6, 4, 4)}, {"x": (2, 7, 5)}]


class _Dropout(ModuleLayer):
    category = "Regularization"
    icon = "dropout"
    params = (_P,)
    ranks: tuple[int, ...] | None = None
    test_param_variants = ({"p": 0.2},)

    def shape(self, p, x):
        if self.ranks:
            expect_rank(self.title, x, self.ranks, hint="use Dropout for other shapes")
        return tuple(x)

    def ctor(self, p, inputs):
        return f"nn.{type(self).__name__}", (), changed(p, {"p": 0.5})

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}] if self.ranks else [{"x": (3, 10)}, {"x": (2, 3, 4, 5)}]


@register_layer
class Dropout(_Dropout):
    """Zero each element with probability p during training."""

    type_id = "core.dropout"
    title = "Dropout"
    description = "Randomly zero elements with probability p while training (inverted dropout)"


@register_layer
class Dropout2d(_Dropout):
    """Zero whole channels (feature maps) with probability p during training."""

    type_id = "core.dropout2d"
    title = "Dropout2d"
    description = "Spatial dropout: zero whole channels of (N, C, H, W) while training"
    ranks = (4,)
    inputs = (Port("x", rank=4),)


@register_layer
class AlphaDropout(_Dropout):
    """Dropout that keeps SELU's zero mean and unit variance."""

    type_id = "core.alphadropout"
    title = "AlphaDropout"
    description = "Dropout for SELU networks: keeps mean 0 and variance 1"
    params = (
        Param(
            "p",
            "float",
            0.5,
            "DROP probability; dropped units take SELU's negative saturation "
            "value and an affine correction keeps mean and variance. Identity in eval.",
            min=0,
            max=1,
        ),
    )
