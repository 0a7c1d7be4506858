"""The run directory of DESIGN.md "Contracts", written crash-safely.

Layout::

    project.nsproj.json        snapshot of what was trained
    metrics.jsonl, metrics.csv one record per step and per epoch (MetricsWriter)
    checkpoints/last.safetensors, best.safetensors, epoch_NNN.safetensors
    checkpoints/state.pt       optimizer, schedule, RNG, data order, epoch/step
    stats/epoch_NNN.npz        per-layer weight/gradient/activation statistics
    doctor.jsonl               findings of the training doctor
    summary.json               {"status", "epochs", "best_epoch", "seconds", "device", "metrics"}

Every file a crash could leave half-written is written to a temporary file in
the same folder and renamed over the target.
"""

from __future__ import annotations

import io
import json
import math
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from studio.compiler.weights import save_tensors
from studio.core.serialize import atomic_write_text, temp_file_beside

PROJECT_FILE = "project.nsproj.json"
STATE_FILE = "state.pt"


def default_run_dir(project_path: str | os.PathLike, now: float | None = None) -> Path:
    """``runs/<project-stem>/<YYYYmmdd-HHMMSS>/`` beside the project file."""
    path = Path(project_path)
    stem = path.name.removesuffix(".json").removesuffix(".nsproj") if path.name else "project"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return path.parent / "runs" / stem / stamp


def json_safe(value: Any) -> Any:
    """Plain JSON data: numpy scalars/arrays to Python, NaN/Inf to None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``."""
    fd, tmp = temp_file_beside(path)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RunDir:
    """Paths and writers of one run directory (created on construction)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.checkpoints = self.path / "checkpoints"
        self.stats = self.path / "stats"
        for folder in (self.path, self.checkpoints, self.stats):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def project(self) -> Path:
        """The project snapshot."""
        return self.path / PROJECT_FILE

    @property
    def summary(self) -> Path:
        """summary.json."""
        return self.path / "summary.json"

    @property
    def state(self) -> Path:
        """checkpoints/state.pt."""
        return self.checkpoints / STATE_FILE

    def weights(self, kind: str, epoch: int = 0) -> Path:
        """``checkpoints/<kind>.safetensors``; kind ``epoch`` gives ``epoch_NNN.safetensors``."""
        name = f"epoch_{epoch:03d}" if kind == "epoch" else kind
        return self.checkpoints / f"{name}.safetensors"

    def write_json(self, path: Path, data: Any) -> None:
        """Indented JSON, atomically."""
        atomic_write_text(path, json.dumps(json_safe(data), indent=2) + "\n")

    def save_weights(self, tensors: dict[str, torch.Tensor], kind: str, epoch: int = 0) -> Path:
        """Write a state dict of CPU tensors (see :func:`cpu_copy`) as safetensors, atomically."""
        path = self.weights(kind, epoch)
        atomic_write(path, lambda tmp: save_tensors(tensors, tmp))
        return path

    def copy_weights(self, source: str, kind: str, epoch: int = 0) -> Path:
        """``kind``'s weights as the same file as ``source``'s (a hard link, atomically); return the path.

        Every weights file is written to a new file and renamed, never changed in
        place, so the link keeps these bytes when ``source`` is written again.
        """
        path, src = self.weights(kind, epoch), self.weights(source)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
        try:
            tmp.unlink(missing_ok=True)
            os.link(src, tmp)
            os.replace(tmp, path)
        except OSError:  # no hard links here: copy the bytes
            tmp.unlink(missing_ok=True)
            data = src.read_bytes()
            atomic_write(path, lambda out: out.write_bytes(data))
        return path

    def save_state(self, state: dict[str, Any]) -> Path:
        """Write the resumable training state (plain containers and tensors only)."""
        atomic_write(self.state, lambda tmp: torch.save(state, tmp))
        return self.state

    def load_state(self) -> dict[str, Any]:
        """Read ``checkpoints/state.pt`` with ``weights_only=True``."""
        if not self.state.is_file():
            raise FileNotFoundError(f"{self.state}: no training state to resume from")
        return torch.load(self.state, map_location="cpu", weights_only=True)

    def save_stats(self, epoch: int, arrays: dict[str, np.ndarray]) -> Path:
        """``stats/epoch_NNN.npz``, atomically."""
        path = self.stats / f"epoch_{epoch:03d}.npz"

        atomic_write(path, lambda tmp: write_npz(tmp, arrays))
        return path


def cpu_copy(value: Any) -> Any:
    """``value`` with every tensor replaced by a contiguous CPU copy that nothing else holds.

    Dicts, lists and tuples are rebuilt, everything else is kept as is: what
    training mutates in place (weights, optimizer moments, ``param_groups``)
    is frozen at this moment, so it can be written to disk on another thread
    while training goes on.
    """
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True).contiguous()
    if isinstance(value, dict):
        return {key: cpu_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cpu_copy(item) for item in value]
    if type(value) is tuple:  # not named tuples, whose constructors take fields
        return tuple(cpu_copy(item) for item in value)
    return value


def write_npz(path: Path, arrays: dict[str, Any]) -> None:
    """What ``np.savez`` writes (uncompressed, read by ``np.load``), built in memory and written at once.

    ``np.savez`` streams each of the ~100 small arrays of a statistics file
    through its own zip member writer, which costs several times more.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
            archive.writestr(f"{key}.npy", member.getvalue())
    with open(path, "wb") as handle:
        handle.write(buffer.getbuffer())


def make_summary(
    status: str, epochs: int, best_epoch: int, seconds: float, device: str, metrics: dict[str, dict]
) -> dict[str, Any]:
    """summary.json exactly as in Contracts (``metrics`` has ``train``, ``val``, ``test``)."""
    return json_safe(
        {
            "status": status,
            "epochs": int(epochs),
            "best_epoch": int(best_epoch),
            "seconds": round(float(seconds), 3),
            "device": device,
            "metrics": {split: dict(metrics.get(split) or {}) for split in ("train", "val", "test")},
        }
    )
