"""The Evaluation tab's computation (no Qt): one pass over the split, the numbers for the task.

The task is the run's training task (``project.training["task"]``), else the
data's default task. Classification and segmentation get a confusion matrix
and per-class scores (segmentation per pixel, with IoU); classification also
the most confident mistakes and, for two classes, ROC and PR curves.
Regression gets predicted-vs-true values with MAE, RMSE and R²;
reconstruction every input paired with its output, worst first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.inspection.hooks import InspectionError

MAX_SAMPLES = {"classification": 20000, "segmentation": 2000, "regression": 20000, "reconstruction": 5000}
MISTAKES = 24


def task_of(run: Any) -> str:
    """The run's task: its training configuration's, else the dataset's default."""
    from studio.training.config import ConfigError, TrainConfig

    training = dict(run.project.training or {})
    if "task" in training:
        try:
            return TrainConfig.from_dict(training).task
        except ConfigError:
            return str(training["task"])
    return str(getattr(run.data, "task", "") or "classification")


def class_names(run: Any, count: int) -> list[str]:
    """``count`` class names: the dataset's, ``class k`` where it has none."""
    names = list(run.class_names or [])
    return [names[i] if i < len(names) else f"class {i}" for i in range(count)]


@dataclass
class ClassEvaluation:
    """Classification (one class per sample) or segmentation (one per pixel) scores."""

    task: str
    preds: Any  # studio.inspection.evaluation.Predictions
    names: list[str]
    counts: np.ndarray
    normalised: np.ndarray
    report: Any  # ClassReport
    mistakes: list = field(default_factory=list)
    curves: Any = None  # BinaryCurves for two classes
    curves_note: str = ""  # why there are no curves
    split_size: int = 0

    @property
    def accuracy(self) -> float:
        """Share of samples (pixels) on the diagonal."""
        total = self.counts.sum()
        return float(np.trace(self.counts) / total) if total else 0.0

    @property
    def iou(self) -> np.ndarray:
        """Per-class intersection over union, ``TP / (TP + FP + FN)`` (0 where a class never occurs)."""
        tp = np.diag(self.counts).astype(np.float64)
        union = self.counts.sum(axis=0) + self.counts.sum(axis=1) - tp
        return np.divide(tp, union, out=np.zeros_like(tp), where=union > 0)

    @property
    def per_sample(self) -> bool:
        """True for one class per sample (cells hold samples, mistakes exist)."""
        return self.preds.targets.ndim == 1


@dataclass
class RegressionEvaluation:
    """Predicted against true values (``(N, D)`` each) and their errors."""

    targets: np.ndarray
    outputs: np.ndarray
    indices: np.ndarray
    split_size: int = 0

    @property
    def mae(self) -> float:
        """Mean absolute error over all values."""
        return float(np.abs(self.outputs - self.targets).mean())

    @property
    def rmse(self) -> float:
        """Root mean squared error over all values."""
        return float(np.sqrt(((self.outputs - self.targets) ** 2).mean()))

    @property
    def r2(self) -> float:
        """Coefficient of determination, averaged over the outputs (scikit-learn's ``r2_score``)."""
        from sklearn.metrics import r2_score

        return float(r2_score(self.targets, self.outputs))


@dataclass
class ReconstructionEvaluation:
    """Inputs beside their reconstructions (:class:`~studio.inspection.reconstruction.Reconstructions`)."""

    recon: Any
    split_size: int = 0


def evaluate(run: Any, dataset: Any, task: str, cancel: Any = None) -> Any:
    """The evaluation of ``task`` on ``dataset`` (the first ``MAX_SAMPLES[task]`` samples).

    Raises
    ------
    InspectionError
        A task this tab cannot evaluate, or data that do not fit it.
    """
    limit = MAX_SAMPLES.get(task)
    if task in ("classification", "segmentation"):
        return _classes(run, dataset, task, limit)
    if task == "regression":
        from studio.inspection.batches import run_dataset

        result = run_dataset(run.model, dataset, limit=limit)
        if result.targets is None:
            raise InspectionError("the data have no targets to compare the predictions with")
        n = len(result.outputs)
        outputs = result.outputs.reshape(n, -1).astype(np.float64)
        targets = result.targets.reshape(n, -1).astype(np.float64)
        if outputs.shape != targets.shape:
            raise InspectionError(
                f"the model gives {outputs.shape[1]} values per sample but the targets "
                f"have {targets.shape[1]}"
            )
        return RegressionEvaluation(targets, outputs, result.indices, len(dataset))
    if task == "reconstruction":
        from studio.inspection.reconstruction import reconstruct_dataset

        return ReconstructionEvaluation(reconstruct_dataset(run.model, dataset, limit=limit), len(dataset))
    raise InspectionError(
        f"the Evaluation tab knows classification, segmentation, regression and "
        f"reconstruction; this run's task is {task!r}"
    )


def _classes(run: Any, dataset: Any, task: str, limit: int | None) -> ClassEvaluation:
    from studio.inspection import evaluation as ev

    preds = ev.predict_dataset(run.model, dataset, limit=limit)
    c = preds.num_classes
    counts, normalised = ev.confusion_matrix(preds.targets, preds.predictions, c)
    result = ClassEvaluation(
        task,
        preds,
        class_names(run, c),
        counts,
        normalised,
        ev.per_class_metrics(preds.targets, preds.predictions, c),
        split_size=len(dataset),
    )
    if result.per_sample:
        result.mistakes = ev.most_confident_mistakes(preds, MISTAKES)
        if c == 2:
            try:
                result.curves = ev.binary_curves(preds)
            except InspectionError as exc:
                result.curves_note = str(exc)
    return result
