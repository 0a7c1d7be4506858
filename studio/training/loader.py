"""Batches for the loop, in a given order, never drawing from torch's global RNG.

Every split NetStudio loads is a :class:`~studio.data.tensors.TensorSplit`,
which gathers a whole batch with one indexing operation per tensor
(``batch(index)``). A ``DataLoader`` would ask it for the batch's samples one
by one (``__getitems__`` splits the gathered batch) and stack them again:
about 6 % of a small model's epoch on the CPU. :func:`make_loader` reads such
splits, and subsets of them, batch by batch; any other dataset goes through a
main-process ``DataLoader`` as before. Either way a batch is ``(x, y)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch.utils.data import DataLoader, Subset


class BatchReader:
    """Iterates ``dataset.batch(index)`` over lists of row indices.

    Parameters
    ----------
    dataset
        Has ``batch(index: LongTensor) -> (x, y)``.
    batches
        Row indices of each batch, in order.
    """

    def __init__(self, dataset: Any, batches: Sequence[Sequence[int]]) -> None:
        self.dataset = dataset
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[Any, torch.Tensor]]:
        for rows in self.batches:
            yield self.dataset.batch(torch.as_tensor(rows, dtype=torch.long))


def _batched(dataset: Any) -> tuple[Any, Sequence[int] | None]:
    """The dataset that gathers batches under ``dataset`` and the rows it maps to (None: the same rows)."""
    rows = None
    while isinstance(dataset, Subset):
        indices = [int(i) for i in dataset.indices]  # a list, a range or a tensor
        rows = [indices[i] for i in rows] if rows is not None else indices
        dataset = dataset.dataset
    return (dataset, rows) if callable(getattr(dataset, "batch", None)) else (None, None)


def make_loader(dataset: Any, batch_size: int | None = None, batch_sampler: Any = None) -> Any:
    """Batches of ``dataset``: consecutive ones of ``batch_size``, or the index lists of ``batch_sampler``."""
    if batch_sampler is None:
        n = len(dataset)
        batch_sampler = [range(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    source, rows = _batched(dataset)
    if source is not None:
        if rows is not None:
            batch_sampler = [[rows[i] for i in batch] for batch in batch_sampler]
        return BatchReader(source, batch_sampler)
    return DataLoader(
        dataset,
        batch_size=1,
        batch_sampler=batch_sampler,
        shuffle=False,
        generator=torch.Generator().manual_seed(0),
    )
