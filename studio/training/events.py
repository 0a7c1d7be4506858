"""What :meth:`Trainer.iter_fit` yields: frozen dataclasses of plain numbers.

Events cross threads (the Qt worker emits them), so they hold only floats,
ints, strings, small dicts and numpy arrays: never tensors or modules.
Epochs are counted from 1; ``step`` is the global optimizer step (from 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunStarted:
    """Training begins (or resumes at ``start_epoch`` / ``start_step``)."""

    run_dir: str
    device: str
    epochs: int
    steps_per_epoch: int
    params: int
    start_epoch: int = 1
    start_step: int = 0


@dataclass(frozen=True)
class StepEnd:
    """One optimizer step done.

    ``grad_norm`` (L2, over all parameters, before clipping) is NaN at steps where it was not
    measured: at most every :data:`~studio.training.epoch.GRAD_NORM_INTERVAL` seconds, and at
    every step when gradients are clipped by norm.
    """

    epoch: int
    step: int
    loss: float
    lr: float
    grad_norm: float
    samples_per_s: float


@dataclass(frozen=True)
class Validated:
    """Validation of ``epoch`` done (eval mode); ``metrics`` of the validation split."""

    epoch: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class EpochEnd:
    """An epoch done: ``metrics = {"train": {...}, "val": {...}}`` (keys depend on the task)."""

    epoch: int
    metrics: dict[str, dict[str, Any]]
    seconds: float = 0.0


@dataclass(frozen=True)
class Checkpointed:
    """A checkpoint was written; ``kind`` is ``initial``, ``last``, ``best`` or ``epoch``."""

    path: str
    kind: str
    epoch: int


@dataclass(frozen=True)
class StatsRecorded:
    """``stats/epoch_NNN.npz`` of ``epoch`` is written; ``arrays`` is its content (see ``collect_stats``).

    Statistics are computed on a background thread, so this arrives between
    later training steps, at the latest before the next epoch's validation.
    """

    epoch: int
    path: str
    arrays: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunFinished:
    """The run ended (status ``finished`` or ``stopped``); ``summary`` is summary.json's content."""

    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunFailed:
    """The run failed; ``message`` says why and what to do. summary.json has status ``failed``."""

    message: str
    epoch: int
    step: int
    summary: dict[str, Any] = field(default_factory=dict)


Event = RunStarted | StepEnd | Validated | EpochEnd | Checkpointed | StatsRecorded | RunFinished | RunFailed
