"""Load any dataset from the project's ``"data"`` section: split, normalise, augment.

A data config is a dict::

    {"dataset": "digits",                  # an id from list_datasets()
     "split": {"val": 0.1, "test": 0.2, "stratify": true},
     "normalize": true,                    # per-channel mean/std of the training split
     "augment": {"hflip": false, "crop": 0, "rotation": 0, "noise": 0.0, "color_jitter": 0.0},
     "seed": 0,                            # optional data seed (generation and split)
     ...dataset options, e.g. "image_size": 32, or "path": "table.csv", "target": "label"}

Without ``"seed"`` the data seed is the ``seed`` argument (the run's seed); set it to
keep one fixed split while training with several seeds. Augmentation always uses the
``seed`` argument.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from studio.data.augment import Augment, AugmentedSplit
from studio.data.bundle import DataBundle, DataError
from studio.data.options import DatasetInfo, resolve
from studio.data.raw import RawData
from studio.data.split import channel_stats, normalize, parse_split, split_indices
from studio.data.tensors import TensorSplit, take

COMMON_KEYS = ("dataset", "split", "normalize", "augment", "seed")
SPLITS = ("train", "val", "test")


@functools.cache
def catalog() -> dict[str, DatasetInfo]:
    """Every loadable dataset by id, built-in sets first.

    Returns
    -------
    dict
        ``{id: DatasetInfo}``.
    """
    from studio.data.builtin import digits, graph, sequences, shapes, toy2d
    from studio.data.files import arrays, cifar, idx, images, tables

    modules = (digits, toy2d, shapes, sequences, graph, images, tables, arrays, idx, cifar)
    return {info.id: info for m in modules for info in m.DATASETS}


def list_datasets() -> list[dict[str, Any]]:
    """Descriptions of every dataset for the GUI wizard.

    Returns
    -------
    list of dict
        ``id``, ``title``, ``task``, ``description``, ``source`` (builtin/file),
        ``options`` (name -> default) and ``option_info`` (name -> type, help, choices).
    """
    return [
        {
            "id": info.id,
            "title": info.title,
            "task": info.task,
            "description": info.description,
            "source": info.source,
            "options": {k: o.default for k, o in info.options.items()},
            "option_info": {k: o.describe() for k, o in info.options.items()},
        }
        for info in catalog().values()
    ]


def load_dataset(config: dict[str, Any], seed: int = 0) -> DataBundle:
    """Load, split, normalise and (for training) augment one dataset.

    Parameters
    ----------
    config
        The project's ``"data"`` section (see the module docstring).
    seed
        The run's seed: augmentation, and the split when the config has no ``"seed"``.

    Returns
    -------
    DataBundle
        The splits as in-memory datasets.

    Raises
    ------
    DataError
        Unknown dataset, bad option, unreadable or inconsistent file (one line).
    """
    if not isinstance(config, dict):
        raise DataError(f"data config must be an object, got {type(config).__name__}")
    name = config.get("dataset")
    known = catalog()
    if not name:
        raise DataError(f"data config needs a 'dataset' (one of {', '.join(known)})")
    if name not in known:
        raise DataError(f"unknown dataset {name!r} (known: {', '.join(known)})")
    info = known[name]
    opts = resolve(name, info.options, {k: v for k, v in config.items() if k not in COMMON_KEYS})
    split = parse_split(config.get("split"))
    augment = Augment.from_config(config.get("augment"))
    do_norm = config.get("normalize", True)
    if not isinstance(do_norm, bool):
        raise DataError(f"normalize must be true or false, got {do_norm!r}")
    data_seed = config.get("seed", seed)
    if isinstance(data_seed, bool) or not isinstance(data_seed, int):
        raise DataError(f"data seed must be an integer, got {data_seed!r}")
    raw = info.load(opts, data_seed)
    bundle_name = name if info.source == "builtin" else f"{name}:{opts['path']}"
    if raw.node_level:
        return _graph_bundle(bundle_name, raw, split, augment, do_norm, data_seed)
    return _assemble(bundle_name, raw, split, augment, do_norm, data_seed, seed)


def _stratify_labels(raw: RawData, split: dict) -> torch.Tensor | None:
    if not split["stratify"]:
        return None
    if raw.strata is not None:
        return raw.strata
    return raw.y if raw.task == "classification" and raw.y.dim() == 1 else None


def _check_augment(augment: Augment, x: Any, name: str) -> None:
    if not augment.active:
        return
    if isinstance(x, tuple) or not torch.is_floating_point(x):
        raise DataError(f"augmentation needs float inputs; dataset {name!r} has token ids or several inputs")
    if (augment.geometric or augment.color_jitter) and x.dim() != 4:
        raise DataError(
            f"augment flip/crop/rotation/color_jitter need images (C, H, W); "
            f"dataset {name!r} has inputs {tuple(x.shape[1:])}"
        )


def _assemble(
    name: str, raw: RawData, split: dict, augment: Augment, do_norm: bool, data_seed: int, aug_seed: int
) -> DataBundle:
    labels = _stratify_labels(raw, split)
    test_frac = 0.0 if raw.test is not None else split["test"]
    tr, va, te = split_indices(len(raw), split["val"], test_frac, data_seed, labels)
    x, no_norm = raw.build_x(tr) if raw.build_x else (raw.x, raw.no_norm)
    y, test = raw.y, raw.test
    cd = raw.channel_dim
    mean = std = None
    if do_norm and cd is not None and not isinstance(x, tuple) and torch.is_floating_point(x):
        mean, std = channel_stats(x[tr], cd)
        mean[no_norm], std[no_norm] = 0.0, 1.0
        reconstruct = raw.y is raw.x
        x = normalize(x, mean, std, cd)
        y = x if reconstruct else y
        if test is not None:
            tx = normalize(test.x, mean, std, cd)
            test = RawData(tx, tx if test.y is test.x else test.y, test.task, per_sample=test.per_sample)
    _check_augment(augment, x, name)
    if augment.active:
        seg = raw.task == "segmentation"
        train = AugmentedSplit(take(x, tr), y[tr], augment, aug_seed, mask_target=seg)
    else:
        train = TensorSplit(take(x, tr), y[tr])
    parts = {"train": tr, "val": va, "test": te}
    datasets = {"train": train, "val": TensorSplit(take(x, va), y[va])}
    if test is not None:
        datasets["test"] = TensorSplit(test.x, test.y)
    elif len(te):
        datasets["test"] = TensorSplit(take(x, te), y[te])
    extra: dict[str, Any] = dict(raw.extra)
    extra["channel_dim"] = cd
    extra["split_indices"] = {k: v for k, v in parts.items() if k in datasets and not (k == "test" and test)}
    for key, values in raw.per_sample.items():
        extra[key] = {k: values[parts[k]] for k in ("train", "val") + (() if test else ("test",))}
        if test is not None and key in test.per_sample:
            extra[key]["test"] = test.per_sample[key]
    if raw.task == "classification" and raw.y.dim() == 1:
        k = len(raw.class_names)
        extra["class_counts"] = {s: torch.bincount(d.y, minlength=k).tolist() for s, d in datasets.items()}
    shapes = [tuple(t.shape[1:]) for t in x] if isinstance(x, tuple) else [tuple(x.shape[1:])]
    return DataBundle(
        name=name,
        task=raw.task,
        train=datasets["train"],
        val=datasets["val"],
        test=datasets.get("test"),
        input_shapes=shapes,
        target_shape=tuple(y.shape[1:]),
        num_classes=raw.num_classes,
        class_names=list(raw.class_names),
        mean=mean.tolist() if mean is not None else [],
        std=std.tolist() if std is not None else [],
        extra=extra,
    )


def _graph_bundle(
    name: str, raw: RawData, split: dict, augment: Augment, do_norm: bool, data_seed: int
) -> DataBundle:
    if augment.active:
        raise DataError(f"augmentation does not apply to the graph dataset {name!r}")
    y = raw.y
    labels = y if split["stratify"] else None
    tr, va, te = split_indices(int(y.shape[0]), split["val"], split["test"], data_seed, labels)
    features, adjacency = raw.x
    mean = std = None
    if do_norm and raw.channel_dim is not None:
        mean, std = channel_stats(features[tr][None], raw.channel_dim)
        features = normalize(features[None], mean, std, raw.channel_dim)[0]
    x = (features[None], adjacency[None])
    extra: dict[str, Any] = dict(raw.extra, channel_dim=raw.channel_dim)
    datasets = {}
    for part, idx in zip(SPLITS, (tr, va, te), strict=True):
        mask = torch.zeros(y.shape[0], dtype=torch.bool)
        mask[idx] = True
        extra[f"{part}_mask"] = mask
        target = torch.where(mask, y, torch.full_like(y, raw.extra.get("ignore_index", -100)))
        datasets[part] = TensorSplit(x, target[None])
    k = len(raw.class_names)
    extra["class_counts"] = {p: torch.bincount(y[extra[f"{p}_mask"]], minlength=k).tolist() for p in SPLITS}
    return DataBundle(
        name=name,
        task=raw.task,
        train=datasets["train"],
        val=datasets["val"],
        test=datasets["test"] if len(te) else None,
        input_shapes=[tuple(features.shape), tuple(adjacency.shape)],
        target_shape=tuple(y.shape),
        num_classes=raw.num_classes,
        class_names=list(raw.class_names),
        mean=mean.tolist() if mean is not None else [],
        std=std.tolist() if std is not None else [],
        extra=extra,
    )
