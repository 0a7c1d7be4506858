"""What a loader produces before splitting: whole-dataset tensors plus their description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class RawData:
    """A whole dataset in memory, before the train / validation / test split.

    Attributes
    ----------
    x
        Inputs, first dimension = samples; a tuple of tensors for several inputs.
        None when ``build_x`` makes them once the training rows are known.
    y
        Targets, first dimension = samples.
    task
        Default task type (``"classification"``, ``"regression"`` ...).
    class_names
        Class names for classification / segmentation.
    channel_dim
        Per-sample axis of ``x`` that holds channels or features for normalisation
        (0 for ``(C, H, W)`` images and ``(F,)`` vectors, 1 for ``(T, C)`` sequences);
        None means the inputs are never normalised (token ids, binary sequences).
    no_norm
        Channel indices that keep mean 0 / std 1 (one-hot columns).
    strata
        Labels used to stratify the split (default: ``y`` for classification).
    per_sample
        Tensors aligned with the samples; the bundle gets them split, as
        ``extra[name] = {"train": ..., "val": ..., "test": ...}``.
    extra
        Dataset-wide facts copied into ``bundle.extra`` (``vocab_size`` ...).
    test
        A fixed test set shipped with the files (MNIST ``t10k``, CIFAR ``test_batch``).
    node_level
        One graph whose nodes are split (``x`` and ``y`` have no sample dimension).
    build_x
        Called with the training indices to make ``x`` (encodings fitted on the
        training rows only, e.g. one-hot categories); returns ``(x, no_norm)``.
    """

    x: Any
    y: torch.Tensor
    task: str
    class_names: list[str] = field(default_factory=list)
    channel_dim: int | None = None
    no_norm: list[int] = field(default_factory=list)
    strata: torch.Tensor | None = None
    per_sample: dict[str, torch.Tensor] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    test: RawData | None = None
    node_level: bool = False
    build_x: Callable[[torch.Tensor], tuple[Any, list[int]]] | None = None

    @property
    def num_classes(self) -> int | None:
        """Number of classes, or None when the task has none."""
        return len(self.class_names) or None

    def __len__(self) -> int:
        return int(self.y.shape[0])
