"""Autoencoder reconstructions: inputs beside outputs, and how far each one is off."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.batches import run_dataset
from studio.inspection.hooks import InspectionError


@dataclasses.dataclass
class Reconstructions:
    """Inputs, the model's outputs in the inputs' shape, and per-sample errors.

    Attributes
    ----------
    inputs
        ``(N, ...)`` what went in.
    outputs
        ``(N, ...)`` what came out, reshaped like ``inputs`` (a decoder may end flat).
    errors
        ``(N,)`` mean squared error of each sample against its target (the
        input itself, or the clean target of a denoising autoencoder).
    indices
        ``(N,)`` dataset index of each sample.
    """

    inputs: np.ndarray
    outputs: np.ndarray
    errors: np.ndarray
    indices: np.ndarray

    def worst(self, k: int = 16) -> np.ndarray:
        """Row positions of the ``k`` worst reconstructions, worst first (ties: dataset order)."""
        return np.argsort(-self.errors, kind="stable")[:k]


def reconstruction_errors(reference: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Per-sample mean squared error; ``outputs`` may be flat if it has as many values per sample."""
    ref = np.asarray(reference, dtype=np.float64)
    out = np.asarray(outputs, dtype=np.float64)
    if len(ref) != len(out) or ref[0].size != out[0].size:
        raise InspectionError(
            f"outputs {out.shape} cannot be compared with {ref.shape}: not as many values per sample"
        )
    diff = out.reshape(len(out), -1) - ref.reshape(len(ref), -1)
    return (diff * diff).mean(axis=1)


def reconstruct_dataset(
    model: nn.Module,
    dataset: Any,
    batch_size: int = 256,
    limit: int | None = None,
    device: str | torch.device = "cpu",
) -> Reconstructions:
    """Run an autoencoder over ``dataset`` (eval mode) and pair every input with its reconstruction.

    The error is against the target when the data have a target of the
    output's size (a denoising autoencoder's clean image), else against the input.
    """
    result = run_dataset(model, dataset, None, batch_size, limit, device, keep_inputs=True)
    inputs, outputs, targets = result.inputs, result.outputs, result.targets
    if inputs[0].size != outputs[0].size:
        raise InspectionError(
            f"the output {outputs.shape[1:]} is not the input's size {inputs.shape[1:]}: "
            "is this model an autoencoder?"
        )
    outputs = outputs.reshape(inputs.shape)
    fits = targets is not None and targets.dtype.kind == "f" and targets[0].size == outputs[0].size
    errors = reconstruction_errors(targets if fits else inputs, outputs)
    return Reconstructions(inputs, outputs, errors, result.indices)
