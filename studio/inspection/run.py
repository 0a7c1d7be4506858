"""A run directory (or any checkpoint) opened for inspection.

Inspection works on a finished run, on a run still training (its checkpoints
are written atomically, so reading ``last`` never sees half a file) and on a
bare project plus a safetensors file. The model is rebuilt from the project
snapshot the run trained, so editing the project afterwards never changes what
is inspected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import torch
from torch import nn

from studio.compiler.lower import CompileError, compile_graph
from studio.compiler.weights import WeightsError, apply_state, load_state
from studio.core.serialize import Project, ProjectError
from studio.layers.registry import LayerRegistry
from studio.layers.validation import open_project
from studio.training.rundir import PROJECT_FILE

_EPOCH_FILE = re.compile(r"epoch_(\d+)\.safetensors$")


class RunError(ValueError):
    """A run directory or checkpoint that cannot be inspected; one line naming the file."""


@dataclass
class Checkpoint:
    """One weights file of a run: ``kind`` best, last or epoch; ``epoch`` as the run numbers it (from 1)."""

    kind: str
    epoch: int | None
    path: Path

    @property
    def label(self) -> str:
        """How a chooser shows it: ``best``, ``last``, ``epoch 3``."""
        return f"epoch {self.epoch}" if self.kind == "epoch" and self.epoch is not None else self.kind


def list_checkpoints(run_dir: str | Path) -> list[Checkpoint]:
    """The weights files of ``run_dir``: best and last first, then every saved epoch in order."""
    folder = Path(run_dir) / "checkpoints"
    found = [Checkpoint(k, None, folder / f"{k}.safetensors") for k in ("best", "last")]
    found = [c for c in found if c.path.is_file()]
    epochs = []
    for path in folder.glob("epoch_*.safetensors") if folder.is_dir() else ():
        match = _EPOCH_FILE.search(path.name)
        if match:
            epochs.append(Checkpoint("epoch", int(match.group(1)), path))
    return found + sorted(epochs, key=lambda c: c.epoch)


@dataclass
class InspectedRun:
    """A trained model with everything needed to look inside it.

    Attributes
    ----------
    project
        The project snapshot that was trained (its graph names the model's submodules).
    model
        The compiled model with the checkpoint's weights, in eval mode, on CPU.
    checkpoint
        The weights file loaded.
    path
        The run directory (None for a project + weights file).
    """

    project: Project
    model: nn.Module
    checkpoint: Path
    registry: LayerRegistry
    path: Path | None = None
    _data: Any = field(default=None, repr=False)

    @property
    def summary(self) -> dict[str, Any]:
        """``summary.json`` of the run ({} while it is still training or without a run)."""
        if self.path is None:
            return {}
        try:
            return json.loads((self.path / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    @property
    def seed(self) -> int:
        """The data seed the run used (so the splits are the same samples)."""
        from studio.training.config import TrainConfig

        return TrainConfig.from_dict(self.project.training).seed

    @cached_property
    def data(self) -> Any:
        """The run's dataset bundle (train/val/test splits), loaded on first use."""
        if self._data is not None:
            return self._data
        from studio.data import DataError, load_dataset

        try:
            return load_dataset(dict(self.project.data), seed=self.seed)
        except DataError as exc:
            raise RunError(f"data: {exc}") from None

    def loaded_data(self) -> Any:
        """The dataset bundle if it was loaded already (None otherwise): reused when reopening."""
        return self.__dict__.get("data", self._data)

    def split(self, name: str = "val") -> Any:
        """The ``"train"``, ``"val"`` or ``"test"`` dataset (test falls back to val when absent)."""
        bundle = self.data
        dataset = getattr(bundle, name, None)
        if dataset is None and name == "test":
            dataset = bundle.val
        if dataset is None:
            raise RunError(f"the dataset {bundle.name!r} has no {name} split")
        return dataset

    @property
    def class_names(self) -> list[str]:
        """Class names of a classification dataset ([] otherwise)."""
        return list(self.data.class_names or [])

    def metrics(self) -> list[dict[str, Any]]:
        """The epoch records of ``metrics.jsonl`` (a torn last line, mid-write, is skipped)."""
        if self.path is None:
            return []
        records = []
        try:
            lines = (self.path / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("kind") == "epoch":
                records.append(record)
        return records

    def load_weights(self, checkpoint: str | Path) -> None:
        """Replace the model's weights by another checkpoint of the run (``"last"``, a path ...)."""
        path = _checkpoint_path(self.path, checkpoint)
        _apply(self.model, path)
        self.checkpoint = path


def build_model(project: Project, registry: LayerRegistry, weights: str | Path | None = None) -> nn.Module:
    """Compile ``project``'s graph and load ``weights`` (a safetensors file or run directory)."""
    try:
        model = compile_graph(project.graph, registry)
    except CompileError as exc:
        raise RunError(str(exc)) from None
    if weights is not None:
        _apply(model, Path(weights))
    return model.eval()


def open_run(
    run_dir: str | Path,
    checkpoint: str | Path = "best",
    registry: LayerRegistry | None = None,
    data: Any = None,
) -> InspectedRun:
    """Open ``run_dir`` with the weights of ``checkpoint`` (best, last, epoch_NNN or a path).

    ``best`` falls back to ``last`` while a run has no best checkpoint yet.
    ``data`` (a :class:`~studio.data.DataBundle`) skips loading the dataset again.

    Raises
    ------
    RunError
        With one line naming the file when the run cannot be opened.
    """
    path = Path(run_dir)
    if not path.is_dir():
        raise RunError(f"{path}: no such run directory")
    registry = registry or LayerRegistry.with_builtins()  # the GUI and CLI pass theirs, with plugins
    try:
        project = open_project(path / PROJECT_FILE, registry)
    except ProjectError as exc:
        raise RunError(str(exc)) from None  # it already names the file
    weights = _checkpoint_path(path, checkpoint)
    model = build_model(project, registry, weights)
    return InspectedRun(project, model, weights, registry, path, data)


def _checkpoint_path(run_dir: Path | None, checkpoint: str | Path) -> Path:
    candidate = Path(checkpoint)
    if candidate.suffix == ".safetensors" or run_dir is None:
        if not candidate.is_file():
            raise RunError(f"{candidate}: no such checkpoint")
        return candidate
    names = [str(checkpoint)] + (["last"] if str(checkpoint) == "best" else [])
    for name in names:
        path = run_dir / "checkpoints" / f"{name}.safetensors"
        if path.is_file():
            return path
    kinds = ", ".join(c.path.stem for c in list_checkpoints(run_dir)) or "none yet"
    raise RunError(f"{run_dir}: no checkpoint {checkpoint!r} (there are: {kinds})")


def _apply(model: nn.Module, path: Path) -> None:
    try:
        apply_state(model, load_state(path), path)
    except WeightsError as exc:
        raise RunError(str(exc)) from None


def snapshot_model(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of ``model``'s weights (taken at epoch end; inspection then runs off the live model)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
