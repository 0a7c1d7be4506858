"""Turning predictions and maps into what a person looks at: top-k classes, heat colours, overlays.

Pure numpy (no Qt, no matplotlib), so the GUI panels and the HTML report draw
the same pictures: an RGBA ``uint8`` array goes straight into a ``QImage`` or a PNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

# Colour maps as anchor points (position, r, g, b), linearly interpolated.
COLORMAPS: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "jet": (
        (0.0, 0.0, 0.0, 0.5),
        (0.125, 0.0, 0.0, 1.0),
        (0.375, 0.0, 1.0, 1.0),
        (0.625, 1.0, 1.0, 0.0),
        (0.875, 1.0, 0.0, 0.0),
        (1.0, 0.5, 0.0, 0.0),
    ),
    "inferno": (
        (0.0, 0.001, 0.0, 0.014),
        (0.25, 0.341, 0.062, 0.429),
        (0.5, 0.735, 0.216, 0.330),
        (0.75, 0.978, 0.557, 0.035),
        (1.0, 0.988, 0.998, 0.645),
    ),
    "hot": ((0.0, 0.0, 0.0, 0.0), (0.375, 1.0, 0.0, 0.0), (0.75, 1.0, 1.0, 0.0), (1.0, 1.0, 1.0, 1.0)),
    # Diverging, for signed maps normalised with ``symmetric=True`` (0 -> white).
    "bwr": ((0.0, 0.0, 0.0, 1.0), (0.5, 1.0, 1.0, 1.0), (1.0, 1.0, 0.0, 0.0)),
}


class Prediction(NamedTuple):
    """One entry of the class chooser."""

    index: int
    name: str
    probability: float


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax (sigmoid for a single column), computed stably."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.shape[-1] == 1:
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def top_k(
    scores: np.ndarray, k: int = 5, class_names: Sequence[str] | None = None, from_logits: bool = True
) -> list[list[Prediction]]:
    """The ``k`` most probable classes of each sample, most probable first.

    Parameters
    ----------
    scores
        ``(N, K)`` logits (or probabilities with ``from_logits=False``); a 1-D array is one sample.
    k
        How many classes (at most ``K``).
    class_names
        Names by index; missing names become ``"class i"``.

    Examples
    --------
    >>> top_k(np.array([[0.0, 2.0, 1.0]]), k=2, class_names=["a", "b", "c"])[0][0].name
    'b'
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    probs = softmax(scores) if from_logits else scores
    names = list(class_names or [])
    order = np.argsort(-probs, axis=1, kind="stable")[:, : max(1, k)]
    return [
        [Prediction(int(c), names[c] if c < len(names) else f"class {c}", float(row[c])) for c in ranks]
        for row, ranks in zip(probs, order, strict=True)
    ]


def to_heatmap(values: np.ndarray, reduce: str = "abs_max") -> np.ndarray:
    """``(N, C, H, W)`` attributions to ``(N, H, W)`` maps; arrays of rank <= 3 pass unchanged.

    ``reduce``: ``"abs_max"`` (saliency's usual display), ``"abs_sum"``,
    ``"sum"`` (keeps the sign, for integrated gradients and occlusion) or ``"max"``.
    """
    values = np.asarray(values)
    if values.ndim <= 3:
        return values
    reducers = {
        "abs_max": lambda v: np.abs(v).max(axis=1),
        "abs_sum": lambda v: np.abs(v).sum(axis=1),
        "sum": lambda v: v.sum(axis=1),
        "max": lambda v: v.max(axis=1),
    }
    if reduce not in reducers:
        raise ValueError(f"unknown reduction {reduce!r} (known: {', '.join(reducers)})")
    return reducers[reduce](values)


def normalize_map(heat: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Scale a map to ``[0, 1]`` for colouring.

    A non-negative map (Grad-CAM) is divided by its maximum, so zero stays the
    coldest colour; a map with negative values is min-max scaled. With
    ``symmetric=True`` zero maps to 0.5 and ``±max|heat|`` to 0 and 1 (for "bwr").
    A constant map gives zeros (0.5 if symmetric).
    """
    heat = np.asarray(heat, dtype=np.float64)
    if symmetric:
        peak = np.abs(heat).max() if heat.size else 0.0
        return np.full_like(heat, 0.5) if peak == 0 else 0.5 + 0.5 * heat / peak
    low, high = (heat.min(), heat.max()) if heat.size else (0.0, 0.0)
    if low >= 0:
        return heat / high if high > 0 else np.zeros_like(heat)
    return (heat - low) / (high - low)


def colorize(values01: np.ndarray, cmap: str = "jet") -> np.ndarray:
    """``(H, W)`` values in ``[0, 1]`` to ``(H, W, 4)`` RGBA ``uint8`` (opaque)."""
    if cmap not in COLORMAPS:
        raise ValueError(f"unknown colour map {cmap!r} (known: {', '.join(COLORMAPS)})")
    anchors = np.asarray(COLORMAPS[cmap])
    v = np.clip(np.asarray(values01, dtype=np.float64), 0.0, 1.0)
    rgb = np.stack([np.interp(v, anchors[:, 0], anchors[:, i]) for i in (1, 2, 3)], axis=-1)
    alpha = np.ones((*v.shape, 1))
    return np.round(255 * np.concatenate([rgb, alpha], axis=-1)).astype(np.uint8)


def resize_bilinear(heat: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of a 2-D map with half-pixel centres (``F.interpolate``, ``align_corners=False``)."""
    heat = np.asarray(heat, dtype=np.float64)
    h, w = heat.shape

    def coords(out_size: int, in_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src = np.clip((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0, in_size - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, in_size - 1)
        return lo, hi, src - lo

    y0, y1, fy = coords(height, h)
    x0, x1, fx = coords(width, w)
    top = heat[y0][:, x0] * (1 - fx) + heat[y0][:, x1] * fx
    bottom = heat[y1][:, x0] * (1 - fx) + heat[y1][:, x1] * fx
    return top * (1 - fy)[:, None] + bottom * fy[:, None]


def image_rgb(image: np.ndarray) -> np.ndarray:
    """An image as ``(H, W, 3)`` floats in ``[0, 1]``.

    Accepts ``(H, W)``, ``(C, H, W)`` (C = 1 or 3, torch's layout) or
    ``(H, W, C)``; ``uint8`` is divided by 255, floats (often normalised by
    mean/std) are min-max scaled.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
        img = np.moveaxis(img, 0, -1)
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[-1] not in (1, 3, 4):
        raise ValueError(f"cannot read an image of shape {np.shape(image)}")
    img = img[..., :3]
    if img.dtype == np.uint8:
        img = img / 255.0
    else:
        img = img.astype(np.float64)
        low, high = img.min(), img.max()
        img = (img - low) / (high - low) if high > low else np.zeros_like(img)
    return np.repeat(img, 3, axis=-1) if img.shape[-1] == 1 else img


def overlay(
    image: np.ndarray,
    heat: np.ndarray,
    opacity: float = 0.5,
    cmap: str = "jet",
    symmetric: bool = False,
) -> np.ndarray:
    """The heat map, coloured, blended over the image: ``(H, W, 4)`` RGBA ``uint8``.

    Parameters
    ----------
    image
        The input sample (any layout :func:`image_rgb` reads).
    heat
        A 2-D map; resized bilinearly when its size differs from the image's.
    opacity
        0 shows only the image, 1 only the heat colours.
    cmap, symmetric
        Colour map and normalisation (see :func:`normalize_map`; use "bwr" with symmetric maps).
    """
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], got {opacity}")
    rgb = image_rgb(image)
    heat = np.asarray(heat, dtype=np.float64)
    if heat.ndim != 2:
        raise ValueError(f"the heat map must be 2-D, got shape {heat.shape}")
    if heat.shape != rgb.shape[:2]:
        heat = resize_bilinear(heat, *rgb.shape[:2])
    colours = colorize(normalize_map(heat, symmetric), cmap)[..., :3] / 255.0
    blended = (1 - opacity) * rgb + opacity * colours
    out = np.empty((*rgb.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = np.round(255 * blended).astype(np.uint8)
    out[..., 3] = 255
    return out
