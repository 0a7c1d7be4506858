"""Evaluation numbers against hand-computed examples and scikit-learn; overlays; reconstructions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn import metrics as skm
from torch import nn
from torch.utils.data import Subset, TensorDataset

from studio.inspection.evaluation import (
    Predictions,
    binary_curves,
    confusion_matrix,
    most_confident_mistakes,
    per_class_metrics,
    predict_dataset,
    samples_in_cell,
)
from studio.inspection.hooks import InspectionError
from studio.inspection.reconstruction import reconstruct_dataset, reconstruction_errors
from studio.inspection.segmentation import class_colours, segmentation_overlay, to_rgb
from studio.training.metrics import ConfusionMeter

TRUE = np.array([0, 0, 1, 1, 2, 2, 2])
PRED = np.array([0, 1, 1, 1, 2, 0, 2])


class Fixed(nn.Module):
    """Returns the logits stored for each sample (the input is the sample's row index)."""

    def __init__(self, logits):
        super().__init__()
        self.register_buffer("logits", torch.as_tensor(logits, dtype=torch.float32))

    def forward(self, i):
        return self.logits[i.long()]


def indexed(targets) -> TensorDataset:
    return TensorDataset(torch.arange(len(targets)), torch.as_tensor(targets))


def test_confusion_matrix_of_a_known_three_class_example():
    counts, normalised = confusion_matrix(TRUE, PRED, 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    np.testing.assert_allclose(normalised, [[0.5, 0.5, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    np.testing.assert_array_equal(counts, skm.confusion_matrix(TRUE, PRED, labels=[0, 1, 2]))
    meter = ConfusionMeter(3)  # the training metrics' convention: rows = true class
    meter.update(torch.nn.functional.one_hot(torch.as_tensor(PRED), 3).float(), torch.as_tensor(TRUE))
    np.testing.assert_array_equal(counts, meter.matrix)
    # An ignore index (-100) and an absent class (3) are left out / a zero row.
    counts4, norm4 = confusion_matrix(np.append(TRUE, -100), np.append(PRED, 0), 4)
    assert counts4.sum() == 7 and not norm4[3].any()


def test_per_class_metrics_by_hand_and_as_the_meter_reports():
    report = per_class_metrics(TRUE, PRED, 3)
    np.testing.assert_allclose(report.precision, [1 / 2, 2 / 3, 1.0])
    np.testing.assert_allclose(report.recall, [1 / 2, 1.0, 2 / 3])
    np.testing.assert_allclose(report.f1, [1 / 2, 0.8, 0.8])
    np.testing.assert_array_equal(report.support, [2, 2, 3])
    meter = ConfusionMeter(3)
    meter.update(torch.nn.functional.one_hot(torch.as_tensor(PRED), 3).float(), torch.as_tensor(TRUE))
    assert report.macro_f1 == pytest.approx(meter.result()["macro_f1"])
    never = per_class_metrics([0, 0], [0, 0], 2)  # class 1 never occurs nor is predicted: 0, not nan
    assert never.precision[1] == 0 and never.f1[1] == 0


def test_predict_dataset_softmax_cells_and_dataset_indices():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.5, 0.0], [0.0, 0.2, 0.1]])
    targets = [0, 1, 1, 0, 2]
    data = indexed(targets)
    preds = predict_dataset(Fixed(logits), data, batch_size=2)
    np.testing.assert_allclose(preds.probabilities, torch.softmax(torch.tensor(logits), 1).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(preds.predictions, [0, 1, 2, 0, 1])
    np.testing.assert_array_equal(preds.targets, targets)
    assert preds.num_classes == 3
    np.testing.assert_array_equal(samples_in_cell(preds, 1, 2), [2])
    np.testing.assert_array_equal(samples_in_cell(preds, 0, 0), [0, 3])
    # Indices are positions in the dataset given (here the subset, whose rows are samples 4, 2, 0).
    sub = predict_dataset(Fixed(logits), Subset(data, [4, 2, 0]))
    np.testing.assert_array_equal(sub.predictions, [1, 2, 0])
    np.testing.assert_array_equal(sub.indices, [0, 1, 2])
    # A final Softmax is recognised: probabilities are not softmaxed twice.
    probs = torch.softmax(torch.tensor(logits), 1).numpy()
    np.testing.assert_allclose(predict_dataset(Fixed(probs), data).probabilities, probs, rtol=1e-6)


def test_single_logit_binary_and_regression_targets():
    logits = np.array([[-2.0], [0.5], [3.0], [-0.1]])
    preds = predict_dataset(Fixed(logits), indexed(torch.tensor([[0.0], [1.0], [1.0], [1.0]])))
    p = 1 / (1 + np.exp(-logits[:, 0]))
    np.testing.assert_allclose(preds.probabilities, np.stack([1 - p, p], 1), rtol=1e-6)
    np.testing.assert_array_equal(preds.predictions, [0, 1, 1, 0])  # class 1 when the logit > 0
    np.testing.assert_array_equal(preds.targets, [0, 1, 1, 1])
    with pytest.raises(InspectionError, match="do not match"):
        predict_dataset(Fixed(logits), indexed(torch.zeros(4, 3, dtype=torch.long)))
    with pytest.raises(InspectionError, match="class targets"):
        predict_dataset(Fixed(logits), indexed(torch.tensor([[0.3], [1.7], [2.0], [0.0]])))


def make_predictions(targets, scores) -> Predictions:
    scores = np.asarray(scores, dtype=np.float32)
    probabilities = np.stack([1 - scores, scores], axis=1)
    return Predictions(
        np.asarray(targets), probabilities.argmax(1), probabilities, np.arange(len(targets)) + 100
    )


def test_roc_and_pr_of_a_separable_toy_are_perfect():
    curves = binary_curves(make_predictions([0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9]))
    assert curves.roc_auc == 1.0 and curves.average_precision == 1.0
    assert curves.tpr[-1] == 1.0 and curves.fpr[0] == 0.0
    t, s = [0, 1, 0, 1, 1, 0], [0.2, 0.4, 0.6, 0.7, 0.9, 0.3]
    mixed = binary_curves(make_predictions(t, s))
    assert mixed.roc_auc == pytest.approx(skm.roc_auc_score(t, np.float32(s)))
    assert mixed.roc_auc == pytest.approx(8 / 9)  # 8 of the 9 (positive, negative) pairs ordered right
    np.testing.assert_allclose(mixed.precision, skm.precision_recall_curve(t, np.float32(s))[0])
    with pytest.raises(InspectionError, match="both classes"):
        binary_curves(make_predictions([1, 1], [0.2, 0.9]))
    three = Predictions(np.array([0, 1]), np.array([0, 1]), np.full((2, 3), 1 / 3), np.arange(2))
    with pytest.raises(InspectionError, match="binary"):
        binary_curves(three)


def test_most_confident_mistakes_come_first():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.05, 0.95], [0.7, 0.3], [0.4, 0.6]])
    targets = np.array([1, 0, 1, 1, 1, 0])  # wrong: rows 0 (0.9), 1 (0.8), 2 (0.6), 4 (0.7), 5 (0.6)
    preds = Predictions(targets, probabilities.argmax(1), probabilities, np.arange(6) * 10)
    mistakes = most_confident_mistakes(preds, k=4)
    assert [m.index for m in mistakes] == [0, 10, 40, 20]  # 0.6 tie: dataset order, 20 before 50
    assert [m.confidence for m in mistakes] == pytest.approx([0.9, 0.8, 0.7, 0.6])
    assert all(m.prediction != m.target for m in mistakes)
    assert len(most_confident_mistakes(preds, k=50)) == 5


def test_segmentation_overlay_blends_class_colours():
    image = np.full((2, 3), 0.5)
    classes = np.array([[0, 1, 2], [255, 1, 0]])  # 255: an ignore index
    rgba = segmentation_overlay(image, classes, num_classes=3, alpha=0.25, transparent=[0])
    assert rgba.shape == (2, 3, 4) and rgba.dtype == np.uint8 and (rgba[..., 3] == 255).all()
    colour = class_colours(3)
    expected = np.round((0.75 * 0.5 + 0.25 * colour[1] / 255) * 255)
    np.testing.assert_array_equal(rgba[0, 1, :3], expected)
    np.testing.assert_array_equal(rgba[1, 1, :3], expected)
    for r, c in [(0, 0), (1, 0), (1, 2)]:  # background, ignored: the image alone
        np.testing.assert_array_equal(rgba[r, c, :3], [128, 128, 128])
    np.testing.assert_array_equal(segmentation_overlay(image, classes, 3, alpha=1.0)[0, 2, :3], colour[2])
    with pytest.raises(InspectionError, match="does not match"):
        segmentation_overlay(image, np.zeros((3, 3)))
    assert len({tuple(c) for c in class_colours(25)}) == 25


def test_to_rgb_accepts_channel_first_tensors_and_stretches_normalised_images():
    chw = torch.tensor([[[-1.0, 1.0]], [[0.0, 0.0]], [[3.0, -1.0]]])  # (3, 1, 2), normalised values
    rgb = to_rgb(chw)
    assert rgb.shape == (1, 2, 3)
    np.testing.assert_allclose(rgb[0, 0], [0.0, 0.25, 1.0])
    np.testing.assert_allclose(to_rgb(np.array([[0.2]]))[0, 0], [0.2, 0.2, 0.2])


def test_reconstructions_pair_inputs_and_outputs_with_their_error():
    x = torch.arange(24, dtype=torch.float32).reshape(4, 1, 2, 3) / 24
    data = TensorDataset(x, x)

    class Halve(nn.Module):  # a "decoder" that ends flat, with a known error
        def forward(self, x):
            return x.flatten(1) * 0.5

    rec = reconstruct_dataset(Halve(), data, batch_size=3)
    assert rec.outputs.shape == rec.inputs.shape == (4, 1, 2, 3)
    expected = ((0.5 * x) ** 2).flatten(1).mean(1).numpy()
    np.testing.assert_allclose(rec.errors, expected, rtol=1e-6)
    np.testing.assert_array_equal(rec.worst(2), [3, 2])
    noisy = TensorDataset(x + 1.0, x)  # denoising: the error is against the clean target
    assert np.allclose(reconstruct_dataset(nn.Identity(), noisy).errors, 1.0)
    with pytest.raises(InspectionError, match="autoencoder"):
        reconstruct_dataset(nn.Sequential(nn.Flatten(), nn.Linear(6, 2)), data)
    with pytest.raises(InspectionError, match="values per sample"):
        reconstruction_errors(np.zeros((2, 3)), np.zeros((2, 4)))
