"""The Embedding tab's computation (no Qt): which node, which weights, and the maps as they refine.

The default node is the penultimate one: walking upstream from the output,
the first node with parameters is the head (the classifier's last Linear) and
the node feeding it is the representation the head separates. The epoch
slider's entries are the run's ``epoch_NNN`` checkpoints plus the epoch of
the weights the panel shows; each epoch's map is started from the latest
earlier epoch's map (:class:`~studio.inspection.embedding.EmbeddingHistory`),
so a cluster stays where it was while the network trains.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.inspection.hooks import InspectionError

MAX_POINTS = 2000  # samples mapped: t-SNE of 2,000 points takes seconds, not minutes
METHOD_LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
_EPOCH_STEM = re.compile(r"epoch_(\d+)$")


def penultimate_node(run: Any) -> tuple[str, str]:
    """``(node, head)`` of ``run``'s model (see :func:`studio.inspection.embedding.penultimate_node`)."""
    from studio.inspection.embedding import penultimate_node as find

    return find(run.project.graph, run.registry, run.model)


def map_nodes(run: Any) -> list[str]:
    """Nodes whose output can be mapped: graph nodes the model has a submodule for, in graph order."""
    children = {name for name, _ in run.model.named_children()}
    graph = run.project.graph
    return [graph.nodes[i].name for i in graph.topological_order() if graph.nodes[i].name in children]


def weights_epoch(run: Any, checkpoint: str, epoch_files: dict[int, Path]) -> int:
    """The epoch whose weights ``run`` holds (0 when unknown: a bare weights file).

    ``best``, ``last`` and ``epoch_NNN`` of one epoch are hard links of one
    file, so the same file names the epoch; otherwise ``best`` is the
    summary's best epoch and ``last`` the latest epoch in the metrics.
    """
    match = _EPOCH_STEM.search(Path(str(checkpoint)).stem)
    if match:
        return int(match.group(1))
    current = getattr(run, "checkpoint", None)
    for epoch, path in sorted(epoch_files.items(), reverse=True):
        try:
            if current is not None and Path(current).samefile(path):
                return epoch
        except OSError:
            continue
    summary = run.summary
    if checkpoint == "best" and int(summary.get("best_epoch") or 0) > 0:
        return int(summary["best_epoch"])
    if int(summary.get("epochs") or 0) > 0:
        return int(summary["epochs"])
    epochs = [r["epoch"] for r in run.metrics() if isinstance(r.get("epoch"), int)]
    return max(epochs, default=max(epoch_files, default=0))


@dataclass
class EpochEntry:
    """One position of the epoch slider: ``weights`` None means the panel's own model."""

    epoch: int
    weights: Path | None
    label: str


def epoch_entries(run: Any, run_dir: Path | None, checkpoint: str) -> tuple[list[EpochEntry], int]:
    """The slider's entries in epoch order and the position of the panel's weights."""
    from studio.inspection.run import list_checkpoints

    files = {c.epoch: c.path for c in list_checkpoints(run_dir) if c.kind == "epoch"} if run_dir else {}
    current = weights_epoch(run, checkpoint, files)
    entries = []
    for epoch in sorted(set(files) | {current}):
        if epoch == current:
            name = f"{checkpoint} weights" if checkpoint in ("best", "last") else "weights shown in the panel"
            label = f"epoch {epoch} ({name})" if epoch else name
            entries.append(EpochEntry(epoch, None, label))
        else:
            entries.append(EpochEntry(epoch, files[epoch], f"epoch {epoch} (checkpoint)"))
    return entries, next(i for i, e in enumerate(entries) if e.weights is None)


@dataclass
class PointInfo:
    """What the map's points are (everything but the features themselves)."""

    node: str
    dims: int
    indices: np.ndarray
    labels: np.ndarray | None
    predictions: np.ndarray | None
    confidence: np.ndarray | None
    split_size: int

    @property
    def correct(self) -> np.ndarray | None:
        """Whether each prediction is right, or None."""
        if self.labels is None or self.predictions is None:
            return None
        return self.labels == self.predictions


@dataclass
class MapUpdate:
    """One layout to draw: the PCA start, a refining t-SNE step, or the final map."""

    coords: np.ndarray
    info: PointInfo
    method: str
    epoch: int
    phase: str  # "pca", "start" (a previous epoch's map), "exaggeration", "normal", "umap"
    iteration: int = 0
    total: int = 0
    kl: float | None = None
    done: bool = False
    warm_from: int | None = None  # the epoch whose map this one started from


@dataclass
class MapRequest:
    """Everything the worker needs, captured in the GUI thread."""

    run: Any
    dataset: Any
    node: str
    epoch: int
    weights: Path | None
    method: str
    limit: int
    history: Any  # EmbeddingHistory of this (run, node, split, method, options), t-SNE options in it
    features: FeatureCache
    feature_key: tuple


class FeatureCache:
    """The last few extracted feature matrices (a conv layer's can be tens of MB), thread-safe."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        """The cached value of ``key`` (now the most recent), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: Any) -> None:
        """Keep ``value``; the least recently used entry goes when full."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (another run)."""
        with self._lock:
            self._items.clear()


def features_of(request: MapRequest) -> tuple[np.ndarray, PointInfo]:
    """The node's features for the request's epoch (cached) and what the points are."""
    from studio.inspection.embedding import extract_features
    from studio.inspection.run import build_model

    cached = request.features.get(request.feature_key)
    if cached is not None:
        return cached
    run = request.run
    model = run.model if request.weights is None else build_model(run.project, run.registry, request.weights)
    feats = extract_features(model, request.dataset, request.node, limit=request.limit)
    if len(feats.features) < 5:
        raise InspectionError(f"the split has {len(feats.features)} samples: too few for a map")
    info = PointInfo(
        node=request.node,
        dims=int(feats.features.shape[1]),
        indices=feats.indices,
        labels=feats.labels,
        predictions=feats.predictions,
        confidence=feats.confidence,
        split_size=len(request.dataset),
    )
    value = (np.ascontiguousarray(feats.features, dtype=np.float32), info)
    request.features.put(request.feature_key, value)
    return value


def _start_epoch(history: Any, epoch: int, n_points: int) -> int | None:
    # The epoch EmbeddingHistory.previous picks: the latest earlier one with as many points.
    earlier = [e for e in history.epochs if e < epoch and len(history[e]) == n_points]
    return max(earlier) if earlier else None


def compute_map(request: MapRequest, cancel: Any) -> Iterator[MapUpdate]:
    """Layouts of the request's map as they come: one for PCA/UMAP, many for t-SNE (the last ``done``)."""
    from studio.inspection.embedding import align, embed_2d, pca_2d

    x, info = features_of(request)
    history, epoch, method = request.history, request.epoch, request.method
    warm = _start_epoch(history, epoch, len(x))
    if not np.ptp(x, axis=0).any():
        raise InspectionError(
            f"all samples give {request.node} the same output (a dead layer?): there is nothing to map"
        )
    if method in ("pca", "umap"):
        previous = history.previous(epoch, len(x))
        if method == "pca":
            coords = pca_2d(x)
            if previous is not None:  # PCA's axes may flip between epochs: turn it onto the last map
                coords = align(previous, coords, scale=False).astype(np.float32)
        else:
            coords = embed_2d(x, "umap", init=previous)
        history.add(epoch, coords)
        yield MapUpdate(coords, info, method, epoch, method, done=True, warm_from=warm)
        return
    job = history.job(epoch, x)  # warm-started from the latest earlier epoch's map, if any
    try:
        for layout in job.layouts():
            if cancel:
                return
            yield MapUpdate(
                layout.coords,
                info,
                method,
                epoch,
                layout.phase,
                layout.iteration,
                layout.total,
                layout.kl_divergence,
                layout.done,
                warm,
            )
    finally:
        job.cancel()
