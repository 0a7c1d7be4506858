"""What the report's sections share: the opened run, its records, and results computed once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from studio.core.serialize import Project
from studio.inspection.hooks import InspectionError
from studio.inspection.run import InspectedRun
from studio.layers.registry import LayerRegistry

CLASS_TASKS = ("classification", "segmentation")


class NotApplicable(Exception):  # noqa: N818 - a reason, not an error
    """A section that does not apply to this run; the message is the one-line note shown instead."""


@dataclass
class ReportContext:
    """The run being reported on, and results shared between sections.

    Attributes
    ----------
    run_dir
        The run directory.
    project
        The project snapshot the run trained.
    registry
        The layer catalog (plugins included when the caller passes them).
    run
        The model with the checkpoint's weights, or None when the run has no checkpoint yet.
    split
        The split the evaluation sections use (``"test"``, falling back to ``"val"``).
    tsne
        t-SNE policy: True always, False never, None when the map has at most
        :data:`~studio.inspection.report.model_sections.TSNE_AUTO_MAX` points.
    no_model
        Why there is no model (shown by the sections that need one).
    """

    run_dir: Path
    project: Project
    registry: LayerRegistry
    run: InspectedRun | None
    split: str = "test"
    tsne: bool | None = None
    no_model: str = ""

    @cached_property
    def summary(self) -> dict[str, Any]:
        """``summary.json`` ({} while training or when unreadable)."""
        try:
            data = json.loads((self.run_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @cached_property
    def epochs(self) -> list[dict[str, Any]]:
        """The epoch records of ``metrics.jsonl``, in order (the latest record of an epoch wins)."""
        records = self.run.metrics() if self.run is not None else _read_epochs(self.run_dir)
        latest = {r["epoch"]: r for r in records if isinstance(r.get("epoch"), int)}
        return [latest[e] for e in sorted(latest)]

    @property
    def task(self) -> str:
        """The run's task type (``classification``, ``regression`` ...)."""
        from studio.training.config import ConfigError, TrainConfig

        try:
            return TrainConfig.from_dict(self.project.training).task
        except ConfigError:
            return str(self.project.training.get("task", "classification"))

    def model_run(self) -> InspectedRun:
        """The opened run; raises :class:`NotApplicable` when there are no weights to inspect."""
        if self.run is None:
            raise NotApplicable(self.no_model)
        return self.run

    @cached_property
    def dataset(self) -> Any:
        """The evaluation split (``test`` falls back to ``val`` when the data has no test split)."""
        return self.model_run().split(self.split)

    @property
    def split_label(self) -> str:
        """The split actually used, as shown on the page."""
        bundle = self.model_run().data
        if self.split == "test" and getattr(bundle, "test", None) is None:
            return "val (the data has no test split)"
        return self.split

    @property
    def class_names(self) -> list[str]:
        """Class names, or ``class i`` for each class the model scores when the data has none."""
        names = self.model_run().class_names
        count = self.predictions.num_classes
        return [names[i] if i < len(names) else f"class {i}" for i in range(count)]

    @cached_property
    def predictions(self) -> Any:
        """:class:`~studio.inspection.evaluation.Predictions` on the split (computed once)."""
        from studio.inspection.evaluation import predict_dataset

        if self.task not in CLASS_TASKS:
            raise NotApplicable(f"not applicable to a {self.task} run: this view needs class targets")
        try:
            return predict_dataset(self.model_run().model, self.dataset)
        except InspectionError as exc:
            raise NotApplicable(str(exc)) from None

    def checkpoint_label(self) -> str:
        """``best (epoch 3)``, ``last (epoch 5)`` or the file name."""
        run = self.model_run()
        stem = run.checkpoint.stem
        epoch = {"best": self.summary.get("best_epoch"), "last": self.summary.get("epochs")}.get(stem)
        if stem.startswith("epoch_") and stem[6:].isdigit():
            return f"epoch {int(stem[6:])}"
        return f"{stem} (epoch {epoch})" if isinstance(epoch, int) and epoch > 0 else stem


def _read_epochs(run_dir: Path) -> list[dict[str, Any]]:
    """Epoch records of ``metrics.jsonl`` when no model could be opened (as ``InspectedRun.metrics``)."""
    try:
        lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a torn last line while the run writes
        if isinstance(record, dict) and record.get("kind") == "epoch":
            records.append(record)
    return records
