"""Convolutions (1-D, 2-D, 3-D, transposed) and upsampling.

PyTorch convolutions are cross-correlations (no kernel flip); weights are
stored as (out, in/groups, *kernel). Output size per spatial dim is
``floor((N + 2P - D(K-1) - 1)/S) + 1``. A convolution is translation-equivariant
(shifting the input shifts the output, up to stride and borders), not invariant.
"""

from __future__ import annotations

import math

from studio.layers.builtin._common import ModuleLayer, changed, params_as_shape_error, rank_hint
from studio.layers.registry import register_layer
from studio.layers.shapes import conv_out, expect_rank, fmt, spatial_out, tup
from studio.layers.spec import Param, ParamError, Port, ShapeError

_PAD_MODES = ("zeros", "reflect", "replicate", "circular")


def _conv_params(n: int, causal: bool) -> tuple[Param, ...]:
    pad_help = (
        "Padding added on each side (values set by padding_mode); "
        "'same' keeps the size (stride 1 only), 'valid' means 0."
    )
    if causal:
        pad_help += " 'causal' pads dilation*(kernel_size-1) on the left only, so step t sees no future."
    return (
        Param("out_channels", "int", 16, "Number of filters = output channels.", min=1),
        Param("kernel_size", "size", 3, "Filter size per spatial dim.", min=1, length=n),
        Param("stride", "size", 1, "Step between filter positions; 2 halves the size.", min=1, length=n),
        Param(
            "padding",
            "size",
            0,
            pad_help,
            min=0,
            length=n,
            choices=("same", "valid", "causal") if causal else ("same", "valid"),
        ),
        Param(
            "dilation",
            "size",
            1,
            "Spacing of kernel taps (atrous); the kernel spans D(K-1)+1.",
            min=1,
            length=n,
        ),
        Param(
            "groups",
            "int",
            1,
            "Channel groups; groups = input channels gives a depthwise conv "
            "(depthwise-separable: follow it with a 1x1 conv).",
            min=1,
        ),
        Param("bias", "bool", True, "Learn one additive bias per output channel."),
        Param(
            "padding_mode",
            "choice",
            "zeros",
            "Padding values: zeros, mirror (reflect), edge copies (replicate) or wrap-around (circular).",
            choices=_PAD_MODES,
        ),
    )


class _Conv(ModuleLayer):
    """What every convolution shares; subclasses set ``ndim`` and ``torch_defaults``."""

    ndim = 2
    category = "Convolution"
    icon = "conv"
    torch_defaults: dict = {}

    def check_out_channels(self, p) -> None:
        if p["out_channels"] % p["groups"]:
            raise ParamError(f"groups={p['groups']} must divide out_channels={p['out_channels']}")

    def check_input(self, p, x) -> None:
        """Cross-param rules, rank and groups vs the input channels, as shape errors."""
        params_as_shape_error(self, p)
        n = self.ndim
        expect_rank(self.title, x, n + 2, hint=rank_hint(n, x))
        if x[1] % p["groups"]:
            raise ShapeError(
                f"{self.title}: groups={p['groups']} does not divide the {x[1]} input channels "
                f"of {fmt(x)}: choose a divisor of {x[1]}",
                "x",
            )

    def kernel_volume(self, p) -> int:
        return math.prod(tup(p["kernel_size"], self.ndim))

    def ctor(self, p, inputs):
        kwargs = {"kernel_size": p["kernel_size"], **changed(p, self.torch_defaults)}
        return f"nn.{type(self).__name__}", (inputs["x"][1], p["out_channels"]), kwargs


class _ConvNd(_Conv):
    """Conv1d/2d/3d: the subclass's ``ndim`` sets its title, params and input rank."""

    torch_defaults = {
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "groups": 1,
        "bias": True,
        "padding_mode": "zeros",
    }

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.title = cls.__name__
        cls.params = _conv_params(cls.ndim, causal=cls.ndim == 1)
        cls.inputs = (Port("x", rank=cls.ndim + 2),)

    def check_params(self, p):
        if p["padding"] == "same" and tup(p["stride"], self.ndim) != (1,) * self.ndim:
            raise ParamError("'same' padding needs stride 1: set stride to 1 or padding to a number")
        self.check_out_channels(p)
        if p["padding"] == "causal" and p["padding_mode"] != "zeros":
            raise ParamError("'causal' padding pads with zeros: set padding_mode to 'zeros'")

    def shape(self, p, x):
        self.check_input(p, x)
        n, title = self.ndim, self.title
        k, s, d = (tup(p[name], n) for name in ("kernel_size", "stride", "dilation"))
        if p["padding"] == "same":
            out = tuple(x[2:])
        elif p["padding"] == "causal":
            out = (conv_out(x[2] + d[0] * (k[0] - 1), k[0], s[0], 0, d[0]),)
        else:
            pad = tup(0 if p["padding"] == "valid" else p["padding"], n)
            if p["padding_mode"] == "reflect" and any(q >= size for q, size in zip(pad, x[2:], strict=True)):
                raise ShapeError(
                    f"{title}: reflect padding {max(pad)} must be smaller than the input "
                    f"{fmt(x)}: reduce padding or use padding_mode 'replicate'",
                    "x",
                )
            out = spatial_out(title, x[2:], k, s, pad, d)
        return (x[0], p["out_channels"], *out)

    def param_count(self, p, inputs):
        o = p["out_channels"]
        return o * (inputs["x"][1] // p["groups"]) * self.kernel_volume(p) + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        per_output = (inputs["x"][1] // p["groups"]) * self.kernel_volume(p)
        return math.prod(outputs["y"][1:]) * per_output

    def ctor(self, p, inputs):
        if p["padding"] != "causal":
            return super().ctor(p, inputs)
        causal = {k: self.torch_defaults[k] for k in ("stride", "dilation", "groups", "bias")}
        kwargs = {"kernel_size": p["kernel_size"], **changed(p, causal)}
        return "CausalConv1d", (inputs["x"][1], p["out_channels"]), kwargs

    def example_inputs(self, p):
        n = self.ndim
        return [{"x": (2, 4, *(9,) * n)}, {"x": (3, 4, *(8,) * n)}]


@register_layer
class Conv1d(_ConvNd):
    """1-D convolution over sequences (N, C, L); offers causal padding."""

    type_id = "core.conv1d"
    description = "1-D convolution over (N, C, L); 'causal' padding for TCN/WaveNet"
    ndim = 1
    test_param_variants = (
        {"padding": "causal", "kernel_size": 3, "dilation": 2},
        {"padding": "causal", "stride": 2, "bias": False},
        {"padding": "same", "kernel_size": 4, "padding_mode": "reflect"},
        {"groups": 4, "out_channels": 8, "stride": 2},
    )

    def support_classes(self):
        from studio.layers.runtime.conv import CausalConv1d

        return (CausalConv1d,)


@register_layer
class Conv2d(_ConvNd):
    """2-D convolution over images (N, C, H, W)."""

    type_id = "core.conv2d"
    description = "2-D convolution (cross-correlation) over images (N, C, H, W)"
    ndim = 2
    test_param_variants = (
        {"stride": 2, "padding": 1},
        {"padding": "same", "dilation": 2},
        {"groups": 4, "out_channels": 4, "bias": False},
        {"kernel_size": [3, 1], "padding": [1, 0], "padding_mode": "circular"},
    )


@register_layer
class Conv3d(_ConvNd):
    """3-D convolution over volumes (N, C, D, H, W)."""

    type_id = "core.conv3d"
    description = "3-D convolution over volumes or clips (N, C, D, H, W)"
    ndim = 3
    test_param_variants = ({"stride": 2, "padding": "valid"}, {"padding": "same", "groups": 2})

    def example_inputs(self, p):
        return [{"x": (2, 2, 5, 6, 7)}]


@register_layer
class ConvTranspose2d(_Conv):
    """Transposed 2-D convolution: learned upsampling (zero insertion + conv), not an inverse."""

    type_id = "core.convtranspose2d"
    title = "ConvTranspose2d"
    description = "Transposed convolution (learned upsampling); restores a shape, not the input"
    params = (
        Param("out_channels", "int", 16, "Number of output channels.", min=1),
        Param("kernel_size", "size", 2, "Filter size per spatial dim.", min=1, length=2),
        Param(
            "stride",
            "size",
            1,
            "Upsampling factor: stride-1 zeros are inserted between input values; "
            "stride 2 with kernel_size 2 doubles the size (PyTorch's default is 1).",
            min=1,
            length=2,
        ),
        Param(
            "padding",
            "size",
            0,
            "Rows/cols cut from each side of the output: it shrinks by 2P.",
            min=0,
            length=2,
        ),
        Param(
            "output_padding",
            "size",
            0,
            "Extra rows/cols on one side to pick among sizes that "
            "map to the same input (must be < stride or dilation).",
            min=0,
            length=2,
        ),
        Param("groups", "int", 1, "Channel groups (both channel counts must be divisible).", min=1),
        Param("bias", "bool", True, "Learn one additive bias per output channel."),
        Param("dilation", "size", 1, "Spacing of kernel taps.", min=1, length=2),
    )
    inputs = (Port("x", rank=4),)
    test_param_variants = (
        {"kernel_size": 4, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
        {"kernel_size": 3, "stride": 1, "dilation": 2, "bias": False},
    )
    torch_defaults = {
        "stride": 1,
        "padding": 0,
        "output_padding": 0,
        "groups": 1,
        "bias": True,
        "dilation": 1,
    }

    def check_params(self, p):
        for op, s, d in zip(*(tup(p[k], 2) for k in ("output_padding", "stride", "dilation")), strict=True):
            if op >= max(s, d):
                raise ParamError(f"output_padding {op} must be smaller than stride or dilation")
        self.check_out_channels(p)

    def shape(self, p, x):
        self.check_input(p, x)
        k, s, pad, op, d = (
            tup(p[n], 2) for n in ("kernel_size", "stride", "padding", "output_padding", "dilation")
        )
        out = tuple((n - 1) * s[i] - 2 * pad[i] + d[i] * (k[i] - 1) + op[i] + 1 for i, n in enumerate(x[2:]))
        if min(out) <= 0:
            raise ShapeError(
                f"{self.title}: output size {out} of input {fmt(x)} is not positive: reduce padding", "x"
            )
        return (x[0], p["out_channels"], *out)

    def param_count(self, p, inputs):
        o = p["out_channels"]
        return inputs["x"][1] * (o // p["groups"]) * self.kernel_volume(p) + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        # every input element is multiplied with a (out/groups, kH, kW) slice of the weight
        return math.prod(inputs["x"][1:]) * (p["out_channels"] // p["groups"]) * self.kernel_volume(p)

    def example_inputs(self, p):
        return [{"x": (2, 4, 5, 5)}, {"x": (3, 4, 4, 6)}]


@register_layer
class Upsample(ModuleLayer):
    """Fixed (parameter-free) upsampling of images by a scale factor."""

    type_id = "core.upsample"
    title = "Upsample"
    category = "Convolution"
    description = "Parameter-free upsampling of (N, C, H, W) by a scale factor"
    icon = "conv"
    params = (
        Param("scale_factor", "float", 2.0, "Output size = floor(input size * scale_factor).", min=0.01),
        Param(
            "mode",
            "choice",
            "nearest",
            "nearest copies the nearest input value (it does not average); "
            "bilinear interpolates linearly between the 4 nearest values.",
            choices=("nearest", "bilinear"),
        ),
        Param(
            "align_corners",
            "bool",
            False,
            "Bilinear only: align the corner pixels' centres of input and output instead of their edges.",
        ),
    )
    inputs = (Port("x", rank=4),)
    test_param_variants = ({"mode": "bilinear", "align_corners": True}, {"scale_factor": 1.5})

    def check_params(self, p):
        if p["align_corners"] and p["mode"] != "bilinear":
            raise ParamError("align_corners applies only to mode 'bilinear': untick it or change the mode")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        expect_rank(self.title, x, 4, hint=rank_hint(2, x))
        out = tuple(math.floor(n * p["scale_factor"]) for n in x[2:])
        if min(out) < 1:
            raise ShapeError(
                f"{self.title}: scale_factor {p['scale_factor']} shrinks {fmt(x)} to nothing: "
                "increase scale_factor",
                "x",
            )
        return (*x[:2], *out)

    def ctor(self, p, inputs):
        kw = {"scale_factor": p["scale_factor"], "mode": p["mode"]}
        if p["mode"] == "bilinear":
            kw["align_corners"] = p["align_corners"]
        return "nn.Upsample", (), kw

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}]
