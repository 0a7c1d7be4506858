"""Tiny modules for merge nodes, so forward hooks reach every merge like any layer."""

from __future__ import annotations

import torch
from torch import nn


class Add(nn.Module):
    """Element-wise sum of all inputs (residual connections)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    """Element-wise product of all inputs (gating)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concat(nn.Module):
    """``torch.cat`` of all inputs along ``dim`` (dim 0 is the batch)."""

    def __init__(self, dim: int = 1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Chunk(nn.Module):
    """``torch.chunk`` into ``chunks`` pieces along ``dim``; returns a tuple."""

    def __init__(self, chunks: int = 2, dim: int = 1) -> None:
        super().__init__()
        self.chunks = chunks
        self.dim = dim

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(torch.chunk(x, self.chunks, dim=self.dim))

    def extra_repr(self) -> str:
        return f"chunks={self.chunks}, dim={self.dim}"


class Mean(nn.Module):
    """Mean over ``dim`` (optionally keeping it with size 1)."""

    def __init__(self, dim: int = 1, keepdim: bool = False) -> None:
        super().__init__()
        self.dim = dim
        self.keepdim = keepdim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=self.dim, keepdim=self.keepdim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, keepdim={self.keepdim}"


class MatMul(nn.Module):
    """``torch.matmul(a, b)``: batched matrix product with broadcasting."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b)
