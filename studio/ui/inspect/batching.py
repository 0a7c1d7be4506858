"""A fixed batch of a dataset split, for statistics that need more than one sample.

Dead units, saturation and the canvas's per-node statistics are properties of
a batch, not of one sample. The batch is the split's first ``count`` samples:
the splits are shuffled once with the run's seed, so these are a fixed random
subset, and the same numbers come back every time the view is shown.
"""

from __future__ import annotations

from typing import Any

import torch

from studio.inspection.hooks import InspectionError

BATCH_SIZE = 256


def split_batch(dataset: Any, count: int = BATCH_SIZE) -> tuple[Any, Any]:
    """``(x, y)`` of the first ``count`` samples of ``dataset`` stacked along a new batch axis.

    ``x`` is a tensor, or a tuple of tensors for a model with several inputs;
    ``y`` is a tensor, or None when the samples have no (stackable) target.

    Raises
    ------
    InspectionError
        If the dataset is empty.
    """
    n = min(int(count), len(dataset)) if dataset is not None else 0
    if n <= 0:
        raise InspectionError("the chosen split has no samples")
    items = [dataset[i] for i in range(n)]
    xs = [item[0] for item in items]
    if isinstance(xs[0], (tuple, list)):
        x: Any = tuple(torch.stack(list(parts)) for parts in zip(*xs, strict=True))
    else:
        x = torch.stack(xs)
    ys = [item[1] if len(item) > 1 else None for item in items]
    try:
        y = None if any(v is None for v in ys) else torch.stack([torch.as_tensor(v) for v in ys])
    except (RuntimeError, TypeError):  # ragged targets (boxes): the statistics do without them
        y = None
    return x, y
