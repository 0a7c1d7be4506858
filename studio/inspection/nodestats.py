"""One statistic per graph node, for colouring the canvas: gradient norm, dead units, sparsity, size.

:func:`node_statistics` runs one forward and one backward pass on a batch, in
eval mode (no dropout noise, batch-norm running statistics; the mode is
restored), with forward hooks on every node's submodule. Gradients are taken
with ``torch.autograd.grad``, so the parameters' ``.grad`` are left untouched
and a live optimiser state is not disturbed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from studio.inspection.activations import dead_fraction
from studio.inspection.colormaps import Legend, make_legend
from studio.inspection.hooks import InspectionError, first_tensor, recording, resolve_module

STATISTICS = ("grad_norm", "output_grad_norm", "dead_fraction", "sparsity", "params")
# Statistics that span decades are binned on a log scale; fractions on a fixed [0, 1].
_LOG = {"grad_norm", "output_grad_norm", "params"}
_FRACTIONS = {"dead_fraction", "sparsity"}


def node_names(model: nn.Module, graph_or_names: Any = None) -> list[str]:
    """The node names to look at: a graph's nodes, a list of names, or every direct submodule."""
    if graph_or_names is None:
        return [name for name, _ in model.named_children()]
    nodes = getattr(graph_or_names, "nodes", None)
    if isinstance(nodes, dict):
        return [node.name for node in nodes.values()]
    return [str(name) for name in graph_or_names]


def default_loss(output: torch.Tensor, y: Any = None) -> torch.Tensor:
    """The loss the gradients are taken of when none is given.

    Class indices ``y`` with ``(N, C)`` outputs: cross-entropy; other targets:
    mean squared error. Without ``y``: cross-entropy against the model's own
    predictions (``argmax``) for ``(N, C > 1)`` outputs — the gradient that would
    reinforce what it predicts — else half the mean square of the output.
    """
    out = output.float()
    if y is not None:
        y = y.to(out.device)
        if out.dim() >= 2 and not y.is_floating_point() and y.dim() == out.dim() - 1:
            return F.cross_entropy(out, y)
        return F.mse_loss(out, y.float().reshape(out.shape))
    if out.dim() == 2 and out.shape[1] > 1:
        return F.cross_entropy(out, out.detach().argmax(dim=1))
    return 0.5 * out.pow(2).mean()


def _norm(tensors: Iterable[torch.Tensor | None]) -> float:
    found = [t for t in tensors if t is not None]
    if not found:
        return math.nan
    return float(torch.sqrt(sum(t.detach().float().pow(2).sum() for t in found)))


def node_statistics(
    model: nn.Module,
    x: Any,
    graph_or_names: Any = None,
    y: Any = None,
    loss_fn: Callable[..., torch.Tensor] | None = None,
) -> dict[str, dict[str, float]]:
    """Per node: ``{grad_norm, output_grad_norm, dead_fraction, sparsity, params}``.

    Parameters
    ----------
    model
        A compiled graph (submodules named after nodes) or any module.
    x
        A batch (a tensor, or a tuple for several inputs).
    graph_or_names
        The graph (its node names), a list of names, or None for every direct submodule.
        Names without a submodule (a functional node) are left out of the result.
    y, loss_fn
        The targets and ``loss_fn(output, y)``; default :func:`default_loss`.

    Returns
    -------
    dict[str, dict[str, float]]
        ``grad_norm``: L2 norm of the loss gradient over the node's parameters
        (NaN without parameters); ``output_grad_norm``: of the gradient at its
        output (NaN where none flows); ``dead_fraction``: units never positive
        over the batch (see :mod:`studio.inspection.activations`; NaN for an
        output without a unit axis); ``sparsity``: fraction of output values
        exactly 0; ``params``: parameter count.
    """
    modules = {}
    for name in node_names(model, graph_or_names):
        try:
            modules[name] = resolve_module(model, name)
        except InspectionError:
            continue
    was_training = model.training
    try:
        model.eval()
        with torch.enable_grad(), recording(model, list(modules), detach=False) as records:
            output = model(*x) if isinstance(x, tuple) else model(x)
            tensor = first_tensor(output)
            if tensor is None:
                raise InspectionError("the model returned no tensor")
            loss = loss_fn(tensor, y) if loss_fn is not None else default_loss(tensor, y)
        outputs = {n: t for n, t in records.items() if t.requires_grad}
        params: dict[int, nn.Parameter] = {}
        for module in modules.values():
            params.update({id(p): p for p in module.parameters() if p.requires_grad})
        wrt = list(outputs.values()) + list(params.values())
        grads = torch.autograd.grad(loss, wrt, allow_unused=True) if loss.requires_grad and wrt else []
    finally:
        model.train(was_training)
    out_grads = dict(zip(outputs, grads[: len(outputs)], strict=False))
    param_grads = dict(zip(params, grads[len(outputs) :], strict=False))
    result: dict[str, dict[str, float]] = {}
    for name, module in modules.items():
        value = records.get(name)
        own = [p for p in module.parameters()]
        stats = {
            "grad_norm": _norm(param_grads.get(id(p)) for p in own) if own else math.nan,
            "output_grad_norm": _norm([out_grads.get(name)]),
            "dead_fraction": math.nan,
            "sparsity": math.nan,
            "params": float(sum(p.numel() for p in own)),
        }
        if value is not None and value.numel():
            v = value.detach()
            stats["sparsity"] = float((v == 0).float().mean())
            if v.dim() >= 2:
                stats["dead_fraction"] = dead_fraction(v, axis=1)
        result[name] = stats
    return result


def statistic_legend(
    stats: dict[str, dict[str, float]], key: str, bins: int = 5, cmap: str = "viridis"
) -> tuple[dict[str, np.ndarray], Legend]:
    """Colours of every node for statistic ``key`` and the legend they come from.

    Fractions are binned over [0, 1], norms and parameter counts on a log
    scale; nodes without the statistic (NaN, or no parameters on a log scale)
    get the legend's grey.
    """
    if key not in STATISTICS:
        raise ValueError(f"unknown statistic {key!r}: use one of {', '.join(STATISTICS)}")
    names = list(stats)
    values = np.array([stats[n][key] for n in names], dtype=np.float64)
    fixed = {"vmin": 0.0, "vmax": 1.0} if key in _FRACTIONS else {}
    legend = make_legend(values, bins=bins, cmap=cmap, log=key in _LOG, **fixed)
    colours = legend.colour_of(values)
    return {n: colours[i] for i, n in enumerate(names)}, legend
