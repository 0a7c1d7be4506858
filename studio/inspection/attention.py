"""Attention weights (query x key, per head) of the attention layers of a model.

The app's layers never ask PyTorch for the weights: the MultiheadAttention
node calls ``nn.MultiheadAttention.forward(..., need_weights=False)`` from its
own ``forward`` and ``nn.TransformerEncoderLayer`` does the same inside, so a
forward hook on the module would see ``None``. For one capture the attention
module's class is therefore swapped for a subclass placing
:class:`_WeightsCapture` just above ``nn.MultiheadAttention`` in its method
order: every call that reaches ``nn.MultiheadAttention.forward`` (directly or
through ``super()``) is made with ``need_weights=True,
average_attn_weights=False``, the per-head weights are recorded, and the
caller gets what it asked for. The class is restored in ``finally``: the model
is unchanged afterwards, even when the forward raises.

Only the instance is changed, so other models (a training run in another
thread) are unaffected; run the capture on a model no other thread is using.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.activations import batch_size
from studio.inspection.hooks import InspectionError, Target, module_name, resolve_module

_RECORDS = "_studio_attention_records"


class _WeightsCapture(nn.MultiheadAttention):
    """Forces per-head weights out of ``nn.MultiheadAttention.forward`` and records them."""

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        attn_mask: torch.Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``nn.MultiheadAttention.forward``, recording the ``(N, heads, T, S)`` weights."""
        out, weights = super().forward(
            query,
            key,
            value,
            key_padding_mask=key_padding_mask,
            need_weights=True,
            attn_mask=attn_mask,
            average_attn_weights=False,
            is_causal=is_causal,
        )
        getattr(self, _RECORDS).append(weights.detach())
        if not need_weights:
            return out, None
        return out, weights.mean(dim=-3) if average_attn_weights else weights


@functools.cache
def _capturing_class(cls: type) -> type:
    """``cls`` with :class:`_WeightsCapture` between it and ``nn.MultiheadAttention`` (cached per class)."""
    if cls is nn.MultiheadAttention:
        return _WeightsCapture
    return type(
        cls.__name__, (cls, _WeightsCapture), {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    )


@contextlib.contextmanager
def capturing_attention(module: nn.MultiheadAttention) -> Iterator[list[torch.Tensor]]:
    """Inside the block, every call of ``module`` appends its per-head weights to the yielded list."""
    original = type(module)
    records: list[torch.Tensor] = []
    handle = None
    try:
        module.__class__ = _capturing_class(original)
        setattr(module, _RECORDS, records)
        # Any hook on the module turns off TransformerEncoderLayer's fused fast path,
        # which in eval mode would compute attention without calling self_attn at all.
        handle = module.register_forward_hook(lambda *_: None)
        yield records
    finally:
        if handle is not None:
            handle.remove()
        module.__class__ = original
        if _RECORDS in module.__dict__:
            delattr(module, _RECORDS)


def attention_module(model: nn.Module, target: Target) -> nn.MultiheadAttention:
    """The attention module of ``target``: itself, or the first ``nn.MultiheadAttention`` inside it
    (a Transformer encoder's ``self_attn``; a decoder's cross-attention is ``"<node>.multihead_attn"``).
    """
    module = resolve_module(model, target)
    found = next((m for m in module.modules() if isinstance(m, nn.MultiheadAttention)), None)
    if found is None:
        name = target if isinstance(target, str) else module_name(model, module)
        raise InspectionError(f"{name!r} ({type(module).__name__}) has no attention weights to show")
    return found


def attention_nodes(model: nn.Module) -> list[str]:
    """Names of ``model``'s direct submodules (graph nodes) that contain multi-head attention."""
    return [
        name
        for name, child in model.named_children()
        if any(isinstance(m, nn.MultiheadAttention) for m in child.modules())
    ]


def attention_weights(model: nn.Module, x: Any, node: Target, sample: int = 0, call: int = 0) -> np.ndarray:
    """Attention weights of ``node`` for sample ``sample``: float32 ``(heads, T_query, T_key)``.

    Row ``[h, t]`` is query step t's distribution over the key steps in head h
    (it sums to 1). ``model`` runs on the whole batch ``x`` without gradients,
    in its current mode: call ``model.eval()`` first, or dropout on the
    attention weights shows in them. ``call`` picks one call when the module
    runs several times in one forward.

    Raises
    ------
    InspectionError
        If ``node`` has no attention, never ran, or ``sample`` is outside the batch.
    """
    module = attention_module(model, node)
    n = batch_size(x)
    if not -n <= sample < n:
        raise InspectionError(f"sample {sample} is not in the batch of {n}")
    with torch.no_grad(), capturing_attention(module) as records:
        model(*x) if isinstance(x, tuple) else model(x)
    if len(records) <= call:
        raise InspectionError(f"the attention of {node!r} ran {len(records)} time(s) in this forward")
    weights = records[call]
    if weights.dim() == 4:  # batched: (N, heads, T, S)
        weights = weights[sample]
    return weights.float().cpu().numpy()
