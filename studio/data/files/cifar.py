"""CIFAR-10 binary batches: ``data_batch_1..5.bin`` and ``test_batch.bin``.

Each record is 1 label byte and 3,072 pixel bytes (1,024 red, green, blue, rows
of 32). ``batches.meta.txt`` names the classes when present.
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

RECORD = 1 + 3 * 32 * 32
NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(N, 3, 32, 32)`` uint8 and labels ``(N,)`` of one binary batch.

    Parameters
    ----------
    path
        A ``*.bin`` batch.

    Returns
    -------
    tuple of numpy.ndarray
        ``(images, labels)``.
    """
    data = read_bytes(path)
    if not data or len(data) % RECORD:
        raise DataError(
            f"{path}: truncated or not a CIFAR-10 batch: {len(data)} bytes is not a whole number of "
            f"{RECORD}-byte records"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0]
    bad = np.flatnonzero(labels >= 10)
    if len(bad):
        raise DataError(f"{path}: record {int(bad[0])} has label {int(labels[bad[0]])} (expected 0-9)")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _raw(paths: list[Path], names: list[str]) -> RawData:
    parts = [read_batch(p) for p in paths]
    x = torch.from_numpy(np.concatenate([p[0] for p in parts])).float().div_(255.0)
    y = torch.from_numpy(np.concatenate([p[1] for p in parts]).astype(np.int64))
    return RawData(x, y, "classification", names, channel_dim=0)


def load_cifar10(opts: dict[str, Any], seed: int) -> RawData:
    """The training batches (and ``test_batch.bin`` as the test split when present).

    Parameters
    ----------
    opts
        ``path`` (the folder, or one ``.bin`` batch) and ``use_test``.
    seed
        Unused.

    Returns
    -------
    RawData
        Images ``(3, 32, 32)`` in ``[0, 1]`` and labels.
    """
    path = existing(opts["path"])
    if path.is_file():
        return _raw([path], NAMES)
    train = sorted(path.glob("data_batch_*.bin"))
    if not train:
        raise DataError(f"{path}: no data_batch_*.bin files (CIFAR-10 binary version)")
    names = NAMES
    meta = path / "batches.meta.txt"
    if meta.is_file():
        found = [line.strip() for line in meta.read_text(errors="replace").splitlines() if line.strip()]
        names = found if len(found) == 10 else NAMES
    raw = _raw(train, names)
    test = path / "test_batch.bin"
    if opts["use_test"] and test.is_file():
        raw.test = _raw([test], names)
    return raw


DATASETS = [
    DatasetInfo(
        "cifar10",
        "CIFAR-10 (binary batches)",
        "classification",
        "32×32 colour images in 10 classes from the CIFAR-10 binary distribution",
        {
            "path": Option(None, "path", "Folder with data_batch_*.bin (or one .bin file)"),
            "use_test": Option(True, "bool", "Use test_batch.bin as the test split when present"),
        },
        load_cifar10,
        source="file",
    )
]
