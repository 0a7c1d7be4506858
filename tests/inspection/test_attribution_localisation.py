"""Grad-CAM localises: trained on the shapes set, its peak falls inside the object's bounding box.

Issue 6 asks for >= 80 % of correctly classified test images. The network is a
small all-convolutional classifier built as a graph (three conv/ReLU blocks,
global average pooling, a Linear head); Grad-CAM uses the proposed target,
the last ReLU before the pooling (an 8x8 map upsampled to 32x32).
Measured with this recipe (1 thread): 91.6 % at seed 0, the seed used here
(test accuracy 99.0 %); seeds 1-5 (data and weights) gave 98.0, 99.7, 95.7,
100.0 and 98.6 %.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from studio.compiler.lower import compile_graph
from studio.data import load_dataset
from studio.inspection.attribution import grad_cam, propose_gradcam_target
from studio.templates.builder import ChainBuilder

SEED = 0


def shapes_classifier():
    b = ChainBuilder()
    b.add("core.input_image", "image", channels=1, height=32, width=32)
    for i, channels in enumerate((16, 32, 64)):
        b.add("core.conv2d", out_channels=channels, kernel_size=3, padding=1)
        b.add("core.relu")
        if i < 2:
            b.add("core.maxpool2d", kernel_size=2)
    b.add("core.globalavgpool")
    b.add("core.linear", "logits", out_features=4)
    b.add("core.output", "output")
    return b.graph


def peak_inside_box(maps: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each map's argmax pixel lies in its box (x1, y1 first pixel; x2, y2 one past the last)."""
    n = maps.shape[0]
    rows, cols = np.unravel_index(maps.reshape(n, -1).argmax(1), maps.shape[1:])
    x1, y1, x2, y2 = boxes.T
    return (cols >= x1) & (cols < x2) & (rows >= y1) & (rows < y2)


def test_peak_inside_box_convention():
    maps = np.zeros((2, 4, 4))
    maps[0, 1, 2] = 1.0  # row 1, column 2
    maps[1, 3, 0] = 1.0
    boxes = np.array([[2, 1, 3, 2], [1, 0, 4, 4]])
    assert peak_inside_box(maps, boxes).tolist() == [True, False]


@pytest.mark.slow
def test_grad_cam_peak_falls_inside_the_object(registry):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same arithmetic, hence the same trained weights, everywhere
    try:
        bundle = load_dataset({"dataset": "shapes", "n_samples": 1500, "size": 32, "seed": SEED}, SEED)
        graph = shapes_classifier()
        target = propose_gradcam_target(graph, registry)
        assert target == "relu_3"
        torch.manual_seed(SEED)
        model = compile_graph(graph, registry)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        x, y = bundle.train.x, bundle.train.y
        order = torch.Generator().manual_seed(SEED)
        model.train()
        for _ in range(15):
            perm = torch.randperm(len(y), generator=order)
            for start in range(0, len(y), 32):
                batch = perm[start : start + 32]
                optimizer.zero_grad(set_to_none=True)
                F.cross_entropy(model(x[batch]), y[batch]).backward()
                optimizer.step()
        cam = grad_cam(model, bundle.test.x, target)
    finally:
        torch.set_num_threads(threads)
    correct = cam.class_idx == bundle.test.y.numpy()
    inside = peak_inside_box(cam.upsampled, bundle.extra["boxes"]["test"].numpy())
    accuracy, fraction = correct.mean(), inside[correct].mean()
    print(
        f"\nshapes test accuracy {accuracy:.1%}; Grad-CAM peak inside the box for "
        f"{fraction:.1%} of {correct.sum()} correctly classified images"
    )
    assert accuracy >= 0.9
    assert fraction >= 0.8
