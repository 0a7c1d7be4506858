import math

import pytest
import torch

from studio.training.metrics import ConfusionMeter, RegressionMeter, SegmentationMeter


def test_confusion_meter_accuracy_topk_and_per_class_scores():
    m = ConfusionMeter(3, topk=(2,))
    logits = torch.tensor([[3.0, 2, 1], [1, 3, 2], [1, 3, 2], [2, 1, 3], [3, 2, 1]])
    target = torch.tensor([0, 1, 2, 2, 1])
    m.update(logits, target)
    r = m.result()
    assert r["accuracy"] == pytest.approx(3 / 5)
    assert r["top2"] == pytest.approx(5 / 5)
    assert r["precision"] == pytest.approx([1 / 2, 1 / 2, 1.0])
    assert r["recall"] == pytest.approx([1.0, 1 / 2, 1 / 2])
    assert r["f1"] == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert m.matrix.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 1]]


def test_binary_single_logit():
    m = ConfusionMeter(2)
    m.update(torch.tensor([[2.0], [-1.0], [0.5]]), torch.tensor([1, 0, 0]))
    assert m.result()["accuracy"] == pytest.approx(2 / 3)


def test_segmentation_iou_and_dice():
    m = SegmentationMeter(2)
    target = torch.tensor([[[0, 0], [1, 1]]])
    pred = torch.tensor([[[0, 1], [1, 1]]])
    logits = torch.nn.functional.one_hot(pred, 2).movedim(-1, 1).float()
    m.update(logits, target)
    r = m.result()
    assert r["iou"] == pytest.approx([1 / 2, 2 / 3])
    assert r["dice"] == pytest.approx([2 / 3, 4 / 5])
    assert r["pixel_accuracy"] == pytest.approx(3 / 4)
    assert r["mean_iou"] == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_regression_mae_and_r2():
    m = RegressionMeter()
    y = torch.tensor([1.0, 2.0, 3.0, 4.0])
    m.update(y + torch.tensor([0.5, -0.5, 0.5, -0.5]), y)
    r = m.result()
    assert r["mae"] == pytest.approx(0.5)
    assert r["r2"] == pytest.approx(1 - 1.0 / 5.0)
    assert math.isnan(RegressionMeter().result()["r2"])
