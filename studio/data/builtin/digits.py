"""scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData


def resize_images(x: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize of ``(N, C, H, W)`` images to ``size x size``.

    Parameters
    ----------
    x
        Float images.
    size
        Output height and width.

    Returns
    -------
    torch.Tensor
        ``(N, C, size, size)``; ``x`` itself when it already has that size.
    """
    if x.shape[-2:] == (size, size):
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=False)


def load_digits(opts: dict[str, Any], seed: int) -> RawData:
    """Digits as ``(1, H, W)`` images in ``[0, 1]`` (values 0..16 divided by 16).

    Parameters
    ----------
    opts
        ``image_size`` (8 = native).
    seed
        Unused (the data are fixed).

    Returns
    -------
    RawData
        1,797 images with class indices.
    """
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = torch.from_numpy(d.images).float().div_(16.0).unsqueeze(1)
    x = resize_images(x, opts["image_size"])
    y = torch.from_numpy(d.target).long()
    return RawData(x, y, "classification", [str(i) for i in range(10)], channel_dim=0)


DATASETS = [
    DatasetInfo(
        "digits",
        "Handwritten digits (8×8)",
        "classification",
        "1,797 greyscale 8×8 digits from scikit-learn, 10 classes; optionally resized (e.g. 32 for LeNet-5)",
        {"image_size": Option(8, "int", "Height and width after bilinear resizing (8 = native)", minimum=1)},
        load_digits,
    )
]
