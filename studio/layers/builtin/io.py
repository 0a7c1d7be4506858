"""Graph inputs and outputs.

Input nodes become ``forward`` arguments (named after the node) followed by an
identity submodule, so hooks reach them like any other node. Output nodes mark
what ``forward`` returns: one tensor, or a tuple in node order when the graph
has several outputs (multi-task heads, a VAE encoder's mean and log-variance).
"""

from __future__ import annotations

from studio.layers.builtin._common import Passthrough
from studio.layers.registry import register_layer
from studio.layers.spec import Param, Port


class _Input(Passthrough):
    category = "Input / Output"
    icon = "input"
    is_input = True
    inputs = ()

    def infer(self, p, inputs):
        return {"y": self.sample_shape(p)}

    def sample_shape(self, p):
        """Shape of one batch, batch dimension None."""
        raise NotImplementedError

    def example_inputs(self, p):
        return []  # inputs are forward arguments: exercised by the compiler tests


@register_layer
class ImageInput(_Input):
    """Images (N, C, H, W)."""

    type_id = "core.input_image"
    title = "Image Input"
    description = "Images of C channels, H×W pixels: (N, C, H, W)"
    params = (
        Param("channels", "int", 1, "Colour channels (1 grey, 3 RGB).", min=1),
        Param("height", "int", 28, "Image height in pixels.", min=1),
        Param("width", "int", 28, "Image width in pixels.", min=1),
    )

    def sample_shape(self, p):
        return (None, p["channels"], p["height"], p["width"])


@register_layer
class VectorInput(_Input):
    """Feature vectors (N, F)."""

    type_id = "core.input_vector"
    title = "Vector Input"
    description = "Feature vectors: (N, F)"
    params = (Param("features", "int", 2, "Features per sample.", min=1),)

    def sample_shape(self, p):
        return (None, p["features"])


@register_layer
class TokenInput(_Input):
    """Token ids (N, T), integer dtype."""

    type_id = "core.input_tokens"
    title = "Token Sequence Input"
    description = "Sequences of token ids (integers): (N, T)"
    params = (
        Param("length", "int", 16, "Tokens per sequence (T).", min=1),
        Param("vocab_size", "int", 100, "Number of distinct tokens (ids 0..V-1).", min=1),
    )
    outputs = (Port("y", dtype="long"),)

    def sample_shape(self, p):
        return (None, p["length"])


@register_layer
class SequenceInput(_Input):
    """Sequences of vectors (N, T, F), batch first."""

    type_id = "core.input_sequence"
    title = "Sequence Input"
    description = "Sequences of feature vectors, batch first: (N, T, F)"
    params = (
        Param("length", "int", 16, "Time steps (T).", min=1),
        Param("features", "int", 1, "Features per step (F).", min=1),
    )

    def sample_shape(self, p):
        return (None, p["length"], p["features"])


@register_layer
class TensorInput(_Input):
    """Any per-sample shape, e.g. volumes (C, D, H, W) for Conv3d."""

    type_id = "core.input_tensor"
    title = "Tensor Input"
    description = "A tensor of any per-sample shape, e.g. volumes (N, C, D, H, W)"
    params = (Param("shape", "ints", [1, 16, 16, 16], "Per-sample shape (without the batch).", min=1),)

    def sample_shape(self, p):
        return (None, *p["shape"])


@register_layer
class GraphInput(_Input):
    """Node features (N, V, F) and a dense adjacency matrix (N, V, V)."""

    type_id = "core.input_graph"
    title = "Graph Input"
    description = "A graph: node features (N, V, F) and dense adjacency (N, V, V)"
    params = (
        Param("nodes", "int", 34, "Vertices per graph (V).", min=1),
        Param("features", "int", 34, "Features per vertex (F).", min=1),
    )
    outputs = (Port("features", label="node features"), Port("adjacency", label="adjacency"))
    runtime_module, runtime = "io", "GraphInputPassthrough"

    def infer(self, p, inputs):
        v = p["nodes"]
        return {"features": (None, v, p["features"]), "adjacency": (None, v, v)}

    def ctor(self, p, inputs):
        return self.runtime, (), {}


@register_layer
class Output(Passthrough):
    """Marks a graph output; passes its input through unchanged."""

    type_id = "core.output"
    title = "Output"
    category = "Input / Output"
    description = "A network output (head): what forward() returns"
    icon = "output"
    is_output = True
    params = (Param("label", "str", "", "Optional name of this head (e.g. 'logits', 'mu')."),)

    def example_inputs(self, p):
        return [{"x": (2, 3)}, {"x": (2, 3, 4, 5)}]
