"""Grad-CAM target proposal, Grad-CAM/Grad-CAM++ results, and leaving the model as it was."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studio.compiler.lower import compile_graph
from studio.inspection.attribution import (
    NO_SPATIAL,
    grad_cam,
    grad_cam_pp,
    integrated_gradients,
    occlusion,
    propose_gradcam_target,
    propose_module_target,
    saliency,
    smoothgrad,
    spatial_nodes,
)
from studio.inspection.hooks import InspectionError
from studio.templates import get_template
from tests.compiler.graphs import add, chain, wire


def lenet5_graph():
    return get_template("lenet5").build().graph


def residual_graph(registry):
    """image -> conv -> relu -> conv -> Add(relu, conv) -> GlobalAvgPool -> Linear -> output."""
    graph = chain(
        registry,
        [
            ("core.input_image", {"channels": 3, "height": 16, "width": 16}),
            ("core.conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
            ("core.relu", {}),
            ("core.conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ],
    )
    relu = graph.node_by_name("relu_1").id
    conv = graph.node_by_name("conv2d_2").id
    plus = add(graph, "core.add", {}, name="residual")
    wire(graph, relu, plus, dst_port="in0")
    wire(graph, conv, plus, dst_port="in1")
    gap = add(graph, "core.globalavgpool")
    wire(graph, plus, gap)
    head = add(graph, "core.linear", {"out_features": 4})
    wire(graph, gap, head)
    wire(graph, head, add(graph, "core.output"))
    return graph


def test_lenet5_proposes_the_last_pooling_before_flatten(registry):
    graph = lenet5_graph()
    flatten = next(n for n in graph.nodes.values() if n.type == "core.flatten")
    feeding = graph.nodes[graph.in_edges(flatten.id)[0].src[0]].name
    assert propose_gradcam_target(graph, registry) == feeding == "maxpool2d_2"
    expected = ["conv2d_1", "relu_1", "maxpool2d_1", "conv2d_2", "relu_2", "maxpool2d_2"]
    assert spatial_nodes(graph, registry) == expected


def test_grad_cam_on_compiled_lenet5_with_the_proposed_target(registry):
    graph = lenet5_graph()
    torch.manual_seed(0)
    model = compile_graph(graph, registry)
    x = torch.randn(4, 1, 32, 32)
    cam = grad_cam(model, x, propose_gradcam_target(graph, registry))
    assert cam.target == "maxpool2d_2" and cam.method == "grad_cam"
    assert cam.layer.shape == (4, 5, 5) and cam.upsampled.shape == (4, 32, 32)
    assert (cam.layer >= 0).all() and cam.layer.max() > 0
    assert cam.logits.shape == cam.probabilities.shape == (4, 10)
    np.testing.assert_allclose(cam.probabilities.sum(1), 1.0, rtol=1e-6)
    assert cam.class_idx.tolist() == cam.logits.argmax(1).tolist()
    # Without a graph the module fallback finds the same layer.
    assert propose_module_target(model, x) == "maxpool2d_2"
    assert grad_cam(model, x).target == "maxpool2d_2"


def test_residual_add_is_proposed_and_usable(registry):
    graph = residual_graph(registry)
    assert propose_gradcam_target(graph, registry) == "residual"
    model = compile_graph(graph, registry)
    cam = grad_cam(model, torch.randn(2, 3, 16, 16), "residual", class_idx=1)
    assert cam.layer.shape == (2, 16, 16) and cam.class_idx.tolist() == [1, 1]


@pytest.mark.parametrize(
    ("template", "shape"),
    [("mlp", (2,)), ("logreg", (1, 8, 8))],  # logreg: image -> flatten, and the input is no target
)
def test_models_without_spatial_layers_give_a_clear_error(registry, template, shape):
    graph = get_template(template).build().graph
    assert spatial_nodes(graph, registry) == []
    message = "this model has no spatial layers; Grad-CAM needs a convolutional feature map"
    with pytest.raises(InspectionError, match=message):
        propose_gradcam_target(graph, registry)
    model = compile_graph(graph, registry)
    with pytest.raises(InspectionError, match=NO_SPATIAL):
        grad_cam(model, torch.randn(2, *shape))


def test_module_fallback_without_spatial_layers_and_non_spatial_targets():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 3))
    x = torch.randn(2, 1, 8, 8)
    with pytest.raises(InspectionError, match=NO_SPATIAL):
        propose_module_target(model, x)
    with pytest.raises(InspectionError, match=NO_SPATIAL):
        grad_cam(model, x)
    with pytest.raises(InspectionError, match="not a feature map"):
        grad_cam(model, x, "1")
    with pytest.raises(InspectionError, match="no node or module"):
        grad_cam(model, x, "conv9")


class Functional(nn.Module):
    """LeNet-like with functional ReLU/pooling: only conv/linear are modules."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2, self.fc = nn.Conv2d(1, 4, 3), nn.Conv2d(4, 6, 3), nn.Linear(6 * 5 * 5, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc(torch.flatten(F.relu(self.conv2(x)), 1))


def test_module_fallback_picks_the_last_spatial_leaf():
    assert propose_module_target(Functional(), torch.randn(1, 1, 16, 16)) == "conv2"


class Noisy(nn.Module):
    """Dropout and batch norm make train-mode results random / batch-dependent."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

    def forward(self, x):
        return self.head(self.features(x))


def hooks_left(model: nn.Module) -> int:
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks) for m in model.modules()
    )


@pytest.mark.parametrize(
    "explain",
    [
        lambda m, x: grad_cam(m, x, "features.2"),
        lambda m, x: grad_cam_pp(m, x, "features.2"),
        lambda m, x: saliency(m, x),
        lambda m, x: smoothgrad(m, x, n_samples=3),
        lambda m, x: integrated_gradients(m, x, steps=4),
        lambda m, x: occlusion(m, x, 3, 3),
    ],
    ids=["grad_cam", "grad_cam_pp", "saliency", "smoothgrad", "ig", "occlusion"],
)
def test_explanations_leave_the_model_as_it_was(explain):
    torch.manual_seed(0)
    model = Noisy().train()
    model.head.eval()  # mixed modes must come back mixed
    modes = [m.training for m in model.modules()]
    x = torch.randn(3, 1, 8, 8)
    first = explain(model, x)
    second = explain(model, x)
    # Eval mode while explaining: dropout off, so the result is reproducible.
    values = "layer" if hasattr(first, "layer") else "values"
    np.testing.assert_array_equal(getattr(first, values), getattr(second, values))
    assert [m.training for m in model.modules()] == modes
    assert hooks_left(model) == 0
    assert all(p.grad is None for p in model.parameters())


def test_hooks_are_removed_when_the_forward_fails():
    model = Noisy()
    with pytest.raises(RuntimeError):
        grad_cam(model, torch.randn(2, 1, 9, 9), "features.2")  # wrong size for the Linear
    assert hooks_left(model) == 0
    assert model.training


def test_grad_cam_runs_one_forward():
    model = Noisy()
    calls = []
    handle = model.features[0].register_forward_hook(lambda *_: calls.append(1))
    try:
        grad_cam(model, torch.randn(5, 1, 8, 8), "features.2")
    finally:
        handle.remove()
    assert len(calls) == 1


def test_class_index_checks():
    model = Noisy()
    x = torch.randn(2, 1, 8, 8)
    assert grad_cam(model, x, "features.2", [2, 0]).class_idx.tolist() == [2, 0]
    with pytest.raises(InspectionError, match="out of range"):
        grad_cam(model, x, "features.2", 3)
    with pytest.raises(InspectionError, match="3 class indices for a batch of 2"):
        saliency(model, x, [0, 1, 2])


def test_grad_cam_pp_closed_form_on_a_linear_head():
    """Target = the input itself (Identity), so dS/dA is the Linear's weight: check the formula."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Identity(), nn.Flatten(), nn.Linear(2 * 3 * 3, 2)).double()
    x = torch.rand(1, 2, 3, 3, dtype=torch.float64)
    a = x[0].numpy()
    g = model[2].weight[1].detach().reshape(2, 3, 3).numpy()
    alpha = g**2 / (2 * g**2 + a.sum(axis=(1, 2), keepdims=True) * g**3)
    weights = (alpha * np.maximum(g, 0)).sum(axis=(1, 2))
    expected = np.maximum((weights[:, None, None] * a).sum(0), 0)
    ours = grad_cam_pp(model, x, "0", class_idx=1, upsample=False)
    assert ours.upsampled is None
    np.testing.assert_allclose(ours.layer[0], expected, rtol=1e-12)
    plain = grad_cam(model, x, "0", class_idx=1).layer[0]
    assert not np.allclose(plain, ours.layer[0])  # the two methods really differ
