"""Grad-CAM and Grad-CAM++: where in a feature map the evidence for a class lies.

Both cost one forward and one backward per batch. The backward is taken with
``torch.autograd.grad`` with respect to the recorded feature map only, so
autograd skips the weight gradients of the layers after it and the gradients
of everything before it, and no parameter's ``.grad`` is touched.

Grad-CAM (Selvaraju et al. 2017) weights each channel ``k`` of the map ``A`` by
the spatial mean of ``dS/dA_k`` and keeps the positive part of the weighted
sum: ``relu(sum_k mean(dS/dA_k) * A_k)``, exactly captum's ``LayerGradCam``
with ``relu_attributions=True``. Upsampling is ``F.interpolate(...,
mode="bilinear")`` with ``align_corners=False``, as captum's
``LayerAttribution.interpolate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from studio.inspection.attribution._common import (
    ClassIndex,
    check_input,
    class_indices,
    class_scores,
    evaluating,
    forward,
    probabilities,
    to_numpy,
)
from studio.inspection.attribution.target import propose_module_target
from studio.inspection.hooks import InspectionError, Target, module_name, recording, resolve_module

_INTERPOLATION = {1: "linear", 2: "bilinear", 3: "trilinear"}


@dataclass
class CamResult:
    """Class activation maps for one batch.

    Attributes
    ----------
    layer
        ``(N, h, w)`` maps at the target layer's resolution (``(N, d, h, w)`` for 3-D maps).
    upsampled
        ``(N, H, W)`` the maps resized (bilinearly) to the input's spatial size;
        None when not asked for or when the input has no matching spatial dims.
    target
        The node (dotted module path) whose feature map was used.
    class_idx
        ``(N,)`` the class explained per sample.
    logits, probabilities
        ``(N, K)`` the model's output and its softmax (sigmoid for one output).
    method
        ``"grad_cam"`` or ``"grad_cam_pp"``.
    """

    layer: np.ndarray
    upsampled: np.ndarray | None
    target: str
    class_idx: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    method: str


def _feature_map_and_gradient(
    model: nn.Module, x: torch.Tensor, target: Target, class_idx: ClassIndex
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One forward recording ``target``'s output, one backward to it: ``(A, dS/dA, out, idx)``."""
    module = resolve_module(model, target)
    key = target if isinstance(target, str) else module_name(model, module)
    # The input requires grad so the map is on the tape even when every weight before it is frozen.
    x = x.detach().requires_grad_(True)
    with evaluating(model), torch.enable_grad(), recording(model, [key], detach=False) as records:
        out = forward(model, x)
    act = records.get(key)
    if act is None:
        raise InspectionError(f"{key!r} was not called during the forward pass (or returned no tensor)")
    if act.dim() < 4:
        shape = tuple(act.shape[1:])
        raise InspectionError(
            f"{key!r} outputs {shape} per sample, not a feature map (C, H, W); "
            "Grad-CAM needs a convolutional feature map"
        )
    if not act.requires_grad:
        raise InspectionError(f"the output of {key!r} does not depend on the input: no gradient reaches it")
    idx = class_indices(class_idx, out)
    (grad,) = torch.autograd.grad(class_scores(out, idx).sum(), act)
    return act.detach(), grad, out.detach(), idx


def _result(
    cam: torch.Tensor, x: torch.Tensor, upsample: bool, key: str, out: torch.Tensor, idx: torch.Tensor, m: str
) -> CamResult:
    """Pack an ``(N, 1, *spatial)`` map, upsampled to ``x``'s spatial size when the ranks match."""
    upsampled = None
    if upsample and x.dim() == cam.dim():
        mode = _INTERPOLATION[cam.dim() - 2]
        upsampled = to_numpy(F.interpolate(cam, size=tuple(x.shape[2:]), mode=mode)[:, 0])
    return CamResult(
        layer=to_numpy(cam[:, 0]),
        upsampled=upsampled,
        target=key,
        class_idx=to_numpy(idx),
        logits=to_numpy(out),
        probabilities=to_numpy(probabilities(out)),
        method=m,
    )


def _target_key(model: nn.Module, x: torch.Tensor, target: Target | None) -> str:
    if target is None:
        return propose_module_target(model, x[:1])
    return target if isinstance(target, str) else module_name(model, resolve_module(model, target))


def grad_cam(
    model: nn.Module,
    x: torch.Tensor,
    target: Target | None = None,
    class_idx: ClassIndex = None,
    upsample: bool = True,
) -> CamResult:
    """Grad-CAM maps of ``x`` for ``class_idx`` at the feature map of ``target``.

    Parameters
    ----------
    model
        A compiled graph or any module; evaluated in eval mode, its modes restored afterwards.
    x
        ``(N, C, H, W)`` input batch.
    target
        Node name, dotted module path or module with a ``(C, h, w)`` output; None
        proposes one from a forward of the first sample
        (:func:`~studio.inspection.attribution.target.propose_module_target`; with
        a graph at hand prefer :func:`~studio.inspection.attribution.target.propose_gradcam_target`).
    class_idx
        Class to explain: None for each sample's prediction, an int for all, or one per sample.
    upsample
        Also return the maps resized to the input (bilinear, ``align_corners=False``).

    Returns
    -------
    CamResult
        Non-negative maps (ReLU applied) and the prediction they explain.

    Raises
    ------
    InspectionError
        Unknown target, a target without spatial output, a class index out of range.

    Examples
    --------
    >>> cam = grad_cam(model, images, "relu_3")  # doctest: +SKIP
    >>> cam.layer.shape, cam.upsampled.shape  # doctest: +SKIP
    ((8, 8, 8), (8, 32, 32))
    """
    x = check_input(x)
    key = _target_key(model, x, target)
    act, grad, out, idx = _feature_map_and_gradient(model, x, key, class_idx)
    dims = tuple(range(2, act.dim()))
    weights = grad.mean(dim=dims, keepdim=True)
    cam = F.relu(torch.sum(weights * act, dim=1, keepdim=True))
    return _result(cam, x, upsample, key, out, idx, "grad_cam")


def grad_cam_pp(
    model: nn.Module,
    x: torch.Tensor,
    target: Target | None = None,
    class_idx: ClassIndex = None,
    upsample: bool = True,
) -> CamResult:
    """Grad-CAM++ (Chattopadhyay et al. 2018): per-pixel weighted positive gradients.

    The channel weight is ``sum_ij alpha_ij * relu(dS/dA_ij)`` with
    ``alpha = g^2 / (2 g^2 + sum_ab A_ab * g^3)``, the closed form for an
    exponential score, computed from first-order gradients only (as the paper
    and the common pytorch-grad-cam implementation do). Better than Grad-CAM at
    covering several instances of a class. Parameters and result as :func:`grad_cam`.
    """
    x = check_input(x)
    key = _target_key(model, x, target)
    act, grad, out, idx = _feature_map_and_gradient(model, x, key, class_idx)
    dims = tuple(range(2, act.dim()))
    g2 = grad * grad
    g3 = g2 * grad
    denominator = 2 * g2 + act.sum(dim=dims, keepdim=True) * g3
    alpha = torch.where(grad != 0, g2 / torch.where(denominator != 0, denominator, 1), 0)
    weights = (alpha * F.relu(grad)).sum(dim=dims, keepdim=True)
    cam = F.relu(torch.sum(weights * act, dim=1, keepdim=True))
    return _result(cam, x, upsample, key, out, idx, "grad_cam_pp")
