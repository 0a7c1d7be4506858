"""Evaluation views' numbers: predictions, confusion matrix, per-class scores, ROC/PR, mistakes.

Conventions follow :class:`studio.training.metrics.ConfusionMeter`: the
confusion matrix has one row per *true* class and one column per predicted
class, targets outside ``0..C-1`` (an ``ignore_index``) are left out, and a
single-logit output means class 1 when the logit is positive. Segmentation
overlays and autoencoder reconstructions are in
:mod:`studio.inspection.segmentation` and :mod:`studio.inspection.reconstruction`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.batches import class_probabilities, is_class_task, run_dataset
from studio.inspection.hooks import InspectionError


@dataclasses.dataclass
class Predictions:
    """The model's verdict on every sample of a dataset.

    Attributes
    ----------
    targets
        True classes: ``(N,)``, or ``(N, H, W)`` for segmentation.
    predictions
        Predicted classes, same shape as ``targets``.
    probabilities
        ``(N, C, ...)`` class probabilities (C = 2 for a single-logit binary output).
    indices
        ``(N,)`` dataset index of each sample.
    """

    targets: np.ndarray
    predictions: np.ndarray
    probabilities: np.ndarray
    indices: np.ndarray

    @property
    def num_classes(self) -> int:
        """C, the number of classes the model scores."""
        return int(self.probabilities.shape[1])

    @property
    def confidence(self) -> np.ndarray:
        """Probability of the predicted class, same shape as ``predictions``."""
        return self.probabilities.max(axis=1)


def predict_dataset(
    model: nn.Module,
    dataset: Any,
    batch_size: int = 256,
    limit: int | None = None,
    device: str | torch.device = "cpu",
) -> Predictions:
    """Class predictions for every sample of ``dataset`` (or ``DataLoader``), one pass, eval mode.

    Raises
    ------
    InspectionError
        When the data have no class targets (regression, reconstruction).
    """
    result = run_dataset(model, dataset, None, batch_size, limit, device)
    if result.targets is None or not is_class_task(result.outputs, result.targets):
        raise InspectionError("predictions by class need class targets; this data has none")
    probabilities = class_probabilities(result.outputs)
    targets = result.targets.astype(np.int64)
    predictions = probabilities.argmax(axis=1)
    if targets.size != predictions.size:
        raise InspectionError(
            f"targets {result.targets.shape[1:]} per sample do not match the predictions "
            f"{predictions.shape[1:]}"
        )
    return Predictions(targets.reshape(predictions.shape), predictions, probabilities, result.indices)


def confusion_matrix(
    targets: np.ndarray, predictions: np.ndarray, num_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts and row-normalised confusion matrices, ``(C, C)`` each, rows = true class.

    The normalised matrix divides each row by its total (so its diagonal is
    the per-class recall); a class absent from ``targets`` has a zero row.
    """
    t = np.asarray(targets).reshape(-1).astype(np.int64)
    p = np.asarray(predictions).reshape(-1).astype(np.int64)
    keep = (t >= 0) & (t < num_classes) & (p >= 0) & (p < num_classes)
    counts = np.bincount(t[keep] * num_classes + p[keep], minlength=num_classes**2)
    counts = counts.reshape(num_classes, num_classes)
    totals = counts.sum(axis=1, keepdims=True)
    normalised = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    return counts, normalised


@dataclasses.dataclass
class ClassReport:
    """Per-class precision, recall, F1 and support (``(C,)`` arrays), and their macro means."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray

    @property
    def macro_f1(self) -> float:
        """Unweighted mean F1 over classes."""
        return float(self.f1.mean())


def per_class_metrics(targets: np.ndarray, predictions: np.ndarray, num_classes: int) -> ClassReport:
    """scikit-learn's precision/recall/F1 per class (0 where undefined, as ConfusionMeter reports)."""
    from sklearn.metrics import precision_recall_fscore_support

    t = np.asarray(targets).reshape(-1)
    p = np.asarray(predictions).reshape(-1)
    keep = (t >= 0) & (t < num_classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        t[keep], p[keep], labels=np.arange(num_classes), zero_division=0
    )
    return ClassReport(precision, recall, f1, support)


def samples_in_cell(preds: Predictions, true_class: int, predicted_class: int) -> np.ndarray:
    """Dataset indices of the samples in one confusion-matrix cell, in dataset order.

    The cell is (row, column) = (``true_class``, ``predicted_class``), as in
    :func:`confusion_matrix`.
    """
    if preds.targets.ndim != 1:
        raise InspectionError("a confusion cell holds samples only when there is one class per sample")
    mask = (preds.targets == true_class) & (preds.predictions == predicted_class)
    return preds.indices[mask]


@dataclasses.dataclass
class Mistake:
    """A wrongly classified sample."""

    index: int
    target: int
    prediction: int
    confidence: float


def most_confident_mistakes(preds: Predictions, k: int = 16) -> list[Mistake]:
    """The ``k`` wrong predictions made with the highest confidence, most confident first.

    Ties keep dataset order.
    """
    if preds.targets.ndim != 1:
        raise InspectionError("mistakes are listed per sample; this task has one class per pixel")
    wrong = np.flatnonzero(preds.predictions != preds.targets)
    confidence = preds.confidence[wrong]
    order = wrong[np.argsort(-confidence, kind="stable")][:k]
    return [
        Mistake(
            int(preds.indices[i]),
            int(preds.targets[i]),
            int(preds.predictions[i]),
            float(preds.confidence[i]),
        )
        for i in order
    ]


@dataclasses.dataclass
class BinaryCurves:
    """ROC and precision-recall curves of a binary classifier (positive class 1)."""

    fpr: np.ndarray
    tpr: np.ndarray
    roc_thresholds: np.ndarray
    roc_auc: float
    precision: np.ndarray
    recall: np.ndarray
    pr_thresholds: np.ndarray
    average_precision: float


def binary_curves(preds: Predictions) -> BinaryCurves:
    """ROC and PR curves with their areas (scikit-learn), scoring by the probability of class 1.

    ``average_precision`` is scikit-learn's step-wise area under the PR curve
    (no optimistic linear interpolation).

    Raises
    ------
    InspectionError
        For more than two classes, or when the targets hold only one class.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    if preds.num_classes != 2 or preds.targets.ndim != 1:
        raise InspectionError(
            "ROC and PR curves are for binary tasks (2 classes, one per sample); "
            f"this one has {preds.num_classes}"
        )
    t, score = preds.targets, preds.probabilities[:, 1].astype(np.float64)
    if len(np.unique(t)) != 2:
        raise InspectionError("ROC and PR curves need samples of both classes; the targets hold only one")
    fpr, tpr, roc_thresholds = roc_curve(t, score)
    precision, recall, pr_thresholds = precision_recall_curve(t, score)
    return BinaryCurves(
        fpr,
        tpr,
        roc_thresholds,
        float(roc_auc_score(t, score)),
        precision,
        recall,
        pr_thresholds,
        float(average_precision_score(t, score)),
    )
