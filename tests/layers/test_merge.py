"""Merge specs: shape rules, torch.chunk semantics, matmul broadcasting and messages."""

from __future__ import annotations

import pytest
import torch

from studio.layers.builtin import merge
from studio.layers.spec import ShapeError


def _infer(spec, params, shapes):
    return spec.infer(spec.resolve_params(params), shapes)


def test_variadic_ports_and_sum() -> None:
    spec = merge.Add()
    p = spec.resolve_params({"num_inputs": 3})
    assert [port.name for port in spec.input_ports(p)] == ["in0", "in1", "in2"]
    module = spec.build(p, {})
    a, b, c = torch.ones(2, 3), torch.full((2, 3), 2.0), torch.full((2, 3), 4.0)
    assert torch.equal(module(a, b, c), torch.full((2, 3), 7.0))
    assert torch.equal(merge.Multiply().build(p, {})(a, b, c), torch.full((2, 3), 8.0))
    assert spec.ctor_source(p, {}) == "Add()"


def test_add_channel_mismatch_names_port_and_suggests_projection() -> None:
    with pytest.raises(ShapeError) as err:
        _infer(merge.Add(), {}, {"in0": (None, 16, 8, 8), "in1": (None, 32, 8, 8)})
    assert err.value.port == "in1"
    assert "channel 32 vs 16" in err.value.message and "1x1 convolution" in err.value.message


def test_multiply_rank_mismatch() -> None:
    with pytest.raises(ShapeError, match="shapes must be equal"):
        _infer(merge.Multiply(), {}, {"in0": (None, 16), "in1": (None, 4, 2, 2)})


def test_concat_shapes() -> None:
    spec = merge.Concat()
    out = _infer(spec, {}, {"in0": (None, 3, 4, 4), "in1": (None, 5, 4, 4)})
    assert out == {"y": (None, 8, 4, 4)}
    out = _infer(spec, {"num_inputs": 3, "dim": -1}, {f"in{i}": (None, 7, i + 1) for i in range(3)})
    assert out == {"y": (None, 7, 6)}
    assert spec.ctor_source(spec.resolve_params({}), {}) == "Concat(dim=1)"


def test_concat_message_for_unet_off_by_one() -> None:
    with pytest.raises(ShapeError, match="Concat: channel dims agree but H differs: 14 vs 13") as err:
        _infer(merge.Concat(), {}, {"in0": (None, 64, 14, 14), "in1": (None, 64, 13, 14)})
    assert err.value.port == "in1"


def test_concat_refuses_batch_dim() -> None:
    with pytest.raises(ShapeError, match="batch"):
        _infer(merge.Concat(), {"dim": 0}, {"in0": (None, 3), "in1": (None, 3)})


@pytest.mark.parametrize(("size", "chunks"), [(6, 2), (7, 3), (5, 2), (10, 4)])
def test_split_follows_torch_chunk(size, chunks) -> None:
    spec = merge.Split()
    p = spec.resolve_params({"chunks": chunks})
    out = spec.infer(p, {"x": (None, size, 2)})
    real = torch.chunk(torch.zeros(1, size, 2), chunks, dim=1)
    assert [out[f"out{i}"][1] for i in range(chunks)] == [t.shape[1] for t in real]
    assert [port.name for port in spec.output_ports(p)] == [f"out{i}" for i in range(chunks)]


def test_split_error_when_chunk_gives_fewer_pieces() -> None:
    spec = merge.Split()
    # torch.chunk(6 items, 4) -> sizes 2, 2, 2: only three pieces.
    with pytest.raises(ShapeError, match="gives only 3 chunks"):
        spec.infer(spec.resolve_params({"chunks": 4}), {"x": (None, 6)})


def test_mean_shapes_and_values() -> None:
    spec = merge.Mean()
    assert _infer(spec, {}, {"x": (None, 5, 3)}) == {"y": (None, 3)}
    assert _infer(spec, {"dim": -1, "keepdim": True}, {"x": (None, 5, 3)}) == {"y": (None, 5, 1)}
    module = spec.build(spec.resolve_params({}), {})
    assert module(torch.tensor([[[1.0], [2.0], [6.0]]])).tolist() == [[3.0]]
    with pytest.raises(ShapeError, match="batch"):
        _infer(spec, {"dim": 0}, {"x": (None, 5)})


def test_matmul_shapes_and_macs() -> None:
    spec = merge.MatMul()
    p = spec.resolve_params({})
    shapes = {"a": (None, 3, 4), "b": (None, 4, 5)}
    out = spec.infer(p, shapes)
    assert out == {"y": (None, 3, 5)}
    assert spec.macs(p, shapes, out) == 3 * 5 * 4
    shapes = {"a": (None, 2, 3, 4), "b": (None, 1, 4, 6)}
    out = spec.infer(p, shapes)
    assert out == {"y": (None, 2, 3, 6)}  # broadcast 2 vs 1
    assert spec.macs(p, shapes, out) == 2 * 3 * 6 * 4
    real = spec.build(p, shapes)(torch.randn(5, 2, 3, 4), torch.randn(5, 1, 4, 6))
    assert real.shape == (5, 2, 3, 6)


def test_matmul_errors() -> None:
    spec = merge.MatMul()
    with pytest.raises(ShapeError, match="has 4 columns but b .* has 6 rows") as err:
        _infer(spec, {}, {"a": (None, 3, 4), "b": (None, 6, 5)})
    assert err.value.port == "b"
    with pytest.raises(ShapeError, match="different ranks"):
        _infer(spec, {}, {"a": (None, 2, 3, 4), "b": (None, 4, 5)})
    with pytest.raises(ShapeError, match="doesn't broadcast: 2 vs 3"):
        _infer(spec, {}, {"a": (None, 2, 3, 4), "b": (None, 3, 4, 5)})


def test_merges_have_no_params_or_macs() -> None:
    for spec in (merge.Add(), merge.Concat(), merge.Mean()):
        p = spec.resolve_params({})
        assert spec.category == "Merge"
        assert spec.param_count(p, {}) == 0
        assert spec.macs(p, {}, {}) == 0
