"""Two-dimensional toy classification sets: XOR, moons, circles, spirals, blobs."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError
from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData


def _xor(n: int, noise: float, rng: np.random.Generator, _opts: dict) -> tuple[np.ndarray, np.ndarray]:
    signs = rng.choice([-1.0, 1.0], size=(n, 2))
    x = signs * 0.5 + rng.normal(0, noise, (n, 2))
    return x, (signs[:, 0] != signs[:, 1]).astype(np.int64)


def _moons(n: int, noise: float, rng: np.random.Generator, _opts: dict) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    return make_moons(n, noise=noise, random_state=int(rng.integers(2**31)))


def _circles(n: int, noise: float, rng: np.random.Generator, opts: dict) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_circles

    if opts.get("factor", 0.5) >= 1:
        raise DataError(f"dataset 'circles' option 'factor' must be below 1, got {opts['factor']!r}")
    return make_circles(n, noise=noise, factor=opts.get("factor", 0.5), random_state=int(rng.integers(2**31)))


def _spirals(n: int, noise: float, rng: np.random.Generator, opts: dict) -> tuple[np.ndarray, np.ndarray]:
    k = opts.get("classes", 2)
    y = np.arange(n) % k
    t = rng.uniform(0.0, 1.0, n)
    r = 0.1 + 0.9 * t
    angle = 3 * np.pi * t + 2 * np.pi * y / k
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], 1) + rng.normal(0, noise, (n, 2))
    return x, y


def _blobs(n: int, noise: float, rng: np.random.Generator, opts: dict) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_blobs

    return make_blobs(
        n, centers=opts.get("classes", 3), cluster_std=noise, random_state=int(rng.integers(2**31))
    )


_MAKERS = {"xor": _xor, "moons": _moons, "circles": _circles, "spirals": _spirals, "blobs": _blobs}


def make_toy(name: str, opts: dict[str, Any], seed: int) -> RawData:
    """Generate one 2-D set: ``x`` float ``(N, 2)``, ``y`` class indices.

    Parameters
    ----------
    name
        ``xor``, ``moons``, ``circles``, ``spirals`` or ``blobs``.
    opts
        ``n_samples``, ``noise`` and, where declared, ``classes`` / ``factor``.
    seed
        Generation seed.

    Returns
    -------
    RawData
        The samples.
    """
    rng = np.random.default_rng(seed)
    x, y = _MAKERS[name](opts["n_samples"], opts["noise"], rng, opts)
    k = int(y.max()) + 1
    return RawData(
        torch.as_tensor(x, dtype=torch.float32),
        torch.as_tensor(y, dtype=torch.long),
        "classification",
        [str(i) for i in range(k)],
        channel_dim=0,
    )


def _info(name: str, title: str, description: str, noise: float, **more: Option) -> DatasetInfo:
    opts = {
        "n_samples": Option(500, "int", "Number of points", minimum=4),
        "noise": Option(noise, "float", "Standard deviation of the Gaussian noise", minimum=0),
        **more,
    }
    return DatasetInfo(name, title, "classification", description, opts, lambda o, s: make_toy(name, o, s))


_CLASSES = Option(2, "int", "Number of classes", minimum=2)
DATASETS = [
    _info("xor", "XOR", "Four noisy clusters; the class is the XOR of the coordinate signs", 0.15),
    _info("moons", "Two moons", "Two interleaving half circles (scikit-learn make_moons)", 0.1),
    _info(
        "circles",
        "Circles",
        "A small circle inside a large one (scikit-learn make_circles)",
        0.05,
        factor=Option(0.5, "float", "Inner radius / outer radius", minimum=0.01),
    ),
    _info("spirals", "Spirals", "Interleaved Archimedean spiral arms, one per class", 0.03, classes=_CLASSES),
    _info(
        "blobs",
        "Gaussian blobs",
        "Isotropic Gaussian clusters, one per class (scikit-learn make_blobs)",
        1.0,
        classes=Option(3, "int", "Number of classes", minimum=2),
    ),
]
