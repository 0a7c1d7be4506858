"""Metric accumulators: fed batch by batch, read once per split.

Each meter keeps plain sums (no tensors that need grad) and returns a flat
``dict[str, float | list]``. Validation and test metrics are computed with the
model in eval mode (dropout off, BatchNorm running statistics): see
:func:`studio.training.tasks.TaskType.evaluate`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

PENDING_BATCHES = 16  # classification batches gathered before they are counted
PENDING_ELEMENTS = 1 << 20  # ... or this many logits, whichever comes first


class MeanMeter:
    """A weighted running mean (the loss)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0

    def update(self, value: float, n: int) -> None:
        """Add ``value`` as the mean over ``n`` samples."""
        self.total += float(value) * n
        self.count += n

    @property
    def mean(self) -> float:
        """The mean so far (nan when empty)."""
        return self.total / self.count if self.count else math.nan


class ConfusionMeter:
    """Confusion matrix of class predictions: accuracy, top-k, per-class precision/recall/F1.

    Parameters
    ----------
    num_classes
        Number of classes C; the matrix is C × C (rows = true class).
    topk
        k values for top-k accuracy (only those < C are reported).
    """

    def __init__(self, num_classes: int, topk: tuple[int, ...] = (5,)) -> None:
        self.num_classes = num_classes
        self._matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
        self.topk = tuple(k for k in topk if 1 < k < num_classes)
        self._topk_hits = {k: 0 for k in self.topk}
        # Batches are counted on the tensors' device and read back once per split, not per step.
        self._counts: torch.Tensor | None = None
        self._hits: dict[int, torch.Tensor] = {}
        # Small batches are kept and counted together: a dozen tensor operations per
        # training step would otherwise cost as much as a few percent of a small model's step.
        self._pending: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._pending_size = 0

    def update(self, logits: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch: ``logits`` (N, C, ...) or (N, 1) binary; ``target`` class indices."""
        logits = logits.detach()
        if target.requires_grad:
            target = target.detach()
        if logits.dim() == 2 and target.dim() == 1 and logits.shape[0] == target.shape[0]:
            self._pending.append((logits, target))
            self._pending_size += logits.numel()
            if len(self._pending) >= PENDING_BATCHES or self._pending_size >= PENDING_ELEMENTS:
                self._count_pending()
            return
        self._count(logits, target)

    def _count_pending(self) -> None:
        if not self._pending:
            return
        logits, targets = zip(*self._pending, strict=True)
        self._pending, self._pending_size = [], 0
        # Rows of logits against class indices are counted in numpy: on a small batch each torch
        # operation costs several microseconds of dispatch, numpy's a fraction of that.
        if len({(one.dtype, one.device) for one in logits}) == 1:
            x = torch.cat(logits).float().cpu().numpy()
        else:  # mixed precision
            x = np.concatenate([one.float().cpu().numpy() for one in logits])
        t = torch.cat([target.reshape(-1) for target in targets]).cpu().numpy().astype(np.int64)
        c = self.num_classes
        pred = (x[:, 0] > 0).astype(np.int64) if x.shape[1] == 1 else np.argmax(x, axis=1)
        valid = np.flatnonzero((t >= 0) & (t < c))  # other targets (e.g. an ignore index) are not counted
        t, x, pred = t[valid], x[valid], pred[valid]
        self._matrix += np.bincount(t * c + pred, minlength=c * c).reshape(c, c)
        if self.topk:
            # The true class is among the top k when fewer than k logits exceed its own.
            above = (x > x[np.arange(len(t)), t][:, None]).sum(axis=1)
            for k in self.topk:
                self._topk_hits[k] += int((above < k).sum())

    def _count(self, logits: torch.Tensor, target: torch.Tensor) -> None:
        if logits.shape[1] == 1:
            pred = (logits[:, 0] > 0).long()
        else:
            pred = logits.argmax(dim=1)
        t = target.detach().long().reshape(pred.shape)
        c = self.num_classes
        idx = (t * c + pred).flatten()
        flat = t.flatten()
        idx = idx[(flat >= 0) & (flat < c)]
        counts = torch.bincount(idx, minlength=c * c)
        self._counts = counts if self._counts is None else self._counts + counts
        for k in self.topk:
            hits = (logits.topk(k, dim=1).indices == t.unsqueeze(1)).any(dim=1).sum()
            self._hits[k] = hits if k not in self._hits else self._hits[k] + hits

    def _flush(self) -> None:
        self._count_pending()
        if self._counts is not None:
            self._matrix += self._counts.cpu().numpy().reshape(self.num_classes, self.num_classes)
            self._counts = None
        for k, hits in self._hits.items():
            self._topk_hits[k] += int(hits)
        self._hits = {}

    @property
    def matrix(self) -> np.ndarray:
        """The C × C confusion matrix so far (rows = true class)."""
        self._flush()
        return self._matrix

    @property
    def topk_hits(self) -> dict[int, int]:
        """Samples whose class is among the top k logits, per k."""
        self._flush()
        return self._topk_hits

    def result(self) -> dict[str, float | list[float]]:
        """``accuracy``, ``top{k}``, ``precision``/``recall``/``f1`` per class and their macro means."""
        m = self.matrix.astype(np.float64)
        total = m.sum()
        tp = np.diag(m)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.nan_to_num(tp / m.sum(axis=0))
            recall = np.nan_to_num(tp / m.sum(axis=1))
            f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
        out: dict[str, float | list[float]] = {"accuracy": float(tp.sum() / total) if total else math.nan}
        for k in self.topk:
            out[f"top{k}"] = self.topk_hits[k] / total if total else math.nan
        out.update(
            precision=precision.tolist(),
            recall=recall.tolist(),
            f1=f1.tolist(),
            macro_f1=float(f1.mean()),
        )
        return out


class SegmentationMeter(ConfusionMeter):
    """Pixel confusion matrix: pixel accuracy, per-class IoU and Dice and their means."""

    def __init__(self, num_classes: int) -> None:
        super().__init__(num_classes, topk=())

    def result(self) -> dict[str, float | list[float]]:
        """``pixel_accuracy``, ``iou``/``dice`` per class, ``mean_iou``, ``mean_dice``."""
        m = self.matrix.astype(np.float64)
        tp = np.diag(m)
        fp, fn = m.sum(axis=0) - tp, m.sum(axis=1) - tp
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = np.nan_to_num(tp / (tp + fp + fn))
            dice = np.nan_to_num(2 * tp / (2 * tp + fp + fn))
        present = (tp + fp + fn) > 0

        def mean(a: np.ndarray) -> float:
            return float(a[present].mean()) if present.any() else math.nan

        return {
            "pixel_accuracy": float(tp.sum() / m.sum()) if m.sum() else math.nan,
            "iou": iou.tolist(),
            "dice": dice.tolist(),
            "mean_iou": mean(iou),
            "mean_dice": mean(dice),
        }


class RegressionMeter:
    """MAE, MSE/RMSE and R² = 1 − SS_res/SS_tot over all target values."""

    def __init__(self) -> None:
        self.n = 0
        self.abs_err = 0.0
        self.sq_err = 0.0
        self.sum_y = 0.0
        self.sum_y2 = 0.0

    def update(self, output: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch of predictions and targets (same number of elements)."""
        y = target.detach().to(torch.float64).reshape(-1)
        err = output.detach().to(torch.float64).reshape(-1) - y
        self.n += y.numel()
        self.abs_err += float(err.abs().sum())
        self.sq_err += float((err * err).sum())
        self.sum_y += float(y.sum())
        self.sum_y2 += float((y * y).sum())

    def result(self) -> dict[str, float]:
        """``mae``, ``mse``, ``rmse``, ``r2`` (nan when undefined)."""
        if not self.n:
            return {"mae": math.nan, "mse": math.nan, "rmse": math.nan, "r2": math.nan}
        ss_tot = self.sum_y2 - self.sum_y**2 / self.n
        mse = self.sq_err / self.n
        return {
            "mae": self.abs_err / self.n,
            "mse": mse,
            "rmse": math.sqrt(mse),
            "r2": 1.0 - self.sq_err / ss_tot if ss_tot > 0 else math.nan,
        }
