"""Runtime modules for generative models."""

from __future__ import annotations

import torch
from torch import nn


class Reparameterize(nn.Module):
    """VAE reparameterisation trick: z = mu + exp(0.5·logvar)·eps, eps ~ N(0, I).

    Sampling happens in training mode only; in eval mode the module returns
    ``mu`` (the posterior mean), so validation and inspection are deterministic.
    """

    def forward(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return mu
        std = torch.exp(0.5 * logvar)
        return mu + std * torch.randn_like(std)
