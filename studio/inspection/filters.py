"""Convolution kernels as images, tile grids, and weight statistics per layer and over epochs.

Kernels are shown normalised for display, in one of two ways (see
:func:`studio.inspection.colormaps.normalise`):

* ``"symmetric"`` (default): ``w / (2 max|w|) + 0.5``, so a zero weight is
  mid-grey, positive weights are lighter and negative darker; the sign of a
  weight is what a filter detects, so this is the faithful view.
* ``"minmax"``: ``(w - min) / (max - min)``, full contrast, sign not visible.

The range is taken per filter (``scale="filter"``: every filter uses the full
contrast, jointly over its input channels so their relative strength shows) or
once for the whole layer (``scale="layer"``: filters compare with each other).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from studio.inspection.colormaps import normalise
from studio.inspection.hooks import InspectionError, Target, module_name, resolve_module

BINS = 32  # as studio.training.stats
_EPOCH_STATS = re.compile(r"epoch_(\d+)\.npz$")


def conv_layer_names(model: nn.Module) -> list[str]:
    """Dotted names of every convolution in ``model``, in module order."""
    return [name for name, m in model.named_modules() if isinstance(m, nn.modules.conv._ConvNd)]


def conv_module(model: nn.Module, target: Target | None = None) -> nn.Module:
    """The convolution ``target`` names; without a target ``model`` itself or its first convolution."""
    if target is not None:
        module = resolve_module(model, target)
    elif isinstance(model, nn.modules.conv._ConvNd):
        module = model
    else:
        names = conv_layer_names(model)
        if not names:
            raise InspectionError("the model has no convolution: no filters to show")
        module = model.get_submodule(names[0])
    if not isinstance(module, nn.modules.conv._ConvNd):
        name = target if isinstance(target, str) else module_name(model, module)
        raise InspectionError(f"{name!r} is a {type(module).__name__}, not a convolution: it has no filters")
    return module


def conv_filters(module_or_model: nn.Module, target: Target | None = None) -> np.ndarray:
    """The kernels of a convolution as float32 ``(out, in / groups, *kernel_size)``.

    Transposed convolutions store ``(in, out / groups, ...)``; they are returned
    in the same ``(out, in / groups, ...)`` order as the others.
    """
    module = conv_module(module_or_model, target)
    w = module.weight.detach().float().cpu().numpy()
    if module.transposed:
        g = module.groups
        w = w.reshape(g, w.shape[0] // g, *w.shape[1:]).swapaxes(1, 2)
        w = w.reshape(g * w.shape[1], w.shape[2], *w.shape[3:])
    return np.ascontiguousarray(w)


def kernels_2d(kernels: np.ndarray) -> np.ndarray:
    """``(out, in, kh, kw)`` for display: 1-D kernels become one row (kh = 1), a 3-D
    kernel's depth slices are laid side by side (kw = depth x width).
    """
    if kernels.ndim == 3:
        return kernels[:, :, None, :]
    if kernels.ndim == 5:
        o, i, d, h, w = kernels.shape
        return kernels.transpose(0, 1, 3, 2, 4).reshape(o, i, h, d * w)
    if kernels.ndim != 4:
        raise InspectionError(f"kernels of shape {kernels.shape} cannot be shown as images")
    return kernels


def _norm_axes(scale: str, ndim: int) -> tuple[int, ...] | None:
    if scale == "filter":
        return tuple(range(1, ndim))
    if scale == "layer":
        return None
    raise ValueError(f"unknown scale {scale!r}: use 'filter' or 'layer'")


def first_layer_tiles(
    module_or_model: nn.Module, target: Target | None = None, mode: str = "symmetric", scale: str = "filter"
) -> np.ndarray:
    """The kernels as tiles normalised to [0, 1] (float32).

    Returns ``(out, kh, kw, 3)`` RGB tiles when the layer has 3 input channels
    (channel order as the data's: R, G, B); ``(out, kh, kw)`` grey tiles with 1
    input channel; otherwise ``(out * in, kh, kw)`` grey tiles, filter-major
    (filter 0's channels first), each filter normalised jointly over its inputs.
    """
    w = kernels_2d(conv_filters(module_or_model, target))
    w = normalise(w, mode, axis=_norm_axes(scale, w.ndim))
    out, cin, kh, kw = w.shape
    if cin == 3:
        return np.ascontiguousarray(w.transpose(0, 2, 3, 1))
    return w.reshape(out * cin, kh, kw)


def kernel_grid(
    module_or_model: nn.Module,
    target: Target | None = None,
    mode: str = "symmetric",
    scale: str = "filter",
    max_filters: int = 64,
    max_channels: int = 64,
    padding: int = 1,
    fill: float = np.nan,
) -> np.ndarray:
    """One grey image of a layer's kernels per input channel: row r = filter r, column c = input c.

    Only the first ``max_filters`` filters and ``max_channels`` inputs are shown
    (a 512 x 512 layer would be 262,144 tiles); normalisation uses all of a
    filter's shown channels. Gaps are ``fill`` (NaN: transparent once coloured).
    """
    w = kernels_2d(conv_filters(module_or_model, target))[:max_filters, :max_channels]
    w = normalise(w, mode, axis=_norm_axes(scale, w.ndim))
    out, cin, kh, kw = w.shape
    return tile_grid(w.reshape(out * cin, kh, kw), padding=padding, columns=cin, fill=fill)


def tile_grid(maps: Any, padding: int = 1, columns: int | None = None, fill: float = 0.0) -> np.ndarray:
    """Lay ``K`` maps out in a grid, row by row: one ``(rows*(H+p)-p, cols*(W+p)-p[, C])`` image.

    Parameters
    ----------
    maps
        ``(K, H, W)`` or ``(K, H, W, C)`` (C = 3 or 4 for colour tiles).
    padding
        Pixels of ``fill`` between tiles (none around the border).
    columns
        Tiles per row; default ``ceil(sqrt(K))`` (a square-ish grid).
    fill
        Value of the gaps and of the unused cells of the last row.

    Returns
    -------
    numpy.ndarray
        A contiguous array of ``maps``' dtype (float maps keep NaN fills).
    """
    maps = np.asarray(maps)
    if maps.ndim not in (3, 4) or maps.shape[0] == 0:
        raise InspectionError(f"tile_grid needs (K, H, W) or (K, H, W, C) maps, got shape {maps.shape}")
    k, h, w = maps.shape[:3]
    extra = maps.shape[3:]
    cols = max(1, min(k, columns or math.ceil(math.sqrt(k))))
    rows = math.ceil(k / cols)
    p = max(0, int(padding))
    # A (rows, H+p, cols, W+p, ...) canvas viewed as the image; each block copy is one numpy op.
    canvas = np.full((rows, h + p, cols, w + p, *extra), fill, dtype=maps.dtype)
    full = k // cols
    if full:
        block = maps[: full * cols].reshape(full, cols, h, w, *extra)
        canvas[:full, :h, :, :w] = block.swapaxes(1, 2)
    rest = k - full * cols
    if rest:
        canvas[full, :h, :rest, :w] = maps[full * cols :].swapaxes(0, 1)
    image = canvas.reshape(rows * (h + p), cols * (w + p), *extra)
    return np.ascontiguousarray(image[: rows * (h + p) - p, : cols * (w + p) - p])


@dataclass(frozen=True)
class WeightStats:
    """One parameter tensor: its L2 norm, mean, std and a histogram of ``BINS`` bins over [min, max]."""

    name: str
    shape: tuple[int, ...]
    norm: float
    mean: float
    std: float
    hist: np.ndarray
    edges: np.ndarray

    @property
    def node(self) -> str:
        """The node (submodule) owning it: ``conv2d_1.weight`` -> ``conv2d_1``."""
        return self.name.rpartition(".")[0]


def histogram(values: Any, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """Counts (int64) and edges (float32) over [min, max] of the finite values, as the run's stats files."""
    v = np.asarray(values, dtype=np.float32).ravel()
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    if hi <= lo:
        hi = lo + max(abs(lo), 1.0) * 1e-6  # a constant tensor: one narrow bin holds it
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return counts.astype(np.int64), edges.astype(np.float32)


def weight_stats(model: nn.Module, bins: int = BINS, biases: bool = True) -> dict[str, WeightStats]:
    """Statistics of every parameter of ``model`` now, keyed by state-dict name (``conv2d_1.weight``)."""
    out: dict[str, WeightStats] = {}
    for name, p in model.named_parameters():
        if not biases and name.endswith("bias"):
            continue
        v = p.detach().float().cpu().numpy()
        hist, edges = histogram(v, bins)
        std = float(v.std()) if v.size > 1 else 0.0
        out[name] = WeightStats(
            name, tuple(v.shape), float(np.linalg.norm(v)), float(v.mean()), std, hist, edges
        )
    return out


@dataclass(frozen=True)
class WeightSeries:
    """One parameter over a run's epochs: ``norms[i]``, ``hists[i]`` and ``edges[i]`` at ``epochs[i]``.

    Each epoch's histogram has its own range ([min, max] that epoch); use
    :meth:`common_histograms` for one shared axis (a heatmap over epochs).
    """

    name: str
    epochs: np.ndarray
    norms: np.ndarray
    hists: np.ndarray
    edges: np.ndarray

    @property
    def node(self) -> str:
        """The node owning the parameter."""
        return self.name.rpartition(".")[0]

    def common_histograms(self, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
        """``(edges (bins+1,), counts (epochs, bins))`` re-binned onto the range of all epochs.

        Counts are spread assuming values uniform inside each original bin, so
        every row keeps its total.
        """
        lo, hi = float(np.nanmin(self.edges)), float(np.nanmax(self.edges))
        if hi <= lo:
            hi = lo + 1.0
        new_edges = np.linspace(lo, hi, bins + 1)
        counts = np.stack([rebin(h, e, new_edges) for h, e in zip(self.hists, self.edges, strict=True)])
        return new_edges, counts


def rebin(hist: np.ndarray, edges: np.ndarray, new_edges: np.ndarray) -> np.ndarray:
    """Counts of ``hist`` (over ``edges``) redistributed over ``new_edges`` (float64, same total inside)."""
    edges = np.asarray(edges, dtype=np.float64)
    cdf = np.concatenate([[0.0], np.cumsum(hist, dtype=np.float64)])
    new_edges = np.asarray(new_edges, dtype=np.float64)
    if not np.all(np.diff(edges) > 0):  # a degenerate range: all mass at one point
        out = np.zeros(len(new_edges) - 1)
        if new_edges[0] <= edges[0] <= new_edges[-1]:
            out[min(np.searchsorted(new_edges, edges[0], side="right") - 1, len(out) - 1)] = cdf[-1]
        return out
    return np.diff(np.interp(new_edges, edges, cdf))


def stats_files(run_dir: str | Path) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of a run's ``stats/epoch_NNN.npz`` files, in epoch order."""
    folder = Path(run_dir) / "stats"
    found = []
    for path in folder.glob("epoch_*.npz") if folder.is_dir() else ():
        match = _EPOCH_STATS.search(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def weight_history(run_dir: str | Path, kind: str = "weight") -> dict[str, WeightSeries]:
    """Norms and histograms of every parameter across a run's epochs, from ``stats/epoch_NNN.npz``.

    Parameters
    ----------
    run_dir
        A run directory (see :mod:`studio.training.rundir`).
    kind
        ``"weight"`` or ``"grad"`` (the gradients on the run's fixed batch).

    Returns
    -------
    dict[str, WeightSeries]
        Keyed by parameter name, in the order the files list them. A parameter
        missing from some epochs' files has only the epochs that hold it.

    Raises
    ------
    InspectionError
        If the run has no statistics (trained with ``stats_every = 0``).
    """
    if kind not in ("weight", "grad"):
        raise ValueError(f"unknown kind {kind!r}: use 'weight' or 'grad'")
    files = stats_files(run_dir)
    if not files:
        raise InspectionError(
            f"{run_dir}: no stats/epoch_NNN.npz (was the run trained with stats_every = 0?)"
        )
    rows: dict[str, list[tuple[int, float, np.ndarray, np.ndarray]]] = {}
    for epoch, path in files:
        with np.load(path, allow_pickle=False) as data:
            for key in data.files:
                prefix, _, rest = key.partition("/")
                if prefix != kind or not rest.endswith("/norm"):
                    continue
                name = rest[: -len("/norm")]
                hist_key, edges_key = f"{kind}/{name}/hist", f"{kind}/{name}/edges"
                if hist_key in data.files and edges_key in data.files:
                    rows.setdefault(name, []).append(
                        (epoch, float(data[key]), data[hist_key], data[edges_key])
                    )
    return {
        name: WeightSeries(
            name,
            np.array([r[0] for r in series], dtype=np.int64),
            np.array([r[1] for r in series], dtype=np.float64),
            np.stack([r[2] for r in series]).astype(np.int64),
            np.stack([r[3] for r in series]).astype(np.float64),
        )
        for name, series in rows.items()
    }
