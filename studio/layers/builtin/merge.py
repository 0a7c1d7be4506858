"""Merges and splits: Add, Multiply, Concat, Split/Chunk, Mean, MatMul.

Each becomes a tiny runtime module (``Add()``, ``Concat(dim=1)`` ...) so
hooks reach it. Dims count the batch as dim 0, as in PyTorch; no merge may
act on the batch dimension.
"""

from __future__ import annotations

import math

from studio.layers.builtin._common import ModuleLayer
from studio.layers.registry import register_layer
from studio.layers.shapes import expect_rank, fmt
from studio.layers.spec import Param, Port, ShapeError

_NUM_INPUTS = Param("num_inputs", "int", 2, "How many tensors to merge (ports in0, in1, ...).", min=2, max=16)
_NAMES = {2: ("N", "feature"), 4: ("N", "channel", "H", "W"), 5: ("N", "channel", "D", "H", "W")}


def dim_name(rank: int, axis: int) -> str:
    """Readable name of ``axis`` in a tensor of ``rank`` dims ("channel", "H", "dim 2")."""
    names = _NAMES.get(rank)
    return names[axis] if names else f"dim {axis}"


def check_dim(title: str, dim: int, x, port: str = "x") -> int:
    """Normalise ``dim`` for ``x`` (negative allowed); refuse the batch and out-of-range dims."""
    rank = len(x)
    if not -rank <= dim < rank:
        raise ShapeError(
            f"{title}: dim={dim} is out of range for {rank}-D input {fmt(x)}: use 1..{rank - 1} or -1", port
        )
    if dim % rank == 0:
        raise ShapeError(f"{title}: dim={dim} is the batch dimension: use a dim >= 1", port)
    return dim % rank


class _Merge(ModuleLayer):
    """A runtime merge module whose kwargs are the spec's params (``num_inputs`` aside)."""

    category = "Merge"
    icon = "merge"
    runtime_module = "merge"

    def ctor(self, p, inputs):
        return self.runtime, (), {prm.name: p[prm.name] for prm in self.params if prm.name != "num_inputs"}


class _Variadic(_Merge):
    params = (_NUM_INPUTS,)

    def input_ports(self, p):
        return tuple(Port(f"in{i}") for i in range(p["num_inputs"]))

    def _shapes(self, p, inputs):
        return [(f"in{i}", inputs[f"in{i}"]) for i in range(p["num_inputs"])]


class _Elementwise(_Variadic):
    """Merges that need identical shapes."""

    def infer(self, p, inputs):
        (port0, first), *rest = self._shapes(p, inputs)
        for port, x in rest:
            if len(x) != len(first):
                raise ShapeError(
                    f"{self.title}: {port} is {fmt(x)} but {port0} is {fmt(first)}: shapes must be "
                    "equal (insert Flatten/Reshape so the ranks match)",
                    port,
                )
            bad = [i for i in range(1, len(x)) if x[i] != first[i]]
            if bad:
                raise ShapeError(self._mismatch(port0, first, port, x, bad), port)
        return {"y": first}

    def _mismatch(self, port0, a, port, b, bad) -> str:
        diffs = ", ".join(f"{dim_name(len(a), i)} {b[i]} vs {a[i]}" for i in bad)
        head = f"{self.title}: {port} {fmt(b)} differs from {port0} {fmt(a)} in {diffs}"
        if bad == [1] and len(a) >= 4:
            return (
                f"{head}: project {port} with a 1x1 convolution to {a[1]} channels (as ResNet shortcuts do)"
            )
        if bad == [len(a) - 1] and len(a) <= 3:
            return f"{head}: project {port} with Linear({b[-1]}→{a[-1]})"
        return (
            f"{head}: make the shapes equal (match strides/padding, or downsample the shortcut with a "
            "strided 1x1 convolution)"
        )

    def example_inputs(self, p):
        n = p["num_inputs"]
        return [{f"in{i}": (2, 3, 4, 4) for i in range(n)}, {f"in{i}": (3, 5) for i in range(n)}]


@register_layer
class Add(_Elementwise):
    """Element-wise sum (residual connections)."""

    type_id = "core.add"
    title = "Add"
    description = "Element-wise sum of equal-shaped inputs (residual / skip connections)"
    runtime = "Add"
    test_param_variants = ({"num_inputs": 3},)


@register_layer
class Multiply(_Elementwise):
    """Element-wise product (gating)."""

    type_id = "core.multiply"
    title = "Multiply"
    description = "Element-wise product of equal-shaped inputs (gating, attention masks)"
    runtime = "Multiply"


@register_layer
class Concat(_Variadic):
    """Concatenate along ``dim``; every other dim must agree."""

    type_id = "core.concat"
    title = "Concat"
    description = "Concatenate inputs along dim (default 1 = channels/features); other dims must agree"
    runtime = "Concat"
    params = (
        _NUM_INPUTS,
        Param(
            "dim",
            "int",
            1,
            "Dimension to join along, counting the batch as dim 0 (1 = channels/features, -1 = last).",
        ),
    )
    test_param_variants = ({"num_inputs": 3, "dim": -1},)

    def infer(self, p, inputs):
        (port0, first), *rest = self._shapes(p, inputs)
        axis = check_dim(self.title, p["dim"], first, port0)
        total = first[axis]
        for port, x in rest:
            if len(x) != len(first):
                raise ShapeError(
                    f"Concat: {port} is {fmt(x)} but {port0} is {fmt(first)}: inputs need the same rank", port
                )
            for i in range(1, len(x)):
                if i != axis and x[i] != first[i]:
                    name, lead = dim_name(len(x), i), dim_name(len(x), axis)
                    raise ShapeError(
                        f"Concat: {lead} dims agree but {name} differs: {first[i]} vs {x[i]} "
                        f"({port0} {fmt(first)}, {port} {fmt(x)}): crop or pad so {name} matches, "
                        "or fix the padding upstream",
                        port,
                    )
            total += x[axis]
        return {"y": (*first[:axis], total, *first[axis + 1 :])}

    def example_inputs(self, p):
        cases = []
        for base in ((2, 3, 4, 4), (3, 5)):
            axis = p["dim"] % len(base)
            cases.append({f"in{i}": (*base[:axis], i + 1, *base[axis + 1 :]) for i in range(p["num_inputs"])})
        return cases


@register_layer
class Split(_Merge):
    """``torch.chunk``: split into ``chunks`` pieces along ``dim``."""

    type_id = "core.split"
    title = "Split / Chunk"
    description = "Split a tensor into chunks along dim (torch.chunk: the last chunk may be smaller)"
    runtime = "Chunk"
    params = (
        Param(
            "chunks",
            "int",
            2,
            "Number of pieces (outputs out0, out1, ...); each has ceil(size/chunks) "
            "entries, the last possibly fewer.",
            min=2,
            max=16,
        ),
        Param("dim", "int", 1, "Dimension to split, counting the batch as dim 0."),
    )
    test_param_variants = ({"chunks": 3, "dim": -1},)

    def output_ports(self, p):
        return tuple(Port(f"out{i}") for i in range(p["chunks"]))

    def infer(self, p, inputs):
        x, chunks = inputs["x"], p["chunks"]
        axis = check_dim("Split", p["dim"], x)
        size = x[axis]
        step = math.ceil(size / chunks)
        got = math.ceil(size / step)
        sizes = [step] * (got - 1) + [size - step * (got - 1)]
        if got < chunks:
            raise ShapeError(
                f"Split: torch.chunk of size {size} (dim {axis}) into {chunks} gives only {got} "
                f"chunks ({', '.join(map(str, sizes))}): use chunks that divide {size}",
                "x",
            )
        return {f"out{i}": (*x[:axis], s, *x[axis + 1 :]) for i, s in enumerate(sizes)}

    def example_inputs(self, p):
        return [{"x": (2, 6, 3)}, {"x": (3, 7, 7)}]


@register_layer
class Mean(_Merge):
    """Average over one dimension."""

    type_id = "core.mean"
    title = "Mean"
    description = "Average over one dimension (e.g. over time steps of a sequence)"
    runtime = "Mean"
    params = (
        Param("dim", "int", 1, "Dimension to average over, counting the batch as dim 0 (it can't be 0)."),
        Param("keepdim", "bool", False, "Keep the reduced dimension with size 1."),
    )
    test_param_variants = ({"dim": -1, "keepdim": True},)

    def shape(self, p, x):
        axis = check_dim(self.title, p["dim"], x)
        return (*x[:axis], 1, *x[axis + 1 :]) if p["keepdim"] else (*x[:axis], *x[axis + 1 :])

    def example_inputs(self, p):
        return [{"x": (2, 5, 3)}, {"x": (3, 2, 4, 4)}]


@register_layer
class MatMul(_Merge):
    """torch.matmul(a, b) on batched matrices (N, ..., m, k) @ (N, ..., k, n)."""

    type_id = "core.matmul"
    title = "MatMul"
    description = "Batched matrix product a @ b: (N, …, m, k) @ (N, …, k, n) → (N, …, m, n)"
    runtime = "MatMul"
    inputs = (Port("a", rank=(3, 4, 5)), Port("b", rank=(3, 4, 5)))

    def infer(self, p, inputs):
        a, b = inputs["a"], inputs["b"]
        expect_rank(self.title, a, (3, 4, 5), port="a", hint="MatMul needs (N, …, m, k) matrices")
        expect_rank(self.title, b, (3, 4, 5), port="b", hint="MatMul needs (N, …, k, n) matrices")
        if len(a) != len(b):
            # With the batch dim included, unequal ranks would align N with a non-batch dim.
            raise ShapeError(
                f"MatMul: a {fmt(a)} and b {fmt(b)} have different ranks: insert Reshape/Unsqueeze "
                "so both are (N, …, rows, cols) with the same rank",
                "b",
            )
        if a[-1] != b[-2]:
            raise ShapeError(
                f"MatMul: a {fmt(a)} has {a[-1]} columns but b {fmt(b)} has {b[-2]} rows: "
                "they must match (transpose b with Permute?)",
                "b",
            )
        middle = []
        for i in range(1, len(a) - 2):
            if a[i] != b[i] and 1 not in (a[i], b[i]):
                raise ShapeError(
                    f"MatMul: batch dim {i} doesn't broadcast: {a[i]} vs {b[i]} "
                    f"(a {fmt(a)}, b {fmt(b)}): sizes must be equal or 1",
                    "b",
                )
            middle.append(max(a[i], b[i]))
        return {"y": (a[0], *middle, a[-2], b[-1])}

    def macs(self, p, inputs, outputs):
        y, k = outputs["y"], inputs["a"][-1]
        return math.prod(y[1:]) * k

    def example_inputs(self, p):
        return [{"a": (2, 3, 4), "b": (2, 4, 5)}, {"a": (2, 2, 3, 4), "b": (2, 1, 4, 6)}]
