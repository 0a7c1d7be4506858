"""Segmentation overlays: a per-pixel class map coloured and blended onto its image (numpy only)."""

from __future__ import annotations

import colorsys
from collections.abc import Iterable
from typing import Any

import numpy as np

from studio.inspection.hooks import InspectionError

# Matplotlib's "tab10": distinct, colour-blind-aware, familiar from plots.
_TAB10 = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip


def class_colours(n: int) -> np.ndarray:
    """``(n, 3)`` uint8 RGB colours, one per class: tab10 first, then hues spread by the golden angle."""
    colours = list(_TAB10[:n])
    for i in range(len(colours), n):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618033988749895) % 1.0, 0.65, 0.9)
        colours.append((round(255 * r), round(255 * g), round(255 * b)))
    return np.asarray(colours, dtype=np.uint8).reshape(n, 3)


def to_rgb(image: Any) -> np.ndarray:
    """An image as ``(H, W, 3)`` float in [0, 1].

    Accepts a tensor or array shaped ``(H, W)``, ``(H, W, 1|3)`` or
    ``(1|3, H, W)``. Values outside [0, 1] (normalised inputs, 0-255 bytes)
    are stretched min-to-max, which is how such an image is displayed anyway.
    """
    x = np.asarray(image.detach().cpu() if hasattr(image, "detach") else image, dtype=np.float64)
    if x.ndim == 3 and x.shape[0] in (1, 3) and x.shape[-1] not in (1, 3):
        x = np.moveaxis(x, 0, -1)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=-1)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise InspectionError(
            f"an image must be (H, W), (H, W, C) or (C, H, W) with 1 or 3 channels; got {x.shape}"
        )
    lo, hi = float(x.min()), float(x.max())
    if lo < 0.0 or hi > 1.0:
        x = (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
    return x


def segmentation_overlay(
    image: Any,
    class_map: Any,
    num_classes: int | None = None,
    alpha: float = 0.5,
    colours: np.ndarray | None = None,
    transparent: Iterable[int] = (),
) -> np.ndarray:
    """``(H, W, 4)`` uint8 RGBA: each pixel's class colour blended onto the image.

    Parameters
    ----------
    image
        The input image (see :func:`to_rgb`).
    class_map
        ``(H, W)`` class index per pixel (a prediction's argmax or the true mask).
    num_classes
        C, for the palette (default: the largest class present + 1).
    alpha
        Opacity of the class colour, 0 (image only) to 1 (colours only).
    colours
        ``(C, 3)`` uint8 colours instead of :func:`class_colours`.
    transparent
        Classes left uncoloured (e.g. the background). Pixels whose class is
        outside ``0..C-1`` (an ignore index such as 255 or -100) are too.
    """
    rgb = to_rgb(image)
    classes = np.asarray(class_map.detach().cpu() if hasattr(class_map, "detach") else class_map)
    if classes.shape != rgb.shape[:2]:
        raise InspectionError(f"the class map {classes.shape} does not match the image {rgb.shape[:2]}")
    classes = classes.astype(np.int64)
    if num_classes is None:
        num_classes = int(classes.max()) + 1 if classes.size else 1
    palette = class_colours(num_classes) if colours is None else np.asarray(colours, dtype=np.uint8)
    if len(palette) < num_classes:
        raise InspectionError(f"{len(palette)} colours given for {num_classes} classes")
    coloured = (classes >= 0) & (classes < num_classes)
    for c in transparent:
        coloured &= classes != c
    a = float(np.clip(alpha, 0.0, 1.0))
    out = rgb.copy()
    colour = palette[np.where(coloured, classes, 0)].astype(np.float64) / 255.0
    out[coloured] = (1.0 - a) * rgb[coloured] + a * colour[coloured]
    rgba = np.empty(rgb.shape[:2] + (4,), dtype=np.uint8)
    rgba[..., :3] = np.round(out * 255.0)
    rgba[..., 3] = 255
    return rgba
