"""One epoch of the loop: seeded batch order, optimizer steps, validation.

The batch order of each epoch is a permutation drawn from a dedicated
``torch.Generator``; its state at the start of the epoch plus the index of the
next batch is all that is needed to continue a stopped epoch at the right
batch with the same order.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import torch

from studio.training.events import EpochEnd, Event, StepEnd, Validated
from studio.training.loader import make_loader
from studio.training.tasks import SplitMetrics, to_device

if TYPE_CHECKING:
    from studio.training.loop import Trainer


# Seconds between two measured gradient norms, unless clipping by norm needs one every step. Right
# after the backward pass the norm costs about as much as 1 % of a small model's step (its code and
# data have left the CPU caches); the live curve shows at most 20 points a second anyway. The
# loss is checked every step, and a step whose unmeasured gradients were not finite makes the
# next loss NaN, or is caught by check_weights() before any checkpoint is written.
GRAD_NORM_INTERVAL = 0.05


class NonFiniteError(RuntimeError):
    """The loss or the gradients became NaN/Inf; the message says what to do."""


def _total_norm(tensors: list[torch.Tensor], ord: float = 2.0) -> torch.Tensor:
    """The ``ord``-norm of all ``tensors`` together (``inf``: the largest magnitude; NaN propagates)."""
    if not tensors:
        return torch.zeros(())
    device = tensors[0].device
    if all(t.dtype == torch.float32 and t.device == device for t in tensors):
        return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(tensors, ord)), ord)  # one call
    parts = [torch.linalg.vector_norm(t.float(), ord).to(device) for t in tensors]
    return torch.linalg.vector_norm(torch.stack(parts), ord)


class EpochRunner:
    """Runs the batches of an epoch for a :class:`~studio.training.loop.Trainer`.

    Parameters
    ----------
    trainer
        Owns the model, task, optimizer, schedule and callbacks.
    n
        Number of training samples.
    generator
        Draws each epoch's permutation (state saved in ``checkpoints/state.pt``).
    """

    def __init__(self, trainer: Trainer, n: int, generator: torch.Generator) -> None:
        if n == 0:
            raise ValueError("the training split is empty")
        self.trainer = trainer
        self.n = n
        self.generator = generator
        self.batch_size = trainer.cfg.batch_size
        # A last batch of one sample breaks BatchNorm: it is dropped.
        self.steps_per_epoch = max(1, n // self.batch_size + (n % self.batch_size > 1))
        self.epoch_gen_state = generator.get_state()
        self.position = 0  # index of the next batch in the current epoch
        self.train_metrics: SplitMetrics | None = None
        self._params: list[torch.nn.Parameter] | None = None  # the model's, listed on the first step
        self._norm_at = -math.inf  # perf_counter() of the last measured gradient norm

    def batches(self) -> list[list[int]]:
        """Batches of sample indices for the next epoch (draws the permutation)."""
        self.epoch_gen_state = self.generator.get_state()
        order = torch.randperm(self.n, generator=self.generator).tolist()
        size = self.batch_size
        return [order[i : i + size] for i in range(0, self.steps_per_epoch * size, size)]

    def run_epoch(self, epoch: int, skip: int) -> Generator[Event, None, bool]:
        """Yield a ``StepEnd`` per batch from batch ``skip``; return False when stopped."""
        t = self.trainer
        batches = self.batches()
        set_epoch = getattr(t.data.train, "set_epoch", None)
        if callable(set_epoch):  # augmentation: this epoch's draws (a function of seed and epoch only)
            set_epoch(epoch - 1)
        self.train_metrics = SplitMetrics(t.task)
        t.model.train()
        it = iter(make_loader(t.data.train, batch_sampler=[t.dist.shard(b) for b in batches[skip:]]))
        for i in range(skip, len(batches)):
            self.position = i
            if t.should_stop():
                return False
            batch = to_device(next(it), t.device)
            yield t._emit(self.step(epoch, i, batch))
            if t.background.busy:
                yield from t.collect()
        self.position = len(batches)
        return True

    def check_weights(self, epoch: int) -> None:
        """Raise :class:`NonFiniteError` when a weight is NaN/Inf; called before any checkpoint of them.

        Gradient norms are not measured at every step (:data:`GRAD_NORM_INTERVAL`), and a finite
        but huge update can overflow a weight: this keeps such weights out of every checkpoint.
        """
        t = self.trainer
        params = [p.detach() for p in t.model.parameters()]
        if params and not math.isfinite(_total_norm(params, math.inf).item()):
            raise NonFiniteError(
                f"weights became NaN/Inf during epoch {epoch} (by step {t.global_step}): a step's gradients "
                f"were not finite or too large; lower the learning rate (training.lr) or clip gradients "
                f"(training.grad_clip); the last good checkpoint is {t.run.weights('last')}"
            )

    def step(self, epoch: int, i: int, batch: Any) -> StepEnd:
        """One optimizer step; raise :class:`NonFiniteError` before stepping on NaN/Inf."""
        t, cfg = self.trainer, self.trainer.cfg
        start = time.perf_counter()
        lr = t.schedule.apply(epoch, i)
        t.optimizer.zero_grad(set_to_none=True)
        with torch.autocast(t.device.type) if t.scaler is not None else contextlib.nullcontext():
            result = t.task.training_step(t.train_model, batch)
        if t.scaler is not None:
            t.scaler.scale(result.loss).backward()
            t.scaler.unscale_(t.optimizer)
        else:
            result.loss.backward()
        if self._params is None:  # walking the module tree every step costs more than the norm
            self._params = list(t.model.parameters())
        clip = cfg.grad_clip
        norm, grad_norm = None, math.nan
        if clip["mode"] == "norm" or start - self._norm_at >= GRAD_NORM_INTERVAL:
            self._norm_at = start
            norm = _total_norm([p.grad for p in self._params if p.grad is not None])
            if result.loss.device.type == "cpu":
                loss, grad_norm = result.loss.item(), norm.item()
            else:  # one device-to-host copy per step, not two
                pair = torch.stack([result.loss.detach().float(), norm.to(result.loss.device)])
                loss, grad_norm = pair.tolist()
        else:
            loss = result.loss.item()
        if not math.isfinite(loss):
            where = f"at epoch {epoch} step {t.global_step + 1}"
            raise NonFiniteError(
                f"loss became {'NaN' if math.isnan(loss) else 'Inf'} {where}: lower the learning rate "
                f"(now {lr:g}), clip gradients (training.grad_clip) or check the data for NaN/Inf values; "
                f"the last good checkpoint is {t.run.weights('last')}"
            )
        if norm is not None and not math.isfinite(grad_norm) and t.scaler is None:
            where = f"at epoch {epoch} step {t.global_step + 1}"
            raise NonFiniteError(
                f"gradient norm became {grad_norm} {where}: lower the learning rate (now {lr:g}) or clip "
                f"gradients (training.grad_clip); the last good checkpoint is {t.run.weights('last')}"
            )
        if clip["mode"] != "none":
            params = [p for p in self._params if p.grad is not None]  # the clip functions take params
            if clip["mode"] == "norm":  # with the norm just computed, not a second pass
                torch.nn.utils.clip_grads_with_norm_(params, clip["max"], norm)
            else:
                torch.nn.utils.clip_grad_value_(params, clip["max"])
        if t.scaler is not None:
            t.scaler.step(t.optimizer)
            t.scaler.update()
        else:
            t.optimizer.step()
        t.global_step += 1
        self.train_metrics.update(loss, result)
        n = result.outputs[0].shape[0]
        return StepEnd(epoch, t.global_step, loss, lr, grad_norm, n / max(1e-9, time.perf_counter() - start))

    def end_epoch(self, epoch: int) -> Iterator[Event]:
        """Validate (eval mode), update best epoch and schedule; yield ``Validated``, ``EpochEnd``."""
        t = self.trainer
        train = self.train_metrics.result() if self.train_metrics else {}
        val: dict[str, Any] = {}
        if t.data.val is not None and len(t.data.val):
            val = t.task.evaluate(t.model, make_loader(t.data.val, 2 * self.batch_size), t.device)
            yield t._emit(Validated(epoch, val))
        monitored = (val or train).get(t.task.monitor, math.nan)
        t.schedule.epoch_end(monitored)
        if math.isfinite(monitored) and monitored < t.best_value:
            t.best_value, t.best_epoch = monitored, epoch
        t.last_metrics = {"train": train, "val": val}
        yield t._emit(EpochEnd(epoch, {"train": train, "val": val}, t._seconds()))
