"""Fully connected layers: Linear and Bilinear."""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, Port, ShapeError

_OUT = Param("out_features", "int", 10, "Number of output units.", min=1)
_BIAS = Param("bias", "bool", True, "Learn an additive bias.")


@register_layer
class Linear(ModuleLayer):
    """y = x Wᵀ + b over the last dimension."""

    type_id = "core.linear"
    title = "Linear"
    category = "Dense"
    description = "Fully connected layer: y = xWᵀ + b over the last dimension"
    icon = "dense"
    params = (_OUT, _BIAS)
    inputs = (Port("x", rank=(2, 3)),)

    def shape(self, p, x):
        expect_rank(self.title, x, (2, 3))
        return (*x[:-1], p["out_features"])

    def param_count(self, p, inputs):
        f_in = inputs["x"][-1]
        return f_in * p["out_features"] + (p["out_features"] if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        x = inputs["x"]
        rows = 1 if len(x) == 2 else x[1]
        return rows * x[-1] * p["out_features"]

    def ctor(self, p, inputs):
        return "nn.Linear", (inputs["x"][-1], p["out_features"]), {"bias": p["bias"]}

    def example_inputs(self, p):
        return [{"x": (2, 7)}, {"x": (3, 4, 5)}]


@register_layer
class Bilinear(ModuleLayer):
    """y = x1ᵀ A x2 + b."""

    type_id = "core.bilinear"
    title = "Bilinear"
    category = "Dense"
    description = "Bilinear form of two inputs: y = x1ᵀ A x2 + b"
    icon = "dense"
    params = (_OUT, _BIAS)
    inputs = (Port("x1", rank=2), Port("x2", rank=2))

    def infer(self, p, inputs):
        x1, x2 = inputs["x1"], inputs["x2"]
        expect_rank(self.title, x1, 2, port="x1")
        expect_rank(self.title, x2, 2, port="x2")
        if x1[0] is not None and x2[0] is not None and x1[0] != x2[0]:
            raise ShapeError(f"Bilinear: batch sizes differ {fmt(x1)} vs {fmt(x2)}", "x2")
        return {"y": (x1[0], p["out_features"])}

    def param_count(self, p, inputs):
        o = p["out_features"]
        return o * inputs["x1"][-1] * inputs["x2"][-1] + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        return p["out_features"] * inputs["x1"][-1] * inputs["x2"][-1]

    def ctor(self, p, inputs):
        return "nn.Bilinear", (inputs["x1"][-1], inputs["x2"][-1], p["out_features"]), {"bias": p["bias"]}

    def example_inputs(self, p):
        return [{"x1": (2, 3), "x2": (2, 4)}]
