"""The wizard's preview, computed off the GUI thread: what the model will see, and what is wrong.

:func:`preview_job` is a generator for :class:`~studio.ui.inspect.jobs.JobRunner`:
it yields progress lines (``str``) and :class:`Preview` objects, the last one
complete. Most formats are read by :func:`studio.data.load_dataset` itself, so
the wizard shows exactly what training will get and the loader's own messages.
Image folders are the exception (:mod:`~studio.ui.data.folder_preview`):
decoding tens of thousands of files cannot be interrupted inside the loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

THUMBNAILS = 48  # samples shown in the grid
TABLE_ROWS = 50  # rows shown for tables
TABLE_COLUMNS = 16  # vector features shown as columns


@dataclass
class Preview:
    """What a data config gives, for the preview page.

    Attributes
    ----------
    dataset
        Dataset id.
    task
        Default task of the data.
    sizes
        Samples per split (``train``, ``val``, ``test``).
    input_shapes, target_shape
        Per-sample shapes, without the batch dimension.
    class_names, class_counts
        Classes and, per split, the samples of each class (empty for regression).
    thumbnails, labels
        Display images (``(H, W)`` or ``(H, W, 3)`` floats in [0, 1]) and their captions.
    table
        ``(header, rows)`` of the first rows for tables and vectors, else None.
    sample, mean, std
        One training input ``(C, H, W)`` in the original value range and the
        training statistics, for the augmentation preview (None when not an image).
    note
        A remark (no images to show, a fixed test set ...).
    done
        False while the preview is still being completed.
    """

    dataset: str
    task: str = ""
    sizes: dict[str, int] = field(default_factory=dict)
    input_shapes: list[tuple[int, ...]] = field(default_factory=list)
    target_shape: tuple[int, ...] = ()
    class_names: list[str] = field(default_factory=list)
    class_counts: dict[str, list[int]] = field(default_factory=dict)
    thumbnails: list[np.ndarray] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None
    sample: np.ndarray | None = None
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    note: str = ""
    done: bool = True

    def totals(self) -> list[int]:
        """Samples per class over all splits."""
        counts = [c for c in self.class_counts.values() if c]
        return [int(sum(col)) for col in zip(*counts, strict=True)] if counts else []


def preview_job(config: dict[str, Any], cancel: Any, seed: int = 0):
    """Yield progress lines and :class:`Preview` objects for ``config``; the last item is complete.

    Parameters
    ----------
    config
        A project ``data`` section for a file dataset.
    cancel
        Truthy once the job is no longer wanted (checked between files).
    seed
        The run seed used when the config has no data ``seed``.

    Yields
    ------
    str or Preview
        Progress text, partial previews, then the final preview.

    Raises
    ------
    studio.data.DataError
        The loader's one-line message (shown by the wizard).
    """
    if config.get("dataset") == "image_folder":
        from studio.ui.data.folder_preview import image_folder_preview

        yield from image_folder_preview(config, cancel, seed)
        return
    yield "Loading…"
    yield _from_bundle(config, seed)


# ----------------------------------------------------------------- any dataset
def _from_bundle(config: dict[str, Any], seed: int) -> Preview:
    import torch

    from studio.data import load_dataset

    bundle = load_dataset({k: v for k, v in config.items() if k != "augment"}, seed)
    splits = {"train": bundle.train, "val": bundle.val, "test": bundle.test}
    out = Preview(
        config["dataset"],
        bundle.task,
        {k: len(v) for k, v in splits.items() if v is not None},
        [tuple(s) for s in bundle.input_shapes],
        tuple(bundle.target_shape),
        list(bundle.class_names),
        {k: list(v) for k, v in bundle.extra.get("class_counts", {}).items()},
        mean=list(bundle.mean),
        std=list(bundle.std),
    )
    if "test" in out.sizes and "test" not in bundle.extra.get("split_indices", {}):
        out.note = "The test split is the dataset's own test files (the test fraction is not used)."
    train_x, train_y = bundle.train.x, bundle.train.y
    if isinstance(train_x, tuple) or not torch.is_floating_point(train_x):
        out.note = "Inputs are token ids or several tensors: no sample view."
        return out
    classify = bundle.class_names and train_y.dim() == 1
    index = spread(train_y.numpy(), THUMBNAILS) if classify else np.arange(min(THUMBNAILS, len(train_y)))
    x = _denormalise(train_x[torch.from_numpy(index)].numpy(), bundle.mean, bundle.std)
    names = bundle.class_names
    if classify:
        labels = [names[int(train_y[i])] for i in index]
    elif train_y[0].numel() <= 3:
        labels = [_target_text(train_y[i]) for i in index]
    else:
        labels = [f"#{int(i)}" for i in index]  # a whole image or sequence as target: no caption
    if _is_image(x.shape[1:]):
        out.thumbnails = display_images(x)
        out.labels = labels
        out.sample = x[0] if len(x) else None
    elif config["dataset"] == "csv":
        from studio.data.files.tables import read_table

        header, rows = read_table(Path(config["path"]).expanduser(), config.get("delimiter", "auto"))
        out.table = (header, rows[:TABLE_ROWS])
        features = bundle.extra.get("feature_names", [])
        onehot = sum("=" in f for f in features)
        out.note = f"{len(features)} input features" + (
            f", {onehot} of them one-hot encoded categories (fitted on the training rows)." if onehot else "."
        )
    elif x.ndim == 2:
        cols = min(TABLE_COLUMNS, x.shape[1])
        header = [f"x[{j}]" for j in range(cols)] + ["target"]
        rows = [
            [f"{v:.4g}" for v in row[:cols]] + [lab] for row, lab in zip(x[:TABLE_ROWS], labels, strict=False)
        ]
        out.table = (header, rows)
        if x.shape[1] > cols:
            out.note = f"First {cols} of {x.shape[1]} features shown."
    else:
        out.note = f"Inputs of shape {tuple(x.shape[1:])}: no sample view."
    return out


def spread(labels: np.ndarray, cap: int) -> np.ndarray:
    """Up to ``cap`` row indices taking the classes in turn, so every class shows."""
    per_class = [np.flatnonzero(labels == k) for k in np.unique(labels)]
    out: list[int] = []
    depth = 0
    while len(out) < cap and any(depth < len(m) for m in per_class):
        out.extend(int(m[depth]) for m in per_class if depth < len(m))
        depth += 1
    return np.asarray(sorted(out[:cap]), dtype=np.int64)


def _denormalise(x: np.ndarray, mean: list[float], std: list[float]) -> np.ndarray:
    """Undo the per-channel normalisation (channel axis 1 of a batch)."""
    if not mean or x.ndim < 2 or x.shape[1] != len(mean):
        return x.astype(np.float32)
    shape = [1, -1] + [1] * (x.ndim - 2)
    return (
        x * np.asarray(std, np.float32).reshape(shape) + np.asarray(mean, np.float32).reshape(shape)
    ).astype(np.float32)


def _target_text(y: Any) -> str:
    values = y.reshape(-1).tolist()
    return ", ".join(f"{v:.3g}" for v in values[:3]) + (" …" if len(values) > 3 else "")


def _is_image(shape: tuple[int, ...]) -> bool:
    return len(shape) == 3 and shape[0] in (1, 3, 4) and min(shape[1:]) >= 2


def display_images(x: np.ndarray) -> list[np.ndarray]:
    """A batch ``(N, C, H, W)`` as displayable ``(H, W)`` / ``(H, W, 3)`` floats in [0, 1].

    Data already in [0, 1] is shown as is (so brightness differences stay
    visible); anything else is stretched per image.
    """
    x = x[:, :3] if x.shape[1] >= 3 else x[:, :1]
    unit = x.size == 0 or (float(x.min()) >= -1e-3 and float(x.max()) <= 1 + 1e-3)
    out = []
    for a in x:
        if not unit:
            lo, hi = float(a.min()), float(a.max())
            a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        a = np.clip(a, 0.0, 1.0)
        out.append(a[0] if a.shape[0] == 1 else np.transpose(a, (1, 2, 0)))
    return out
