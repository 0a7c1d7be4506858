"""Pooling: max/average (1-D to 3-D), adaptive average and global average pooling.

Pooling has no parameters; it shrinks the maps (and so the parameters of
later dense layers) and gives some local translation invariance.
"""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer, changed, params_as_shape_error, rank_hint
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt, spatial_out, tup
from studio.layers.spec import Param, ParamError, Port, ShapeError

_DIM_NAMES = {1: "L", 2: "H×W", 3: "D×H×W"}


def _pool_params(n: int, kind: str) -> tuple[Param, ...]:
    params = (
        Param("kernel_size", "size", 2, f"Window size per spatial dim ({_DIM_NAMES[n]}).", min=1, length=n),
        Param(
            "stride",
            "size",
            None,
            "Step between windows; empty = kernel_size (PyTorch's None).",
            min=1,
            length=n,
            optional=True,
        ),
        Param(
            "padding",
            "size",
            0,
            f"Implicit {'-inf' if kind == 'max' else 'zero'} padding on each side; "
            "at most half the kernel size.",
            min=0,
            length=n,
        ),
        Param("ceil_mode", "bool", False, "Round the output size up, keeping a partial last window."),
    )
    if kind == "avg":
        params += (Param("count_include_pad", "bool", True, "Count padded zeros in the average's divisor."),)
    return params


_MAX_VARIANTS = (
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 1},
)
_AVG_VARIANTS = (
    *_MAX_VARIANTS,
    {"kernel_size": 3, "padding": 1, "count_include_pad": False, "ceil_mode": True},
)


class _PoolNd(ModuleLayer):
    """Max/AvgPool 1-3d: the subclass's ``ndim`` and ``kind`` set its title, params and ports."""

    ndim = 2
    kind = "max"
    category = "Pooling"
    icon = "pool"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        n, what = cls.ndim, "Maximum" if cls.kind == "max" else "Average"
        cls.title = cls.__name__
        cls.description = f"{what} over each {_DIM_NAMES[n]} window; 0 parameters"
        cls.params = _pool_params(n, cls.kind)
        cls.inputs = (Port("x", rank=n + 2),)
        cls.test_param_variants = _MAX_VARIANTS if cls.kind == "max" else _AVG_VARIANTS

    def check_params(self, p):
        n = self.ndim
        for k, pad in zip(tup(p["kernel_size"], n), tup(p["padding"], n), strict=True):
            if pad > k // 2:
                raise ParamError(f"padding {pad} must be at most half the kernel size {k} (PyTorch's rule)")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        n = self.ndim
        expect_rank(self.title, x, n + 2, hint=rank_hint(n, x))
        k = tup(p["kernel_size"], n)
        s = k if p["stride"] is None else tup(p["stride"], n)
        out = spatial_out(self.title, x[2:], k, s, tup(p["padding"], n), (1,) * n, ceil=p["ceil_mode"])
        return (*x[:2], *out)

    def ctor(self, p, inputs):
        defaults = {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True}
        return f"nn.{self.title}", (), {"kernel_size": p["kernel_size"], **changed(p, defaults)}

    def example_inputs(self, p):
        return [{"x": (2, 3, *(8,) * self.ndim)}, {"x": (3, 2, *(7,) * self.ndim)}]


@register_layer
class MaxPool1d(_PoolNd):
    """Maximum over sliding windows of (N, C, L)."""

    type_id = "core.maxpool1d"
    ndim, kind = 1, "max"


@register_layer
class MaxPool2d(_PoolNd):
    """Maximum over sliding windows of (N, C, H, W)."""

    type_id = "core.maxpool2d"
    ndim, kind = 2, "max"


@register_layer
class MaxPool3d(_PoolNd):
    """Maximum over sliding windows of (N, C, D, H, W)."""

    type_id = "core.maxpool3d"
    ndim, kind = 3, "max"


@register_layer
class AvgPool1d(_PoolNd):
    """Average over sliding windows of (N, C, L)."""

    type_id = "core.avgpool1d"
    ndim, kind = 1, "avg"


@register_layer
class AvgPool2d(_PoolNd):
    """Average over sliding windows of (N, C, H, W)."""

    type_id = "core.avgpool2d"
    ndim, kind = 2, "avg"


@register_layer
class AvgPool3d(_PoolNd):
    """Average over sliding windows of (N, C, D, H, W)."""

    type_id = "core.avgpool3d"
    ndim, kind = 3, "avg"


class _AdaptiveAvgPool(ModuleLayer):
    ndim = 2
    category = "Pooling"
    icon = "pool"

    def shape(self, p, x):
        expect_rank(self.title, x, self.ndim + 2, hint=rank_hint(self.ndim, x))
        return (*x[:2], *tup(p["output_size"], self.ndim))

    def ctor(self, p, inputs):
        return f"nn.{self.title}", (p["output_size"],), {}

    def example_inputs(self, p):
        return [{"x": (2, 3, *(7,) * self.ndim)}, {"x": (2, 3, *(2,) * self.ndim)}]


@register_layer
class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """Average pooling to a fixed output length, whatever the input length."""

    type_id = "core.adaptiveavgpool1d"
    title = "AdaptiveAvgPool1d"
    description = "Average pooling to a fixed output length L_out"
    ndim = 1
    params = (
        Param(
            "output_size", "size", 1, "Output length; windows are sized to fit the input.", min=1, length=1
        ),
    )
    inputs = (Port("x", rank=3),)
    test_param_variants = ({"output_size": 3},)


@register_layer
class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """Average pooling to a fixed output size, whatever the input size."""

    type_id = "core.adaptiveavgpool2d"
    title = "AdaptiveAvgPool2d"
    description = "Average pooling to a fixed output size (e.g. 1×1 or 7×7)"
    ndim = 2
    params = (
        Param(
            "output_size",
            "size",
            1,
            "Output H×W; windows are sized to fit the input "
            "(1 = global average pooling, keeping the 1×1 dims).",
            min=1,
            length=2,
        ),
    )
    inputs = (Port("x", rank=4),)
    test_param_variants = ({"output_size": [3, 2]},)


@register_layer
class GlobalAvgPool(ModuleLayer):
    """Mean over every spatial dim: (N, C, *spatial) -> (N, C)."""

    type_id = "core.globalavgpool"
    title = "GlobalAvgPool"
    category = "Pooling"
    description = "Global average pooling: (N, C, H, W) -> (N, C), 0 parameters"
    icon = "pool"
    inputs = (Port("x", rank=(3, 4, 5)),)
    runtime_module, runtime = "pooling", "GlobalAvgPool"

    def shape(self, p, x):
        if len(x) == 2:
            raise ShapeError(
                f"{self.title} expects (N, C, ...) maps but receives {fmt(x)}, which has no "
                "spatial dims: remove it",
                "x",
            )
        expect_rank(self.title, x, (3, 4, 5), hint="insert Reshape to (C, H, W)")
        return tuple(x[:2])

    def example_inputs(self, p):
        return [{"x": (2, 3, 5)}, {"x": (2, 4, 3, 3)}, {"x": (3, 2, 2, 3, 4)}]
