"""Every explanation agrees with captum's implementation under matched settings.

Tolerance (issue 6): max |ours - captum| <= 1e-5 * max |captum|. The models are
small seeded float64 CNNs, so the comparison measures the method, not float32
rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr import (
    GuidedBackprop,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    Occlusion,
    Saliency,
)
from torch import nn

from studio.compiler.lower import compile_graph
from studio.inspection.attribution import (
    grad_cam,
    guided_backprop,
    integrated_gradients,
    occlusion,
    propose_gradcam_target,
    saliency,
)
from studio.templates import get_template

RTOL = 1e-5


def assert_agrees(ours: np.ndarray, reference: torch.Tensor) -> None:
    ref = reference.detach().double().numpy()
    assert ours.shape == ref.shape
    scale = np.abs(ref).max()
    assert scale > 0, "the reference is all zeros: the comparison would prove nothing"
    diff = np.abs(ours - ref).max()
    assert diff <= RTOL * scale, f"max |diff| {diff:.3g} > {RTOL} x max |ref| {scale:.3g}"


class SmallCNN(nn.Module):
    """Two conv blocks with nn.ReLU modules, a flatten head: 5 classes."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.conv1, self.relu1 = nn.Conv2d(3, 6, 3, padding=1), nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2, self.relu2 = nn.Conv2d(6, 8, 3, padding=1), nn.ReLU()
        self.fc = nn.Linear(8 * (size // 2) ** 2, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu1(self.conv1(x)))
        return self.fc(torch.flatten(self.relu2(self.conv2(x)), 1))


def make(size: int = 15, n: int = 4, seed: int = 0) -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(seed)
    model = SmallCNN(size).double().eval()
    return model, torch.randn(n, 3, size, size, dtype=torch.float64)


@pytest.mark.parametrize("size", [14, 15])  # 7x7 maps upsampled x2 exactly, and to 15 (non-integer scale)
def test_grad_cam_matches_layer_grad_cam(size):
    model, x = make(size)
    classes = [0, 3, 1, 4]
    ours = grad_cam(model, x, "relu2", classes)
    ref = LayerGradCam(model, model.relu2).attribute(x, target=classes, relu_attributions=True)
    assert_agrees(ours.layer, ref[:, 0])
    up = LayerAttribution.interpolate(ref, (size, size), interpolate_mode="bilinear")
    assert_agrees(ours.upsampled, up[:, 0])
    assert ours.layer.shape == (4, 7, 7) and ours.upsampled.shape == (4, size, size)


def test_grad_cam_on_the_lenet5_template_matches_captum(registry):
    graph = get_template("lenet5").build().graph
    target = propose_gradcam_target(graph, registry)
    torch.manual_seed(1)
    model = compile_graph(graph, registry).double().eval()
    x = torch.randn(3, 1, 32, 32, dtype=torch.float64)
    predicted = model(x).argmax(1)
    ours = grad_cam(model, x, target)  # class_idx None: each sample's prediction
    assert ours.class_idx.tolist() == predicted.tolist()
    ref = LayerGradCam(model, model.get_submodule(target)).attribute(
        x, target=predicted, relu_attributions=True
    )
    assert_agrees(ours.layer, ref[:, 0])
    assert_agrees(ours.upsampled, LayerAttribution.interpolate(ref, (32, 32), "bilinear")[:, 0])


@pytest.mark.parametrize("absolute", [True, False])
def test_saliency_matches_captum(absolute):
    model, x = make()
    ours = saliency(model, x, 2, abs=absolute)
    assert_agrees(ours.values, Saliency(model).attribute(x, target=2, abs=absolute))


def test_guided_backprop_matches_captum():
    model, x = make()
    ours = guided_backprop(model, x, [1, 0, 4, 2])
    ref = GuidedBackprop(model).attribute(x, target=[1, 0, 4, 2])
    assert_agrees(ours.values, ref)
    # Guiding changes the result: plain gradients differ (else the test could not fail).
    assert np.abs(saliency(model, x, [1, 0, 4, 2], abs=False).values - ours.values).max() > 1e-3


@pytest.mark.parametrize("method", ["gausslegendre", "riemann_trapezoid"])
@pytest.mark.parametrize("steps", [20, 50])
def test_integrated_gradients_matches_captum(method, steps):
    model, x = make(n=3)
    ours = integrated_gradients(model, x, 3, steps=steps, method=method)
    ref = IntegratedGradients(model).attribute(x, baselines=0.0, target=3, n_steps=steps, method=method)
    assert_agrees(ours.values, ref)


def test_integrated_gradients_with_a_baseline_tensor_and_internal_batches():
    model, x = make(n=3)
    baseline = torch.full_like(x, -0.5)
    ours = integrated_gradients(model, x, [0, 2, 4], baseline=baseline, steps=30, internal_batch_size=20)
    ref = IntegratedGradients(model).attribute(
        x, baselines=baseline, target=[0, 2, 4], n_steps=30, internal_batch_size=20
    )
    assert_agrees(ours.values, ref)


@pytest.mark.parametrize(
    ("window", "stride", "baseline"),
    [
        ((3, 4, 4), (3, 2, 2), 0.0),  # all channels at once; 15 - 4 is not a multiple of 2: edge window cut
        ((1, 3, 3), (1, 3, 3), 0.3),  # one channel at a time, non-overlapping windows
        ((3, 5, 5), (3, 3, 4), -1.0),  # different strides per dim
    ],
)
def test_occlusion_matches_captum(window, stride, baseline):
    model, x = make(n=2)
    ours = occlusion(model, x, window, stride, baseline, class_idx=1, internal_batch_size=16)
    ref = Occlusion(model).attribute(
        x, sliding_window_shapes=window, strides=stride, baselines=baseline, target=1
    )
    assert_agrees(ours.values, ref)


def test_occlusion_spatial_window_shorthand_occludes_all_channels():
    model, x = make(n=2)
    short = occlusion(model, x, (4, 4), (2, 2), class_idx=0)
    full = Occlusion(model).attribute(x, sliding_window_shapes=(3, 4, 4), strides=(1, 2, 2), target=0)
    assert_agrees(short.values, full)
