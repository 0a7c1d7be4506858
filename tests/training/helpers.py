"""Tiny datasets and graphs for the training tests (real tensors, no mocks)."""

from __future__ import annotations

import torch
from torch.utils.data import TensorDataset

from studio.core.serialize import Project
from studio.data.bundle import DataBundle
from studio.templates.builder import ChainBuilder
from studio.templates.catalog import get_template


def blobs(n: int = 128, seed: int = 0, classes: int = 2, features: int = 2) -> DataBundle:
    """Gaussian blobs, one per class, split 3:1 into train and validation."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    centers = torch.randn(classes, features, generator=g) * 3
    x = centers[y] + torch.randn(n, features, generator=g)
    cut = n * 3 // 4
    return DataBundle(
        "blobs",
        "classification",
        TensorDataset(x[:cut], y[:cut]),
        TensorDataset(x[cut:], y[cut:]),
        None,
        [(features,)],
        (),
        classes,
    )


def mlp_project() -> Project:
    """The MLP template: 2 -> 16 -> 16 -> 2."""
    return get_template("mlp").build()


def dropout_project(features: int = 2, classes: int = 2) -> Project:
    """An MLP with dropout (its masks use the global RNG, which resume must restore)."""
    b = ChainBuilder()
    b.add("core.input_vector", "features", features=features)
    b.add("core.linear", out_features=32)
    b.add("core.relu")
    b.add("core.dropout", p=0.3)
    b.add("core.linear", out_features=16)
    b.add("core.tanh")
    b.add("core.linear", "logits", out_features=classes)
    b.add("core.output", "output")
    return Project(b.graph)


FAST = {"epochs": 2, "batch_size": 16, "lr": 0.01}
