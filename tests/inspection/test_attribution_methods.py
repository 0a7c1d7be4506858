"""Input attributions checked against closed forms, plus the display helpers (top-k, overlays)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studio.inspection.attribution import (
    colorize,
    guided_backprop,
    integrated_gradients,
    normalize_map,
    occlusion,
    overlay,
    saliency,
    smoothgrad,
    to_heatmap,
    top_k,
)
from studio.inspection.attribution.display import image_rgb, resize_bilinear
from studio.inspection.hooks import InspectionError


def linear_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3)).double()


def test_saliency_of_a_linear_model_is_its_weight():
    model = linear_model()
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64)
    sal = saliency(model, x, class_idx=2, abs=False)
    expected = model[1].weight[2].detach().reshape(2, 4, 4).numpy()
    np.testing.assert_allclose(sal.values, np.broadcast_to(expected, (2, 2, 4, 4)), rtol=1e-12)
    np.testing.assert_allclose(saliency(model, x, 2).values, np.abs(sal.values))


def test_smoothgrad_averages_noisy_gradients():
    model = linear_model()
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64)
    # A linear model has the same gradient everywhere: noise cannot change it.
    np.testing.assert_allclose(
        smoothgrad(model, x, 1, n_samples=4, noise_level=0.3).values, saliency(model, x, 1).values, rtol=1e-12
    )
    torch.manual_seed(1)
    cnn = nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16, 3)).double()
    noisy = smoothgrad(cnn, x, 0, n_samples=6, noise_level=0.2, seed=3)
    chunked = smoothgrad(cnn, x, 0, n_samples=6, noise_level=0.2, seed=3, internal_batch_size=4)
    np.testing.assert_allclose(noisy.values, chunked.values, rtol=1e-12)
    other_seed = smoothgrad(cnn, x, 0, n_samples=6, noise_level=0.2, seed=4)
    assert np.abs(noisy.values - other_seed.values).max() > 1e-6
    no_noise = smoothgrad(cnn, x, 0, n_samples=2, noise_level=0.0)
    np.testing.assert_allclose(no_noise.values, saliency(cnn, x, 0).values, rtol=1e-12)


def test_integrated_gradients_of_a_linear_model_is_exact():
    model = linear_model()
    x = torch.randn(3, 2, 4, 4, dtype=torch.float64)
    baseline = torch.full_like(x, 0.25)
    ig = integrated_gradients(model, x, 0, baseline=baseline, steps=7)
    weight = model[1].weight[0].detach().reshape(2, 4, 4)
    np.testing.assert_allclose(ig.values, (weight * (x - baseline)).numpy(), rtol=1e-10)
    np.testing.assert_allclose(ig.delta, 0.0, atol=1e-10)  # completeness holds exactly
    with pytest.raises(InspectionError, match="unknown integration method"):
        integrated_gradients(model, x, method="simpson")


def test_occlusion_batching_and_a_hand_computed_window():
    model = linear_model()
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64)
    one = occlusion(model, x, (2, 2), 2, class_idx=1, internal_batch_size=2)
    many = occlusion(model, x, (2, 2), 2, class_idx=1, internal_batch_size=1000)
    np.testing.assert_allclose(one.values, many.values, rtol=1e-12)
    # Non-overlapping windows on a linear model: each element gets the drop of its window, w . x over it.
    w = model[1].weight[1].detach().reshape(2, 4, 4)
    contrib = (w * x).numpy()
    patch = contrib[:, :, :2, :2].sum(axis=(1, 2, 3))
    np.testing.assert_allclose(one.values[:, 0, 0, 0], patch, rtol=1e-10)
    with pytest.raises(InspectionError, match="larger than the window"):
        occlusion(model, x, (2, 2), 3)


def test_guided_backprop_needs_relu_modules():
    with pytest.raises(InspectionError, match="needs ReLU modules"):
        guided_backprop(linear_model(), torch.randn(1, 2, 4, 4, dtype=torch.float64))


def test_top_k_orders_classes_with_probabilities():
    logits = np.array([[0.0, 3.0, 1.0, -1.0], [2.0, 0.0, 0.0, 0.0]])
    preds = top_k(logits, k=2, class_names=["a", "b", "c"])
    assert [[p.index for p in row] for row in preds] == [[1, 2], [0, 1]]
    assert preds[0][0].name == "b" and preds[1][1].name == "b"
    expected = np.exp(3) / np.exp([0.0, 3.0, 1.0, -1.0]).sum()
    assert preds[0][0].probability == pytest.approx(expected)
    assert top_k(logits[0], k=10)[0][-1].name == "class 3"  # 1-D input, names missing, k capped
    assert len(top_k(logits[0], k=10)[0]) == 4


def test_heat_maps_and_overlays():
    values = np.random.default_rng(0).normal(size=(2, 3, 4, 4))
    np.testing.assert_allclose(to_heatmap(values), np.abs(values).max(axis=1))
    np.testing.assert_allclose(to_heatmap(values, "sum"), values.sum(axis=1))
    np.testing.assert_allclose(normalize_map(np.array([0.0, 1.0, 4.0])), [0.0, 0.25, 1.0])
    np.testing.assert_allclose(normalize_map(np.array([-2.0, 0.0, 1.0]), symmetric=True), [0.0, 0.5, 0.75])
    assert normalize_map(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    jet = colorize(np.array([0.0, 1.0]))
    assert jet.dtype == np.uint8 and jet.tolist() == [[0, 0, 128, 255], [128, 0, 0, 255]]

    image = np.linspace(-1.0, 1.0, 64).reshape(1, 8, 8)  # (C, H, W), normalised values
    heat = np.zeros((4, 4))
    heat[0, 0] = 1.0
    assert (overlay(image, heat, opacity=0.0)[..., :3] == np.round(255 * image_rgb(image))).all()
    full = overlay(image, heat, opacity=1.0)
    assert full.shape == (8, 8, 4) and (full[..., 3] == 255).all()
    assert full[0, 0, :3].tolist() == [128, 0, 0]  # the hot corner is jet's top colour
    assert full[7, 7, :3].tolist() == [0, 0, 128]  # a cold pixel is jet's bottom colour
    half, plain = (overlay(image, heat, opacity=o)[..., :3].astype(int) for o in (0.5, 0.0))
    assert np.abs(half - (full[..., :3].astype(int) + plain) / 2).max() <= 1


def test_numpy_resize_matches_torch_bilinear():
    heat = np.random.default_rng(1).random((5, 7))
    ref = F.interpolate(torch.from_numpy(heat)[None, None], size=(13, 9), mode="bilinear")[0, 0].numpy()
    np.testing.assert_allclose(resize_bilinear(heat, 13, 9), ref, rtol=1e-12, atol=1e-12)
