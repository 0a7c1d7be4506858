"""Image folders: ``root/<class name>/*.png|jpg|...``, one folder per class."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError
from studio.data.files.common import existing
from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def scan_folder(root: Path) -> tuple[list[str], list[tuple[Path, int]]]:
    """Class names (sorted sub-folder names) and ``(file, class index)`` pairs.

    Parameters
    ----------
    root
        The folder holding one sub-folder per class.

    Returns
    -------
    tuple
        ``(class_names, files)``.
    """
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{root}: no class folders (expected {root}/<class name>/<image files>)")
    files = []
    for k, name in enumerate(classes):
        found = sorted(p for p in (root / name).iterdir() if p.suffix.lower() in EXTENSIONS)
        if not found:
            raise DataError(f"{root / name}: empty class folder (no {'/'.join(EXTENSIONS)} files)")
        files.extend((p, k) for p in found)
    return classes, files


GREY_MODES = ("1", "L", "LA", "I", "I;16", "F")  # PIL modes that "auto" colour reads as greyscale


def read_image(path: Path, mode: str, size: int) -> tuple[np.ndarray, bool]:
    """One file as uint8 ``(size, size)`` (mode ``L``) or ``(size, size, 3)`` (``RGB``).

    Returns the array and whether the file itself is greyscale (:data:`GREY_MODES`).
    The data wizard's cancellable preview reads files with this too, so its
    images and its message for a broken file are the loader's.

    Raises
    ------
    DataError
        ``<path>: unreadable image (<reason>)``.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            grey = im.mode in GREY_MODES
            im = im.convert(mode)
            if im.size != (size, size):
                im = im.resize((size, size), Image.Resampling.BILINEAR)
            return np.asarray(im, dtype=np.uint8), grey
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise DataError(f"{path}: unreadable image ({exc})") from None


def load_image_folder(opts: dict[str, Any], seed: int) -> RawData:
    """Every image resized to ``image_size``, as ``(C, H, W)`` floats in ``[0, 1]``.

    Parameters
    ----------
    opts
        ``path``, ``image_size``, ``color`` (auto: RGB when any image has colour).
    seed
        Unused.

    Returns
    -------
    RawData
        Images and class indices (classes = sorted folder names).
    """
    from PIL import Image

    root = existing(opts["path"], "dir")
    classes, files = scan_folder(root)
    mode = {"grey": "L", "rgb": "RGB"}.get(opts["color"])
    if mode is None:
        mode = "L"
        for path, _ in files:
            try:
                with Image.open(path) as im:
                    if im.mode not in GREY_MODES:
                        mode = "RGB"
                        break
            except OSError as exc:
                raise DataError(f"{path}: unreadable image ({exc})") from None
    size = opts["image_size"]
    arrays = np.stack([read_image(p, mode, size)[0] for p, _ in files])
    x = torch.from_numpy(arrays).float().div_(255.0)
    x = x.unsqueeze(1) if mode == "L" else x.permute(0, 3, 1, 2).contiguous()
    y = torch.tensor([k for _, k in files], dtype=torch.long)
    extra = {"files": [str(p.relative_to(root)) for p, _ in files]}
    return RawData(x, y, "classification", classes, channel_dim=0, extra=extra)


DATASETS = [
    DatasetInfo(
        "image_folder",
        "Image folder",
        "classification",
        "Your images, one sub-folder per class (PNG, JPEG, BMP, GIF, TIFF, WebP)",
        {
            "path": Option(None, "path", "The folder holding one sub-folder per class"),
            "image_size": Option(32, "int", "Height and width after resizing", minimum=1),
            "color": Option(
                "auto", "str", "Channels: auto, grey (1) or rgb (3)", choices=("auto", "grey", "rgb")
            ),
        },
        load_image_folder,
        source="file",
    )
]
