"""Batch-first attention modules: multi-head attention, a causal decoder layer, positional encodings."""

from __future__ import annotations

import math

import torch
from torch import nn


class MultiheadAttentionLayer(nn.MultiheadAttention):
    """``nn.MultiheadAttention`` (batch first) that returns only the attention output (N, T, E).

    An unwired ``key`` defaults to the query (self-attention) and an unwired
    ``value`` to the key.
    """

    def __init__(self, embed_dim: int, num_heads: int, **kwargs) -> None:
        super().__init__(embed_dim, num_heads, batch_first=True, **kwargs)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor | None = None, value: torch.Tensor | None = None
    ):
        key = query if key is None else key
        value = key if value is None else value
        out, _ = super().forward(query, key, value, need_weights=False)
        return out


class DecoderLayer(nn.TransformerDecoderLayer):
    """``nn.TransformerDecoderLayer`` (batch first), optionally causal on the target self-attention."""

    def __init__(self, d_model: int, nhead: int, causal: bool = True, **kwargs) -> None:
        super().__init__(d_model, nhead, batch_first=True, **kwargs)
        self.causal = causal

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        if not self.causal:
            return super().forward(tgt, memory)
        t = tgt.shape[1]
        # -inf above the diagonal: step t attends to steps <= t only.
        mask = torch.triu(torch.full((t, t), float("-inf"), device=tgt.device, dtype=tgt.dtype), diagonal=1)
        return super().forward(tgt, memory, tgt_mask=mask, tgt_is_causal=True)


class PositionalEncoding(nn.Module):
    """Adds the fixed sinusoidal encoding of Vaswani et al. (2017) to (N, T, E).

    PE[t, 2i] = sin(t / 10000^(2i/E)), PE[t, 2i+1] = cos(t / 10000^(2i/E)).
    The table is a non-persistent buffer (recomputed, never saved).
    """

    def __init__(self, d_model: int, max_len: int, dropout: float = 0.0) -> None:
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div[: d_model // 2])
        self.register_buffer("pe", pe, persistent=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(x + self.pe[: x.shape[1]])


class LearnedPositionalEncoding(nn.Module):
    """Adds a learned vector per position (``weight``: max_len x E) to (N, T, E)."""

    def __init__(self, d_model: int, max_len: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] > self.weight.shape[0]:
            raise ValueError(f"sequence length {x.shape[1]} > max_len {self.weight.shape[0]}")
        return self.dropout(x + self.weight[: x.shape[1]])
