"""Task types: how a batch becomes a loss and which metrics describe a split.

The loop knows only the hooks of :class:`TaskType` — ``split_batch``,
``training_step`` and ``evaluate`` — so a new kind of training (VAE with its KL
term, GAN with two optimizers, detection, metric learning) is one new subclass
registered with :func:`register_task`, and the loop is not touched.

A graph may have several outputs (multi-task). Each output node is a *head*
with its own loss, target (index into the target tuple) and weight, from the
``outputs`` section of :class:`~studio.training.config.TrainConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from studio.training.config import ConfigError, TrainConfig
from studio.training.losses import LossFn, make_loss
from studio.training.metrics import ConfusionMeter, MeanMeter, RegressionMeter, SegmentationMeter

TASK_TYPES: dict[str, type[TaskType]] = {}
_CLASS_LOSSES = {"cross_entropy", "nll", "multi_margin", "bce_with_logits"}
_VALUE_LOSSES = {"mse", "l1", "huber"}


def register_task(cls: type[TaskType]) -> type[TaskType]:
    """Class decorator: make ``cls`` available as ``training.task = cls.name``."""
    TASK_TYPES[cls.name] = cls
    return cls


@dataclass
class Head:
    """One output of the graph and how it learns."""

    name: str
    index: int  # position in the model's output tuple
    loss_name: str
    loss: LossFn
    target: int  # position in the target tuple
    weight: float


@dataclass
class StepResult:
    """What :meth:`TaskType.training_step` returns: the loss to backpropagate and the outputs."""

    loss: torch.Tensor
    outputs: tuple[torch.Tensor, ...]
    targets: tuple[torch.Tensor, ...]


class SplitMetrics:
    """Loss plus one meter per head; ``result()`` is a flat dict (head-prefixed when several)."""

    def __init__(self, task: TaskType) -> None:
        self.task = task
        self.loss = MeanMeter()
        self.meters = [task.make_meter(head) for head in task.heads]

    def update(self, loss: float, result: StepResult) -> None:
        """Add one batch (``loss`` is its mean loss)."""
        n = result.outputs[0].shape[0]  # not len(): Tensor.__len__ is a Python-level call
        self.loss.update(loss, n)
        for head, meter in zip(self.task.heads, self.meters, strict=True):
            if meter is not None:
                meter.update(result.outputs[head.index].detach(), result.targets[head.target])

    def result(self) -> dict[str, Any]:
        """``{"loss": ..., metric: ...}``."""
        out: dict[str, Any] = {"loss": self.loss.mean}
        many = len(self.task.heads) > 1
        for head, meter in zip(self.task.heads, self.meters, strict=True):
            if meter is not None:
                out.update({(f"{head.name}.{k}" if many else k): v for k, v in meter.result().items()})
        return out


class TaskType:
    """Base class: supervised learning of one or more heads, each with its own loss.

    Parameters
    ----------
    cfg
        The training configuration.
    output_names
        Names of the model's outputs, in the order forward returns them.
    num_classes
        From the data bundle (classification and segmentation).
    device
        Where class weights live.
    """

    name = "base"
    default_loss = "mse"

    def __init__(
        self,
        cfg: TrainConfig,
        output_names: list[str],
        num_classes: int | None = None,
        device: torch.device | None = None,
    ) -> None:
        self.cfg = cfg
        self.num_classes = num_classes
        unknown = sorted(set(cfg.outputs) - set(output_names))
        if unknown:
            raise ConfigError(
                f"training.outputs.{unknown[0]}: no output node of that name "
                f"(outputs: {', '.join(output_names)})"
            )
        self.heads = []
        for i, name in enumerate(output_names):
            spec = cfg.outputs.get(name)
            if spec is None and len(output_names) > 1 and cfg.outputs:
                continue  # an output without a loss: computed, not trained
            loss_name = (spec.loss if spec else "") or cfg.loss or self.default_loss
            target = spec.target if spec else (i if len(output_names) > 1 else 0)
            weight = spec.weight if spec else 1.0
            self.heads.append(Head(name, i, loss_name, make_loss(loss_name, cfg, device), target, weight))

    # ------------------------------------------------------------ hooks
    def split_batch(self, batch: Any) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
        """``(inputs, targets)`` as tuples of tensors from a collated ``(x, y)`` batch."""
        x, y = batch
        inputs = tuple(x) if isinstance(x, (list, tuple)) else (x,)
        targets = tuple(y) if isinstance(y, (list, tuple)) else (y,)
        return inputs, targets

    def forward(self, model: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        """The model's outputs, always as a tuple."""
        out = model(*inputs)
        return tuple(out) if isinstance(out, (list, tuple)) else (out,)

    def training_step(self, model: torch.nn.Module, batch: Any) -> StepResult:
        """Forward one batch and return the weighted sum of the head losses."""
        inputs, targets = self.split_batch(batch)
        outputs = self.forward(model, inputs)
        total = None
        for head in self.heads:
            if head.target >= len(targets):
                raise ConfigError(
                    f"training.outputs.{head.name}.target: {head.target} but the data has "
                    f"{len(targets)} target(s)"
                )
            output = outputs[head.index]
            if output.dtype != torch.float32:  # half under autocast; .float() would be a call otherwise
                output = output.float()
            term = head.loss(output, targets[head.target])
            if head.weight != 1.0:  # a multiplication by one is still a node in the autograd graph
                term = head.weight * term
            total = term if total is None else total + term
        if total is None:
            raise ConfigError("training.outputs: no output has a loss")
        return StepResult(total, outputs, targets)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module, loader: Any, device: torch.device) -> dict[str, Any]:
        """Loss and metrics over ``loader`` in eval mode (dropout off, BatchNorm running stats)."""
        was_training = model.training
        model.eval()
        try:
            meters = SplitMetrics(self)
            for batch in loader:
                result = self.training_step(model, to_device(batch, device))
                meters.update(float(result.loss), result)
            return meters.result()
        finally:
            model.train(was_training)

    def make_meter(self, head: Head) -> Any:
        """The metric accumulator for ``head`` (None = loss only)."""
        if head.loss_name in _VALUE_LOSSES:
            return RegressionMeter()
        if head.loss_name in _CLASS_LOSSES and self.num_classes:
            return ConfusionMeter(max(2, self.num_classes))
        return None

    @property
    def monitor(self) -> str:
        """The validation metric that picks the best epoch (lower is better)."""
        return "loss"


@register_task
class Classification(TaskType):
    """Class index targets; cross-entropy on logits; accuracy, top-k, precision/recall/F1."""

    name = "classification"
    default_loss = "cross_entropy"


@register_task
class Regression(TaskType):
    """Real-valued targets; MSE; MAE, RMSE, R²."""

    name = "regression"
    default_loss = "mse"


@register_task
class Segmentation(TaskType):
    """Per-pixel class masks (N, H, W); per-pixel cross-entropy; IoU and Dice per class."""

    name = "segmentation"
    default_loss = "cross_entropy"

    def make_meter(self, head: Head) -> Any:
        """A pixel confusion matrix for class-valued heads."""
        if head.loss_name in _CLASS_LOSSES | {"soft_dice"} and self.num_classes:
            return SegmentationMeter(max(2, self.num_classes))
        return super().make_meter(head)


@register_task
class Reconstruction(TaskType):
    """Autoencoder: the target is the input itself; MSE; MAE, R²."""

    name = "reconstruction"
    default_loss = "mse"

    def split_batch(self, batch: Any) -> tuple[tuple[torch.Tensor, ...], tuple[torch.Tensor, ...]]:
        """Targets are the inputs (whatever ``y`` the dataset carries is ignored)."""
        inputs, _ = super().split_batch(batch)
        return inputs, inputs


def make_task(
    cfg: TrainConfig, output_names: list[str], num_classes: int | None, device: torch.device | None = None
) -> TaskType:
    """The registered task type ``cfg.task``, set up for these outputs."""
    cls = TASK_TYPES.get(cfg.task)
    if cls is None:
        raise ConfigError(f"training.task: {cfg.task!r} is not one of {', '.join(TASK_TYPES)}")
    return cls(cfg, output_names, num_classes, device)


def to_device(batch: Any, device: torch.device) -> Any:
    """Move every tensor of a (nested) batch to ``device``."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return (
            type(batch)(to_device(b, device) for b in batch)
            if isinstance(batch, list)
            else tuple(to_device(b, device) for b in batch)
        )
    return batch
