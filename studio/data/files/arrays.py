"""NumPy files: ``.npz`` with inputs and targets, or ``.npy`` inputs (+ optional targets file).

Layout of the inputs: ``(N, F)`` feature vectors, ``(N, H, W)`` greyscale images
(a channel axis is added), ``(N, C, H, W)`` images, or with ``layout``
``"sequences"`` ``(N, T, C)``. ``uint8`` inputs are divided by 255. A ``.npy``
without a targets file is an unsupervised set: the target is the input
(reconstruction).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError
from studio.data.files.common import existing
from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData


def _load(path: Path) -> Any:
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise DataError(f"{path}: unsupported array ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a readable .npy/.npz file ({exc})") from None


def _member(path: Path, archive: Any, key: str) -> np.ndarray:
    if key not in archive.files:
        raise DataError(f"{path}: no array {key!r} (arrays: {', '.join(archive.files) or 'none'})")
    try:
        return archive[key]
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path}: array {key!r} is unreadable ({exc})") from None


def _inputs(path: Path, x: np.ndarray, layout: str) -> tuple[torch.Tensor, int]:
    if x.dtype.kind not in "biuf" or x.ndim < 2:
        raise DataError(f"{path}: inputs must be a numeric array (N, ...), got {x.dtype} {x.shape}")
    t = torch.from_numpy(np.ascontiguousarray(x)).float()
    if x.dtype == np.uint8:
        t = t / 255.0
    if layout == "sequences":
        if t.dim() != 3:
            raise DataError(f"{path}: sequences must be (N, T, C), got {tuple(x.shape)}")
        return t, 1
    if t.dim() == 3:
        t = t.unsqueeze(1)
    return t, 0


def _targets(path: Path, y: np.ndarray, n: int, task: str) -> tuple[torch.Tensor, str, list[str]]:
    if y.shape[:1] != (n,):
        raise DataError(f"{path}: {y.shape[0] if y.ndim else 0} targets for {n} inputs")
    if task == "auto":
        task = "classification" if y.dtype.kind in "biu" and y.ndim == 1 else "regression"
    if task == "classification":
        if y.dtype.kind not in "biu" or y.ndim != 1 or (n and y.min() < 0):
            raise DataError(
                f"{path}: class targets must be integers >= 0 of shape (N,), got {y.dtype} {y.shape}"
            )
        k = int(y.max()) + 1 if n else 0
        return torch.from_numpy(y.astype(np.int64)), task, [str(i) for i in range(k)]
    if y.dtype.kind not in "biuf":
        raise DataError(f"{path}: regression targets must be numeric, got {y.dtype}")
    t = torch.from_numpy(np.ascontiguousarray(y)).float()
    return (t.unsqueeze(1) if t.dim() == 1 else t), "regression", []


def load_arrays(opts: dict[str, Any], seed: int) -> RawData:
    """Inputs and targets from ``.npz`` keys, or a ``.npy`` plus optional targets ``.npy``.

    Parameters
    ----------
    opts
        ``path``, ``x_key``, ``y_key``, ``targets``, ``task``, ``layout``.
    seed
        Unused.

    Returns
    -------
    RawData
        The arrays as tensors.
    """
    path = existing(opts["path"], "file")
    data = _load(path)
    task = opts["task"]
    if isinstance(data, np.ndarray):
        x_np, y_np, y_path = data, None, path
        if opts["targets"]:
            y_path = existing(opts["targets"], "file")
            y_np = _load(y_path)
            if not isinstance(y_np, np.ndarray):
                raise DataError(f"{y_path}: expected a .npy array of targets, got an .npz archive")
    else:
        with data:
            x_np = _member(path, data, opts["x_key"])
            y_np = (
                _member(path, data, opts["y_key"])
                if opts["y_key"] in data.files or task != "reconstruction"
                else None
            )
        y_path = path
    x, cd = _inputs(path, x_np, opts["layout"])
    if y_np is None or task == "reconstruction":
        return RawData(x, x, "reconstruction", channel_dim=cd)
    y, task, names = _targets(y_path, y_np, x.shape[0], task)
    return RawData(x, y, task, names, channel_dim=cd)


DATASETS = [
    DatasetInfo(
        "npz",
        "NumPy arrays (.npz / .npy)",
        "classification",
        "Inputs and targets from an .npz archive, or an .npy of inputs with an optional targets .npy",
        {
            "path": Option(None, "path", "The .npz or .npy file"),
            "x_key": Option("x", "str", "Name of the inputs in an .npz"),
            "y_key": Option("y", "str", "Name of the targets in an .npz"),
            "targets": Option(None, "path", "An .npy of targets for an .npy of inputs", optional=True),
            "task": Option(
                "auto",
                "str",
                "auto: integer targets classify, float targets regress; no targets: reconstruction",
                choices=("auto", "classification", "regression", "reconstruction"),
            ),
            "layout": Option(
                "auto",
                "str",
                "Inputs: auto (vectors/images) or sequences (N, T, C)",
                choices=("auto", "sequences"),
            ),
        },
        load_arrays,
        source="file",
    )
]
