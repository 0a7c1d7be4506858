"""The Feature maps tab's computations (worker thread, no Qt): the default node, the node's
output for one sample, attention weights, and the batch statistics (dead units, saturation,
histogram) on a batch of the split.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection import activations as acts
from studio.inspection.attention import attention_nodes, attention_weights
from studio.inspection.colormaps import to_numpy
from studio.inspection.filters import conv_layer_names
from studio.inspection.hooks import capture_activations, recording, resolve_module
from studio.ui.inspect.batching import BATCH_SIZE, split_batch

MAX_BATCH_VALUES = 16_000_000  # the batch shrinks below BATCH_SIZE for very large outputs
NO_SPATIAL = (
    "This model has no layer with spatial output, so there are no feature maps to show by default.\n\n"
    "Select a node on the canvas to see its activations (a vector shows as a bar chart)."
)

_SATURATES = "ReLU, sigmoid, tanh, hardtanh"
_MAP_TIPS = (
    "Channel (head, row) number",
    "Mean of this map for this sample",
    "Standard deviation of this map for this sample",
    "Smallest value of this map for this sample",
    "Largest value of this map for this sample",
    "Share of exact zeros in this map for this sample",
    "Never positive on any sample of the batch",
)
_VECTOR_TIPS = (
    "Feature number",
    "This sample's value",
    "Mean over the batch",
    "Standard deviation over the batch",
    "Largest value over the batch",
    "Share of batch samples where it is exactly 0",
    "Never positive on any sample of the batch",
)


def default_node(model: nn.Module, x: Any, skip: list[str]) -> tuple[str, str] | None:
    """``(node, why)``: the first convolution's node, else the first node with ``(C, H, W)`` output;
    None when no node has spatial output.
    """
    convs = conv_layer_names(model)
    if convs:
        return convs[0].split(".")[0], "the first convolution"
    names = [name for name, _ in model.named_children() if name not in skip]
    with torch.no_grad(), recording(model, names) as records:
        model(*x) if isinstance(x, tuple) else model(x)
    for name in names:
        if name in records and records[name].dim() >= 4:
            return name, "the first layer with spatial output"
    return None


def compute_activations(
    model: nn.Module, x: Any, node: str | None, skip: list[str], dataset: Any, batch: dict | None
) -> dict[str, Any]:
    """Everything the view shows (worker thread). ``batch``: the cached batch part, or None."""
    why = ""
    if node is None:
        found = default_node(model, x, skip)
        if found is None:
            return {"message": NO_SPATIAL}
        node, why = found
    module = resolve_module(model, node)
    act = acts.feature_maps(model, x, node)
    result: dict[str, Any] = {"node": node, "why": why, "module": type(module).__name__, "act": act}
    if node in attention_nodes(model):
        result["attention"] = attention_weights(model, x, node)
    if batch is None:
        count = max(16, min(BATCH_SIZE, MAX_BATCH_VALUES // max(1, act.size)))
        xb, _ = split_batch(dataset, count)
        values = to_numpy(capture_activations(model, xb, [node])[node])
        counts, edges = acts.activation_histogram(values, bins=48)
        batch = {
            "count": len(values),
            "total": len(dataset),
            "summary": acts.unit_summary(values, module),
            "kind": acts.activation_kind(module),
            "dead": acts.dead_units(values, axis=1) if values.ndim >= 2 else None,
            "hist": counts,
            "edges": edges,
            "features": acts.channel_stats(values, axis=1) if values.ndim == 2 else None,
        }
        if batch["kind"] not in (None, "relu"):
            batch["bounds"] = acts.output_bounds(module)
    result["batch"] = batch
    edges = batch["edges"]
    clipped = np.clip(act, edges[0], edges[-1])  # this sample's extremes fall in the end bins
    result["sample_hist"] = acts.activation_histogram(
        clipped, bins=len(edges) - 1, range=(edges[0], edges[-1])
    )[0]
    return result


def table_content(
    result: dict[str, Any], max_rows: int
) -> tuple[list[str], list[list[str]], tuple[str, ...]]:
    """``(headers, rows of cell texts, header tooltips)``: one row per map in the grid (channel,
    head or row of a 2-D output) with this sample's statistics, or per feature of a vector with
    its value here and its statistics over the batch.
    """
    act, attention, batch = result["act"], result.get("attention"), result["batch"]
    dead = batch["dead"]
    vector = act.ndim <= 1 and attention is None
    if attention is not None:
        label, stats, dead = "head", acts.channel_stats(attention, axis=0), None
    elif vector:
        label, stats = "feature", batch["features"]
    else:
        label, stats = ("channel" if act.ndim >= 3 else "row"), acts.channel_stats(act, axis=0)
    middle = ["value", "mean", "std", "max"] if vector else ["mean", "std", "min", "max"]
    rows = []
    for r in range(0 if stats is None else min(len(stats), max_rows)):
        if vector:
            cells = [float(act[r]), stats.mean[r], stats.std[r], stats.max[r]]
        else:
            cells = [stats.mean[r], stats.std[r], stats.min[r], stats.max[r]]
        texts = [str(r + (1 if attention is not None else 0))] + [f"{v:.4g}" for v in cells]
        texts.append(f"{stats.zero_fraction[r]:.1%}")
        texts.append("—" if dead is None or r >= len(dead) else ("dead" if dead[r] else ""))
        rows.append(texts)
    return [label, *middle, "zeros", "dead"], rows, _VECTOR_TIPS if vector else _MAP_TIPS


def batch_text(result: dict[str, Any]) -> str:
    """The batch's dead-unit, saturation and zero fractions as rich text, each labelled."""
    batch, node = result["batch"], result["node"]
    summary, dead, kind = batch["summary"], batch["dead"], batch["kind"]
    which = "the whole split" if batch["count"] >= batch["total"] else f"its first {batch['count']}"
    lines = [f"<b>Over {batch['count']} {result['split']} samples</b> ({which}):"]
    if dead is not None:
        unit = {1: "features", 2: "rows (axis 1)"}.get(result["act"].ndim, "channels")
        lines.append(
            f"Dead units: <b>{int(dead.sum())} of {len(dead)} {unit}</b> ({dead.mean():.1%}) "
            "never positive — a following ReLU passes nothing through them."
        )
    if kind == "relu":
        lines.append(
            f"Saturated: <b>{summary['saturated_fraction']:.1%}</b> of values are exactly 0 "
            "(ReLU: zero gradient)."
        )
    elif kind is not None:
        lo, hi = batch["bounds"]
        lines.append(
            f"Saturated: <b>{summary['saturated_fraction']:.1%}</b> of values within "
            f"{acts.SATURATION_MARGIN:.0%} of the output range [{lo:g}, {hi:g}] (vanishing gradient)."
        )
    else:
        lines.append(f"Saturation: not applicable ({node} is a {result['module']}, not one of {_SATURATES}).")
    lines.append(f"Zeros: {summary['zero_fraction']:.1%} of values.")
    return "<br>".join(lines)
