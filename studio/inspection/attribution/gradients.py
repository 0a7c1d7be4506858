"""Gradient-based input attributions: saliency, SmoothGrad, guided backpropagation, integrated gradients.

Each takes gradients with ``torch.autograd.grad`` with respect to a copy of the
input, so parameters never receive a ``.grad``, and runs the model in eval
mode (modes restored afterwards). Settings and conventions follow captum, so
results agree with ``Saliency``, ``GuidedBackprop`` and ``IntegratedGradients``
given the same arguments (the tests check this).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.attribution._common import (
    Attribution,
    ClassIndex,
    check_input,
    class_indices,
    class_scores,
    evaluating,
    forward,
    make_attribution,
)
from studio.inspection.hooks import InspectionError, check_cancel

IG_METHODS = ("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle")


def _gradient(model: nn.Module, x: torch.Tensor, idx: torch.Tensor | None, class_idx: ClassIndex = None):
    """``(dS/dx, out, idx)`` for one batch; ``idx`` is chosen from this forward when None."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        out = forward(model, x)
        if idx is None:
            idx = class_indices(class_idx, out)
        (grad,) = torch.autograd.grad(class_scores(out, idx).sum(), x)
    return grad, out.detach(), idx


def saliency(
    model: nn.Module, x: torch.Tensor, class_idx: ClassIndex = None, abs: bool = True
) -> Attribution:
    """Vanilla gradient of the class score with respect to the input (Simonyan et al. 2014).

    Parameters
    ----------
    model, x
        The model and an ``(N, ...)`` input batch.
    class_idx
        None (each sample's prediction), an int, or one index per sample.
    abs
        Return ``|dS/dx|`` (captum ``Saliency(abs=True)``, the default) or the signed gradient.
    """
    x = check_input(x)
    with evaluating(model):
        grad, out, idx = _gradient(model, x, None, class_idx)
    return make_attribution(grad.abs() if abs else grad, idx, out, "saliency")


def smoothgrad(
    model: nn.Module,
    x: torch.Tensor,
    class_idx: ClassIndex = None,
    n_samples: int = 25,
    noise_level: float = 0.15,
    abs: bool = True,
    internal_batch_size: int | None = None,
    seed: int = 0,
    cancel: Any = None,
) -> Attribution:
    """Saliency averaged over noisy copies of the input (Smilkov et al. 2017).

    Parameters
    ----------
    n_samples
        Noisy copies per sample.
    noise_level
        Noise standard deviation as a fraction of each sample's value range
        (``max - min``), the paper's convention (10-20 % works well).
    abs
        Average ``|gradient|`` (as captum ``NoiseTunnel(Saliency(abs=True))``) or the signed one.
    internal_batch_size
        Rows per forward (noisy copies of all samples are batched together); None = all at once.
    seed
        Seed of the noise, for reproducible maps.
    cancel
        Checked between chunks: when it is truthy, :class:`~studio.inspection.hooks.Cancelled` is raised.

    Notes
    -----
    The class explained is chosen on the clean input.
    """
    x = check_input(x)
    if n_samples < 1:
        raise InspectionError(f"n_samples must be at least 1, got {n_samples}")
    n = x.shape[0]
    generator = torch.Generator(device=x.device).manual_seed(seed)
    flat = x.detach().reshape(n, -1)
    sigma = (noise_level * (flat.amax(1) - flat.amin(1))).reshape(1, n, *[1] * (x.dim() - 1))
    per_chunk = n_samples if internal_batch_size is None else max(1, internal_batch_size // n)
    with evaluating(model):
        with torch.no_grad():
            out = forward(model, x)
        idx = class_indices(class_idx, out)
        total = torch.zeros_like(x)
        for start in range(0, n_samples, per_chunk):
            check_cancel(cancel)
            k = min(per_chunk, n_samples - start)
            noise = torch.randn((k, *x.shape), generator=generator, device=x.device, dtype=x.dtype)
            noisy = (x.detach()[None] + sigma * noise).reshape(k * n, *x.shape[1:])
            grad, _, _ = _gradient(model, noisy, idx.repeat(k))
            grad = grad.reshape(k, *x.shape)
            total += (grad.abs() if abs else grad).sum(0)
    return make_attribution(total / n_samples, idx, out, "smoothgrad")


def guided_backprop(model: nn.Module, x: torch.Tensor, class_idx: ClassIndex = None) -> Attribution:
    """Guided backpropagation (Springenberg et al. 2015): only positive gradients pass the ReLUs.

    Every ``nn.ReLU`` module gets a temporary forward hook that clamps the
    gradient flowing back into its output to ``>= 0`` (the ReLU's own backward
    then applies its mask), which equals captum's ``GuidedBackprop``.

    Limits: ReLUs called as functions (``F.relu``, ``torch.relu`` inside a
    hand-written ``forward``) cannot be hooked and behave as in plain gradients;
    other activations (LeakyReLU, GELU) are left as they are. Compiled graphs use
    ``nn.ReLU`` modules for every ReLU node, so all of theirs are guided.

    Raises
    ------
    InspectionError
        When the model has no ``nn.ReLU`` module (the result would be a plain gradient).
    """
    x = check_input(x)
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        raise InspectionError(
            "guided backpropagation needs ReLU modules (nn.ReLU); this model has none "
            "(ReLUs applied as functions cannot be hooked)"
        )

    def clamp_gradient(_module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
        if isinstance(output, torch.Tensor) and output.requires_grad:
            output.register_hook(lambda g: g.clamp(min=0))

    handles = [m.register_forward_hook(clamp_gradient) for m in relus]
    try:
        with evaluating(model):
            grad, out, idx = _gradient(model, x, None, class_idx)
    finally:
        for handle in handles:
            handle.remove()
    return make_attribution(grad, idx, out, "guided_backprop")


def ig_quadrature(method: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``(alphas, weights)`` of the path integral, the same nodes and weights as captum.

    ``gausslegendre`` maps numpy's Gauss-Legendre nodes to ``[0, 1]``.
    ``riemann_trapezoid`` uses ``steps`` equally spaced points from 0 to 1 with
    weights ``1/steps`` halved at both ends (captum's convention: they sum to
    ``1 - 1/steps``, not 1); left/right/middle are the other Riemann sums.
    """
    if method == "gausslegendre":
        if steps < 1:
            raise InspectionError("integrated gradients needs at least 1 step")
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return 0.5 * (1 + nodes), 0.5 * weights
    if method not in IG_METHODS:
        raise InspectionError(f"unknown integration method {method!r} (known: {', '.join(IG_METHODS)})")
    if steps < 2:
        raise InspectionError(f"{method} needs at least 2 steps")
    weights = np.full(steps, 1.0 / steps)
    kind = method.split("_", 1)[1]
    if kind == "trapezoid":
        weights[[0, -1]] /= 2
        alphas = np.linspace(0.0, 1.0, steps)
    elif kind == "left":
        alphas = np.linspace(0.0, 1 - 1 / steps, steps)
    elif kind == "right":
        alphas = np.linspace(1 / steps, 1.0, steps)
    else:
        alphas = np.linspace(1 / (2 * steps), 1 - 1 / (2 * steps), steps)
    return alphas, weights


def integrated_gradients(
    model: nn.Module,
    x: torch.Tensor,
    class_idx: ClassIndex = None,
    baseline: float | torch.Tensor = 0.0,
    steps: int = 50,
    method: str = "gausslegendre",
    internal_batch_size: int | None = None,
    cancel: Any = None,
) -> Attribution:
    """Integrated gradients (Sundararajan et al. 2017) from ``baseline`` to ``x``.

    Parameters
    ----------
    baseline
        A number or a tensor broadcastable to ``x`` (default all zeros, as captum).
    steps
        Points on the path (captum's ``n_steps``, default 50).
    method
        ``"gausslegendre"`` (captum's default) or ``"riemann_trapezoid"``,
        ``"riemann_left"``, ``"riemann_right"``, ``"riemann_middle"``; see :func:`ig_quadrature`.
    internal_batch_size
        Rows per forward; the path points of all samples are batched together,
        ``internal_batch_size // N`` points at a time (captum's meaning). None = all at once.
    cancel
        Checked between chunks: when it is truthy, :class:`~studio.inspection.hooks.Cancelled` is raised.

    Returns
    -------
    Attribution
        ``values`` of the input's shape and ``delta``, the completeness error
        ``sum(values) - (S(x) - S(baseline))`` per sample (small when ``steps`` suffice).
    """
    x = check_input(x).detach()
    alphas, weights = ig_quadrature(method, steps)
    base = torch.broadcast_to(torch.as_tensor(baseline, dtype=x.dtype, device=x.device), x.shape)
    n, tail = x.shape[0], (1,) * x.dim()
    alphas_t = torch.as_tensor(alphas, dtype=x.dtype, device=x.device).reshape(-1, *tail)
    weights_t = torch.as_tensor(weights, dtype=x.dtype, device=x.device).reshape(-1, *tail)
    per_chunk = steps if internal_batch_size is None else max(1, internal_batch_size // n)
    with evaluating(model):
        with torch.no_grad():
            out = forward(model, x)
            base_out = forward(model, base.contiguous())
        idx = class_indices(class_idx, out)
        total = torch.zeros_like(x)
        for start in range(0, steps, per_chunk):
            check_cancel(cancel)
            a, w = alphas_t[start : start + per_chunk], weights_t[start : start + per_chunk]
            k = a.shape[0]
            path = (base[None] + a * (x - base)[None]).reshape(k * n, *x.shape[1:])
            grad, _, _ = _gradient(model, path, idx.repeat(k))
            total += (grad.reshape(k, *x.shape) * w).sum(0)
    values = total * (x - base)
    delta = values.reshape(n, -1).sum(1) - (class_scores(out, idx) - class_scores(base_out, idx))
    return make_attribution(values, idx, out, "integrated_gradients", delta)
