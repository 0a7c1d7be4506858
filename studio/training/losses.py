"""Loss functions by name, adapted so each takes the model's output and the raw target.

Every loss is a callable ``loss(output, target) -> scalar tensor``. Targets are
what a :class:`~studio.data.bundle.DataBundle` yields (class indices as long
tensors, float tensors for regression, long masks for segmentation); the
adapters here convert them where a loss needs another form (one-hot floats for
BCE and Dice), so datasets never have to know which loss was chosen.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from studio.training.config import ConfigError, TrainConfig

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _class_weights(cfg: TrainConfig, device: torch.device | None) -> torch.Tensor | None:
    if cfg.class_weights is None:
        return None
    return torch.tensor(cfg.class_weights, dtype=torch.float32, device=device)


def _one_hot_like(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Class indices -> float one-hot with the channels in dim 1, shaped like ``output``."""
    if target.dtype.is_floating_point and target.shape == output.shape:
        return target
    if output.dim() >= 1 and output.shape[1:2] == (1,) and target.numel() == output.numel():
        return target.reshape(output.shape).to(output.dtype)  # one binary logit per sample
    hot = F.one_hot(target.long(), num_classes=output.shape[1]).to(output.dtype)
    return hot.movedim(-1, 1) if hot.dim() > 2 else hot


def _long(target: torch.Tensor) -> torch.Tensor:
    """Class indices as int64; ``.long()`` on a tensor that already is one still costs a call."""
    return target if target.dtype == torch.int64 else target.long()


def soft_dice_loss(output: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 − mean over classes of the soft Dice coefficient of softmax(output) and the one-hot target."""
    probs = output.softmax(dim=1) if output.shape[1] > 1 else output.sigmoid()
    hot = _one_hot_like(output, target)
    dims = (0, *range(2, output.dim()))
    inter = (probs * hot).sum(dims)
    total = probs.sum(dims) + hot.sum(dims)
    return 1.0 - ((2.0 * inter + eps) / (total + eps)).mean()


def batch_hard_triplet_loss(embeddings: torch.Tensor, labels: torch.Tensor, margin: float) -> torch.Tensor:
    """Triplet margin loss ``max(d_AP − d_AN + margin, 0)`` with the hardest pairs of the batch.

    Each sample is an anchor; its farthest same-label sample is the positive
    and its nearest other-label sample the negative (batch-hard mining).
    """
    emb = embeddings.flatten(1)
    dist = torch.cdist(emb, emb)
    same = labels.view(-1, 1) == labels.view(1, -1)
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    d_ap = dist.masked_fill(~same | eye, 0.0).amax(dim=1)
    d_an = dist.masked_fill(same, float("inf")).amin(dim=1)
    valid = torch.isfinite(d_an) & (same & ~eye).any(dim=1)
    if not valid.any():
        return emb.sum() * 0.0
    return F.relu(d_ap - d_an + margin)[valid].mean()


def make_loss(name: str, cfg: TrainConfig, device: torch.device | None = None) -> LossFn:
    """The loss called ``name`` with the options of ``cfg`` (label smoothing, class weights, ...)."""
    weight = _class_weights(cfg, device)
    if name == "cross_entropy":
        smoothing = cfg.label_smoothing
        return lambda out, y: F.cross_entropy(out, _long(y), weight=weight, label_smoothing=smoothing)
    if name == "nll":
        return lambda out, y: F.nll_loss(out, _long(y), weight=weight)
    if name == "multi_margin":
        margin = cfg.margin
        return lambda out, y: F.multi_margin_loss(out, _long(y), margin=margin, weight=weight)
    if name == "bce_with_logits":
        bce = nn.BCEWithLogitsLoss()
        return lambda out, y: bce(out, _one_hot_like(out, y))
    if name in ("mse", "l1", "huber"):
        base = {"mse": nn.MSELoss(), "l1": nn.L1Loss(), "huber": nn.HuberLoss(delta=cfg.huber_delta)}[name]
        return lambda out, y: base(out, y.to(out.dtype).reshape(out.shape))
    if name == "soft_dice":
        return soft_dice_loss
    if name == "triplet_margin":
        return lambda out, y: batch_hard_triplet_loss(out, y, cfg.margin)
    raise ConfigError(f"training.loss: {name!r} is not a known loss")
