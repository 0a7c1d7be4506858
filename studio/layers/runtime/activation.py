"""Runtime modules for activations torch lacks."""

from __future__ import annotations

import torch
from torch import nn


class Maxout(nn.Module):
    """Max over groups of ``pool_size`` consecutive channels (dim 1): C -> C / pool_size.

    Parameters
    ----------
    pool_size
        Channels per group (Goodfellow et al., 2013, use k = 2 to 5).
    """

    def __init__(self, pool_size: int = 2) -> None:
        super().__init__()
        self.pool_size = pool_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c = x.shape[0], x.shape[1]
        # Group consecutive channels: (N, C/k, k, ...) then reduce the k axis.
        return x.reshape(n, c // self.pool_size, self.pool_size, *x.shape[2:]).amax(dim=2)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}"
