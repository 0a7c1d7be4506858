"""Runtime modules for input nodes."""

from __future__ import annotations

import torch
from torch import nn


class GraphInputPassthrough(nn.Module):
    """Returns the (features, adjacency) pair it is given, as two outputs."""

    def forward(self, features: torch.Tensor, adjacency: torch.Tensor):
        return features, adjacency
