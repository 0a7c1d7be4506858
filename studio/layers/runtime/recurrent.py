"""Batch-first recurrent layers that return only the output tensor.

Each class subclasses its ``nn`` counterpart, so the state_dict keys stay
PyTorch's own (``weight_ih_l0``, ``bias_hh_l1_reverse`` ...), and differs only
in ``forward`` (from :class:`_SequenceOutput`): it drops the final hidden
state(s) and, with ``output="last"``, keeps one vector per sequence. The code
export copies the mixin along with the class (it copies our base classes).
"""

from __future__ import annotations

import torch
from torch import nn


class _SequenceOutput:
    """Mixin for ``nn.RNN``/``LSTM``/``GRU``: batch first, returns (N, T, D*H) or, for "last", (N, D*H)."""

    def __init__(self, input_size: int, hidden_size: int, output: str = "sequence", **kwargs) -> None:
        super().__init__(input_size, hidden_size, batch_first=True, **kwargs)
        self.output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = super().forward(x)
        if self.output == "sequence":
            return y
        h = self.hidden_size
        # Final states: forward direction at t = T-1, backward direction at t = 0.
        return torch.cat((y[:, -1, :h], y[:, 0, h:]), dim=-1) if self.bidirectional else y[:, -1]


class RNNLayer(_SequenceOutput, nn.RNN):
    """``nn.RNN`` with ``batch_first=True`` returning (N, T, D*H) or, for ``output="last"``, (N, D*H)."""


class LSTMLayer(_SequenceOutput, nn.LSTM):
    """``nn.LSTM`` with ``batch_first=True`` returning (N, T, D*H) or, for ``output="last"``, (N, D*H)."""


class GRULayer(_SequenceOutput, nn.GRU):
    """``nn.GRU`` with ``batch_first=True`` returning (N, T, D*H) or, for ``output="last"``, (N, D*H)."""
