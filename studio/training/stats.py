"""Per-layer statistics for the inspection views: weights, gradients and activations.

:func:`collect_stats` runs one forward and backward pass on a fixed batch in
eval mode (so it uses no random numbers and does not disturb training) with
forward hooks on the model's submodules — one per graph node — and returns a
flat dict of numpy arrays ready for ``np.savez``. Hooks are always removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

BINS = 32
_SATURATING = (nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Hardsigmoid, nn.Softsign)


def _hist(values: torch.Tensor, prefix: str, out: dict[str, np.ndarray]) -> None:
    v = values.detach().float().flatten().cpu()
    lo, hi = (float(x) for x in torch.aminmax(v)) if v.numel() else (0.0, 0.0)
    if hi <= lo:
        hi = lo + 1e-12
    out[f"{prefix}/hist"] = torch.histc(v, BINS, lo, hi).numpy().astype(np.int64)
    out[f"{prefix}/edges"] = np.linspace(lo, hi, BINS + 1, dtype=np.float32)


def activation_stats(name: str, module: nn.Module, y: torch.Tensor, out: dict[str, np.ndarray]) -> None:
    """Mean, std, fraction of zeros (ReLU family) and of saturated units (sigmoid/tanh)."""
    y = y.detach().float()
    n = y.numel()
    out[f"act/{name}/mean"] = np.float32(y.mean())
    out[f"act/{name}/std"] = np.float32(y.std()) if n > 1 else np.float32(0.0)
    relu = y.dim() >= 2 and isinstance(module, (nn.ReLU, nn.ReLU6))
    # One count_nonzero per unit (feature or channel) gives the zero fraction and the dead units
    # (zero for every sample and position), without a float mask or a transposed copy.
    # NaN counts as non-zero, as ``y == 0`` is false for it.
    nonzero = torch.count_nonzero(y, dim=[d for d in range(y.dim()) if d != 1]) if relu else None
    nz = int(nonzero.sum()) if nonzero is not None else int(torch.count_nonzero(y))
    out[f"act/{name}/zero_fraction"] = np.float32((n - nz) / n) if n else np.float32(np.nan)
    if nonzero is not None:
        out[f"act/{name}/dead_fraction"] = np.float32(int((nonzero == 0).sum()) / len(nonzero))
    if isinstance(module, _SATURATING):
        lo, hi = (-1.0, 1.0) if isinstance(module, (nn.Tanh, nn.Hardtanh, nn.Softsign)) else (0.0, 1.0)
        margin = 0.02 * (hi - lo)
        sat = (y <= lo + margin) | (y >= hi - margin)
        out[f"act/{name}/saturated_fraction"] = np.float32(sat.float().mean())


def collect_stats(model: nn.Module, task: Any, batch: Any) -> dict[str, np.ndarray]:
    """Weight, gradient and activation statistics of ``model`` on ``batch`` (already on device).

    Keys: ``weight/<param>/norm|hist|edges``, ``grad/<param>/norm|hist|edges``,
    ``act/<node>/mean|std|zero_fraction[|dead_fraction|saturated_fraction]``. Parameter names
    are the state-dict names (``conv2d_1.weight``), node names the graph's.
    """
    out: dict[str, np.ndarray] = {}
    handles = []
    was_training = model.training
    saved_grads = {n: p.grad for n, p in model.named_parameters()}
    try:
        model.eval()
        for name, module in model.named_children():

            def hook(mod: nn.Module, _inp: Any, y: Any, name: str = name) -> None:
                if isinstance(y, torch.Tensor) and y.is_floating_point():
                    activation_stats(name, mod, y, out)

            handles.append(module.register_forward_hook(hook))
        for p in model.parameters():
            p.grad = None
        with torch.enable_grad():
            result = task.training_step(model, batch)
            if result.loss.requires_grad:
                result.loss.backward()
        for pname, p in model.named_parameters():
            out[f"weight/{pname}/norm"] = np.float32(p.detach().norm())
            _hist(p, f"weight/{pname}", out)
            if p.grad is not None:
                out[f"grad/{pname}/norm"] = np.float32(p.grad.detach().norm())
                _hist(p.grad, f"grad/{pname}", out)
        out["loss"] = np.float32(result.loss.detach())
        return out
    finally:
        for handle in handles:
            handle.remove()
        for pname, p in model.named_parameters():
            p.grad = saved_grads[pname]
        model.train(was_training)
