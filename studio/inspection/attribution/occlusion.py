"""Occlusion sensitivity (Zeiler & Fergus 2014): how much the class score drops when a patch is hidden.

Semantics are captum's ``Occlusion``: a window of ``window`` elements slides
over each per-sample dim with ``stride``; window ``k`` starts at ``k * stride``
for ``k = 0 .. ceil((size - window) / stride)`` (a last window that would run
past the edge is cut at the edge). Each position replaces the covered elements
by ``baseline``; every element's attribution is the mean, over the windows
covering it, of ``score(x) - score(occluded x)``. Many window positions are
evaluated in one forward (``internal_batch_size`` rows), without gradients.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

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


def _per_dim(value: int | tuple[int, ...], n: int, what: str) -> tuple[int, ...]:
    values = (value,) * n if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != n or any(v < 1 for v in values):
        raise InspectionError(f"{what} {value!r} must give one positive size per input dim ({n})")
    return values


def window_starts(size: int, window: int, stride: int) -> list[int]:
    """Start offsets of the windows along one dim (captum's shift counts).

    Examples
    --------
    >>> window_starts(10, 4, 3)
    [0, 3, 6, 9]
    """
    if window > size:
        raise InspectionError(f"occlusion window {window} is larger than the input size {size}")
    if stride > window and size > window:
        raise InspectionError(f"stride {stride} larger than the window {window} would leave gaps")
    count = math.ceil((size - window) / stride) + 1
    return [k * stride for k in range(count)]


def occlusion(
    model: nn.Module,
    x: torch.Tensor,
    window: int | tuple[int, ...] = 4,
    stride: int | tuple[int, ...] = 2,
    baseline: float | torch.Tensor = 0.0,
    class_idx: ClassIndex = None,
    internal_batch_size: int = 256,
    cancel: Any = None,
) -> Attribution:
    """Occlusion attributions of ``x``, with captum's ``Occlusion`` semantics.

    Parameters
    ----------
    model, x
        The model and an ``(N, C, H, W)`` (or any ``(N, ...)``) input batch.
    window
        captum's ``sliding_window_shapes``: one size per per-sample dim, e.g.
        ``(1, 4, 4)``; a tuple for the spatial dims only (``(4, 4)``) or an int
        occludes all channels at once, the usual choice for images.
    stride
        captum's ``strides``: an int or one per dim (given for the spatial dims only, channels use 1).
    baseline
        Value put in the hidden patch: a number or a tensor broadcastable to ``x``.
    class_idx
        None (each sample's prediction), an int, or one index per sample.
    internal_batch_size
        Rows per forward (window positions times samples).
    cancel
        Checked between chunks: when it is truthy, :class:`~studio.inspection.hooks.Cancelled` is raised.

    Returns
    -------
    Attribution
        ``values`` of the input's shape: positive where hiding the region lowers the score.
    """
    x = check_input(x).detach()
    n, sample_shape = x.shape[0], tuple(x.shape[1:])
    ndim = len(sample_shape)
    spatial = ndim - 1
    if isinstance(window, int) and ndim > 1:
        window = (sample_shape[0],) + (window,) * spatial
    elif not isinstance(window, int) and len(window) == spatial and ndim > 1:
        window = (sample_shape[0], *window)
    if isinstance(stride, tuple | list) and len(stride) == spatial and ndim > 1:
        stride = (1, *stride)
    windows = _per_dim(window, ndim, "window")
    strides = _per_dim(stride, ndim, "stride")
    starts = [window_starts(s, w, st) for s, w, st in zip(sample_shape, windows, strides, strict=True)]
    # 1-D masks per dim; a window's mask is their outer product (cut at the edge).
    masks_1d = []
    for size, w, dim_starts in zip(sample_shape, windows, starts, strict=True):
        r = torch.arange(size, device=x.device)
        masks_1d.append([(r >= b) & (r < b + w) for b in dim_starts])
    positions = list(itertools.product(*[range(len(s)) for s in starts]))
    base = torch.as_tensor(baseline, dtype=x.dtype, device=x.device)
    per_chunk = max(1, internal_batch_size // n)
    with evaluating(model), torch.no_grad():
        out = forward(model, x)
        idx = class_indices(class_idx, out)
        reference = class_scores(out, idx)
        total = torch.zeros_like(x)
        counts = torch.zeros(sample_shape, dtype=x.dtype, device=x.device)
        for start in range(0, len(positions), per_chunk):
            check_cancel(cancel)
            chunk = positions[start : start + per_chunk]
            mask = torch.stack([_outer([masks_1d[d][i] for d, i in enumerate(p)]) for p in chunk])
            m = mask.to(x.dtype)[:, None]  # (P, 1, *sample)
            occluded = (x[None] * (1 - m) + base * m).reshape(len(chunk) * n, *sample_shape)
            scores = class_scores(forward(model, occluded), idx.repeat(len(chunk))).reshape(len(chunk), n)
            drop = reference[None] - scores  # (P, N)
            total += torch.einsum("pn,p...->n...", drop, m[:, 0])
            counts += m[:, 0].sum(0)
    return make_attribution(total / counts, idx, out, "occlusion")


def _outer(masks: list[torch.Tensor]) -> torch.Tensor:
    """Boolean outer product of 1-D masks: ``(len(m0), len(m1), ...)``."""
    result = masks[0]
    for m in masks[1:]:
        result = result[..., None] & m
    return result
