"""One pass of a model over a dataset, keeping what the embedding and evaluation views need.

:func:`run_dataset` feeds a dataset (or a ``DataLoader``) through the model in
evaluation mode and without gradients, and gathers the model's output, the
targets, the dataset indices and, through a forward hook
(:func:`studio.inspection.hooks.recording`), the output of one node. Both
:func:`studio.inspection.embedding.extract_features` and
:func:`studio.inspection.evaluation.predict_dataset` are built on it, so the
features of a point and its prediction always come from the same forward.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, SequentialSampler

from studio.inspection.hooks import InspectionError, Target, first_tensor, recording


@dataclasses.dataclass
class PassResult:
    """What one pass over the data produced (numpy, on the CPU).

    Attributes
    ----------
    outputs
        The model's (first) output, batch dimension first.
    targets
        The targets (first target when there are several), or None if the data have none.
    indices
        Position of each row in the dataset (in a ``DataLoader``: in the order it yielded them).
    features
        The recorded node's output, or None when no node was asked for.
    inputs
        The (first) input batch, only with ``keep_inputs=True``.
    """

    outputs: np.ndarray
    targets: np.ndarray | None
    indices: np.ndarray
    features: np.ndarray | None = None
    inputs: np.ndarray | None = None


def _batches(data: Any, batch_size: int, limit: int | None) -> Iterator[tuple[Any, Any, np.ndarray]]:
    """``(x, y, indices)`` batches of a dataset or a ``DataLoader``, at most ``limit`` rows."""
    if isinstance(data, DataLoader):
        # A sequential loader's positions are dataset indices; a shuffled one's are only
        # the order of arrival (documented in run_dataset).
        seen = 0
        for batch in data:
            x, y = (
                (batch[0], batch[1]) if isinstance(batch, (tuple, list)) and len(batch) > 1 else (batch, None)
            )
            n = _batch_len(x)
            take = n if limit is None else min(n, limit - seen)
            if take <= 0:
                return
            if take < n:
                x, y = _head(x, take), _head(y, take)
            yield x, y, np.arange(seen, seen + take)
            seen += take
        return
    n = len(data) if limit is None else min(len(data), limit)
    if hasattr(data, "batch") and callable(data.batch):
        # studio's in-memory splits gather a whole batch with one indexing operation.
        for start in range(0, n, batch_size):
            index = torch.arange(start, min(start + batch_size, n))
            x, y = data.batch(index)
            yield x, y, index.numpy()
        return
    loader = DataLoader(data, batch_size=batch_size, sampler=SequentialSampler(range(n)))
    start = 0
    for batch in loader:
        x, y = (batch[0], batch[1]) if isinstance(batch, (tuple, list)) and len(batch) > 1 else (batch, None)
        size = _batch_len(x)
        yield x, y, np.arange(start, start + size)
        start += size


def _batch_len(x: Any) -> int:
    tensor = first_tensor(x)
    if tensor is None:
        raise InspectionError("a batch of the data holds no tensor input")
    return int(tensor.shape[0])


def _head(x: Any, n: int) -> Any:
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return type(x)(_head(t, n) for t in x)
    return x[:n]


def _to(x: Any, device: torch.device) -> Any:
    if isinstance(x, torch.Tensor):
        return x.to(device)
    if isinstance(x, (tuple, list)):
        return tuple(_to(t, device) for t in x)
    return x


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def run_dataset(
    model: nn.Module,
    data: Any,
    node: Target | None = None,
    batch_size: int = 256,
    limit: int | None = None,
    device: str | torch.device = "cpu",
    keep_inputs: bool = False,
) -> PassResult:
    """Run ``model`` over ``data`` once (eval mode, no gradients) and gather outputs and targets.

    Parameters
    ----------
    model
        The network; its training/eval mode and device are restored afterwards.
    data
        A dataset of ``(x, y)`` items (``x`` a tensor or a tuple of tensors, one
        per graph input) or a ``DataLoader`` yielding such batches. With a
        shuffled loader ``indices`` are arrival positions, not dataset indices:
        pass the dataset to know which sample each row is.
    node
        A node name, dotted path or module whose output is recorded as
        ``features``; None records nothing.
    batch_size
        Rows per forward (ignored for a ``DataLoader``).
    limit
        Use only the first ``limit`` samples (all when None).
    device
        Where the forwards run.
    keep_inputs
        Also return the (first) inputs, e.g. for reconstructions.

    Returns
    -------
    PassResult

    Raises
    ------
    InspectionError
        Unknown node, a node that did not run, or data without samples.
    """
    device = torch.device(device)
    was_training = model.training
    param = next(itertools.chain(model.parameters(), model.buffers()), None)
    home = param.device if param is not None else None
    outputs, targets, indices, features, inputs = [], [], [], [], []
    try:
        model.eval()
        if home is not None and home != device:
            model.to(device)
        targets_seen = True
        with torch.no_grad(), recording(model, [node] if node is not None else []) as records:
            for x, y, index in _batches(data, batch_size, limit):
                records.clear()
                args = _to(x, device)
                out = model(*args) if isinstance(args, tuple) else model(args)
                out = first_tensor(out)
                if out is None:
                    raise InspectionError("the model's output holds no tensor")
                outputs.append(_numpy(out))
                indices.append(index)
                y = first_tensor(y) if y is not None else None
                targets_seen = targets_seen and y is not None
                if y is not None:
                    targets.append(_numpy(y))
                if keep_inputs:
                    inputs.append(_numpy(first_tensor(x)))
                if node is not None:
                    features.append(_node_rows(records, node, len(index)))
    finally:
        if home is not None and home != device:
            model.to(home)
        model.train(was_training)
    if not outputs:
        raise InspectionError("the data hold no samples")
    return PassResult(
        outputs=np.concatenate(outputs),
        targets=np.concatenate(targets) if targets_seen and targets else None,
        indices=np.concatenate(indices).astype(np.int64),
        features=np.concatenate(features) if node is not None else None,
        inputs=np.concatenate(inputs) if keep_inputs else None,
    )


def _node_rows(records: dict[str, torch.Tensor], node: Target, rows: int) -> np.ndarray:
    """The recorded output of ``node`` for one batch, flattened to ``(rows, D)`` float32."""
    tensor = next(iter(records.values()), None)
    name = node if isinstance(node, str) else type(node).__name__
    if tensor is None:
        raise InspectionError(f"{name} did not run during the forward, so it has no features")
    if tensor.dim() == 0 or tensor.shape[0] != rows:
        raise InspectionError(
            f"{name}'s output {tuple(tensor.shape)} has no batch dimension of {rows} first, "
            "so it cannot be split into per-sample features"
        )
    return _numpy(tensor.reshape(rows, -1).float())


def is_class_task(outputs: np.ndarray, targets: np.ndarray | None) -> bool:
    """Whether the outputs are class scores.

    Integer targets; float targets of 0s and 1s with one output column (a
    binary head trained with ``BCEWithLogitsLoss``); or no targets and ≥ 2
    output columns.
    """
    if targets is not None:
        if targets.dtype.kind in "iub":
            return True
        single = outputs.ndim == 1 or outputs.shape[1] == 1
        return single and targets.size > 0 and bool(np.isin(targets, (0.0, 1.0)).all())
    return outputs.ndim >= 2 and outputs.shape[1] > 1


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Class probabilities along axis 1 (float32), from logits or from a model's own probabilities.

    ``(N, C, ...)`` with C ≥ 2: used as they are when they already are
    probabilities (a final Softmax: non-negative, summing to 1), exponentiated
    when they are log-probabilities (a final LogSoftmax), softmax otherwise.
    ``(N,)`` or ``(N, 1, ...)``: one logit per sample, made ``[1 - p, p]`` with
    ``p = sigmoid(logit)`` -- the convention of
    :class:`studio.training.metrics.ConfusionMeter` (class 1 when the logit > 0).
    """
    z = outputs.astype(np.float64)
    if z.ndim == 1:
        z = z[:, None]
    if z.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        return np.concatenate([1.0 - p, p], axis=1).astype(np.float32)
    if z.min() >= 0 and np.allclose(z.sum(axis=1), 1.0, atol=1e-4):
        return z.astype(np.float32)
    if z.max() <= 0 and np.allclose(np.exp(z).sum(axis=1), 1.0, atol=1e-4):
        return np.exp(z).astype(np.float32)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
