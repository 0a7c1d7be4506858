"""Graph neural network layers on dense adjacency: GCN and GAT.

Inputs are node features (N, V, F) and adjacency (N, V, V), as a Graph Input
produces them; ``adjacency[n, i, j] != 0`` means node i aggregates from j.

MAC convention (one sample, dense): the feature transform X·W (V·F·O per
head) plus the aggregation over the dense adjacency (V·V·O per head); GAT
adds its two attention dot products per node (2·V·O per head). Degree
normalisation, LeakyReLU and softmax are not counted.
"""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer, drop_param
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, Port, ShapeError

_OUT = Param("out_features", "int", 16, "Output features per node (per head for GAT).", min=1)
_BIAS = Param("bias", "bool", True, "Learn an additive bias.")


class _GraphLayer(ModuleLayer):
    category = "Graph"
    icon = "graph"
    inputs = (
        Port("features", rank=3, label="node features (N, V, F)"),
        Port("adjacency", rank=3, label="adjacency (N, V, V)"),
    )
    runtime_module = "graph"

    def infer(self, p, inputs):
        x, a = inputs["features"], inputs["adjacency"]
        expect_rank(self.title, x, 3, port="features", hint="node features must be (N, V, F)")
        expect_rank(self.title, a, 3, port="adjacency", hint="adjacency must be (N, V, V)")
        if a[1] != a[2]:
            raise ShapeError(
                f"{self.title}: adjacency {fmt(a)} is not square: it must be (N, V, V)", "adjacency"
            )
        if a[1] != x[1]:
            raise ShapeError(
                f"{self.title}: adjacency {fmt(a)} covers {a[1]} nodes but the features {fmt(x)} "
                f"have {x[1]}: wire both from the same graph",
                "adjacency",
            )
        return {"y": (x[0], x[1], self._width(p))}

    def _width(self, p) -> int:
        return p["out_features"]

    def ctor(self, p, inputs):
        kwargs = {prm.name: p[prm.name] for prm in self.params if prm.name != "out_features"}
        return self.runtime, (inputs["features"][-1], p["out_features"]), kwargs

    def example_inputs(self, p):
        return [
            {"features": (2, 5, 3), "adjacency": (2, 5, 5)},
            {"features": (3, 1, 4), "adjacency": (3, 1, 1)},
        ]


@register_layer
class GCNLayer(_GraphLayer):
    """Kipf & Welling graph convolution."""

    type_id = "core.gcn"
    title = "GCNLayer"
    description = "Graph convolution (Kipf & Welling): D^-1/2 (A+I) D^-1/2 X W"
    runtime = "GCNLayer"
    params = (
        _OUT,
        _BIAS,
        Param("add_self_loops", "bool", True, "Use A + I so each node also keeps its own features."),
    )
    test_param_variants = ({"bias": False, "add_self_loops": False},)

    def param_count(self, p, inputs):
        o = p["out_features"]
        return inputs["features"][-1] * o + (o if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        v, f = inputs["features"][1], inputs["features"][-1]
        return v * f * p["out_features"] + v * v * p["out_features"]


@register_layer
class GATLayer(_GraphLayer):
    """Graph attention with one or several heads."""

    type_id = "core.gat"
    title = "GATLayer"
    description = "Graph attention (Veličković et al.): attention-weighted sum over neighbours, multi-head"
    runtime = "GATLayer"
    params = (
        Param("out_features", "int", 8, "Output features per node and head.", min=1),
        Param("heads", "int", 1, "Independent attention heads.", min=1),
        Param(
            "concat",
            "bool",
            True,
            "Concatenate the heads (width heads·out_features) instead of averaging them.",
        ),
        Param("negative_slope", "float", 0.2, "LeakyReLU slope for negative attention scores.", min=0.0),
        drop_param("on the attention coefficients"),
        _BIAS,
    )
    test_param_variants = ({"heads": 3, "concat": False, "bias": False}, {"heads": 2})

    def _width(self, p):
        return p["out_features"] * (p["heads"] if p["concat"] else 1)

    def param_count(self, p, inputs):
        ho = p["heads"] * p["out_features"]
        return inputs["features"][-1] * ho + 2 * ho + (self._width(p) if p["bias"] else 0)

    def macs(self, p, inputs, outputs):
        v, f = inputs["features"][1], inputs["features"][-1]
        ho = p["heads"] * p["out_features"]
        return v * f * ho + 2 * v * ho + v * v * ho
