"""One training job run to its end, its events sent in batches: the body of a training process.

:class:`ChildRun` loads the data, builds the :class:`~studio.training.loop.Trainer`
and iterates it, calling ``send`` with ``("events", [...])`` batches, new
doctor findings and failure messages (the protocol of
:mod:`studio.training.process`). Step events are coalesced to at most one
batch per ``interval``, so a fast loop cannot flood the receiver; every other
event is sent at once. Stop and pause may be requested from another thread at
any time, also before the trainer exists.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any


class ChildRun:
    """Build and iterate one job, reporting through ``send``.

    Parameters
    ----------
    job
        A :class:`~studio.training.process.TrainingJob` whose ``registry`` is a
        ``RegistryRecipe``, a ``LayerRegistry`` or None (the built-ins).
    send
        Called with ``(kind, payload)`` tuples.
    interval
        Seconds between two batches of step events.
    """

    def __init__(self, job: Any, send: Callable[[tuple[str, Any]], None], interval: float = 0.05) -> None:
        self.job = job
        self.send = send
        self.interval = interval
        self.trainer: Any = None
        self._stop = False
        self._paused = False

    # Control: safe from any thread; applied to the trainer once it exists.
    def request_stop(self) -> None:
        """Stop between batches (also while paused or still loading data)."""
        self._stop = True
        if self.trainer is not None:
            self.trainer.request_stop()

    def set_paused(self, paused: bool) -> None:
        """Hold (True) or continue (False) between batches."""
        self._paused = paused
        if self.trainer is not None:
            self.trainer.pause() if paused else self.trainer.resume()

    def run(self) -> None:
        """Build the trainer and iterate it; every error becomes a ``failed`` message."""
        try:
            self._build()
            if self.trainer is not None:
                self._iterate()
        except Exception as exc:  # noqa: BLE001 - reported to the parent, like napari's errored
            self.send(("failed", f"{type(exc).__name__}: {exc}"))

    def _registry(self) -> Any:
        from studio.layers.registry import LayerRegistry

        registry = self.job.registry
        if registry is None:
            return LayerRegistry.with_builtins()
        return registry.build() if hasattr(registry, "build") else registry

    def _build(self) -> None:
        from studio.data import DataError, load_dataset
        from studio.plugin_host.recipe import RecipeError
        from studio.training.config import ConfigError, TrainConfig
        from studio.training.loop import Trainer

        job = self.job
        try:
            registry = self._registry()
            config = TrainConfig.from_dict(job.config)
            data = load_dataset(dict(job.data), seed=config.seed)
        except (ConfigError, DataError, RecipeError) as exc:
            self.send(("failed", str(exc)))
            return
        if self._stop:
            return
        trainer = Trainer(job.project, data, config, job.run_dir, registry=registry)
        if self._paused:
            trainer.pause()
        self.trainer = trainer
        if self._stop:  # asked while the trainer was being built
            trainer.request_stop()

    def _iterate(self) -> None:
        from studio.training.events import RunFailed, StepEnd

        trainer = self.trainer
        pending: list[Any] = []
        seen, last = 0, time.perf_counter()
        findings = trainer.doctor.findings
        for event in trainer.iter_fit():
            pending.append(event)
            now = time.perf_counter()
            if not isinstance(event, StepEnd) or now - last >= self.interval or trainer.paused:
                self.send(("events", pending))
                pending, last = [], now
                if len(findings) > seen:
                    self.send(("findings", copy.deepcopy(findings[seen:])))
                    seen = len(findings)
            if isinstance(event, RunFailed):
                self.send(("failed", event.message))
        if pending:
            self.send(("events", pending))
        if len(findings) > seen:
            self.send(("findings", copy.deepcopy(findings[seen:])))
