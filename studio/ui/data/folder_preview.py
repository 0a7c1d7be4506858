"""The preview of an image folder, read file by file so that it can be cancelled.

Decoding tens of thousands of files cannot be interrupted inside
:func:`studio.data.files.images.load_image_folder`, so the wizard reads them here
one by one with the loader's own reader (:func:`studio.data.files.images.read_image`:
colour mode, resizing, the message for an unreadable file) and its scan order and
split, checking for cancellation between files and
showing thumbnails and class counts before the last file is read. The training
statistics are summed on the way, so the augmentation preview normalises
exactly as training will.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from studio.data.bundle import DataError
from studio.data.files.images import read_image
from studio.ui.data.loading import THUMBNAILS, Preview, spread

PROGRESS_S = 0.1  # seconds between progress lines


def image_folder_preview(config: dict[str, Any], cancel: Any, seed: int):
    """Yield progress lines, a partial preview (thumbnails, counts) and the complete preview.

    Parameters
    ----------
    config
        An ``image_folder`` data section.
    cancel
        Truthy once the job is no longer wanted (checked between files).
    seed
        The run seed used when the config has no data ``seed``.

    Yields
    ------
    str or Preview
        As :func:`~studio.ui.data.loading.preview_job`.
    """
    import torch

    from studio.data.files.common import existing
    from studio.data.files.images import scan_folder
    from studio.data.options import resolve
    from studio.data.registry import COMMON_KEYS, catalog
    from studio.data.split import parse_split, split_indices
    from studio.ui.inspect.jobs import Cancelled

    yield "Scanning folders…"
    opts_in = {k: v for k, v in config.items() if k not in COMMON_KEYS}
    opts = resolve("image_folder", catalog()["image_folder"].options, opts_in)
    split = parse_split(config.get("split"))
    data_seed = config.get("seed", seed)
    normalise = config.get("normalize", True)
    root = existing(opts["path"], "dir")
    classes, files = scan_folder(root)
    labels = np.asarray([k for _, k in files], dtype=np.int64)
    strata = torch.from_numpy(labels) if split["stratify"] else None
    parts = split_indices(len(files), split["val"], split["test"], data_seed, strata)
    size, color = opts["image_size"], opts["color"]
    mode = "L" if color == "grey" else "RGB"
    out = Preview("image_folder", "classification", class_names=classes)
    out.sizes = {
        k: len(p) for k, p in zip(("train", "val", "test"), parts, strict=True) if len(p) or k != "test"
    }
    out.class_counts = {
        k: np.bincount(labels[p.numpy()], minlength=len(classes)).tolist()
        for k, p in zip(("train", "val", "test"), parts, strict=True)
        if k in out.sizes
    }
    shown = spread(labels, THUMBNAILS)
    images = {}
    any_colour = False
    for i in shown:
        if cancel:
            raise Cancelled
        try:
            images[int(i)], grey = read_image(files[i][0], mode, size)
        except DataError:
            continue  # the pass over every file below reports it, after the rest is on screen
        any_colour |= not grey
    shown = [int(i) for i in shown if int(i) in images]
    channels = 1 if color == "grey" or (color == "auto" and not any_colour) else 3
    out.input_shapes = [(channels, size, size)]
    out.labels = [classes[labels[i]] for i in shown]
    out.thumbnails = _folder_thumbnails([images[i] for i in shown], channels)
    out.done = False
    out.note = "Reading every image to check it…"
    yield out
    # Every file once: checks it decodes, settles the colour mode, sums the training statistics.
    train = np.zeros(len(files), dtype=bool)
    train[parts[0].numpy()] = True
    sums, squares, count = np.zeros(3), np.zeros(3), 0
    last = time.monotonic()
    for i, (path, _k) in enumerate(files):
        if cancel:
            raise Cancelled
        a, grey = read_image(path, mode, size)
        any_colour |= not grey
        if train[i]:
            a = a.reshape(size * size, -1).astype(np.float64) / 255.0
            sums[: a.shape[1]] += a.sum(0)
            squares[: a.shape[1]] += (a * a).sum(0)
            count += a.shape[0]
        if time.monotonic() - last > PROGRESS_S:
            last = time.monotonic()
            yield f"Reading images: {i + 1:,} of {len(files):,}"
    channels = 1 if color == "grey" or (color == "auto" and not any_colour) else 3
    out = replace(out, done=True, note="")  # a new object: the partial one may still be on screen
    out.input_shapes = [(channels, size, size)]
    out.thumbnails = _folder_thumbnails([images[i] for i in shown], channels)
    mean = sums[:channels] / max(count, 1)
    std = np.sqrt(np.maximum(squares[:channels] / max(count, 1) - mean**2, 0.0))
    if normalise:
        out.mean = mean.tolist()
        out.std = [float(s) if s > 1e-12 else 1.0 for s in std]
    first = int(parts[0][0])
    a, _ = read_image(files[first][0], "L" if channels == 1 else "RGB", size)
    out.sample = (a[None] if a.ndim == 2 else np.transpose(a, (2, 0, 1))).astype(np.float32) / 255.0
    yield out


def _folder_thumbnails(arrays: list[np.ndarray], channels: int) -> list[np.ndarray]:
    out = []
    for a in arrays:
        a = a.astype(np.float32) / 255.0
        if channels == 1 and a.ndim == 3:
            a = a @ np.asarray([0.299, 0.587, 0.114], np.float32)  # PIL's L conversion, for display
        out.append(a)
    return out
