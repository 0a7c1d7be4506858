"""In-memory datasets: indexing a whole batch at once, no per-item Python work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset


def take(x: Any, index: torch.Tensor) -> Any:
    """Rows ``index`` of a tensor or of every tensor in a tuple.

    Parameters
    ----------
    x
        A tensor or a tuple of tensors sharing their first dimension.
    index
        Long tensor of row indices.

    Returns
    -------
    Any
        Same structure as ``x``.
    """
    if isinstance(x, tuple):
        return tuple(t[index] for t in x)
    return x[index]


class TensorSplit(Dataset):
    """One split held as tensors; items are ``(x, y)``.

    ``__getitems__`` (used by ``DataLoader`` for whole batches) gathers all rows
    with one indexing operation per tensor.

    Parameters
    ----------
    x
        Inputs (tensor or tuple of tensors), first dimension = samples.
    y
        Targets, first dimension = samples.
    """

    def __init__(self, x: Any, y: torch.Tensor):
        self.x = x
        self.y = y

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def __getitem__(self, i: int) -> tuple[Any, torch.Tensor]:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for a split of {n} items")
        return self.__getitems__([i])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[Any, torch.Tensor]]:
        index = torch.as_tensor(indices, dtype=torch.long)
        return _unbatch(*self.batch(index))

    def batch(self, index: torch.Tensor) -> tuple[Any, torch.Tensor]:
        """Inputs and targets of the rows ``index`` as batched tensors.

        Parameters
        ----------
        index
            Long tensor of row indices.

        Returns
        -------
        tuple
            ``(x, y)`` with a leading batch dimension.
        """
        return take(self.x, index), self.y[index]


def _unbatch(x: Any, y: torch.Tensor) -> list[tuple[Any, torch.Tensor]]:
    ys = y.unbind(0)
    if isinstance(x, tuple):
        parts = [t.unbind(0) for t in x]
        return [(tuple(p[i] for p in parts), ys[i]) for i in range(len(ys))]
    return list(zip(x.unbind(0), ys, strict=True))
