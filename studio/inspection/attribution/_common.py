"""Pieces shared by every explanation method: evaluation mode, class choice, scores, results.

All methods explain the model's *first* output tensor (a compiled graph with
several outputs explains its first output node). The score of class ``c`` for
sample ``i`` is ``out[i, c]`` (the logit, as captum's ``target=c``); for an
output with more dims (a segmentation map, ``(N, K, H, W)``) it is the sum of
``out[i, c]`` over the remaining dims, i.e. "how much class ``c`` overall".
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.hooks import InspectionError, first_tensor

ClassIndex = int | Sequence[int] | np.ndarray | torch.Tensor | None


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Run the block with ``model`` in eval mode, then restore every submodule's own mode.

    Explanations must not depend on the batch (batch-norm statistics) nor on
    chance (dropout); a training run's model is put back exactly as it was,
    even when the modes were mixed (a frozen, eval-mode backbone in a training model).
    """
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


def check_input(x: Any) -> torch.Tensor:
    """``x`` as a batched floating-point tensor, or an :class:`InspectionError` saying what is wrong."""
    if not isinstance(x, torch.Tensor):
        raise InspectionError(f"explanations need one input tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise InspectionError(f"explanations need a floating-point input, got {x.dtype} (token ids?)")
    if x.dim() < 2:
        raise InspectionError(f"the input needs a batch dimension first, got shape {tuple(x.shape)}")
    return x


def forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The first tensor of ``model(x)``, at least 2-D (a ``(N,)`` output becomes ``(N, 1)``)."""
    out = first_tensor(model(x))
    if out is None:
        raise InspectionError("the model returned no tensor")
    return out[:, None] if out.dim() == 1 else out


def class_indices(class_idx: ClassIndex, out: torch.Tensor) -> torch.Tensor:
    """One class index per sample: the predicted class (``None``), one for all (int) or one each.

    Raises
    ------
    InspectionError
        When an index is outside ``0 .. K-1`` or the count differs from the batch size.
    """
    n, k = out.shape[0], out.shape[1]
    if class_idx is None:
        # For a map output (N, K, H, W), the class with the largest total score.
        return out.detach().reshape(n, k, -1).sum(2).argmax(1)
    if isinstance(class_idx, torch.Tensor):
        idx = class_idx.detach().to("cpu", torch.long).reshape(-1)
    else:
        idx = torch.as_tensor(np.asarray(class_idx), dtype=torch.long).reshape(-1)
    if idx.numel() == 1:
        idx = idx.expand(n)
    if idx.numel() != n:
        raise InspectionError(f"{idx.numel()} class indices for a batch of {n} samples")
    if (idx < 0).any() or (idx >= k).any():
        raise InspectionError(f"class index out of range: the model has {k} output(s), got {idx.tolist()}")
    return idx.to(out.device)


def class_scores(out: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``(N,)`` scores: ``out[i, idx[i]]``, summed over any dims after the class dim."""
    picked = out[torch.arange(out.shape[0], device=out.device), idx.to(out.device)]
    return picked.reshape(out.shape[0], -1).sum(1)


def probabilities(out: torch.Tensor) -> torch.Tensor:
    """Softmax over the class dim (sigmoid for a single output)."""
    out = out.detach()
    return torch.sigmoid(out) if out.shape[1] == 1 else torch.softmax(out, dim=1)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A detached CPU numpy copy."""
    return t.detach().cpu().numpy()


@dataclass
class Attribution:
    """Input attributions for one batch, with the prediction they explain.

    Attributes
    ----------
    values
        Same shape as the input, ``(N, C, H, W)`` for images.
    class_idx
        ``(N,)`` the class explained per sample.
    logits, probabilities
        ``(N, K)`` the model's output on the unmodified input and its softmax.
    method
        ``"saliency"``, ``"smoothgrad"``, ``"guided_backprop"``, ``"integrated_gradients"``, ``"occlusion"``.
    delta
        Integrated gradients only: ``sum(values) - (score(x) - score(baseline))`` per sample,
        the completeness error of the integral approximation.
    """

    values: np.ndarray
    class_idx: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    method: str
    delta: np.ndarray | None = None

    def heatmap(self, reduce: str = "abs_max") -> np.ndarray:
        """``(N, H, W)`` maps for display; see :func:`studio.inspection.attribution.display.to_heatmap`."""
        from studio.inspection.attribution.display import to_heatmap

        return to_heatmap(self.values, reduce)


def make_attribution(
    values: torch.Tensor, idx: torch.Tensor, out: torch.Tensor, method: str, delta: torch.Tensor | None = None
) -> Attribution:
    """Pack tensors into an :class:`Attribution` of numpy arrays."""
    return Attribution(
        values=to_numpy(values),
        class_idx=to_numpy(idx),
        logits=to_numpy(out),
        probabilities=to_numpy(probabilities(out)),
        method=method,
        delta=None if delta is None else to_numpy(delta),
    )
