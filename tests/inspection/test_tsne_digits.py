"""Must-show: t-SNE of trained-digits features is trustworthy, and epoch k+1's map stays near epoch k's.

A small MLP is trained on the built-in digits (8x8, 1,257 training images),
with the features of its penultimate layer (``relu2``, 64 values) taken on the
360 test images after epochs 5 and 6. Trustworthiness uses scikit-learn with
``n_neighbors=5`` (its default). Stability: epoch 6's map warm-started from
epoch 5's map (no early exaggeration, see :mod:`studio.inspection.tsne`) is
compared with a fresh t-SNE of the same epoch-6 features with the same seed
(openTSNE's PCA initialisation), both measured against epoch 5's map after
Procrustes alignment. Measured when written (seed 0): trustworthiness 0.995;
Procrustes disparity warm 0.0039 vs fresh 0.0124, mean displacement (in RMS
radii of epoch 5's map) warm 0.051 vs fresh 0.075.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studio.data import load_dataset
from studio.inspection.embedding import (
    EmbeddingHistory,
    embed_2d,
    extract_features,
    mean_displacement,
    procrustes_disparity,
    trustworthiness,
)

EPOCH_K = 5


def train_and_capture(epochs: tuple[int, ...]):
    data = load_dataset({"dataset": "digits"}, seed=0)
    torch.manual_seed(0)
    model = nn.Sequential(
        OrderedDict(
            flatten=nn.Flatten(),
            fc1=nn.Linear(64, 128),
            relu1=nn.ReLU(),
            fc2=nn.Linear(128, 64),
            relu2=nn.ReLU(),
            out=nn.Linear(64, 10),
        )
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = data.train.x, data.train.y
    order = torch.Generator().manual_seed(0)
    captured = {}
    for epoch in range(1, max(epochs) + 1):
        model.train()
        perm = torch.randperm(len(y), generator=order)
        for start in range(0, len(y), 64):
            idx = perm[start : start + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        if epoch in epochs:
            captured[epoch] = extract_features(model, data.test, "relu2")
    return captured


@pytest.mark.slow
def test_tsne_of_trained_digits_is_trustworthy_and_stable_across_epochs():
    feats = train_and_capture((EPOCH_K, EPOCH_K + 1))
    now, later = feats[EPOCH_K], feats[EPOCH_K + 1]
    assert now.features.shape == (360, 64)
    accuracy = float(later.correct.mean())
    assert accuracy > 0.9, accuracy  # the features are those of a network that learned digits

    history = EmbeddingHistory("tsne", seed=0)
    map_k = history.compute(EPOCH_K, now.features)
    warm = history.compute(EPOCH_K + 1, later.features)  # started from map_k
    fresh = embed_2d(later.features, "tsne", seed=0)

    trust = trustworthiness(now.features, map_k, n_neighbors=5)
    trust_warm = trustworthiness(later.features, warm, n_neighbors=5)
    disparity = {"warm": procrustes_disparity(map_k, warm), "fresh": procrustes_disparity(map_k, fresh)}
    moved = {"warm": mean_displacement(map_k, warm), "fresh": mean_displacement(map_k, fresh)}
    print(
        f"\naccuracy {accuracy:.3f}; trustworthiness (n_neighbors=5) epoch {EPOCH_K} {trust:.4f}, "
        f"epoch {EPOCH_K + 1} warm {trust_warm:.4f}"
        f"\nProcrustes disparity vs epoch {EPOCH_K}: "
        f"warm {disparity['warm']:.4f}, fresh {disparity['fresh']:.4f}"
        f"\nmean displacement (RMS radii): warm {moved['warm']:.4f}, fresh {moved['fresh']:.4f}"
    )
    assert trust >= 0.9 and trust_warm >= 0.9
    assert disparity["warm"] < disparity["fresh"]
    assert moved["warm"] < moved["fresh"]
