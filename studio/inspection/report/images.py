"""Sample images and overlays as PNG data URIs (Pillow), so the page needs no files beside it."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np

from studio.inspection.attribution.display import image_rgb

# Small inputs (8x8 digits, 32x32 crops) are enlarged with nearest-neighbour
# sampling so a pixel stays a crisp square in every viewer, not a blur.
DISPLAY_SIZE = 96


def as_image(x: Any) -> np.ndarray | None:
    """A sample as ``(C, H, W)`` numpy when it is an image (C = 1 or 3), else None."""
    if isinstance(x, (tuple, list)):
        return None
    array = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[0] not in (1, 3) or min(array.shape[1:]) < 4:
        return None
    return array


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Any image :func:`~studio.inspection.attribution.display.image_rgb` reads, as ``(H, W, 3)`` uint8."""
    return np.round(255 * image_rgb(image)).astype(np.uint8)


def enlarge(rgb: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """Repeat pixels (integer factor) so the longer side reaches at least ``size`` pixels."""
    factor = max(1, math.ceil(size / max(rgb.shape[:2])))
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1) if factor > 1 else rgb


def png_bytes(pixels: np.ndarray) -> bytes:
    """``(H, W, 3|4)`` uint8 pixels as PNG bytes."""
    from PIL import Image

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim == 3 and pixels.shape[2] == 4 and (pixels[..., 3] == 255).all():
        pixels = np.ascontiguousarray(pixels[..., :3])  # opaque: RGB is a third smaller
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(pixels: np.ndarray) -> str:
    """``data:image/png;base64,...`` of ``(H, W, 3|4)`` uint8 pixels."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii")
