"""Procedurally drawn shapes on noisy backgrounds, with masks and bounding boxes.

Each image holds one circle, square, triangle or cross. Besides the class label,
every sample has its segmentation mask (0 = background, k = class + 1) and its
bounding box ``(x1, y1, x2, y2)`` in pixels, x to the right and y down, ``x1, y1``
the first pixel of the shape and ``x2, y2`` one past the last (so the width is
``x2 - x1``, as in torchvision). Known object locations let tests check
explanations quantitatively.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData

SHAPES = ("circle", "square", "triangle", "cross")
BOX_FORMAT = "xyxy pixels: x1, y1 first pixel of the shape, x2, y2 one past the last"


def draw_masks(n: int, size: int, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean ``(n, size, size)`` masks of shapes with random position and size.

    Parameters
    ----------
    n
        Number of images.
    size
        Height and width in pixels.
    labels
        Shape index per image (0 circle, 1 square, 2 triangle, 3 cross).
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        The masks.
    """
    r = rng.uniform(0.18, 0.32, n) * size
    cx = rng.uniform(r + 0.5, size - r - 1.5)
    cy = rng.uniform(r + 0.5, size - r - 1.5)
    grid = np.arange(size, dtype=np.float64) + 0.5
    dx = grid[None, None, :] - cx[:, None, None]
    dy = grid[None, :, None] - cy[:, None, None]
    r3 = r[:, None, None]
    ax, ay = np.abs(dx), np.abs(dy)
    arm = 0.3 * r3
    candidates = np.stack(
        [
            dx**2 + dy**2 <= r3**2,
            np.maximum(ax, ay) <= 0.8 * r3,
            (dy <= 0.7 * r3) & (ax <= (dy + r3) / 1.7),
            ((ax <= arm) & (ay <= r3)) | ((ay <= arm) & (ax <= r3)),
        ]
    )
    return candidates[labels, np.arange(n)]


def boxes_from_masks(masks: np.ndarray) -> np.ndarray:
    """Bounding boxes ``(n, 4)`` of boolean masks, in the module's convention.

    Parameters
    ----------
    masks
        ``(n, H, W)`` booleans, each with at least one pixel set.

    Returns
    -------
    numpy.ndarray
        ``x1, y1, x2, y2`` per mask (int64).
    """
    cols, rows = masks.any(1), masks.any(2)
    w, h = masks.shape[2], masks.shape[1]
    x1 = cols.argmax(1)
    x2 = w - cols[:, ::-1].argmax(1)
    y1 = rows.argmax(1)
    y2 = h - rows[:, ::-1].argmax(1)
    return np.stack([x1, y1, x2, y2], 1).astype(np.int64)


def load_shapes(opts: dict[str, Any], seed: int) -> RawData:
    """Images ``(C, size, size)`` in ``[0, 1]``; labels or masks as targets.

    Parameters
    ----------
    opts
        ``n_samples``, ``size``, ``color`` (grey/rgb), ``noise``, ``task``.
    seed
        Generation seed.

    Returns
    -------
    RawData
        Images, with ``masks``, ``boxes`` and ``labels`` per sample.
    """
    rng = np.random.default_rng(seed)
    n, size = opts["n_samples"], opts["size"]
    channels = 3 if opts["color"] == "rgb" else 1
    labels = rng.permutation(np.arange(n) % len(SHAPES))
    masks = draw_masks(n, size, labels, rng)
    if channels == 1:
        bg, fg = rng.uniform(0.0, 0.4, (n, 1)), rng.uniform(0.6, 1.0, (n, 1))
    else:
        bg, fg = rng.uniform(0.0, 0.5, (n, 3)), rng.uniform(0.0, 1.0, (n, 3))
        fg = np.where(np.abs(fg - bg) < 0.3, (bg + 0.5) % 1.0, fg)  # keep a visible contrast
    m = masks[:, None]
    images = np.where(m, fg[:, :, None, None], bg[:, :, None, None])
    images = images + rng.normal(0.0, opts["noise"], images.shape)
    x = torch.from_numpy(np.clip(images, 0.0, 1.0)).float()
    label_t = torch.from_numpy(labels).long()
    mask_t = torch.from_numpy(masks.astype(np.int64) * (labels[:, None, None] + 1))
    per_sample = {
        "masks": mask_t,
        "boxes": torch.from_numpy(boxes_from_masks(masks)),
        "labels": label_t,
    }
    extra = {"box_format": BOX_FORMAT, "shape_names": list(SHAPES)}
    if opts["task"] == "segmentation":
        names = ["background", *SHAPES]
        return RawData(
            x, mask_t, "segmentation", names, 0, strata=label_t, per_sample=per_sample, extra=extra
        )
    return RawData(x, label_t, "classification", list(SHAPES), 0, per_sample=per_sample, extra=extra)


DATASETS = [
    DatasetInfo(
        "shapes",
        "Shapes",
        "classification",
        "Circles, squares, triangles and crosses on noisy backgrounds, with masks and boxes",
        {
            "n_samples": Option(1000, "int", "Number of images", minimum=8),
            "size": Option(32, "int", "Height and width in pixels", minimum=8),
            "color": Option("grey", "str", "Greyscale (1 channel) or RGB (3)", choices=("grey", "rgb")),
            "noise": Option(0.1, "float", "Standard deviation of the pixel noise", minimum=0),
            "task": Option(
                "classification",
                "str",
                "Targets: the shape's class, or the mask (0 background, k = class + 1)",
                choices=("classification", "segmentation"),
            ),
        },
        load_shapes,
    )
]
