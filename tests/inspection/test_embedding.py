"""Feature extraction, PCA, the progressive t-SNE job, map comparison and the epoch history."""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict

import numpy as np
import pytest
import torch
from scipy.spatial import procrustes
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sk_trustworthiness
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from studio.inspection.embedding import (
    EmbeddingHistory,
    align,
    embed_2d,
    extract_features,
    mean_displacement,
    pca_2d,
    procrustes_disparity,
    trustworthiness,
)
from studio.inspection.hooks import InspectionError
from studio.inspection.tsne import TsneJob

SHORT = {"early_exaggeration_iter": 20, "n_iter": 40, "every": 10}  # 1 + 2 + 4 layouts


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_digits().data[:200].astype(np.float32)


def small_model() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        OrderedDict(flatten=nn.Flatten(), fc1=nn.Linear(6, 5), relu1=nn.ReLU(), out=nn.Linear(5, 3))
    )


def small_data(n: int = 23) -> TensorDataset:
    g = torch.Generator().manual_seed(1)
    return TensorDataset(torch.randn(n, 2, 3, generator=g), torch.randint(0, 3, (n,), generator=g))


# ------------------------------------------------------------------ extraction
def test_extract_features_matches_a_manual_forward():
    model, data = small_model(), small_data()
    model.train()
    feats = extract_features(model, data, "relu1", batch_size=4)
    x, y = data.tensors
    with torch.no_grad():
        hidden = model.relu1(model.fc1(model.flatten(x)))
        logits = model.out(hidden)
    assert model.training  # mode restored
    assert feats.features.dtype == np.float32 and feats.features.shape == (23, 5)
    np.testing.assert_allclose(feats.features, hidden.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(feats.probabilities, torch.softmax(logits, 1).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(feats.predictions, logits.argmax(1).numpy())
    np.testing.assert_array_equal(feats.labels, y.numpy())
    np.testing.assert_array_equal(feats.indices, np.arange(23))
    np.testing.assert_array_equal(feats.correct, logits.argmax(1).numpy() == y.numpy())
    np.testing.assert_allclose(feats.confidence, torch.softmax(logits, 1).max(1).values.numpy(), rtol=1e-5)
    assert feats.node == "relu1"


def test_extract_features_flattens_per_sample_and_honours_limit_and_loaders():
    model, data = small_model(), small_data()
    limited = extract_features(model, data, "flatten", limit=10, batch_size=3)
    assert limited.features.shape == (10, 6)
    np.testing.assert_allclose(limited.features, data.tensors[0][:10].reshape(10, -1).numpy())
    loader = DataLoader(data, batch_size=5)
    from_loader = extract_features(model, loader, model.fc1, limit=12)
    assert from_loader.features.shape == (12, 5) and from_loader.node == "Linear"
    np.testing.assert_array_equal(from_loader.indices, np.arange(12))


def test_extract_features_says_what_is_wrong():
    model, data = small_model(), small_data()
    with pytest.raises(InspectionError, match="no node or module 'fc9'"):
        extract_features(model, data, "fc9")

    class Transposed(nn.Module):  # a node whose output puts the batch second
        def __init__(self):
            super().__init__()
            self.t = nn.Identity()

        def forward(self, x):
            return self.t(x.transpose(0, 1)).transpose(0, 1).sum(-1)

    with pytest.raises(InspectionError, match="no batch dimension"):
        extract_features(Transposed(), data, "t", batch_size=4)


# ------------------------------------------------------------------ PCA
def test_pca_2d_is_deterministic_with_a_fixed_sign_convention(digits):
    coords = pca_2d(digits)
    assert coords.shape == (200, 2) and coords.dtype == np.float32
    np.testing.assert_array_equal(coords, pca_2d(digits.copy()))
    sk = PCA(2).fit(digits)
    reference = sk.transform(digits)
    for j in range(2):  # the same components as scikit-learn, up to sign ...
        sign = np.sign(reference[:, j] @ coords[:, j])
        np.testing.assert_allclose(coords[:, j], sign * reference[:, j], rtol=1e-3, atol=1e-3)
    # ... with the sign fixed by the data (largest loading positive), so -X maps to -map.
    np.testing.assert_allclose(pca_2d(-digits), -coords, rtol=1e-3, atol=1e-3)
    one_dim = pca_2d(digits[:, [10]])
    assert one_dim.shape == (200, 2) and not one_dim[:, 1].any()


# ------------------------------------------------------------------ progressive t-SNE
def test_job_shows_pca_first_then_refines_and_ends_where_opentsne_does(digits):
    from openTSNE import TSNE

    job = TsneJob(digits, perplexity=20, **SHORT)
    layouts = list(job.layouts())
    first = layouts[0]
    assert first.phase == "pca" and first.iteration == 0 and first.kl_divergence is None
    np.testing.assert_array_equal(first.coords, pca_2d(digits))
    assert [lay.phase for lay in layouts[1:]] == ["exaggeration"] * 2 + ["normal"] * 4
    assert [lay.iteration for lay in layouts] == [0, 10, 20, 30, 40, 50, 60]
    assert [lay.done for lay in layouts] == [False] * 6 + [True] and job.result is layouts[-1]
    assert layouts[-1].progress == 1.0 and job.total == 60
    assert layouts[-1].kl_divergence < layouts[3].kl_divergence  # it is optimising
    # Chunked optimisation is openTSNE's own run, not an approximation of it.
    tsne = TSNE(perplexity=20, early_exaggeration_iter=20, n_iter=40, n_jobs=1, random_state=0)
    reference = tsne.fit(digits)
    scale = np.abs(reference).max()
    np.testing.assert_allclose(job.result.coords, reference, atol=1e-5 * scale)


def test_cancel_stops_the_job_between_chunks(digits):
    job = TsneJob(digits, perplexity=20, **SHORT)
    seen = []
    for layout in job.layouts():
        seen.append(layout.phase)
        if layout.phase == "exaggeration":
            job.cancel()
    assert seen == ["pca", "exaggeration"] and job.cancelled and job.result is None
    assert job.run() is None  # a cancelled job stays cancelled

    # From another thread, as the GUI does while a worker runs the job.
    other = TsneJob(digits, perplexity=20, early_exaggeration_iter=20, n_iter=10_000, every=10)
    started, finished = threading.Event(), []

    def work():
        finished.append(other.run(lambda layout: started.set()))

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(30)
    other.cancel()
    thread.join(60)
    assert not thread.is_alive() and finished == [None] and other.cancelled


def test_warm_job_starts_from_the_previous_map_without_early_exaggeration(digits):
    previous = TsneJob(digits, perplexity=20, **SHORT).run()
    job = TsneJob(digits + 0.01, previous, perplexity=20, **SHORT)
    layouts = list(job.layouts())
    assert layouts[0].phase == "start"
    np.testing.assert_array_equal(layouts[0].coords, previous)
    assert {lay.phase for lay in layouts[1:]} == {"normal"} and job.total == 40
    assert procrustes_disparity(previous, job.result.coords) < 0.05
    with pytest.raises(InspectionError, match="same samples"):
        TsneJob(digits, previous[:-1])
    with pytest.raises(InspectionError, match="same features"):
        TsneJob(np.ones((20, 3)))


def test_embed_2d_methods(digits):
    coords = embed_2d(digits[:60], "tsne", perplexity=10, **SHORT)
    assert coords.shape == (60, 2) and coords.dtype == np.float32
    np.testing.assert_array_equal(embed_2d(digits, "pca"), pca_2d(digits))
    with pytest.raises(InspectionError, match="unknown embedding method 'isomap'"):
        embed_2d(digits, "isomap")


@pytest.mark.skipif(importlib.util.find_spec("umap") is not None, reason="umap-learn is installed")
def test_umap_without_the_package_says_how_to_get_it(digits):
    with pytest.raises(InspectionError, match="umap-learn"):
        embed_2d(digits, "umap")


# ------------------------------------------------------------------ comparing maps
def test_procrustes_measures_ignore_rotation_scale_and_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 2))
    angle = 0.7
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    b = 3.0 * (a @ rotation) * np.array([1, -1]) + 5.0  # rotated, mirrored, scaled, shifted
    assert procrustes_disparity(a, b) < 1e-12 and mean_displacement(a, b) < 1e-6
    np.testing.assert_allclose(align(a, b), a, atol=1e-9)
    noisy = a + rng.normal(scale=0.1, size=a.shape)
    assert procrustes_disparity(a, noisy) == pytest.approx(procrustes(a, noisy)[2])
    # Each point moved ~0.1 * sqrt(pi/2) ≈ 0.125 on a cloud of RMS radius ~1.4.
    assert 0.05 < mean_displacement(a, noisy) < 0.15
    with pytest.raises(InspectionError, match="same points"):
        procrustes_disparity(a, a[:-1])


def test_trustworthiness_is_scikit_learns(digits):
    coords = pca_2d(digits)
    assert trustworthiness(digits, coords, 5) == sk_trustworthiness(digits, coords, n_neighbors=5)
    assert 0.5 < trustworthiness(digits, coords, 5, max_points=100) <= 1.0


# ------------------------------------------------------------------ history
def test_history_keeps_pca_maps_from_flipping(digits):
    history = EmbeddingHistory("pca")
    first = history.compute(1, digits)
    flipped = history.compute(2, -digits)  # PCA of -X is the mirror image: aligned back
    np.testing.assert_allclose(flipped, first, atol=1e-3 * np.abs(first).max())
    assert history.epochs == [1, 2] and 2 in history and len(history) == 2


def test_history_warm_starts_tsne_from_the_latest_earlier_epoch(digits):
    history = EmbeddingHistory("tsne", perplexity=20, **SHORT)
    history.compute(3, digits)
    job = history.job(4, digits * 1.01)
    layouts = list(job.layouts())
    assert layouts[0].phase == "start"
    np.testing.assert_array_equal(layouts[0].coords, history[3])
    np.testing.assert_array_equal(history[4], job.result.coords)  # stored when it finished
    assert history.previous(4) is history[3] and history.previous(3) is None
    for layout in history.job(6, digits).layouts():  # a view that stops at the final layout still stores it
        if layout.done:
            break
    assert 6 in history
    fresh = history.job(5, digits[:100])  # other points: no map to start from
    assert fresh.init is None
    with pytest.raises(InspectionError, match="t-SNE only"):
        EmbeddingHistory("pca").job(1, digits)
