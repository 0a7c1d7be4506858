"""The training loop: a generator of events, with cooperative pause, resume and stop.

``Trainer(source, data, config, run_dir, callbacks).iter_fit()`` trains a
snapshot of the graph and yields :mod:`~studio.training.events`; nothing but
``KeyboardInterrupt`` escapes it (failures end with ``RunFailed``).
:meth:`Trainer.request_stop`, :meth:`Trainer.pause` and :meth:`Trainer.resume`
may be called from any thread; they take effect between batches.
:meth:`Trainer.resume_from` continues a stopped run exactly where it stopped.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from studio.compiler.weights import apply_state, load_state
from studio.data.bundle import DataBundle
from studio.layers.registry import LayerRegistry
from studio.training.background import BackgroundJobs
from studio.training.callbacks import HOOKS, Callback, DoctorLog, EarlyStopping, MetricsWriter, StatsRecorder
from studio.training.checkpoints import Checkpoints
from studio.training.config import TrainConfig
from studio.training.diagnose import DoctorCheck
from studio.training.distributed import DistContext
from studio.training.epoch import EpochRunner, NonFiniteError
from studio.training.events import Event, RunFailed, RunFinished, RunStarted
from studio.training.loader import make_loader
from studio.training.optim import LRSchedule, make_optimizer
from studio.training.rundir import RunDir, default_run_dir, make_summary
from studio.training.setup import apply_init, pick_device, restore_rng, rng_state, seed_everything
from studio.training.source import snapshot
from studio.training.tasks import make_task, to_device

FIXED_BATCH = 32  # samples in the batch that statistics are collected on


class Trainer:
    """Trains one model on one :class:`~studio.data.bundle.DataBundle` into one run directory.

    Parameters
    ----------
    source
        A project, graph, project-file dict or ``nn.Module``; a snapshot is taken now.
    data
        The splits to train, validate and test on.
    config
        :class:`TrainConfig`, the ``training`` dict, or None for the project's own section.
    run_dir
        Where to write; default ``runs/<stem>/<timestamp>/`` beside ``project_path``.
    callbacks
        Extra :class:`Callback` objects, called after the built-in ones.
    registry
        The layer catalog (default: the built-in layers).
    project_path
        The project file (only to place the default run directory).
    """

    def __init__(
        self,
        source: Any,
        data: DataBundle,
        config: TrainConfig | dict | None = None,
        run_dir: str | os.PathLike | None = None,
        callbacks: Sequence[Callback] = (),
        *,
        registry: LayerRegistry | None = None,
        project_path: str | os.PathLike | None = None,
        distributed: DistContext | None = None,
    ) -> None:
        self.registry = registry or LayerRegistry.with_builtins()
        self.source = snapshot(source, self.registry)
        if config is None and self.source.project is not None:
            config = self.source.project.training
        self.cfg = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(config)
        self.data = data
        self.dist = distributed or DistContext()
        if not self.dist.is_main:  # only rank 0 writes the run directory
            run_dir = tempfile.mkdtemp(prefix=f"studio-rank{self.dist.rank}-")
        self.run = RunDir(run_dir or default_run_dir(project_path or "project.nsproj.json"))
        self.background = BackgroundJobs()  # statistics passes and their files, beside the steps
        self.doctor = DoctorLog([DoctorCheck()])  # the training doctor; more checks may be appended
        self.stats = StatsRecorder(self.cfg.stats_every, self.cfg.stats_budget)
        self.callbacks: list[Callback] = [MetricsWriter(), self.stats, self.doctor]
        if self.cfg.early_stopping["patience"]:
            self.callbacks.append(EarlyStopping(self.cfg.early_stopping["patience"]))
        self.callbacks.extend(callbacks)
        self._stop = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._resume_state: dict[str, Any] | None = None
        self.model: Any = None
        self.train_model: Any = None  # what training steps call: the model, or DDP around it
        self.task: Any = None
        self.fixed_batch: Any = None
        self.device = torch.device("cpu")
        self.global_step = 0
        self.epoch = 0
        self.epochs_done = 0
        self.best_value = math.inf
        self.best_epoch = 0
        self.early_stopped = False
        self.last_metrics: dict[str, dict] = {}
        self.checkpoints = Checkpoints(self)
        self._busy = 0.0  # see elapsed()
        self._since: float | None = None
        self._seconds_before = 0.0
        self._t0 = time.perf_counter()

    # ------------------------------------------------------------ control
    def request_stop(self) -> None:
        """Stop before the next batch (also while paused); the run ends with status ``stopped``."""
        self._stop.set()
        self._go.set()

    def pause(self) -> None:
        """Hold before the next batch until :meth:`resume` or :meth:`request_stop`."""
        self._go.clear()

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        self._go.set()

    def toggle_pause(self) -> None:
        """Pause if running, resume if paused."""
        self.resume() if not self._go.is_set() else self.pause()

    @property
    def paused(self) -> bool:
        """Whether :meth:`pause` is in effect."""
        return not self._go.is_set()

    def should_stop(self) -> bool:
        """Block while paused; True when a stop was requested (checked between batches)."""
        if not self._go.is_set():
            start = time.perf_counter()
            while not self._go.wait(0.05):
                pass
            self._busy -= time.perf_counter() - start  # a pause is not training time
        return self._stop.is_set()

    @classmethod
    def resume_from(
        cls,
        run_dir: str | os.PathLike,
        data: DataBundle,
        callbacks: Sequence[Callback] = (),
        *,
        registry: LayerRegistry | None = None,
        source: Any = None,
        distributed: DistContext | None = None,
        **overrides: Any,
    ) -> Trainer:
        """A trainer that continues the stopped run in ``run_dir`` (``overrides``: e.g. ``epochs=20``).

        Model, optimizer, schedule, RNG states and the data order are restored,
        so the result equals an uninterrupted run (bit for bit on CPU).
        """
        run = RunDir(run_dir)
        state = run.load_state()
        cfg = TrainConfig.from_dict({**state["config"], **overrides})
        if source is None:
            source = json.loads(run.project.read_text(encoding="utf-8"))
        trainer = cls(source, data, cfg, run_dir, callbacks, registry=registry, distributed=distributed)
        trainer._resume_state = state
        return trainer

    # --------------------------------------------------------------- loop
    def iter_fit(self) -> Iterator[Event]:
        """Train, yielding events; ends with ``RunFinished`` or ``RunFailed``."""
        self._t0 = time.perf_counter()
        try:
            yield from self._timed(self._fit())
        except KeyboardInterrupt:
            raise
        except NonFiniteError as exc:
            yield self._failed(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported as RunFailed, by contract
            yield self._failed(
                f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
            )
        finally:
            self.background.close()  # no thread outlives the run or writes into it afterwards
            for cb in self.callbacks:
                try:
                    cb.teardown(self)
                except Exception:  # noqa: BLE001, S110 - teardown must reach every callback
                    pass
            if not self.dist.is_main:
                shutil.rmtree(self.run.path, ignore_errors=True)

    def _timed(self, events: Iterator[Event]) -> Iterator[Event]:
        """``events``, adding the time spent producing them to :meth:`elapsed` (not the consumer's)."""
        try:
            while True:
                self._since = time.perf_counter()
                try:
                    event = next(events)
                except StopIteration:
                    return
                finally:
                    self._busy += time.perf_counter() - self._since
                    self._since = None
                yield event
        finally:
            events.close()

    def fit(self) -> dict[str, Any]:
        """Run to the end without a consumer; return summary.json's content."""
        last = deque(self.iter_fit(), maxlen=1)
        return last[0].summary

    def collect(self, wait: bool = False) -> Iterator[Event]:
        """Announce what the background jobs finished (all of them, waiting, when ``wait``)."""
        for event in self.background.wait() if wait else self.background.ready():
            yield self._emit(event)

    def _emit(self, event: Event) -> Event:
        for cb in self.callbacks:
            getattr(cb, HOOKS[type(event)])(self, event)
        return event

    def _setup(self) -> tuple[int, int]:
        cfg = self.cfg
        self.device = self.dist.device(pick_device(cfg.device))
        self.dist.init(self.device)
        self.dist.check_batch_size(cfg.batch_size)
        seed_everything(cfg.seed)  # the same seed on every rank: identical initial weights
        self.model = self.source.build()
        apply_init(self.model, cfg.init)
        self.model.to(self.device).train()
        self.train_model = self.dist.wrap(self.model)
        self.task = make_task(cfg, self.source.output_names(), self.data.num_classes, self.device)
        self.optimizer = make_optimizer(self.model.parameters(), cfg)
        self.runner = EpochRunner(self, len(self.data.train), torch.Generator().manual_seed(cfg.seed))
        self.schedule = LRSchedule(self.optimizer, cfg, self.runner.steps_per_epoch)
        amp = cfg.amp and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda") if amp else None
        ds = self.data.val if self.data.val is not None and len(self.data.val) else self.data.train
        subset = torch.utils.data.Subset(ds, range(min(FIXED_BATCH, len(ds))))
        self.fixed_batch = to_device(next(iter(make_loader(subset, FIXED_BATCH))), self.device)
        if self._resume_state is not None:
            return self._load(self._resume_state)
        project = self.source.project_dict(self.cfg.to_dict())
        if project is not None:
            self.run.write_json(self.run.project, project)
        return 1, 0

    def _fit(self) -> Iterator[Event]:
        start_epoch, skip = self._setup()
        params = sum(p.numel() for p in self.model.parameters())
        yield self._emit(
            RunStarted(
                str(self.run.path),
                str(self.device),
                self.cfg.epochs,
                self.runner.steps_per_epoch,
                params,
                start_epoch,
                skip,
            )
        )
        if self._resume_state is None:
            self.checkpoints.initial()
        for epoch in range(start_epoch, self.cfg.epochs + 1):
            self.epoch = epoch
            finished = yield from self.runner.run_epoch(epoch, skip)
            skip = 0
            self.runner.check_weights(epoch)  # before validation picks a best epoch or a checkpoint copies it
            if not finished:
                self.checkpoints.stopped(epoch, self.runner.position)
                yield from self.collect(wait=True)
                yield self._end("stopped")
                return
            self.epochs_done = epoch
            yield from self.collect(wait=True)  # the previous epoch's files, before this one's
            yield from self.runner.end_epoch(epoch)
            self.checkpoints.epoch_end(epoch)
            if self.early_stopped:
                break
        yield from self.collect(wait=True)  # every file on disk before the run is reported over
        if self.early_stopped and self.cfg.early_stopping["restore_best"] and self.best_epoch:
            apply_state(self.model, load_state(self.run.weights("best")))
        if self.data.test is not None and len(self.data.test):
            test_loader = make_loader(self.data.test, 2 * self.cfg.batch_size)
            self.last_metrics["test"] = self.task.evaluate(self.model, test_loader, self.device)
        yield self._end("finished")

    # ----------------------------------------------------- files and state
    def _state(self, epoch: int, step_in_epoch: int) -> dict[str, Any]:
        """What resuming at batch ``step_in_epoch`` of ``epoch`` needs.

        An epoch's batch order is drawn from the runner's generator as the epoch
        begins: within the current epoch that is the state saved then; for a later
        epoch (an epoch-end checkpoint) it is the generator's state now.
        """
        runner = self.runner
        order = runner.epoch_gen_state if epoch == self.epoch else runner.generator.get_state()
        return {
            "format": 1,
            "epoch": epoch,
            "step_in_epoch": step_in_epoch,
            "global_step": self.global_step,
            "n_train": len(self.data.train),
            "epoch_generator": order,
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else {},
            "rng": rng_state(),
            "best_value": self.best_value,
            "best_epoch": self.best_epoch,
            "epochs_done": self.epochs_done,
            "last_metrics": self.last_metrics,
            "seconds": self._seconds(),
            "config": self.cfg.to_dict(),
        }

    def _load(self, state: dict[str, Any]) -> tuple[int, int]:
        if state["n_train"] != len(self.data.train):
            raise ValueError(
                f"cannot resume: the run trained on {state['n_train']} samples, this data has "
                f"{len(self.data.train)}"
            )
        apply_state(self.model, load_state(self.run.weights("last")), self.run.weights("last"))
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        if self.scaler is not None and state["scaler"]:
            self.scaler.load_state_dict(state["scaler"])
        restore_rng(state["rng"])
        self.runner.generator.set_state(state["epoch_generator"])
        self.global_step = state["global_step"]
        self.best_value, self.best_epoch = state["best_value"], state["best_epoch"]
        self.epochs_done, self.last_metrics = state["epochs_done"], dict(state["last_metrics"])
        self._seconds_before = state["seconds"]
        return state["epoch"], state["step_in_epoch"]

    def elapsed(self) -> float:
        """Seconds this process has spent training the run so far.

        Only the time spent producing events counts: not pauses, not the time the
        consumer of :meth:`iter_fit` takes between events (or spends elsewhere, as
        an interleaved benchmark does), not the time before a resume. The budgets
        of statistics and checkpoints are shares of it.
        """
        current = time.perf_counter() - self._since if self._since is not None else 0.0
        return self._busy + current

    def _seconds(self) -> float:
        return self._seconds_before + time.perf_counter() - self._t0

    def _summary(self, status: str) -> dict[str, Any]:
        summary = make_summary(
            status, self.epochs_done, self.best_epoch, self._seconds(), str(self.device), self.last_metrics
        )
        self.run.write_json(self.run.summary, summary)
        return summary

    def _end(self, status: str) -> Event:
        return self._emit(RunFinished(self._summary(status)))

    def _failed(self, message: str) -> Event:
        event = RunFailed(message, self.epoch, self.global_step, {})
        try:
            self.checkpoints.failed()
        except Exception:  # noqa: BLE001, S110 - e.g. the full disk that failed the run
            pass
        try:
            self.background.close()  # finish writing what was queued; its own errors are secondary
            event = RunFailed(message, self.epoch, self.global_step, self._summary("failed"))
            self._emit(event)
        except Exception:  # noqa: BLE001, S110 - the failure itself is what must be reported
            pass
        return event
