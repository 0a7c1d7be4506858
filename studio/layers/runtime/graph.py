"""Graph layers on dense adjacency matrices (no external GNN library).

Convention: ``adjacency[n, i, j] != 0`` means node i aggregates from node j
(for an undirected graph the matrix is symmetric and the order is moot).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class GCNLayer(nn.Module):
    """Kipf & Welling (2017) graph convolution: D^-1/2 (A + I) D^-1/2 X Wᵀ + b.

    Parameters
    ----------
    in_features, out_features
        Feature widths per node.
    bias
        Learn an additive bias.
    add_self_loops
        Use A + I so each node keeps its own features.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, add_self_loops: bool = True
    ) -> None:
        super().__init__()
        self.add_self_loops = add_self_loops
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        nn.init.xavier_uniform_(self.weight)  # Glorot init, as in the paper
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, features: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        a = adjacency
        if self.add_self_loops:
            a = a + torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
        deg = a.sum(dim=-1)
        # Isolated nodes (degree 0) get 0 instead of inf.
        d = torch.where(deg > 0, deg, torch.ones_like(deg)).rsqrt() * (deg > 0)
        a_norm = d.unsqueeze(-1) * a * d.unsqueeze(-2)
        out = a_norm @ F.linear(features, self.weight)  # X W first: cheaper when out < in
        return out if self.bias is None else out + self.bias


class GATLayer(nn.Module):
    """Graph attention (Veličković et al., 2018) with a dense adjacency mask and self loops.

    e_ij = LeakyReLU(a_dstᵀ W h_i + a_srcᵀ W h_j), softmax over the neighbours j
    of i (and i itself), out_i = Σ_j α_ij W h_j; heads are concatenated or
    averaged.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        heads: int = 1,
        concat: bool = True,
        negative_slope: float = 0.2,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.heads, self.out_features, self.concat = heads, out_features, concat
        self.negative_slope, self.dropout = negative_slope, dropout
        self.lin = nn.Linear(in_features, heads * out_features, bias=False)
        self.att_src = nn.Parameter(torch.empty(heads, out_features))
        self.att_dst = nn.Parameter(torch.empty(heads, out_features))
        nn.init.xavier_uniform_(self.att_src)
        nn.init.xavier_uniform_(self.att_dst)
        self.bias = (
            nn.Parameter(torch.zeros(heads * out_features if concat else out_features)) if bias else None
        )

    def forward(self, features: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        n, v, _ = features.shape
        h = self.lin(features).view(n, v, self.heads, self.out_features).transpose(1, 2)  # (N, H, V, O)
        dst = (h * self.att_dst.unsqueeze(1)).sum(-1)  # (N, H, V): the attending node i
        src = (h * self.att_src.unsqueeze(1)).sum(-1)  # (N, H, V): the neighbour j
        e = F.leaky_relu(dst.unsqueeze(-1) + src.unsqueeze(-2), self.negative_slope)  # (N, H, V, V)
        # Self loops guarantee every row has a neighbour, so the softmax never sees only -inf.
        mask = (adjacency + torch.eye(v, dtype=adjacency.dtype, device=adjacency.device)) != 0
        alpha = torch.softmax(e.masked_fill(~mask.unsqueeze(1), float("-inf")), dim=-1)
        alpha = F.dropout(alpha, self.dropout, self.training)
        out = (alpha @ h).transpose(1, 2)  # (N, V, H, O)
        out = out.reshape(n, v, -1) if self.concat else out.mean(dim=2)
        return out if self.bias is None else out + self.bias
