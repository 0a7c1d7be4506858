"""Generative-model building blocks: the VAE reparameterisation and a noise input for GANs."""

from __future__ import annotations

from studio.layers.builtin._common import ModuleLayer
from studio.layers.builtin.io import _Input
from studio.layers.registry import register_layer
from studio.layers.shapes import fmt
from studio.layers.spec import Param, Port, ShapeError


@register_layer
class Reparameterize(ModuleLayer):
    """z = mu + exp(0.5·logvar)·eps in training mode; mu in eval mode."""

    type_id = "core.reparameterize"
    title = "Reparameterize"
    category = "Generative"
    description = "VAE sampling z = μ + exp(½·logvar)·ε, ε ~ N(0, I) (train); returns μ in eval mode"
    icon = "generative"
    inputs = (Port("mu", label="mean μ"), Port("logvar", label="log-variance log σ²"))
    outputs = (Port("z"),)
    runtime_module, runtime = "generative", "Reparameterize"

    def infer(self, p, inputs):
        mu, logvar = inputs["mu"], inputs["logvar"]
        if tuple(mu[1:]) != tuple(logvar[1:]):
            raise ShapeError(
                f"Reparameterize: mu {fmt(mu)} and logvar {fmt(logvar)} must have the same shape: "
                "give both heads the same out_features",
                "logvar",
            )
        return {"z": mu}

    def example_inputs(self, p):
        return [{"mu": (2, 4), "logvar": (2, 4)}, {"mu": (3, 2, 3, 3), "logvar": (3, 2, 3, 3)}]


@register_layer
class NoiseInput(_Input):
    """Latent noise z ~ N(0, I) of width ``dim``, fed by the trainer (GAN generators)."""

    type_id = "core.input_noise"
    title = "Noise Input"
    category = "Generative"
    description = "Latent noise z ~ N(0, I): (N, dim); the trainer samples a fresh batch every step"
    icon = "generative"
    params = (
        Param(
            "dim", "int", 100, "Latent size: each sample is a vector of dim standard-normal values.", min=1
        ),
    )

    def sample_shape(self, p):
        return (None, p["dim"])
