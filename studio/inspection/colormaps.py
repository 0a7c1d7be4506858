"""Colour maps as numpy lookup tables, normalisation and legends (no Qt, no matplotlib).

A colour map is a ``(256, 4)`` uint8 RGBA table: :func:`apply_colormap` turns
an array normalised to [0, 1] into RGBA pixels with one table lookup, which is
what the activation grid and the canvas node colouring need to stay fast.

``viridis`` is interpolated from nine samples of matplotlib's viridis
(perceptually uniform, readable in grey and by most colour-blind readers);
``diverging`` is ColorBrewer's RdBu reversed (blue < 0.5 = white < red), for
signed data normalised symmetrically so that zero is white; ``grey`` is black
to white.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

LUT_SIZE = 256

_ANCHORS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "viridis": (
        (68, 1, 84),
        (71, 44, 122),
        (59, 82, 139),
        (44, 113, 142),
        (33, 145, 140),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ),
    "diverging": (
        (33, 102, 172),
        (103, 169, 207),
        (209, 229, 240),
        (247, 247, 247),
        (253, 219, 199),
        (239, 138, 98),
        (178, 24, 43),
    ),
    "grey": ((0, 0, 0), (255, 255, 255)),
}
COLORMAPS = tuple(_ANCHORS)
NAN_RGBA = (0, 0, 0, 0)  # missing values (tile padding filled with NaN) are transparent


@functools.cache
def lut(name: str = "viridis") -> np.ndarray:
    """The ``(256, 4)`` uint8 RGBA table of colour map ``name`` (read-only, cached).

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`COLORMAPS`.
    """
    if name not in _ANCHORS:
        raise ValueError(f"unknown colour map {name!r}: use one of {', '.join(COLORMAPS)}")
    anchors = np.asarray(_ANCHORS[name], dtype=np.float64)
    at = np.linspace(0.0, 1.0, len(anchors))
    x = np.linspace(0.0, 1.0, LUT_SIZE)
    table = np.empty((LUT_SIZE, 4), dtype=np.uint8)
    for channel in range(3):
        table[:, channel] = np.rint(np.interp(x, at, anchors[:, channel]))
    table[:, 3] = 255
    table.flags.writeable = False
    return table


def to_numpy(values: Any) -> np.ndarray:
    """``values`` (a tensor, array or sequence) as a float32 numpy array on the CPU."""
    if hasattr(values, "detach"):
        values = values.detach().float().cpu().numpy()
    return np.asarray(values, dtype=np.float32)


def normalise(
    values: Any,
    mode: str = "minmax",
    axis: int | tuple[int, ...] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> np.ndarray:
    """``values`` mapped to [0, 1] (float32) for display; NaN stays NaN.

    Parameters
    ----------
    values
        Any array or tensor.
    mode
        ``"minmax"``: ``(v - min) / (max - min)``, so the smallest value is 0 and
        the largest 1 (a constant array maps to 0). ``"symmetric"``:
        ``v / (2 max|v|) + 0.5``, so zero is 0.5 and the sign stays readable
        (the right mode for weights and the diverging map; all-zero maps to 0.5).
    axis
        Axes the minimum/maximum are taken over; the others index independent
        groups, e.g. ``axis=(1, 2)`` normalises each map of a ``(K, H, W)`` stack
        on its own. None: one range for the whole array.
    vmin, vmax
        A fixed range instead of the data's (``"minmax"``; for ``"symmetric"``
        ``max(|vmin|, |vmax|)`` is the half-range).
    """
    v = to_numpy(values)
    finite = np.isfinite(v)
    has_bad = not finite.all()
    # Non-finite values must not decide the range; they come back as NaN.
    if mode == "minmax":
        lo = np.float32(vmin) if vmin is not None else _reduce(v, finite, has_bad, np.inf, np.min, axis)
        hi = np.float32(vmax) if vmax is not None else _reduce(v, finite, has_bad, -np.inf, np.max, axis)
        scale = _inverse(np.asarray(hi - lo, dtype=np.float32))
        offset = -lo * scale  # a constant group (scale 0) maps to 0
    elif mode == "symmetric":
        if vmin is not None or vmax is not None:
            half = np.float32(max(abs(vmin or 0.0), abs(vmax or 0.0)))
        else:
            half = _reduce(np.abs(v), finite, has_bad, 0.0, np.max, axis)
        scale = _inverse(np.asarray(2 * half, dtype=np.float32))
        offset = np.float32(0.5)  # an all-zero group maps to 0.5
    else:
        raise ValueError(f"unknown normalisation {mode!r}: use 'minmax' or 'symmetric'")
    with np.errstate(invalid="ignore"):  # inf * 0 in groups without finite values; masked below
        out = v * scale
        out += offset
    np.clip(out, 0, 1, out=out)
    if has_bad:
        out[~finite] = np.nan
    return out.astype(np.float32, copy=False)


def _reduce(
    v: np.ndarray, finite: np.ndarray, has_bad: bool, neutral: float, fn: Any, axis: Any
) -> np.ndarray:
    """``fn`` (min or max) over ``axis`` of the finite values (keepdims; ``neutral`` where none)."""
    src = np.where(finite, v, np.float32(neutral)) if has_bad else v
    return fn(src, axis=axis, keepdims=True).astype(np.float32)


def _inverse(span: np.ndarray) -> np.ndarray:
    """``1 / span`` where ``span`` is a positive finite number, else 0."""
    ok = np.isfinite(span) & (span > 0)
    return np.divide(np.float32(1), span, out=np.zeros_like(span), where=ok)


def apply_colormap(
    normalised: Any, cmap: str = "viridis", nan_rgba: tuple[int, ...] = NAN_RGBA
) -> np.ndarray:
    """RGBA pixels (uint8, shape ``(..., 4)``) of an array normalised to [0, 1].

    Values outside [0, 1] are clipped; NaN becomes ``nan_rgba`` (transparent by
    default). One table lookup: no per-pixel Python.
    """
    v = np.asarray(normalised, dtype=np.float32)
    nan = np.isnan(v)
    with np.errstate(invalid="ignore"):  # NaN casts to some index; those pixels are overwritten below
        index = (np.clip(v, 0, 1) * np.float32(LUT_SIZE - 1) + np.float32(0.5)).astype(np.uint8)
    # One 32-bit word per colour: a 1-D take is ~7x faster than indexing a (256, 4) table.
    rgba = np.take(_packed(cmap), index).view(np.uint8).reshape(*v.shape, 4)
    if nan.any():
        rgba[nan] = nan_rgba
    return rgba


@functools.cache
def _packed(name: str) -> np.ndarray:
    """``lut(name)`` with each RGBA row as one uint32 (same bytes, read-only)."""
    return lut(name).view(np.uint32).ravel()


@dataclass(frozen=True)
class Legend:
    """Value bins and their colours: ``colours[i]`` for ``edges[i] <= value < edges[i + 1]``.

    ``log`` bins are equal on a log10 scale (parameter counts span decades).
    Non-finite values get :data:`MISSING_RGBA`.
    """

    edges: np.ndarray
    colours: np.ndarray
    log: bool = False

    def bin_of(self, values: Any) -> np.ndarray:
        """The bin index of each value (clipped into the legend's range; -1 for non-finite)."""
        v = np.asarray(values, dtype=np.float64)
        ok = np.isfinite(v) & ((v > 0) if self.log else True)
        index = np.clip(np.searchsorted(self.edges, v, side="right") - 1, 0, len(self.colours) - 1)
        return np.where(ok, index, -1)

    def colour_of(self, values: Any) -> np.ndarray:
        """RGBA uint8 (``(..., 4)``) of each value."""
        index = self.bin_of(values)
        out = self.colours[np.maximum(index, 0)].copy()
        out[index < 0] = MISSING_RGBA
        return out

    def labels(self, fmt: str = "{:.3g}") -> list[str]:
        """``"lo – hi"`` for each bin."""
        return [
            f"{fmt.format(a)} – {fmt.format(b)}" for a, b in zip(self.edges[:-1], self.edges[1:], strict=True)
        ]


MISSING_RGBA = np.array((160, 160, 160, 255), dtype=np.uint8)  # a node without the statistic


def make_legend(
    values: Any,
    bins: int = 5,
    cmap: str = "viridis",
    log: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Legend:
    """A legend of ``bins`` equal-width bins spanning the finite values (positive ones when ``log``).

    ``vmin``/``vmax`` fix the range instead (``0, 1`` for fractions). Each bin's
    colour is the map's colour at the bin's centre. With no usable value the
    range is [0, 1] ([1, 10] when ``log``).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v) & ((v > 0) if log else True)]
    if v.size:
        lo, hi = float(v.min()), float(v.max())
    else:
        lo, hi = (1.0, 10.0) if log else (0.0, 1.0)
    lo, hi = lo if vmin is None else float(vmin), hi if vmax is None else float(vmax)
    if log:
        hi = hi if hi > 0 else 10.0
        lo = lo if 0 < lo <= hi else hi / 10
        lo, hi = np.log10(lo), np.log10(hi)
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    centres = (np.arange(bins) + 0.5) / bins
    colours = lut(cmap)[np.rint(centres * (LUT_SIZE - 1)).astype(int)].copy()
    return Legend(10.0**edges if log else edges, colours, log)
