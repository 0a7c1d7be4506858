"""Optimizers and learning-rate schedules.

:class:`LRSchedule` computes each step's learning rate in closed form from the
epoch and the step (plus the reduce-on-plateau state), so it composes with a
linear warm-up without the pitfalls of chaining torch schedulers, and its state
is three numbers that resume exactly.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from studio.training.config import TrainConfig


def make_optimizer(params: Any, cfg: TrainConfig) -> torch.optim.Optimizer:
    """The optimizer of ``cfg`` over ``params``.

    SGD uses PyTorch's momentum form ``buf = μ·buf + g; w −= lr·buf`` (Ng's
    ``V = βV + (1−β)g`` is the same with ``lr = α(1−β)``). ``weight_decay`` is
    L2 for every optimizer but AdamW, whose decay is decoupled.
    """
    name, lr, wd = cfg.optimizer, cfg.lr, cfg.weight_decay
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, nesterov=cfg.nesterov, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=cfg.momentum, eps=cfg.eps, weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=1e-10, weight_decay=wd)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, eps=1e-6, weight_decay=wd)
    # Adam's multi-tensor ("foreach") form updates every parameter with a dozen operations
    # instead of a dozen per parameter; on CPU its results equal the per-tensor form's bit for
    # bit (PyTorch picks it by default on CUDA only). Fewer operations also mean fewer hand-overs
    # of the GIL, which is what a training thread beside a busy GUI thread waits for.
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=cfg.betas, eps=cfg.eps, weight_decay=wd, foreach=True)
    return torch.optim.AdamW(params, lr=lr, betas=cfg.betas, eps=cfg.eps, weight_decay=wd, foreach=True)


class LRSchedule:
    """Learning rate per step: warm-up × schedule × plateau scale, set on every param group.

    Parameters
    ----------
    optimizer
        Its param groups' ``lr`` are overwritten before each step.
    cfg
        Schedule name and options.
    steps_per_epoch
        Batches per epoch (one-cycle and warm-up count steps).
    """

    def __init__(self, optimizer: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int) -> None:
        self.optimizer = optimizer
        self.cfg = cfg
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.base_lrs = [cfg.lr for _ in optimizer.param_groups]
        self.scale = 1.0  # reduce-on-plateau factor
        self.best = math.inf
        self.bad_epochs = 0

    def factor(self, epoch: int, step_in_epoch: int) -> float:
        """Multiplier of the base lr at ``step_in_epoch`` (0-based) of ``epoch`` (1-based)."""
        cfg = self.cfg
        t = (epoch - 1) + step_in_epoch / self.steps_per_epoch  # epochs done, fractional
        warm = 1.0
        if cfg.warmup_epochs > 0:
            warm = min(1.0, (t * self.steps_per_epoch + 1) / (cfg.warmup_epochs * self.steps_per_epoch))
        e = epoch - 1
        if cfg.schedule == "step":
            f = cfg.gamma ** (e // cfg.step_size)
        elif cfg.schedule == "exponential":
            f = cfg.gamma**e
        elif cfg.schedule == "cosine":
            span = max(1e-9, cfg.epochs - cfg.warmup_epochs)
            u = min(1.0, max(0.0, t - cfg.warmup_epochs) / span)
            floor = cfg.min_lr / cfg.lr
            f = floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * u))
        elif cfg.schedule == "one_cycle":
            return self._one_cycle(t)
        else:
            f = 1.0
        return warm * f * self.scale

    def _one_cycle(self, t: float) -> float:
        """Smith's one-cycle (cosine): max_lr/25 up to max_lr, then down to max_lr/(25·10⁴)."""
        cfg = self.cfg
        peak = (cfg.max_lr or 10.0 * cfg.lr) / cfg.lr
        start, end = peak / 25.0, peak / 25.0 / 1e4
        u = min(1.0, t / cfg.epochs)
        if u < cfg.pct_start:
            a, b, v = start, peak, u / cfg.pct_start
        else:
            a, b, v = peak, end, (u - cfg.pct_start) / max(1e-9, 1.0 - cfg.pct_start)
        return b + (a - b) * 0.5 * (1.0 + math.cos(math.pi * v))

    def apply(self, epoch: int, step_in_epoch: int) -> float:
        """Set the lr of every group for this step; return the first group's lr."""
        f = self.factor(epoch, step_in_epoch)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * f
        return self.optimizer.param_groups[0]["lr"]

    def epoch_end(self, monitored: float | None) -> None:
        """Reduce-on-plateau bookkeeping with the epoch's monitored value (validation loss)."""
        if self.cfg.schedule != "reduce_on_plateau" or monitored is None or not math.isfinite(monitored):
            return
        if monitored < self.best * (1.0 - 1e-4):
            self.best, self.bad_epochs = monitored, 0
            return
        self.bad_epochs += 1
        if self.bad_epochs > self.cfg.plateau_patience:
            self.scale *= self.cfg.plateau_factor
            self.bad_epochs = 0

    def state_dict(self) -> dict[str, float]:
        """Plain numbers (loads with ``weights_only=True``)."""
        return {"scale": self.scale, "best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Restore :meth:`state_dict`."""
        self.scale, self.best, self.bad_epochs = state["scale"], state["best"], int(state["bad_epochs"])
