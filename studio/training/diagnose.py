"""The training doctor attached to a run: static checks at the start, then the curves.

Translates the trainer's events and per-epoch statistics (``StatsRecorded``) into the plain
numbers :mod:`studio.doctor` works on; findings go to ``doctor.jsonl`` (through
:class:`~studio.training.callbacks.DoctorLog`) and to the GUI.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from studio.compiler.infer import infer_graph
from studio.doctor.dynamic import Watcher
from studio.doctor.static import RunFacts, static_findings
from studio.training.events import EpochEnd, RunFailed, RunFinished, RunStarted, StatsRecorded, StepEnd

INPUT_SAMPLE = 256  # training samples read to judge whether inputs are normalised


def layer_statistics(arrays: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per node: gradient norm (over its parameters), dead and saturated fractions."""
    layers: dict[str, dict[str, float]] = {}
    squares: dict[str, float] = {}
    for key, value in arrays.items():
        kind, _, rest = key.partition("/")
        name, _, stat = rest.rpartition("/")
        if kind == "grad" and stat == "norm":
            node = name.split(".", 1)[0]
            squares[node] = squares.get(node, 0.0) + float(value) ** 2
        elif kind == "act" and stat in ("dead_fraction", "saturated_fraction"):
            layers.setdefault(name, {})[stat] = float(value)
    for node, total in squares.items():
        layers.setdefault(node, {})["grad_norm"] = math.sqrt(total)
    return layers


def _input_stats(dataset: Any) -> tuple[float | None, float | None]:
    n = min(len(dataset), INPUT_SAMPLE)
    if n == 0:
        return None, None
    xs = [dataset[i][0] for i in range(n)]
    xs = [x[0] if isinstance(x, tuple) else x for x in xs]
    values = np.concatenate([np.asarray(x, dtype=np.float64).ravel() for x in xs])
    values = values[np.isfinite(values)]  # NaN/Inf inputs are the loss check's business
    if values.size == 0:
        return None, None
    return float(values.mean()), float(values.std())


def run_facts(trainer: Any) -> RunFacts:
    """What the static checks need to know about this run."""
    data, cfg = trainer.data, trainer.cfg
    loss = trainer.task.heads[0].loss_name if trainer.task and trainer.task.heads else cfg.loss
    facts = RunFacts(
        loss=loss,
        batch_size=cfg.batch_size,
        num_classes=data.num_classes,
        normalized=bool(data.mean),
        n_train=len(data.train),
    )
    counts = data.extra.get("class_counts", {})
    facts.class_counts = list(counts.get("train", [])) if isinstance(counts, dict) else []
    if not facts.normalized and data.input_shapes and len(data.input_shapes) == 1:
        facts.input_mean, facts.input_std = _input_stats(data.train)
    project = trainer.source.project
    if project is not None:
        report = infer_graph(project.graph, trainer.registry)
        facts.total_params = report.total_params
        facts.output_shapes = {
            n.name: report.nodes[n.id].output_shapes.get("y", ())
            for n in project.graph.nodes.values()
            if n.type == "core.output" and n.id in report.nodes
        }
    return facts


class DoctorCheck:
    """A ``DoctorLog`` check: ``check(trainer, event) -> [finding dict]``."""

    def __init__(self) -> None:
        self.watcher: Watcher | None = None

    def __call__(self, trainer: Any, event: Any) -> list[dict]:
        """New findings for ``event`` as plain dicts."""
        found = []
        if isinstance(event, RunStarted):
            facts = run_facts(trainer)
            self.watcher = Watcher(facts.loss, facts.num_classes)
            if event.start_step == 0 and trainer.source.project is not None:
                found = static_findings(trainer.source.project.graph, facts)
        elif self.watcher is None:
            return []
        elif isinstance(event, StepEnd):
            seconds = trainer.cfg.batch_size / event.samples_per_s if event.samples_per_s > 0 else None
            found = self.watcher.observe_step(event.epoch, event.step, event.loss, seconds)
        elif isinstance(event, EpochEnd):
            train = event.metrics.get("train", {}).get("loss", math.nan)
            val = event.metrics.get("val", {}).get("loss")
            found = self.watcher.observe_epoch(event.epoch, train, val)
        elif isinstance(event, StatsRecorded):
            found = self.watcher.observe_layers(event.epoch, layer_statistics(event.arrays))
        elif isinstance(event, RunFinished):
            found = self.watcher.finish(trainer.epochs_done)
        elif isinstance(event, RunFailed) and ("NaN" in event.message or "Inf" in event.message):
            # The loop stops before the step's StepEnd when the loss is not finite.
            found = self.watcher.observe_step(event.epoch, event.step + 1, math.nan)
        return [f.to_dict() for f in found]
