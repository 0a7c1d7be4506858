"""Seeded, stratified train / validation / test splits and normalisation statistics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from studio.data.bundle import DataError

SPLIT_DEFAULTS = {"val": 0.1, "test": 0.2, "stratify": True}


def parse_split(config: Any) -> dict[str, Any]:
    """Validate the ``"split"`` section of a data config.

    Parameters
    ----------
    config
        ``{"val": 0.1, "test": 0.2, "stratify": true}`` or None (the defaults).

    Returns
    -------
    dict
        The complete split settings.
    """
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise DataError(f"split must be an object like {{'val': 0.1, 'test': 0.2}}, got {config!r}")
    unknown = sorted(set(config) - set(SPLIT_DEFAULTS))
    if unknown:
        raise DataError(f"unknown split option {unknown[0]!r} (known: val, test, stratify)")
    out = dict(SPLIT_DEFAULTS, **config)
    for key in ("val", "test"):
        value = out[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise DataError(f"split {key} must be a fraction in [0, 1), got {value!r}")
        out[key] = float(value)
    if out["val"] + out["test"] >= 1:
        raise DataError(f"split val + test must be below 1, got {out['val'] + out['test']:g}")
    out["stratify"] = bool(out["stratify"])
    return out


def _allocate(total: int, sizes: np.ndarray, caps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Share ``total`` among groups in proportion to ``sizes`` (largest remainder, within ``caps``)."""
    ideal = total * sizes / max(int(sizes.sum()), 1)
    out = np.minimum(np.floor(ideal).astype(np.int64), caps)
    order = np.lexsort((rng.permutation(len(sizes)), -(ideal - np.floor(ideal))))
    left = total - int(out.sum())
    while left > 0:
        progressed = False
        for g in order:
            if left and out[g] < caps[g]:
                out[g] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return out


def split_indices(
    n: int, val: float, test: float, seed: int, labels: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Indices of the train / validation / test samples.

    The test split has ``ceil(test * n)`` samples and the validation split
    ``ceil(val * n)`` (scikit-learn's rounding: 360 of the 1,797 digits for 0.2).
    With ``labels`` every class is shared in proportion (largest remainder).
    The result depends only on ``n``, the fractions, ``labels`` and ``seed``.

    Parameters
    ----------
    n
        Number of samples.
    val, test
        Fractions of the samples for validation and test.
    seed
        Seed of the permutation.
    labels
        Class index per sample for a stratified split, or None.

    Returns
    -------
    tuple of torch.Tensor
        Sorted long index tensors ``(train, val, test)``.
    """
    rng = np.random.default_rng(seed)
    n_test = math.ceil(test * n - 1e-9) if test > 0 else 0
    n_val = math.ceil(val * n - 1e-9) if val > 0 else 0
    if n - n_test - n_val < 1:
        raise DataError(f"split leaves no training samples ({n} samples, val {val:g}, test {test:g})")
    groups = np.zeros(n, dtype=np.int64) if labels is None else labels.reshape(n).cpu().numpy()
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    sizes = np.array([len(m) for m in members], dtype=np.int64)
    t_counts = _allocate(n_test, sizes, sizes, rng)
    v_counts = _allocate(n_val, sizes, sizes - t_counts, rng)
    parts: tuple[list, list, list] = ([], [], [])
    for idx, t, v in zip(members, t_counts, v_counts, strict=True):
        idx = rng.permutation(idx)
        parts[2].append(idx[:t])
        parts[1].append(idx[t : t + v])
        parts[0].append(idx[t + v :])
    return tuple(torch.from_numpy(np.sort(np.concatenate(p))).long() for p in parts)


def channel_stats(x: torch.Tensor, channel_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation per channel over samples and all other axes.

    Parameters
    ----------
    x
        Float tensor ``(N, ...)``.
    channel_dim
        Per-sample axis of the channels (0 for ``(C, H, W)``).

    Returns
    -------
    tuple of torch.Tensor
        ``(mean, std)``, each of shape ``(C,)``; a constant channel gets std 1.
    """
    axis = channel_dim + 1
    means, stds = [], []
    for c in range(x.shape[axis]):
        column = x.select(axis, c)
        column = column.double() if column.numel() < 20_000_000 else column.float()
        std, mean = torch.std_mean(column, correction=0) if column.numel() else (1.0, 0.0)
        means.append(float(mean))
        stds.append(float(std) if float(std) > 1e-12 else 1.0)
    return torch.tensor(means), torch.tensor(stds)


def normalize(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor, channel_dim: int) -> torch.Tensor:
    """``(x - mean) / std`` per channel.

    Parameters
    ----------
    x
        Float tensor ``(N, ...)``.
    mean, std
        Per-channel statistics ``(C,)``.
    channel_dim
        Per-sample axis of the channels.

    Returns
    -------
    torch.Tensor
        Normalised float32 tensor of the same shape.
    """
    shape = [1] * x.dim()
    shape[channel_dim + 1] = -1
    return ((x - mean.view(shape).to(x.dtype)) / std.view(shape).to(x.dtype)).float()
