"""Generative specs: the reparameterisation trick and the noise input."""

from __future__ import annotations

import pytest
import torch

from studio.layers.builtin import generative as gen
from studio.layers.spec import ShapeError

SHAPES = {"mu": (None, 4), "logvar": (None, 4)}


def test_reparameterize_eval_returns_mu() -> None:
    spec = gen.Reparameterize()
    module = spec.build(spec.resolve_params({}), SHAPES).eval()
    mu, logvar = torch.randn(3, 4), torch.randn(3, 4)
    assert torch.equal(module(mu, logvar), mu)


def test_reparameterize_train_samples_mu_plus_sigma_eps() -> None:
    spec = gen.Reparameterize()
    module = spec.build(spec.resolve_params({}), SHAPES).train()
    mu, logvar = torch.randn(3, 4), torch.full((3, 4), 2 * torch.log(torch.tensor(3.0)).item())
    torch.manual_seed(7)
    z = module(mu, logvar)
    torch.manual_seed(7)
    eps = torch.randn(3, 4)
    assert torch.allclose(z, mu + 3.0 * eps)  # sigma = exp(0.5·logvar) = 3


def test_reparameterize_shapes() -> None:
    spec = gen.Reparameterize()
    assert spec.infer({}, SHAPES) == {"z": (None, 4)}
    with pytest.raises(ShapeError, match="same shape") as err:
        spec.infer({}, {"mu": (None, 4), "logvar": (None, 8)})
    assert err.value.port == "logvar"


def test_noise_input_is_an_input_node() -> None:
    spec = gen.NoiseInput()
    p = spec.resolve_params({"dim": 64})
    assert spec.is_input and spec.inputs == ()
    assert spec.category == "Generative"
    assert spec.infer(p, {}) == {"y": (None, 64)}
    assert spec.example_inputs(p) == []
    assert isinstance(spec.build(p, {}), torch.nn.Identity)
    assert spec.resolve_params({})["dim"] == 100
