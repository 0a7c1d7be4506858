"""Convolutions (1-D, 2-D, 3-D, transposed) and upsampling.

PyTorch convolutions are cross-correlations (no kernel flip); weights are
stored as (out, in/groups, *kernel). Output size per spatial dim is
``floor((N + 2P - D(K-1) - 1)/S) + 1``.
"""

from __future__ import annotations

import math
from typing import Any

from studio.layers.registry import register_layer
from studio.layers.shapes import conv_out, expect_rank, fmt, spatial_out, tup
from studio.layers.spec import LayerSpec, Param, ParamError, Port, ShapeError

_DIMS = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}
_PAD_MODES = ("zeros", "reflect", "replicate", "circular")


def src(value: Any) -> str:
    """Python source of a param value (lists become tuples, as torch stores them)."""
    return repr(tuple(value)) if isinstance(value, (list, tuple)) else repr(value)


def call_source(ctor: str, args: tuple, kwargs: dict) -> str:
    """``"nn.Conv2d(3, 16, kernel_size=3)"`` from a constructor name, args and kwargs."""
    parts = [src(a) for a in args] + [f"{k}={src(v)}" for k, v in kwargs.items()]
    return f"{ctor}({', '.join(parts)})"


def as_torch(value: Any) -> Any:
    """Lists become tuples before reaching a torch constructor."""
    return tuple(value) if isinstance(value, list) else value


def params_as_shape_error(spec: LayerSpec, p: dict) -> None:
    """Run ``spec.check_params`` so that shape inference reports cross-param rules too."""
    try:
        spec.check_params(p)
    except ParamError as err:
        raise ShapeError(f"{spec.title}: {err}") from err


def rank_hint(n: int, x: tuple) -> str:
    """What to do when an N-d conv/pool receives the wrong rank."""
    if len(x) < n + 2:
        return f"insert Reshape to a per-sample {_DIMS[n][4:]} shape"
    if len(x) - 2 in _DIMS:
        return f"use the {len(x) - 2}-D variant of this layer"
    return "insert Reshape or Flatten"


def _conv_params(n: int, causal: bool) -> tuple[Param, ...]:
    pad_help = "Zeros added on each side; 'same' keeps the size (stride 1 only), 'valid' means 0."
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


class _ConvNd(LayerSpec):
    """Shared rule of Conv1d/2d/3d; subclasses set ``ndim``."""

    ndim = 2
    category = "Convolution"
    icon = "conv"
    defaults_kw = {
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "groups": 1,
        "bias": True,
        "padding_mode": "zeros",
    }

    def check_params(self, p):
        if p["padding"] == "same" and tup(p["stride"], self.ndim) != (1,) * self.ndim:
            raise ParamError("'same' padding needs stride 1: set stride to 1 or padding to a number")
        if p["out_channels"] % p["groups"]:
            raise ParamError(f"groups={p['groups']} must divide out_channels={p['out_channels']}")
        if p["padding"] == "causal" and p["padding_mode"] != "zeros":
            raise ParamError("'causal' padding pads with zeros: set padding_mode to 'zeros'")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        n, title = self.ndim, self.title
        expect_rank(title, x, n + 2, hint=rank_hint(n, x))
        channels, groups = x[1], p["groups"]
        if channels % groups:
            raise ShapeError(
                f"{title}: groups={groups} does not divide the {channels} input channels "
                f"of {fmt(x)}: choose a divisor of {channels}",
                "x",
            )
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
        c, o = inputs["x"][1], p["out_channels"]
        return o * (c // p["groups"]) * math.prod(tup(p["kernel_size"], self.ndim)) + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        per_output = (inputs["x"][1] // p["groups"]) * math.prod(tup(p["kernel_size"], self.ndim))
        return math.prod(outputs["y"][1:]) * per_output

    def _ctor(self, p, inputs) -> tuple[str, tuple, dict]:
        args = (inputs["x"][1], p["out_channels"])
        if p["padding"] == "causal":
            kw = {k: p[k] for k in ("kernel_size", "stride", "dilation", "groups", "bias")}
            return "CausalConv1d", args, {k: v for k, v in kw.items() if self.defaults_kw.get(k) != v}
        kw = {k: p[k] for k in ("kernel_size", *self.defaults_kw)}
        return f"nn.Conv{self.ndim}d", args, {k: v for k, v in kw.items() if self.defaults_kw.get(k) != v}

    def build(self, p, inputs):
        from torch import nn

        ctor, args, kw = self._ctor(p, inputs)
        cls = self.support_classes()[0] if ctor == "CausalConv1d" else getattr(nn, ctor[3:])
        return cls(*args, **{k: as_torch(v) for k, v in kw.items()})

    def ctor_source(self, p, inputs):
        return call_source(*self._ctor(p, inputs))

    def example_inputs(self, p):
        n = self.ndim
        return [{"x": (2, 4, *(9,) * n)}, {"x": (3, 4, *(8,) * n)}]


@register_layer
class Conv1d(_ConvNd):
    """1-D convolution over sequences (N, C, L); offers causal padding."""

    type_id = "core.conv1d"
    title = "Conv1d"
    description = "1-D convolution over (N, C, L); 'causal' padding for TCN/WaveNet"
    ndim = 1
    params = _conv_params(1, causal=True)
    inputs = (Port("x", rank=3),)
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
    title = "Conv2d"
    description = "2-D convolution (cross-correlation) over images (N, C, H, W)"
    ndim = 2
    params = _conv_params(2, causal=False)
    inputs = (Port("x", rank=4),)
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
    title = "Conv3d"
    description = "3-D convolution over volumes or clips (N, C, D, H, W)"
    ndim = 3
    params = _conv_params(3, causal=False)
    inputs = (Port("x", rank=5),)
    test_param_variants = ({"stride": 2, "padding": "valid"}, {"padding": "same", "groups": 2})

    def example_inputs(self, p):
        return [{"x": (2, 2, 5, 6, 7)}]


@register_layer
class ConvTranspose2d(LayerSpec):
    """Transposed 2-D convolution: learned upsampling (zero insertion + conv), not an inverse."""

    type_id = "core.convtranspose2d"
    title = "ConvTranspose2d"
    category = "Convolution"
    description = "Transposed convolution (learned upsampling); restores a shape, not the input"
    icon = "conv"
    params = (
        Param("out_channels", "int", 16, "Number of output channels.", min=1),
        Param("kernel_size", "size", 2, "Filter size per spatial dim.", min=1, length=2),
        Param(
            "stride",
            "size",
            2,
            "Upsampling factor: zeros inserted between inputs; 2 doubles the size.",
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
    defaults_kw = {"stride": 1, "padding": 0, "output_padding": 0, "groups": 1, "bias": True, "dilation": 1}

    def check_params(self, p):
        for op, s, d in zip(*(tup(p[k], 2) for k in ("output_padding", "stride", "dilation")), strict=True):
            if op >= max(s, d):
                raise ParamError(f"output_padding {op} must be smaller than stride or dilation")
        if p["out_channels"] % p["groups"]:
            raise ParamError(f"groups={p['groups']} must divide out_channels={p['out_channels']}")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        expect_rank(self.title, x, 4, hint=rank_hint(2, x))
        if x[1] % p["groups"]:
            raise ShapeError(
                f"{self.title}: groups={p['groups']} does not divide the {x[1]} input "
                f"channels of {fmt(x)}: choose a divisor of {x[1]}",
                "x",
            )
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
        weights = inputs["x"][1] * (o // p["groups"]) * math.prod(tup(p["kernel_size"], 2))
        return weights + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        # every input element is multiplied with a (out/groups, kH, kW) slice of the weight
        x = inputs["x"]
        return math.prod(x[1:]) * (p["out_channels"] // p["groups"]) * math.prod(tup(p["kernel_size"], 2))

    def _kwargs(self, p) -> dict:
        kw = {k: p[k] for k in ("kernel_size", *self.defaults_kw)}
        return {k: v for k, v in kw.items() if self.defaults_kw.get(k) != v}

    def build(self, p, inputs):
        from torch import nn

        kw = {k: as_torch(v) for k, v in self._kwargs(p).items()}
        return nn.ConvTranspose2d(inputs["x"][1], p["out_channels"], **kw)

    def ctor_source(self, p, inputs):
        return call_source("nn.ConvTranspose2d", (inputs["x"][1], p["out_channels"]), self._kwargs(p))

    def example_inputs(self, p):
        return [{"x": (2, 4, 5, 5)}, {"x": (3, 4, 4, 6)}]


@register_layer
class Upsample(LayerSpec):
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

    def _kwargs(self, p) -> dict:
        kw = {"scale_factor": p["scale_factor"], "mode": p["mode"]}
        if p["mode"] == "bilinear":
            kw["align_corners"] = p["align_corners"]
        return kw

    def build(self, p, inputs):
        from torch import nn

        return nn.Upsample(**self._kwargs(p))

    def ctor_source(self, p, inputs):
        return call_source("nn.Upsample", (), self._kwargs(p))

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}]
