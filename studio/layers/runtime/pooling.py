"""Runtime modules for pooling layers that torch lacks."""

from __future__ import annotations

import torch
from torch import nn


class GlobalAvgPool(nn.Module):
    """Mean over every spatial dim: (N, C, *spatial) -> (N, C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(x, 2).mean(dim=2)
