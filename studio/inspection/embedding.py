"""Embeddings of a node's features: extraction, PCA and t-SNE maps, and how maps compare.

A typical use, at each epoch end on a weight snapshot::

    feats = extract_features(model, data.val, "fc2")
    coords = history.compute(epoch, feats.features)   # warm-started from the last epoch's map

and, for a live view, :meth:`EmbeddingHistory.job` gives a
:class:`~studio.inspection.tsne.TsneJob` whose layouts arrive progressively.
Maps are compared with :func:`procrustes_disparity` and
:func:`mean_displacement` (after the best rotation, reflection, scale and
shift) and judged with :func:`trustworthiness`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.inspection.batches import class_probabilities, is_class_task, run_dataset
from studio.inspection.hooks import InspectionError, Target
from studio.inspection.tsne import Layout, TsneJob

METHODS = ("tsne", "pca", "umap")


@dataclasses.dataclass
class Features:
    """A node's output for each sample, with what the model made of the sample.

    Attributes
    ----------
    features
        ``(N, D)`` float32, the node's output flattened per sample.
    labels
        ``(N,)`` true class per sample, or None (no targets, or not one class per sample).
    predictions
        ``(N,)`` predicted class, or None when the output is not one score vector per sample.
    probabilities
        ``(N, C)`` class probabilities (``C = 2`` for a single-logit binary output), or None.
    indices
        ``(N,)`` position of each row in the dataset.
    node
        The node the features come from.
    """

    features: np.ndarray
    labels: np.ndarray | None
    predictions: np.ndarray | None
    probabilities: np.ndarray | None
    indices: np.ndarray
    node: str = ""

    @property
    def confidence(self) -> np.ndarray | None:
        """Probability of the predicted class per sample, or None."""
        return None if self.probabilities is None else self.probabilities.max(axis=1)

    @property
    def correct(self) -> np.ndarray | None:
        """Whether each prediction is right (bool), or None without labels and predictions."""
        if self.labels is None or self.predictions is None:
            return None
        return self.predictions == self.labels


def extract_features(
    model: nn.Module,
    dataset_or_loader: Any,
    node: Target,
    batch_size: int = 256,
    limit: int | None = None,
    device: str | torch.device = "cpu",
) -> Features:
    """The output of ``node`` for every sample, and the model's predictions, in one pass.

    Parameters
    ----------
    model
        The network (its mode and device are restored afterwards).
    dataset_or_loader
        ``(x, y)`` items or batches (see :func:`studio.inspection.batches.run_dataset`).
    node
        Node name, dotted path or module whose output becomes the features.
    batch_size, limit, device
        Rows per forward, the first ``limit`` samples only, where to run.

    Returns
    -------
    Features
    """
    result = run_dataset(model, dataset_or_loader, node, batch_size, limit, device)
    out, targets = result.outputs, result.targets
    per_sample = out.ndim <= 2 and is_class_task(out, targets)
    probabilities = class_probabilities(out) if per_sample else None
    labels = None
    if per_sample and targets is not None and targets.reshape(len(targets), -1).shape[1] == 1:
        labels = targets.reshape(-1).astype(np.int64)
    return Features(
        features=result.features,
        labels=labels,
        predictions=None if probabilities is None else probabilities.argmax(axis=1).astype(np.int64),
        probabilities=probabilities,
        indices=result.indices,
        node=node if isinstance(node, str) else type(node).__name__,
    )


def pca_components(features: np.ndarray, seed: int = 0, threads: int | None = None) -> np.ndarray:
    """The first two principal-component scores, in the features' float dtype.

    scikit-learn's PCA (``svd_solver="auto"``, ``random_state=seed``, no
    whitening) -- what openTSNE's PCA initialisation uses -- with each
    component's sign fixed so that its largest-magnitude loading is positive,
    whatever scikit-learn's own convention. Features with fewer than two
    dimensions get a zero second coordinate. ``threads`` caps the BLAS threads
    for the call: on a busy machine a multi-threaded OpenBLAS took 0.6-0.8 s
    for 10,000 x 64 points that one thread does in 16 ms.
    """
    import contextlib

    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] < 2:
        raise InspectionError(f"PCA needs at least 2 points as (points, features) rows; got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    k = min(2, x.shape[1], x.shape[0])
    pca = PCA(n_components=k, svd_solver="auto", random_state=seed, whiten=False)
    limit = contextlib.nullcontext() if threads is None else threadpool_limits(threads, user_api="blas")
    with limit:  # BLAS only: torch's OpenMP threads (a training run) are left alone
        scores = pca.fit_transform(x)
    rows = np.arange(k)
    signs = np.sign(pca.components_[rows, np.abs(pca.components_).argmax(axis=1)])
    scores *= np.where(signs == 0, 1, signs).astype(scores.dtype)
    if k < 2:
        scores = np.concatenate([scores, np.zeros((x.shape[0], 2 - k), scores.dtype)], axis=1)
    return np.ascontiguousarray(scores)


def pca_2d(features: np.ndarray, seed: int = 0, threads: int | None = 1) -> np.ndarray:
    """The instant layout: ``(N, 2)`` float32 PCA scores (see :func:`pca_components`)."""
    return pca_components(features, seed, threads).astype(np.float32)


def embed_2d(
    features: np.ndarray, method: str = "tsne", init: np.ndarray | None = None, seed: int = 0, **options: Any
) -> np.ndarray:
    """Final ``(N, 2)`` float32 coordinates of ``features``.

    Parameters
    ----------
    features
        ``(N, D)`` rows.
    method
        ``"tsne"`` (openTSNE, see :class:`~studio.inspection.tsne.TsneJob`),
        ``"pca"`` or ``"umap"`` (needs the optional ``umap-learn`` package).
    init
        A previous map of the same points: t-SNE and UMAP start from it, PCA is
        rotated/reflected onto it (its shape does not depend on a start).
    seed
        Random state.
    **options
        Passed to :class:`TsneJob` or ``umap.UMAP``.
    """
    if method == "pca":
        coords = pca_2d(features, seed)
        return coords if init is None else align(init, coords, scale=False).astype(np.float32)
    if method == "tsne":
        return _finished(TsneJob(features, init, seed=seed, **options).run())
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise InspectionError(
                "UMAP needs the optional package umap-learn (pip install umap-learn); "
                "use method='tsne' or 'pca' instead"
            ) from None
        reducer = umap.UMAP(
            n_components=2, random_state=seed, init="spectral" if init is None else init, **options
        )
        return np.asarray(reducer.fit_transform(np.asarray(features)), dtype=np.float32)
    raise InspectionError(f"unknown embedding method {method!r}; choose one of {', '.join(METHODS)}")


def align(reference: np.ndarray, coords: np.ndarray, scale: bool = True) -> np.ndarray:
    """``coords`` moved onto ``reference``: the shift, rotation/reflection (and scale) that fit best.

    Orthogonal Procrustes in least squares; with ``scale=False`` the map keeps
    its own size (used to keep a PCA map from flipping between epochs).
    """
    from scipy.linalg import orthogonal_procrustes

    ref, b = _check_pair(reference, coords)
    ref_mean, b_mean = ref.mean(axis=0), b.mean(axis=0)
    rotation, singular_sum = orthogonal_procrustes(b - b_mean, ref - ref_mean)
    norm = float(((b - b_mean) ** 2).sum())
    factor = singular_sum / norm if scale and norm > 0 else 1.0
    return (b - b_mean) @ rotation * factor + ref_mean


def procrustes_disparity(reference: np.ndarray, coords: np.ndarray) -> float:
    """scipy's Procrustes disparity: squared error left after the best similarity transform.

    Both maps are centred and scaled to unit Frobenius norm first, so 0 means
    the same map and the value is comparable across maps and epochs.
    """
    from scipy.spatial import procrustes

    ref, b = _check_pair(reference, coords)
    return float(procrustes(ref, b)[2])


def mean_displacement(reference: np.ndarray, coords: np.ndarray) -> float:
    """Mean distance a point moved, after :func:`align`, in units of the reference's RMS radius."""
    ref, b = _check_pair(reference, coords)
    moved = np.linalg.norm(align(ref, b) - ref, axis=1).mean()
    radius = np.sqrt(((ref - ref.mean(axis=0)) ** 2).sum(axis=1).mean())
    return float(moved / radius) if radius > 0 else 0.0


def trustworthiness(
    features: np.ndarray,
    coords: np.ndarray,
    n_neighbors: int = 5,
    max_points: int | None = None,
    seed: int = 0,
) -> float:
    """scikit-learn's trustworthiness of a map (1 = no false neighbours among the ``n_neighbors`` nearest).

    ``max_points`` evaluates a random subset (the measure needs all pairwise
    distances: memory grows as N²).
    """
    from sklearn.manifold import trustworthiness as sk_trustworthiness

    x, y = np.asarray(features), np.asarray(coords)
    if max_points is not None and len(x) > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), max_points, replace=False))
        x, y = x[keep], y[keep]
    return float(sk_trustworthiness(x, y, n_neighbors=n_neighbors))


def _finished(coords: np.ndarray | None) -> np.ndarray:
    if coords is None:  # only cancel() ends a job early, and these jobs are never handed out
        raise InspectionError("the t-SNE was cancelled")
    return coords


def _check_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise InspectionError(f"maps of the same points are needed; got shapes {a.shape} and {b.shape}")
    return a, b


class EmbeddingHistory:
    """Maps per epoch, each epoch's map started from the latest earlier epoch's.

    Parameters
    ----------
    method
        ``"tsne"``, ``"pca"`` or ``"umap"``.
    seed
        Random state of every map.
    **options
        Passed on to :class:`TsneJob` / :func:`embed_2d`.
    """

    def __init__(self, method: str = "tsne", seed: int = 0, **options: Any) -> None:
        if method not in METHODS:
            raise InspectionError(f"unknown embedding method {method!r}; choose one of {', '.join(METHODS)}")
        self.method, self.seed, self.options = method, seed, options
        self.maps: dict[int, np.ndarray] = {}

    @property
    def epochs(self) -> list[int]:
        """Epochs with a map, in order (for the epoch slider)."""
        return sorted(self.maps)

    def __getitem__(self, epoch: int) -> np.ndarray:
        return self.maps[epoch]

    def __contains__(self, epoch: object) -> bool:
        return epoch in self.maps

    def __len__(self) -> int:
        return len(self.maps)

    def add(self, epoch: int, coords: np.ndarray) -> None:
        """Store ``epoch``'s final map."""
        self.maps[epoch] = np.asarray(coords, dtype=np.float32)

    def previous(self, epoch: int, n_points: int | None = None) -> np.ndarray | None:
        """The map of the latest earlier epoch (with ``n_points`` points, if given), or None."""
        for earlier in sorted((e for e in self.maps if e < epoch), reverse=True):
            coords = self.maps[earlier]
            if n_points is None or len(coords) == n_points:
                return coords
        return None

    def job(self, epoch: int, features: np.ndarray) -> TsneJob:
        """A t-SNE job for ``epoch``, warm-started when an earlier map of the same points exists.

        Its final map is stored under ``epoch`` when it finishes.
        """
        if self.method != "tsne":
            raise InspectionError(f"progressive jobs are t-SNE only; this history uses {self.method}")
        init = self.previous(epoch, len(features))
        return TsneJob(
            features, init, seed=self.seed, on_done=lambda coords: self.add(epoch, coords), **self.options
        )

    def compute(
        self, epoch: int, features: np.ndarray, on_layout: Callable[[Layout], None] | None = None
    ) -> np.ndarray:
        """``epoch``'s map, computed now (from the previous epoch's map) and stored."""
        if self.method == "tsne":
            return _finished(self.job(epoch, features).run(on_layout))
        coords = embed_2d(
            features, self.method, self.previous(epoch, len(features)), self.seed, **self.options
        )
        self.add(epoch, coords)
        return coords


def penultimate_node(graph: Any, registry: Any, model: nn.Module) -> tuple[str, str]:
    """``(node, head)``: the node whose output feeds the network's head, and the head's name.

    Walks upstream from the first output node to the first layer with
    parameters (the head, e.g. the last Linear); its input is what the head
    sees, the usual choice for an embedding.

    Raises
    ------
    InspectionError
        When the graph has no output node, or no layer with parameters feeds it.
    """
    from studio.compiler.blocks import resolve_spec

    def has_parameters(name: str) -> bool:
        try:
            return any(True for _ in model.get_submodule(name).parameters())
        except AttributeError:
            return False

    outputs = []
    for node_id in graph.topological_order():
        spec = resolve_spec(graph, graph.nodes[node_id], registry)
        if spec is not None and spec.is_output:
            outputs.append(node_id)
    if not outputs:
        raise InspectionError("the graph has no output node to trace the features from")
    node_id, seen = outputs[0], set()
    while node_id not in seen:
        seen.add(node_id)
        edges = graph.in_edges(node_id)
        if not edges:
            break
        source = edges[0].src[0]
        head = graph.nodes[source].name
        if has_parameters(head):
            feeds = graph.in_edges(source)
            if not feeds:
                break
            return graph.nodes[feeds[0].src[0]].name, head
        node_id = source
    raise InspectionError("no layer with parameters feeds the output: choose a node to map")
