"""Activation specs: worked values (TESTCASES.md), shapes, params and errors."""

from __future__ import annotations

import math

import pytest
import torch

from studio.layers.builtin import activation as act
from studio.layers.spec import ParamError, ShapeError


def _module(spec, params=None, shape=(None, 3)):
    p = spec.resolve_params(params or {})
    return spec.build(p, {"x": shape}).eval()


@pytest.mark.parametrize(
    ("spec", "x", "expected"),
    [
        (act.Sigmoid(), 0.0, 0.5),
        (act.LeakyReLU(), -2.0, -0.02),
        (act.ELU(), -1.0, math.exp(-1) - 1),  # -0.6321
        (act.ReLU(), -3.0, 0.0),
        (act.SiLU(), 1.0, 1 / (1 + math.exp(-1))),  # x·σ(x), not 2x·σ(βx)
        (act.Tanh(), 0.5, math.tanh(0.5)),
        (act.Softplus(), 0.0, math.log(2.0)),
    ],
)
def test_worked_values(spec, x, expected) -> None:
    y = _module(spec)(torch.tensor([[x]]))
    assert y.item() == pytest.approx(expected, abs=1e-4)


def test_elu_value_printed_in_testcases() -> None:
    assert _module(act.ELU())(torch.tensor([[-1.0]])).item() == pytest.approx(-0.6321, abs=1e-4)


def test_softmax_worked_values_and_default_dim() -> None:
    spec = act.Softmax()
    assert spec.resolve_params({})["dim"] == 1
    y = _module(spec)(torch.tensor([[1.0, 2.0, 3.0]]))
    assert y[0].tolist() == pytest.approx([0.0900, 0.2447, 0.6652], abs=1e-4)
    y = _module(spec)(torch.tensor([[5.0, 2.0, -1.0, 3.0]]))
    assert y[0].tolist() == pytest.approx([0.842, 0.042, 0.002, 0.114], abs=1e-3)
    assert "CrossEntropyLoss" in spec.params[0].help


def test_log_softmax_is_log_of_softmax() -> None:
    x = torch.randn(2, 5)
    got = _module(act.LogSoftmax())(x)
    assert torch.allclose(got, torch.softmax(x, dim=1).log(), atol=1e-6)


def test_softmax_refuses_batch_and_out_of_range_dims() -> None:
    spec = act.Softmax()
    with pytest.raises(ShapeError, match="batch"):
        spec.infer(spec.resolve_params({"dim": 0}), {"x": (None, 10)})
    with pytest.raises(ShapeError, match="out of range"):
        spec.infer(spec.resolve_params({"dim": 3}), {"x": (None, 10)})
    assert spec.infer(spec.resolve_params({"dim": -1}), {"x": (None, 4, 10)}) == {"y": (None, 4, 10)}


def test_leaky_relu_default_slope_is_pytorch_default() -> None:
    assert act.LeakyReLU().resolve_params({})["negative_slope"] == 0.01


def test_prelu_shared_and_per_channel() -> None:
    spec = act.PReLU()
    shape = {"x": (None, 4, 5, 5)}
    shared, per = spec.resolve_params({}), spec.resolve_params({"per_channel": True})
    assert spec.param_count(shared, shape) == 1
    assert spec.param_count(per, shape) == 4
    assert sum(t.numel() for t in spec.build(per, shape).parameters()) == 4
    # Initial slope 0.25: f(-4) = -1.
    assert _module(spec)(torch.tensor([[-4.0]])).item() == pytest.approx(-1.0)


def test_maxout_values_shape_and_error() -> None:
    spec = act.Maxout()
    y = _module(spec, shape=(None, 4))(torch.tensor([[1.0, 5.0, 3.0, 2.0]]))
    assert y.tolist() == [[5.0, 3.0]]  # max of consecutive pairs (1,5) and (3,2)
    p3 = spec.resolve_params({"pool_size": 3})
    assert spec.infer(p3, {"x": (None, 6, 4, 4)}) == {"y": (None, 2, 4, 4)}
    with pytest.raises(ShapeError, match="not divisible by pool_size=2") as err:
        spec.infer(spec.resolve_params({}), {"x": (None, 5)})
    assert err.value.port == "x"


def test_hardtanh_bounds_are_checked() -> None:
    spec = act.Hardtanh()
    with pytest.raises(ParamError, match="greater than min_val"):
        spec.check_params(spec.resolve_params({"min_val": 1.0, "max_val": -1.0}))
    y = _module(spec)(torch.tensor([[-3.0, 0.5, 3.0]]))
    assert y.tolist() == [[-1.0, 0.5, 1.0]]


def test_gelu_tanh_approximation_is_close_to_exact() -> None:
    x = torch.linspace(-3, 3, 13).unsqueeze(0)
    exact = _module(act.GELU())(x)
    approx = _module(act.GELU(), {"approximate": "tanh"})(x)
    assert torch.allclose(exact, approx, atol=1e-3)
    assert act.GELU().ctor_source(act.GELU().resolve_params({"approximate": "tanh"}), {}) == (
        "nn.GELU(approximate='tanh')"
    )


def test_all_activations_are_cheap_and_shape_preserving() -> None:
    for spec in (act.ReLU(), act.Mish(), act.SELU(), act.Softplus(), act.Sigmoid()):
        p = spec.resolve_params({})
        shapes = {"x": (None, 3, 8, 8)}
        assert spec.category == "Activation"
        assert spec.infer(p, shapes) == {"y": (None, 3, 8, 8)}
        assert spec.macs(p, shapes, {"y": shapes["x"]}) == 0
        assert spec.param_count(p, shapes) == 0
