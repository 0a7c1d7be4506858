"""Runtime ``nn.Module`` of the example plugin (imported lazily, by ``build`` only).

The code export copies the source of :class:`ExampleSEBlock` into exported
files, so the class uses nothing but ``torch``, ``nn`` and ``F``. Its name is
prefixed with the plugin's name so it cannot clash with another layer's
support class in the same exported file.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ExampleSEBlock(nn.Module):
    """Squeeze-and-Excitation (Hu et al. 2018): rescale each channel by a learned gate.

    Parameters
    ----------
    channels
        C, the number of input (and output) channels.
    hidden
        Width of the bottleneck, ``max(1, C // reduction)``.
    """

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=(2, 3))  # squeeze: global average pool to (N, C)
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))  # excite: per-channel gate in (0, 1)
        return x * s[:, :, None, None]
