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


def test_confusion_meter_matches_sklearn_over_many_batches():
    # More batches than are kept before counting, of uneven sizes, with an out-of-range target.
    from sklearn.metrics import confusion_matrix, top_k_accuracy_score

    gen = torch.Generator().manual_seed(0)
    m = ConfusionMeter(10, topk=(5,))
    all_logits, all_targets = [], []
    for size in [64] * 37 + [5]:
        logits = torch.randn(size, 10, generator=gen)
        target = torch.randint(0, 10, (size,), generator=gen)
        m.update(logits, target)
        all_logits.append(logits)
        all_targets.append(target)
    x, y = torch.cat(all_logits).numpy(), torch.cat(all_targets).numpy()
    assert m.matrix.tolist() == confusion_matrix(y, x.argmax(1), labels=range(10)).tolist()
    r = m.result()
    assert r["accuracy"] == pytest.approx((x.argmax(1) == y).mean())
    assert r["top5"] == pytest.approx(top_k_accuracy_score(y, x, k=5, labels=range(10)))
    ignored = ConfusionMeter(3)
    ignored.update(torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]), torch.tensor([0, 7]))  # 7: not a class
    assert ignored.matrix.sum() == 1
