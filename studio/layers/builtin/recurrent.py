"""Embedding and recurrent layers (RNN, LSTM, GRU), always batch first (N, T, F).

Parameter counts follow PyTorch, which keeps two bias vectors (b_ih and b_hh)
per gate block: one gate block has H·I + H·H + 2H parameters, an RNN has one
block per layer and direction, a GRU three and an LSTM four.
"""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, ParamError, Port, ShapeError


@register_layer
class Embedding(ModuleLayer):
    """Lookup table: token ids (N, T) -> vectors (N, T, D)."""

    type_id = "core.embedding"
    title = "Embedding"
    category = "Recurrent"
    description = "Lookup table mapping token ids (N, T) to learned vectors (N, T, D)"
    icon = "recurrent"
    params = (
        Param("num_embeddings", "int", 100, "Vocabulary size V: ids must lie in 0..V-1.", min=1),
        Param("embedding_dim", "int", 16, "Length D of each learned vector.", min=1),
        Param(
            "padding_idx",
            "int",
            None,
            "Optional id whose vector stays zero and gets no gradient (padding).",
            min=0,
            optional=True,
        ),
    )
    inputs = (Port("x", rank=2, dtype="long", label="token ids"),)
    test_param_variants = ({"padding_idx": 0},)

    def check_params(self, p):
        if p["padding_idx"] is not None and p["padding_idx"] >= p["num_embeddings"]:
            raise ParamError(
                f"Embedding: padding_idx={p['padding_idx']} must be < num_embeddings={p['num_embeddings']}"
            )

    def shape(self, p, x):
        expect_rank(self.title, x, 2, hint="feed token ids (N, T) from a Token Sequence Input")
        return (*x, p["embedding_dim"])

    def param_count(self, p, inputs):
        return p["num_embeddings"] * p["embedding_dim"]

    def ctor(self, p, inputs):
        return "nn.Embedding", (p["num_embeddings"], p["embedding_dim"]), {"padding_idx": p["padding_idx"]}

    def example_inputs(self, p):
        return [{"x": (2, 5)}, {"x": (3, 1)}]


class _Recurrent(ModuleLayer):
    """Shared declaration of RNN/LSTM/GRU; subclasses set ``gates`` and the runtime class name."""

    category = "Recurrent"
    icon = "recurrent"
    inputs = (Port("x", rank=3, label="sequence (N, T, F)"),)
    gates = 1
    runtime_module = "recurrent"
    base_params = (
        Param("hidden_size", "int", 32, "Features H of the hidden state.", min=1),
        Param(
            "num_layers",
            "int",
            1,
            "Stacked recurrent layers; each reads the sequence output of the one below.",
            min=1,
        ),
        Param("bias", "bool", True, "Learn the bias vectors b_ih and b_hh (PyTorch keeps both)."),
        Param(
            "dropout",
            "float",
            0.0,
            "Drop probability on the outputs of every layer except the last (only with num_layers > 1).",
            min=0.0,
            max=1.0,
        ),
        Param(
            "bidirectional",
            "bool",
            False,
            "Add a second pass reading the sequence backwards; outputs are concatenated (width 2H).",
        ),
        Param(
            "output",
            "choice",
            "sequence",
            "'sequence': every step (N, T, D·H), batch first; 'last': the final "
            "hidden state (N, D·H), for bidirectional the forward last step + backward first step.",
            choices=("sequence", "last"),
        ),
    )
    test_param_variants = (
        {"bidirectional": True},
        {"num_layers": 2, "dropout": 0.1, "output": "last"},
        {"bidirectional": True, "output": "last", "bias": False},
    )

    def check_params(self, p):
        if p["dropout"] > 0 and p["num_layers"] == 1:
            raise ParamError(
                f"{self.title}: dropout acts between stacked layers only: set num_layers >= 2 "
                "or dropout 0 (or add a Dropout node after the layer)"
            )

    def _dirs(self, p) -> int:
        return 2 if p["bidirectional"] else 1

    def shape(self, p, x):
        expect_rank(self.title, x, 3, hint="recurrent layers take batch-first sequences (N, T, F)")
        if x[1] is not None and x[1] < 1:
            raise ShapeError(f"{self.title}: empty sequence {fmt(x)}", "x")
        width = self._dirs(p) * p["hidden_size"]
        return (x[0], x[1], width) if p["output"] == "sequence" else (x[0], width)

    def _layer_inputs(self, p, inputs):
        """Input width of each stacked layer: F, then D·H."""
        first = inputs["x"][-1]
        return [first] + [self._dirs(p) * p["hidden_size"]] * (p["num_layers"] - 1)

    def param_count(self, p, inputs):
        h, bias = p["hidden_size"], 2 * p["hidden_size"] if p["bias"] else 0
        per_dir = sum(self.gates * (h * i + h * h + bias) for i in self._layer_inputs(p, inputs))
        return per_dir * self._dirs(p)

    def macs(self, p, inputs, outputs):
        steps, h = inputs["x"][1] or 0, p["hidden_size"]
        per_dir = sum(self.gates * h * (i + h) for i in self._layer_inputs(p, inputs))
        return steps * per_dir * self._dirs(p)

    def ctor(self, p, inputs):
        names = ("nonlinearity", "num_layers", "bias", "dropout", "bidirectional", "output")
        return self.runtime, (inputs["x"][-1], p["hidden_size"]), {n: p[n] for n in names if n in p}

    def example_inputs(self, p):
        return [{"x": (2, 5, 3)}, {"x": (3, 1, 4)}]


@register_layer
class RNN(_Recurrent):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)."""

    type_id = "core.rnn"
    title = "RNN"
    description = "Elman recurrent layer, batch first: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b)"
    runtime = "RNNLayer"
    params = (
        Param(
            "nonlinearity",
            "choice",
            "tanh",
            "Activation of the hidden state update.",
            choices=("tanh", "relu"),
        ),
        *_Recurrent.base_params,
    )
    test_param_variants = (*_Recurrent.test_param_variants, {"nonlinearity": "relu"})


@register_layer
class LSTM(_Recurrent):
    """Long short-term memory: input, forget, cell and output gates."""

    type_id = "core.lstm"
    title = "LSTM"
    description = "Long short-term memory (4 gate blocks; output gate σ), batch first (N, T, F)"
    runtime = "LSTMLayer"
    gates = 4
    params = _Recurrent.base_params


@register_layer
class GRU(_Recurrent):
    """Gated recurrent unit (PyTorch form: h_t = (1 − z)·n + z·h_{t-1})."""

    type_id = "core.gru"
    title = "GRU"
    description = "Gated recurrent unit (3 gate blocks; PyTorch: h_t = (1−z)·n + z·h_(t−1)), batch first"
    runtime = "GRULayer"
    gates = 3
    params = _Recurrent.base_params
