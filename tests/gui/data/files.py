"""Small real data files of every format the wizard reads (written into ``tmp_path``) and wizard steps."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

CLASSES = {"circle": 5, "cross": 4, "square": 3}  # image-folder class -> number of images


def write_image_folder(
    root: Path, classes: dict[str, int] = CLASSES, size: int = 12, colour: bool = True
) -> Path:
    """``root/<class>/<i>.png``: small drawn shapes, RGB (or greyscale) with a random background."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(0)
    for k, (name, count) in enumerate(classes.items()):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            background = rng.integers(0, 90, (size, size, 3), dtype=np.uint8)
            im = Image.fromarray(background, "RGB")
            draw = ImageDraw.Draw(im)
            fill = tuple(int(v) for v in rng.integers(120, 256, 3))
            a, b = size // 5, size - size // 5
            if k == 0:
                draw.ellipse((a, a, b, b), fill=fill)
            elif k == 1:
                draw.line((a, a, b, b), fill=fill, width=max(1, size // 8))
                draw.line((a, b, b, a), fill=fill, width=max(1, size // 8))
            else:
                draw.rectangle((a, a, b, b), fill=fill)
            (im if colour else im.convert("L")).save(root / name / f"{i:03d}.png")
    return root


def write_csv(path: Path, rows: int = 30, bad_row: int | None = None) -> Path:
    """Columns ``age`` (numeric), ``colour`` (categorical: red/green/blue), ``height``, target ``kind``."""
    rng = np.random.default_rng(1)
    lines = ["age,colour,height,kind"]
    for i in range(rows):
        colour = ("red", "green", "blue")[i % 3]
        kind = ("cat", "dog")[i % 2]
        lines.append(f"{rng.integers(1, 15)},{colour},{rng.normal(30, 5):.2f},{kind}")
        if bad_row is not None and i + 2 == bad_row:
            lines[-1] += ",oops"  # one field too many
    path.write_text("\n".join(lines) + "\n")
    return path


def write_npz(path: Path, n: int = 40, features: int = 6) -> Path:
    """``inputs`` (n, features) float32 and ``labels`` (n,) int64 in 4 classes (non-default names)."""
    rng = np.random.default_rng(2)
    np.savez(path, inputs=rng.normal(size=(n, features)).astype(np.float32), labels=np.arange(n) % 4)
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: magic, dimensions, data."""
    magic = 0x00000800 | array.ndim
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def write_idx(folder: Path, n: int = 30, test: int = 10, gz: bool = True, truncate: bool = False) -> Path:
    """``train-images-idx3-ubyte[.gz]`` + labels (and the t10k pair) with 28x28 images."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    suffix = ".gz" if gz else ""
    for prefix, count in (("train", n), ("t10k", test)):
        if not count:
            continue
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = (np.arange(count) % 10).astype(np.uint8)
        data = idx_bytes(images)
        if truncate and prefix == "train":
            data = data[: len(data) - 100]
        for name, payload in (
            (f"{prefix}-images-idx3-ubyte", data),
            (f"{prefix}-labels-idx1-ubyte", idx_bytes(labels)),
        ):
            target = folder / (name + suffix)
            target.write_bytes(gzip.compress(payload) if gz else payload)
    return folder


def write_cifar(folder: Path, per_batch: int = 20, batches: int = 2) -> Path:
    """``data_batch_<i>.bin`` records of 1 label byte + 3,072 pixel bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    for b in range(1, batches + 1):
        labels = (np.arange(per_batch) % 10).astype(np.uint8)
        pixels = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        (folder / f"data_batch_{b}.bin").write_bytes(np.concatenate([labels[:, None], pixels], 1).tobytes())
    return folder


def to_preview(qtbot, wizard, path: Path, timeout: int = 10000):
    """Page 1 gets ``path``; Next, Next; wait until the preview is complete or failed."""
    wizard.source_page.set_path(path)
    assert wizard.source_page.isComplete(), wizard.source_page.detected.text()
    wizard.next()
    wizard.next()
    page = wizard.preview_page
    qtbot.waitUntil(lambda: page.isComplete() or bool(page.error), timeout=timeout)
    return page
