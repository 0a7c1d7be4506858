"""Activation grid render time: 256 feature maps of 32x32 to one RGBA image.

What a view does when a node is selected, after the activations are captured:
:func:`studio.inspection.activations.activation_grid` normalises each map on
its own (min-max), colours it with the viridis lookup table and lays the maps
out in a 16 x 16 grid with transparent 1-pixel gaps, giving a 527 x 527 x 4
uint8 image ready for a QImage or a PNG. Goal: <= 30 ms.

For scale, a second row times the same image made map by map in a Python loop
(normalise, colour, paste each tile), interleaved with the vectorised one, and
reports the speed ratio.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from benchmarks._harness import interleaved, median_spread, result
from studio.inspection.activations import activation_grid
from studio.inspection.colormaps import apply_colormap, normalise

SIZES = {"tiny": {"repeats": 3, "maps": 16}, "full": {"repeats": 101, "maps": 256}}
SIDE = 32
GOAL_MS = 30.0


def render(maps: np.ndarray) -> np.ndarray:
    """What the view calls: per-map min-max, viridis, tiled with transparent 1-pixel gaps."""
    return activation_grid(maps, "viridis", "minmax", per_map=True, padding=1)


def render_loop(maps: np.ndarray) -> np.ndarray:
    """The same image made map by map: normalise, colour and paste each tile in Python."""
    k, h, w = maps.shape
    cols = math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    image = np.zeros((rows * (h + 1) - 1, cols * (w + 1) - 1, 4), dtype=np.uint8)
    for i in range(k):
        r, c = divmod(i, cols)
        tile = apply_colormap(normalise(maps[i]), "viridis")
        image[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tile
    return image


def run(size: str = "full") -> list[dict]:
    """Rows for ``benchmarks/results.json``."""
    cfg = SIZES[size]
    maps = np.random.default_rng(0).standard_normal((cfg["maps"], SIDE, SIDE)).astype(np.float32)
    assert np.array_equal(render(maps), render_loop(maps))  # the two time the same work
    samples = interleaved({"grid": lambda: render(maps), "loop": lambda: render_loop(maps)}, cfg["repeats"])
    median, spread = median_spread(samples["grid"])
    ms = 1000 * median
    shape = render(maps).shape
    context = {
        "maps": f"{cfg['maps']} x {SIDE}x{SIDE} float32",
        "image": "x".join(map(str, shape)),
        "threads": torch.get_num_threads(),
        "note": "normalise per map + viridis LUT + tile_grid; capture of the activations not included",
    }
    ratios = [b / a for a, b in zip(samples["grid"], samples["loop"], strict=True)]
    ratio, ratio_spread = median_spread(ratios)
    return [
        result(
            f"activation grid render, {cfg['maps']} maps of 32x32 to RGBA",
            round(ms, 3),
            "ms",
            GOAL_MS,
            ms <= GOAL_MS,
            cfg["repeats"],
            spread,
            **context,
        ),
        result(
            f"activation grid: vectorised vs map-by-map loop, {cfg['maps']} maps (speed ratio)",
            round(ratio, 3),
            "x",
            None,
            True,
            cfg["repeats"],
            ratio_spread,
            **context,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
