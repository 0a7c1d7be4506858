"""The example plugin's layer declaration: ``example_se.se_block``.

A plugin's layers file imports only :mod:`studio.layers.api` (never torch at
module level, never PySide6 or ``studio.ui``) so the palette and the CLI can
list it cheaply; torch is imported by ``build`` through the runtime module.
"""

from __future__ import annotations

from studio.layers.api import LayerSpec, Param, Port, ShapeError, register_layer


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"


@register_layer
class SqueezeExcitation(LayerSpec):
    """Squeeze-and-Excitation block (Hu et al., CVPR 2018), one node = one module.

    Global average pool -> Linear(C, C/r) -> ReLU -> Linear(C/r, C) -> Sigmoid
    -> multiply each input channel by its gate. The output has the input's shape.

    Counting conventions: ``param_count`` is both Linear layers with biases,
    ``C*h + h + h*C + C`` for ``h = max(1, C // reduction)``. ``macs`` per
    sample are the two Linear layers (``2*C*h``) plus the channel-wise scaling
    multiply (``C*H*W``); the average pool's additions are not counted.
    """

    type_id = "example_se.se_block"
    title = "Squeeze-and-Excitation"
    category = "Attention"
    description = "Channel attention (Hu et al. 2018): reweights each channel by a gate learned from its mean"
    icon = "attention"
    params = (
        Param(
            "reduction",
            "int",
            16,
            "Bottleneck ratio r: the gate's hidden width is max(1, channels // r). "
            "Smaller r = more parameters and capacity (the paper uses 16).",
            min=1,
        ),
    )
    inputs = (Port("x", rank=4, label="feature map"),)
    outputs = (Port("y", label="reweighted"),)
    test_param_variants = ({"reduction": 4}, {"reduction": 1})

    @staticmethod
    def hidden(p: dict, channels: int) -> int:
        """Width of the bottleneck for ``channels`` input channels."""
        return max(1, channels // p["reduction"])

    def shape(self, p, x):
        if len(x) != 4:
            raise ShapeError(
                f"{self.title} expects 4-D input (N, C, H, W) but receives {_fmt(x)}: "
                "place it after a 2-D convolution",
                "x",
            )
        return tuple(x)

    def param_count(self, p, inputs):
        c = inputs["x"][1]
        h = self.hidden(p, c)
        return c * h + h + h * c + c

    def macs(self, p, inputs, outputs):
        _, c, height, width = inputs["x"]
        return 2 * c * self.hidden(p, c) + c * height * width

    def support_classes(self):
        # A relative import resolves inside this plugin's own folder (the host
        # makes studio_plugins.example_se a package rooted there).
        from .modules import ExampleSEBlock

        return (ExampleSEBlock,)

    def build(self, p, inputs):
        c = inputs["x"][1]
        return self.support_classes()[0](c, self.hidden(p, c))

    def ctor_source(self, p, inputs):
        c = inputs["x"][1]
        return f"ExampleSEBlock({c}, {self.hidden(p, c)})"

    def example_inputs(self, p):
        return [{"x": (2, 32, 5, 5)}, {"x": (3, 3, 4, 6)}]
