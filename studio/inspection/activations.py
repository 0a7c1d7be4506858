"""Feature maps of a node, per-channel statistics, histograms, dead and saturated units.

Definitions (the same as :mod:`studio.training.stats`, which writes them to a
run's ``stats/epoch_NNN.npz``):

* A *unit* is one channel of a ``(N, C, ...)`` output (all its positions
  together) or one feature of an ``(N, F)`` output.
* **Dead fraction**: the fraction of units that are never positive, for any
  sample of the batch at any position (``max <= 0``). On a ReLU output this is
  "always exactly zero", the training statistics' ``dead_fraction``; on other
  outputs it still says "this unit never passes anything through a following
  ReLU".
* **Saturation fraction**: the fraction of *values* (all samples, units and
  positions) within ``margin`` (2 %) of the output range of a bounded
  activation — [0, 1] for sigmoid/hard-sigmoid, [-1, 1] for tanh/softsign,
  [min_val, max_val] for hardtanh — where its gradient vanishes; for ReLU
  (ReLU6 too) the fraction of exact zeros, where its gradient is zero.
* **Zero fraction** (sparsity): the fraction of values exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.colormaps import NAN_RGBA, apply_colormap, normalise, to_numpy
from studio.inspection.filters import tile_grid
from studio.inspection.hooks import InspectionError, Target, capture_activations

SATURATION_MARGIN = 0.02  # of the output range, as studio.training.stats
_BOUNDS: dict[str, tuple[float, float]] = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
_KINDS: tuple[tuple[type[nn.Module], str], ...] = (
    (nn.Sigmoid, "sigmoid"),
    (nn.Hardsigmoid, "sigmoid"),
    (nn.Tanh, "tanh"),
    (nn.Softsign, "tanh"),
    (nn.Hardtanh, "hardtanh"),  # before ReLU6, which is a Hardtanh(0, 6)
    (nn.ReLU, "relu"),
)


def batch_size(x: Any) -> int:
    """Samples in a batch (a tensor, or a tuple whose first item is one)."""
    first = x[0] if isinstance(x, (tuple, list)) else x
    return int(first.shape[0])


def feature_maps(model: nn.Module, x: Any, node: Target, sample: int = 0) -> np.ndarray:
    """What ``node`` outputs for sample ``sample`` of batch ``x`` (float32 numpy, batch axis removed).

    The whole batch is run (batch-norm in training mode mixes samples), in the
    model's current mode: call ``model.eval()`` first for inference behaviour.
    Shapes: ``(C, H, W)`` for images, ``(F,)`` for vectors, ``(C, L)`` for 1-D
    signals, ``(T, E)`` for sequences; :func:`as_maps` turns any of them into
    ``(K, H, W)`` for a tile grid.
    """
    n = batch_size(x)
    if not -n <= sample < n:
        raise InspectionError(f"sample {sample} is not in the batch of {n}")
    out = next(iter(capture_activations(model, x, [node]).values()))
    if out.dim() == 0 or out.shape[0] != n:
        raise InspectionError(f"the output of {node!r} has shape {tuple(out.shape)}, no batch axis of {n}")
    return to_numpy(out[sample])


def as_maps(activation: Any) -> np.ndarray:
    """One sample's activation as ``(K, H, W)`` maps: images as they are, ``(C, L)`` as C rows of
    1 x L, a vector as one 1 x F row, ``(C, D, H, W)`` as C*D maps.
    """
    a = to_numpy(activation)
    if a.ndim == 3:
        return a
    if a.ndim == 2:
        return a[:, None, :]
    if a.ndim == 1:
        return a[None, None, :]
    if a.ndim == 4:
        return a.reshape(-1, *a.shape[2:])
    raise InspectionError(f"an activation of shape {a.shape} cannot be shown as maps")


def activation_grid(
    maps: Any,
    cmap: str = "viridis",
    mode: str = "minmax",
    per_map: bool = True,
    padding: int = 1,
    columns: int | None = None,
    gap_rgba: tuple[int, int, int, int] = NAN_RGBA,
) -> np.ndarray:
    """``(K, H, W)`` maps as one RGBA uint8 image ``(rows*(H+p)-p, cols*(W+p)-p, 4)``, ready to show.

    Each map is normalised on its own (``per_map``; else one range for all, so
    maps compare) with ``mode`` (see :func:`~studio.inspection.colormaps.normalise`),
    coloured with ``cmap`` and laid out by :func:`~studio.inspection.filters.tile_grid`;
    gaps are ``gap_rgba`` (transparent). Colours are tiled as packed 32-bit
    pixels, so the grid is copied once, not once per channel.
    """
    m = as_maps(maps)
    norm = normalise(m, mode, axis=(1, 2) if per_map else None)
    packed = apply_colormap(norm, cmap).view(np.uint32)[..., 0]
    gap = np.asarray(gap_rgba, dtype=np.uint8).view(np.uint32)[0]
    image = tile_grid(packed, padding=padding, columns=columns, fill=gap)
    return image.view(np.uint8).reshape(*image.shape, 4)


def _units(values: Any, axis: int) -> np.ndarray:
    """``values`` as ``(units, everything else)``."""
    v = to_numpy(values)
    if v.ndim == 0:
        raise InspectionError("a scalar has no channels")
    return np.moveaxis(v, axis, 0).reshape(v.shape[axis], -1)


@dataclass(frozen=True)
class ChannelStats:
    """Per-channel statistics, each of shape ``(C,)``; ``std`` is the population std (ddof 0)."""

    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    max: np.ndarray
    zero_fraction: np.ndarray

    def __len__(self) -> int:
        return len(self.mean)


def channel_stats(values: Any, axis: int = 0) -> ChannelStats:
    """Mean, std, min, max and fraction of exact zeros of each channel along ``axis``.

    Every other axis is pooled: ``axis=0`` for one sample's ``(C, H, W)`` (from
    :func:`feature_maps`), ``axis=1`` for a batch ``(N, C, H, W)``.
    """
    u = _units(values, axis).astype(np.float64)
    return ChannelStats(u.mean(axis=1), u.std(axis=1), u.min(axis=1), u.max(axis=1), (u == 0).mean(axis=1))


def activation_histogram(values: Any, bins: int = 32, range: tuple[float, float] | None = None):  # noqa: A002
    """``(counts int64, edges float32)`` of the finite values over ``range`` (default [min, max])."""
    v = to_numpy(values).ravel()
    v = v[np.isfinite(v)]
    if range is None:
        lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
        range = (lo, hi if hi > lo else lo + max(abs(lo), 1.0) * 1e-6)
    counts, edges = np.histogram(v, bins=bins, range=range)
    return counts.astype(np.int64), edges.astype(np.float32)


def dead_units(values: Any, axis: int = 1) -> np.ndarray:
    """Boolean ``(units,)``: True where the unit along ``axis`` is never positive in the batch."""
    return ~(_units(values, axis) > 0).any(axis=1)


def dead_fraction(values: Any, axis: int = 1) -> float:
    """Fraction of units (channels or features along ``axis``) never positive over the batch."""
    return float(dead_units(values, axis).mean())


def activation_kind(module: nn.Module) -> str | None:
    """``"sigmoid"``, ``"tanh"``, ``"hardtanh"`` or ``"relu"`` for a saturating activation, else None."""
    for cls, kind in _KINDS:
        if isinstance(module, cls):
            if kind == "hardtanh" and isinstance(module, nn.ReLU6):
                return "relu"
            return kind
    return None


def output_bounds(kind: str | nn.Module) -> tuple[float, float]:
    """The output range ``(lo, hi)`` of a bounded activation (a kind name or module)."""
    if isinstance(kind, nn.Hardtanh) and not isinstance(kind, nn.ReLU6):
        return float(kind.min_val), float(kind.max_val)
    name = activation_kind(kind) if isinstance(kind, nn.Module) else kind
    name = "tanh" if name == "hardtanh" else name
    if name not in _BOUNDS:
        raise InspectionError(f"{kind!r} has no bounded output range")
    return _BOUNDS[name]


def saturation_fraction(values: Any, kind: str | nn.Module, margin: float = SATURATION_MARGIN) -> float:
    """Fraction of values where the activation ``kind`` saturates (see the module docstring).

    ``kind`` is ``"sigmoid"``, ``"tanh"``, ``"hardtanh"``, ``"relu"`` or the activation module.
    """
    name = activation_kind(kind) if isinstance(kind, nn.Module) else kind
    v = to_numpy(values)
    if v.size == 0:
        return 0.0
    if name == "relu":
        return float((v == 0).mean())
    if name is None or (name not in _BOUNDS and name != "hardtanh"):
        raise InspectionError(
            f"{type(kind).__name__ if isinstance(kind, nn.Module) else kind!r} does not saturate"
        )
    lo, hi = output_bounds(kind)
    m = margin * (hi - lo)
    return float(((v <= lo + m) | (v >= hi - m)).mean())


def unit_summary(values: torch.Tensor | np.ndarray, module: nn.Module | None = None) -> dict[str, float]:
    """A batch output's ``zero_fraction``, ``dead_fraction`` (needs a unit axis) and, for a
    saturating activation ``module``, ``saturated_fraction``.
    """
    v = to_numpy(values)
    out = {"zero_fraction": float((v == 0).mean()) if v.size else 0.0}
    if v.ndim >= 2:
        out["dead_fraction"] = dead_fraction(v, axis=1)
    if module is not None and activation_kind(module) is not None:
        out["saturated_fraction"] = saturation_fraction(v, module)
    return out
