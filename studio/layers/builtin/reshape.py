"""Layers that move elements around without learning anything.

Dims of Flatten count the batch (as ``nn.Flatten`` does); Reshape, Permute
and Crop describe the per-sample tensor, the batch dim always stays first.
"""

from __future__ import annotations

import math

from studio.layers.builtin._common import ModuleLayer, Passthrough, params_as_shape_error
from studio.layers.registry import register_layer
from studio.layers.shapes import fmt, numel
from studio.layers.spec import Param, ParamError, ShapeError


class _Reshaping(ModuleLayer):
    category = "Reshape"
    icon = "reshape"
    runtime_module = "reshape"

    def ctor(self, p, inputs):
        return self.runtime, tuple(p[prm.name] for prm in self.params), {}


@register_layer
class Flatten(_Reshaping):
    """Merge dims start_dim..end_dim into one (nn.Flatten)."""

    type_id = "core.flatten"
    title = "Flatten"
    runtime_module = ""  # nn.Flatten
    description = "Flatten maps to vectors: (N, C, H, W) -> (N, C·H·W)"
    params = (
        Param("start_dim", "int", 1, "First dim to merge, counting the batch as dim 0 (1 keeps the batch)."),
        Param("end_dim", "int", -1, "Last dim to merge (-1 = the last dim)."),
    )
    test_param_variants = ({"start_dim": 2}, {"start_dim": 1, "end_dim": 2})

    def shape(self, p, x):
        rank = len(x)
        start = p["start_dim"] % rank if -rank <= p["start_dim"] < rank else None
        end = p["end_dim"] % rank if -rank <= p["end_dim"] < rank else None
        if start is None or end is None:
            raise ShapeError(
                f"Flatten: dims {p['start_dim']}..{p['end_dim']} are out of range for {fmt(x)}", "x"
            )
        if start == 0:
            raise ShapeError("Flatten: start_dim 0 would merge the batch dim: set start_dim=1", "x")
        if start > end:
            raise ShapeError(f"Flatten: start_dim {start} comes after end_dim {end} for {fmt(x)}", "x")
        return (*x[:start], math.prod(x[start : end + 1]), *x[end + 1 :])

    def ctor(self, p, inputs):
        return "nn.Flatten", (p["start_dim"], p["end_dim"]), {}

    def example_inputs(self, p):
        return [{"x": (2, 3, 4, 5)}, {"x": (3, 2, 6)}]


@register_layer
class Reshape(_Reshaping):
    """Reshape each sample to a target shape (the batch dim is kept)."""

    type_id = "core.reshape"
    title = runtime = "Reshape"
    description = "Reshape each sample, e.g. (N, 784) -> (N, 1, 28, 28)"
    params = (
        Param(
            "shape",
            "ints",
            [-1],
            "Per-sample target shape (without the batch); one -1 is inferred from the element count.",
            min=-1,
        ),
    )
    test_param_variants = ({"shape": [3, -1]}, {"shape": [2, 2, 15]})

    def check_params(self, p):
        if 0 in p["shape"]:
            raise ParamError("Reshape: sizes must be positive (or one -1)")
        if p["shape"].count(-1) > 1:
            raise ParamError("Reshape: only one size may be -1")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        target, n = p["shape"], numel(x)
        known = math.prod(d for d in target if d != -1)
        if -1 in target:
            if n % known:
                raise ShapeError(
                    f"Reshape: {n} elements of {fmt(x)} cannot fill a -1 dim with the other "
                    f"sizes multiplying to {known}: change shape",
                    "x",
                )
            target = [n // known if d == -1 else d for d in target]
        elif known != n:
            raise ShapeError(
                f"Reshape: target {tuple(target)} holds {known} elements but {fmt(x)} has {n} "
                "per sample: change shape (or use -1 for one dim)",
                "x",
            )
        return (x[0], *target)

    def example_inputs(self, p):
        return [{"x": (2, 60)}, {"x": (3, 3, 4, 5)}]


@register_layer
class Permute(_Reshaping):
    """Reorder the per-sample dims, e.g. (N, T, F) -> (N, F, T) between RNN and Conv1d."""

    type_id = "core.permute"
    title = runtime = "Permute"
    description = "Reorder the dims of each sample, e.g. (N, T, F) -> (N, F, T)"
    params = (
        Param(
            "dims",
            "ints",
            [1, 0],
            "New order of the per-sample dims, numbered from 0 after the "
            "batch: [1, 0] swaps (T, F); [1, 2, 0] turns (C, H, W) into (H, W, C).",
            min=0,
        ),
    )
    test_param_variants = ({"dims": [1, 2, 0]},)

    def check_params(self, p):
        if sorted(p["dims"]) != list(range(len(p["dims"]))):
            raise ParamError(f"Permute: dims {p['dims']} must list 0..{len(p['dims']) - 1} once each")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        dims = p["dims"]
        if len(dims) != len(x) - 1:
            raise ShapeError(
                f"Permute: dims {dims} order {len(dims)} dims but each sample of {fmt(x)} has "
                f"{len(x) - 1}: give {len(x) - 1} dims",
                "x",
            )
        return (x[0], *(x[d + 1] for d in dims))

    def example_inputs(self, p):
        return [{"x": (2, 3, 4)}] if len(p["dims"]) == 2 else [{"x": (2, 3, 4, 5)}]


@register_layer
class Pad(_Reshaping):
    """Pad the last dims, with F.pad's (left, right, top, bottom, ...) order."""

    type_id = "core.pad"
    title = runtime = "Pad"
    description = "Pad the last dims (constant, reflect or replicate), like F.pad"
    params = (
        Param(
            "padding",
            "ints",
            [1, 1, 1, 1],
            "Pairs (before, after) from the LAST dim backwards, as in "
            "F.pad: [left, right, top, bottom, ...].",
        ),
        Param(
            "mode",
            "choice",
            "constant",
            "constant fills with value; reflect mirrors without repeating "
            "the edge; replicate repeats the edge value.",
            choices=("constant", "reflect", "replicate"),
        ),
        Param("value", "float", 0.0, "Fill value for mode 'constant'."),
    )
    test_param_variants = (
        {"padding": [2, 0], "mode": "reflect"},
        {"padding": [1, 2, 0, 1], "mode": "replicate"},
        {"padding": [1, 1, 1, 1, 1, 1], "value": 0.5},
    )

    def check_params(self, p):
        pad = p["padding"]
        if len(pad) % 2:
            raise ParamError("Pad: padding needs (before, after) pairs: give an even number of values")
        if p["mode"] != "constant" and (min(pad) < 0 or len(pad) > 6):
            raise ParamError(f"Pad: mode '{p['mode']}' takes non-negative padding for at most 3 dims")

    def shape(self, p, x):
        params_as_shape_error(self, p)
        pad, k = p["padding"], len(p["padding"]) // 2
        if k > len(x) - 1:
            raise ShapeError(
                f"Pad: padding {pad} covers {k} dims but each sample of {fmt(x)} has {len(x) - 1}", "x"
            )
        if p["mode"] != "constant" and len(x) - k not in (1, 2):
            raise ShapeError(
                f"Pad: mode '{p['mode']}' pads only the spatial dims of (N, C, ...) input; "
                f"{fmt(x)} needs {len(x) - 2} (before, after) pairs",
                "x",
            )
        out = list(x)
        for i in range(k):
            axis, before, after = len(x) - 1 - i, pad[2 * i], pad[2 * i + 1]
            if p["mode"] == "reflect" and max(before, after) >= x[axis]:
                raise ShapeError(
                    f"Pad: reflect padding {max(before, after)} must be smaller than the size "
                    f"{x[axis]} of dim {axis} of {fmt(x)}: reduce it or use 'replicate'",
                    "x",
                )
            out[axis] = x[axis] + before + after
            if out[axis] < 1:
                raise ShapeError(f"Pad: negative padding removes all of dim {axis} of {fmt(x)}", "x")
        return tuple(out)

    def ctor(self, p, inputs):
        return "Pad", (p["padding"],), {"mode": p["mode"], "value": p["value"]}

    def example_inputs(self, p):
        if p["mode"] != "constant":  # (N, C, *spatial) with one spatial dim per pair
            return [{"x": (2, 3, *(5,) * (len(p["padding"]) // 2))}]
        return [{"x": (2, 3, 4, 5)}, {"x": (2, 2, 3, 4, 5)}]


@register_layer
class Crop(_Reshaping):
    """Centre crop of the last dims to a size, e.g. U-Net skips before Concat."""

    type_id = "core.crop"
    title = runtime = "Crop"
    description = "Centre crop of the spatial dims, e.g. a U-Net skip to the decoder size"
    params = (
        Param(
            "size",
            "ints",
            [24, 24],
            "Target size of the last dims (e.g. [H, W]); the offset is "
            "(input - size) // 2, as in U-Net's copy-and-crop.",
            min=1,
        ),
    )
    test_param_variants = ({"size": [3]},)

    def shape(self, p, x):
        size = p["size"]
        if len(size) > len(x) - 2:
            raise ShapeError(
                f"Crop: size {size} has {len(size)} dims but {fmt(x)} has {len(x) - 2} spatial "
                "dims: give one size per spatial dim",
                "x",
            )
        first = len(x) - len(size)
        for axis, want in enumerate(size, start=first):
            if want > x[axis]:
                raise ShapeError(
                    f"Crop: size {want} > input {x[axis]} in dim {axis} of {fmt(x)}: a crop can "
                    "only shrink; reduce size (or Pad/Upsample the input)",
                    "x",
                )
        return (*x[:first], *size)

    def example_inputs(self, p):
        if len(p["size"]) == 1:
            return [{"x": (2, 3, 6)}, {"x": (2, 3, 5, 4)}]
        return [{"x": (2, 3, 28, 28)}, {"x": (2, 2, 25, 30)}]


@register_layer
class Identity(Passthrough):
    """Pass the input through unchanged (a placeholder or a named tap point)."""

    type_id = "core.identity"
    title = "Identity"
    category = "Reshape"
    icon = "reshape"
    description = "Pass-through: output = input (a named point to hook or to rewire later)"

    def example_inputs(self, p):
        return [{"x": (2, 3)}, {"x": (2, 3, 4, 5)}]
