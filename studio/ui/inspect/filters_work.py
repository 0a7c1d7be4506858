"""The Filters tab's computations (worker thread, no Qt): which layers have weights, the kernels
as an RGBA image with its caption, and the weight statistics now and over the run's epochs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from torch import nn

from studio.inspection import filters
from studio.inspection.colormaps import apply_colormap
from studio.inspection.hooks import InspectionError

MAX_FILTERS = 64
MAX_CHANNELS = 64
MAX_TILES = 1024  # grey/RGB tiles of one layer (a depthwise layer has one per channel)


def weighted_layers(model: nn.Module) -> list[str]:
    """Dotted names of the modules owning a ``weight`` matrix or kernel (ndim >= 2), in module order."""
    found = []
    for name, module in model.named_modules():
        weight = module._parameters.get("weight") if name else None
        if isinstance(weight, nn.Parameter) and weight.dim() >= 2:
            found.append(name)
    return found


def layer_for_node(node: str | None, layers: list[str]) -> str | None:
    """The layer a canvas node stands for: itself, or its first weighted submodule (a block)."""
    if not node:
        return None
    if node in layers:
        return node
    return next((name for name in layers if name.startswith(node + ".")), None)


def kernel_image(
    model: nn.Module, layer: str, first_conv: bool, mode: str, scale: str, cmap: str
) -> tuple[np.ndarray, str]:
    """``(RGBA uint8 image, caption)`` of the kernels of convolution ``layer``."""
    module = model.get_submodule(layer)
    w = filters.kernels_2d(filters.conv_filters(module))
    out, cin, kh, kw = w.shape
    size = f"{kh}×{kw}"
    if cin == 1 or (cin == 3 and first_conv):
        tiles = filters.first_layer_tiles(module, mode=mode, scale=scale)[:MAX_TILES]
        grid = filters.tile_grid(tiles, fill=np.nan)
        if grid.ndim == 3:  # RGB tiles: the colour map does not apply
            rgba = np.zeros((*grid.shape[:2], 4), dtype=np.uint8)
            ok = np.isfinite(grid).all(axis=2)
            rgba[..., :3] = np.rint(np.nan_to_num(grid) * 255).astype(np.uint8)
            rgba[..., 3] = np.where(ok, 255, 0)
            what = f"{out} filters of {size} over R, G, B (as colours)"
        else:
            rgba = apply_colormap(grid, cmap)
            inputs = "1 input channel" if cin == 1 else f"{cin} inputs"
            what = f"{out} filters of {size}, {inputs}"
        if len(tiles) < out:
            what += f" · showing {len(tiles)} of {out} filters"
        return rgba, what
    grid = filters.kernel_grid(
        module, mode=mode, scale=scale, max_filters=MAX_FILTERS, max_channels=MAX_CHANNELS
    )
    caption = (
        f"rows: {min(out, MAX_FILTERS)} filters · columns: {min(cin, MAX_CHANNELS)} input channels · {size}"
    )
    shown = []
    if out > MAX_FILTERS:
        shown.append(f"showing {MAX_FILTERS} of {out} filters")
    if cin > MAX_CHANNELS:
        shown.append(f"{MAX_CHANNELS} of {cin} input channels")
    if shown:
        caption += " · " + ", ".join(shown)
    return apply_colormap(grid, cmap), caption


def compute_filters(
    model: nn.Module, layer: str, convs: list[str], run_dir: Any, mode: str, scale: str, cmap: str
) -> dict[str, Any]:
    """Everything the view shows for ``layer`` (runs on the worker thread; numpy out)."""
    module = model.get_submodule(layer)
    result: dict[str, Any] = {
        "layer": layer,
        "mode": mode,
        "cmap": cmap,
        "kernels": None,
        "kernels_rgb": False,
    }
    if not convs:
        result["kernel_message"] = (
            "This model has no convolution, so there are no kernels to show as images.\n\n"
            "The weight histograms on the right work for its other layers (choose one above)."
        )
    elif not isinstance(module, nn.modules.conv._ConvNd):
        result["kernel_message"] = (
            f"{layer} is a {type(module).__name__}, not a convolution: "
            "it has no kernels to show as images.\n\n"
            f"Its weights are in the histograms on the right; the convolutions are {', '.join(convs)}."
        )
    else:
        rgba, caption = kernel_image(model, layer, layer == convs[0], mode, scale, cmap)
        result.update(
            kernels=rgba,
            kernel_caption=caption,
            kernels_rgb=filters.conv_filters(module).shape[1] == 3 and layer == convs[0],
        )
    result["stats"] = filters.weight_stats(module, biases=False)["weight"]
    result["history"] = None
    if run_dir is None:
        result["history_message"] = "these weights were opened without a run folder"
        return result
    try:
        history = filters.weight_history(run_dir)
    except InspectionError as exc:
        result["history_message"] = str(exc).split(": ", 1)[-1]
        return result
    result["history"] = history
    series = history.get(f"{layer}.weight")
    if series is not None:
        edges, counts = series.common_histograms()
        totals = counts.sum(axis=1, keepdims=True)
        result["epoch_edges"] = edges
        result["epoch_share"] = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return result
