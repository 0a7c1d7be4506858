"""Runtime modules for reshaping layers that torch lacks.

Each class is self-contained (torch, nn, F only): the code export copies its
source into a standalone file.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Reshape(nn.Module):
    """Reshape each sample to ``shape``; the batch dim is kept (one -1 allowed)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


class Permute(nn.Module):
    """Reorder the per-sample dims; ``dims`` index the sample (batch stays first)."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, *(d + 1 for d in self.dims))

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class Pad(nn.Module):
    """``F.pad`` as a module: ``padding`` lists (before, after) pairs from the last dim backwards."""

    def __init__(self, padding: tuple[int, ...], mode: str = "constant", value: float = 0.0) -> None:
        super().__init__()
        self.padding = tuple(padding)
        self.mode = mode
        self.value = value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "constant":
            return F.pad(x, self.padding, mode="constant", value=self.value)
        return F.pad(x, self.padding, mode=self.mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, mode={self.mode!r}, value={self.value}"


class Crop(nn.Module):
    """Centre crop of the last ``len(size)`` dims to ``size`` (U-Net skip connections).

    The offset is ``(in - out) // 2`` per dim, as in the U-Net paper's
    copy-and-crop; with an odd difference the extra row/column is cut at the end.
    """

    def __init__(self, size: tuple[int, ...]) -> None:
        super().__init__()
        self.size = tuple(size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # negative axes keep the loop static, so torch.fx can trace it
        for axis, out in enumerate(self.size, start=-len(self.size)):
            x = x.narrow(axis, (x.shape[axis] - out) // 2, out)
        return x

    def extra_repr(self) -> str:
        return f"size={self.size}"
