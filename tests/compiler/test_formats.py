"""ONNX and torch.export (pt2) exports reproduce the compiled module."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.compiler.formats import example_inputs, export_onnx, export_pt2
from studio.compiler.lower import compile_graph
from studio.layers.registry import LayerRegistry
from tests.compiler.graphs import lenet5, two_in_two_out

REGISTRY = LayerRegistry.with_builtins()


@pytest.mark.slow
def test_onnx_export_matches_compiled_at_another_batch_size(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    graph = two_in_two_out(REGISTRY)
    module = compile_graph(graph, REGISTRY).eval()
    out = tmp_path / "heads.onnx"
    export_onnx(graph, REGISTRY, module, out)
    session = ort.InferenceSession(str(out))
    assert [i.name for i in session.get_inputs()] == ["left", "right"]
    left, right = torch.randn(5, 5), torch.randn(5, 3)  # batch 5, exported with 2: batch is dynamic
    got = session.run(None, {"left": left.numpy(), "right": right.numpy()})
    with torch.no_grad():
        want = module(left, right)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-6)


def test_pt2_export_round_trips(tmp_path: Path) -> None:
    graph = lenet5(REGISTRY)
    module = compile_graph(graph, REGISTRY).eval()
    out = tmp_path / "lenet.pt2"
    export_pt2(graph, REGISTRY, module, out)
    program = torch.export.load(str(out))
    x = torch.randn(3, 1, 32, 32)
    with torch.no_grad():
        assert torch.allclose(program.module()(x), module(x), atol=1e-6)


def test_example_inputs_follow_declared_shapes_and_dtypes() -> None:
    from tests.compiler.graphs import chain

    graph = chain(
        REGISTRY,
        [
            ("core.input_tokens", {"length": 7, "vocab_size": 11}),
            ("core.embedding", {"num_embeddings": 11, "embedding_dim": 4}),
            ("core.output", {}),
        ],
    )
    [(name, tensor)] = example_inputs(graph, REGISTRY).items()
    assert tensor.shape == (2, 7) and tensor.dtype == torch.long and int(tensor.max()) < 11
