"""What a dataset hands to training: split datasets plus what the model needs to know.

Every loader (built-in sets, the user's files) returns a :class:`DataBundle`.
Items are ``(x, y)``: ``x`` a float tensor (or a long tensor of token ids), or
a tuple of tensors when the graph has several inputs (in the graph's input
order); ``y`` the target (class index as a 0-d long tensor, a float tensor for
regression/reconstruction, a long mask for segmentation), or a tuple for
several outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DataError(ValueError):
    """A dataset that cannot be loaded; the one-line message names the file and the problem."""


@dataclass
class DataBundle:
    """Train / validation / test splits of one dataset and their description.

    Attributes
    ----------
    name
        Dataset id (``"digits"``) or file name.
    task
        ``"classification"``, ``"regression"``, ``"segmentation"``,
        ``"reconstruction"`` ... (the default task type for this data).
    train, val, test
        ``torch.utils.data.Dataset`` objects (``test`` may be None).
    input_shapes
        Per-sample shape of each input, without the batch dimension.
    target_shape
        Per-sample shape of the target (``()`` for a class index).
    num_classes, class_names
        For classification and segmentation; None/empty otherwise.
    mean, std
        Per-channel normalisation computed on the training split (applied).
    """

    name: str
    task: str
    train: Any
    val: Any
    test: Any | None
    input_shapes: list[tuple[int, ...]]
    target_shape: tuple[int, ...] = ()
    num_classes: int | None = None
    class_names: list[str] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. boxes/masks for the shapes set
