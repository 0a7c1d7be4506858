"""MNIST / Fashion-MNIST IDX files (``*-images-idx3-ubyte`` + ``*-labels-idx1-ubyte``, gzip optional).

``path`` is the folder holding the files (as downloaded, ``.gz`` or not) or the
images file itself. When the folder also holds the ``t10k`` pair it becomes the
test split (``use_test``); the training files are then split into train and
validation only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError
from studio.data.files.common import existing, read_bytes
from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData

IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801
FASHION = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def read_idx(path: Path, magic: int) -> np.ndarray:
    """One IDX file of unsigned bytes, checked: magic number, dimensions, length.

    Parameters
    ----------
    path
        The file (gzip-compressed or not).
    magic
        ``0x00000803`` for images ``(N, rows, cols)``, ``0x00000801`` for labels ``(N,)``.

    Returns
    -------
    numpy.ndarray
        uint8 array of the declared shape.
    """
    data = read_bytes(path)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < 4:
        raise DataError(f"{path}: truncated IDX file ({len(data)} bytes)")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        what = "images" if magic == IMAGES_MAGIC else "labels"
        raise DataError(f"{path}: bad magic number 0x{found:08x} (expected 0x{magic:08x} for IDX {what})")
    if len(data) < header:
        raise DataError(f"{path}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = header + int(np.prod(dims))
    if len(data) != expected:
        state = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(f"{path}: {state}: {len(data)} bytes, dimensions {dims} need {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _find(folder: Path, prefix: str, kind: str) -> Path | None:
    hits = sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and kind in p.name and p.is_file())
    return hits[0] if hits else None


def _pair(images: Path, labels: Path, names: list[str]) -> RawData:
    x = read_idx(images, IMAGES_MAGIC)
    y = read_idx(labels, LABELS_MAGIC)
    if len(x) != len(y):
        raise DataError(f"{labels}: {len(y)} labels for {len(x)} images in {images.name}")
    if len(y) and int(y.max()) >= len(names):
        raise DataError(f"{labels}: label {int(y.max())} out of range (0-{len(names) - 1})")
    images_t = torch.from_numpy(x.copy()).float().div_(255.0).unsqueeze(1)
    return RawData(images_t, torch.from_numpy(y.astype(np.int64)), "classification", names, channel_dim=0)


def load_idx(opts: dict[str, Any], seed: int) -> RawData:
    """Images ``(1, rows, cols)`` in ``[0, 1]`` and labels, plus the t10k test set when present.

    Parameters
    ----------
    opts
        ``path``, ``labels`` (for an images file), ``class_names`` (digits/fashion), ``use_test``.
    seed
        Unused.

    Returns
    -------
    RawData
        The training files' samples; ``test`` holds the t10k pair.
    """
    path = existing(opts["path"])
    names = FASHION if opts["class_names"] == "fashion" else [str(i) for i in range(10)]
    test = None
    if path.is_dir():
        images, labels = _find(path, "train", "images"), _find(path, "train", "labels")
        if images is None or labels is None:
            raise DataError(f"{path}: no train-images-idx3-ubyte / train-labels-idx1-ubyte files")
        t_images, t_labels = _find(path, "t10k", "images"), _find(path, "t10k", "labels")
        if opts["use_test"] and t_images and t_labels:
            test = _pair(t_images, t_labels, names)
    else:
        images = path
        guess = path.with_name(path.name.replace("images", "labels").replace("idx3", "idx1"))
        labels = existing(opts["labels"] or guess, "file")
    raw = _pair(images, labels, names)
    raw.test = test
    return raw


DATASETS = [
    DatasetInfo(
        "idx",
        "MNIST / Fashion-MNIST (IDX)",
        "classification",
        "IDX image and label files as distributed for MNIST and Fashion-MNIST (gzip optional)",
        {
            "path": Option(None, "path", "Folder with the IDX files, or the images file"),
            "labels": Option(
                None, "path", "Labels file (default: derived from the images file)", optional=True
            ),
            "class_names": Option("digits", "str", "Names of the 10 classes", choices=("digits", "fashion")),
            "use_test": Option(True, "bool", "Use the t10k files as the test split when present"),
        },
        load_idx,
        source="file",
    )
]
