"""Progressive t-SNE (openTSNE): a PCA layout at once, then refined layouts as it optimises.

:class:`TsneJob` runs openTSNE's own optimisation -- affinities, PCA
initialisation, early exaggeration, normal phase, with openTSNE's defaults --
in chunks of ``every`` iterations on one :class:`openTSNE.TSNEEmbedding`, and
yields a :class:`Layout` before the first chunk and after each one. A view
shows the first layout immediately and the map refining; :meth:`TsneJob.cancel`
(from any thread) stops it between chunks.

Chunking does not change the result: openTSNE's optimiser keeps its gains and
momentum on the embedding between ``optimize`` calls, and the exaggeration is
applied to ``P`` once per phase here exactly as ``TSNE.fit`` does (asking
``optimize`` for it would scale and unscale ``P`` at every chunk, and t-SNE
amplifies those rounding differences into a visibly different map). With the
same settings the final map equals ``openTSNE.TSNE(...).fit(X)`` bit for bit;
the cost is one extra gradient evaluation per chunk (openTSNE evaluates the KL
divergence at the end of each ``optimize``), 2 % with ``every=50``.

Starting from a previous map (``init=``, epoch k's coordinates for epoch k+1's
features) skips early exaggeration by default (``warm_exaggeration_iter=0``)
and keeps the previous map's scale. Early exaggeration exists to let clusters
form and move past each other from a tiny PCA start; applied to a finished map
it contracts every cluster and lets them wander, which is exactly the
epoch-to-epoch reshuffling the warm start is there to avoid. The normal phase
(``n_iter`` iterations) adapts the map to the new affinities; the tests measure
that this moves points far less than a fresh t-SNE would.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from studio.inspection.hooks import InspectionError


@dataclasses.dataclass(frozen=True)
class Layout:
    """One map to show.

    Attributes
    ----------
    coords
        ``(N, 2)`` float32 positions, in the order of the features' rows.
    iteration
        t-SNE iterations done so far (0 for the starting layout).
    total
        Iterations planned in all.
    phase
        ``"pca"`` (the instant PCA layout), ``"start"`` (the previous map a warm
        job starts from), ``"exaggeration"`` or ``"normal"``.
    kl_divergence
        KL divergence of the map (None for a starting layout); during early
        exaggeration corrected as openTSNE does (``KL / e - log e``).
    done
        Whether this is the final map.
    """

    coords: np.ndarray
    iteration: int
    total: int
    phase: str
    kl_divergence: float | None = None
    done: bool = False

    @property
    def progress(self) -> float:
        """Fraction of the planned iterations done, 0 to 1."""
        return self.iteration / self.total if self.total else 1.0


class TsneJob:
    """A t-SNE of ``features`` that yields its layouts as it optimises.

    Parameters
    ----------
    features
        ``(N, D)`` array, one row per point.
    init
        ``(N, 2)`` coordinates to start from (a previous epoch's map), or None
        for openTSNE's PCA initialisation.
    perplexity
        openTSNE's default 30, lowered to ``(N - 1) / 3`` for small N (as
        openTSNE itself would, without its warning).
    early_exaggeration_iter, early_exaggeration, n_iter
        openTSNE's phases (defaults 250 iterations at exaggeration "auto" = 12,
        then 500).
    warm_exaggeration_iter
        Early exaggeration iterations when ``init`` is given (0: see the module
        docstring for why).
    every
        Iterations between layouts.
    n_jobs
        openTSNE threads; 1 by default so the GUI keeps a core.
    seed
        ``random_state`` for openTSNE (nearest neighbours, PCA, jitter).
    negative_gradient_method
        ``"auto"`` (Barnes-Hut below 10,000 points, FFT above), ``"bh"`` or ``"fft"``.
    on_done
        Called with the final ``(N, 2)`` coordinates when the job finishes (not when cancelled).
    **options
        Any other :class:`openTSNE.TSNE` argument (``learning_rate``, ``dof``, ``neighbors`` ...).
    """

    def __init__(
        self,
        features: np.ndarray,
        init: np.ndarray | None = None,
        *,
        perplexity: float = 30.0,
        early_exaggeration_iter: int = 250,
        early_exaggeration: float | str = "auto",
        n_iter: int = 500,
        warm_exaggeration_iter: int = 0,
        every: int = 50,
        n_jobs: int = 1,
        seed: int = 0,
        negative_gradient_method: str = "auto",
        on_done: Callable[[np.ndarray], None] | None = None,
        **options: Any,
    ) -> None:
        x = np.asarray(features)
        if x.ndim != 2:
            raise InspectionError(f"t-SNE needs (points, features) rows; got an array of shape {x.shape}")
        if x.shape[0] < 5:
            raise InspectionError(f"t-SNE needs at least 5 points; got {x.shape[0]}")
        if not np.ptp(x, axis=0).any():
            raise InspectionError(
                "all points have the same features (a dead layer?): there is nothing to map"
            )
        if init is not None:
            init = np.array(init, dtype=np.float64)
            if init.shape != (x.shape[0], 2):
                raise InspectionError(
                    f"the starting map has shape {init.shape}, but there are {x.shape[0]} points: "
                    "a warm start needs the same samples in the same order"
                )
        if every < 1:
            raise InspectionError(f"every must be at least 1 iteration; got {every}")
        self.features = x
        self.init = init
        self.every = int(every)
        # BLAS threads of the PCA: as many as openTSNE's (n_jobs < 1 is openTSNE's "all but ...": no cap).
        self.pca_threads = n_jobs if n_jobs >= 1 else None
        self.seed = seed
        self.on_done = on_done
        self.early_iter = int(warm_exaggeration_iter if init is not None else early_exaggeration_iter)
        self.n_iter = int(n_iter)
        self.tsne_args = dict(
            n_components=2,
            perplexity=min(float(perplexity), (x.shape[0] - 1) / 3),
            early_exaggeration_iter=self.early_iter,
            early_exaggeration=early_exaggeration,
            n_iter=self.n_iter,
            n_jobs=n_jobs,
            random_state=seed,
            negative_gradient_method=negative_gradient_method,
            **options,
        )
        self._cancel = threading.Event()
        self.cancelled = False
        self.result: Layout | None = None

    @property
    def total(self) -> int:
        """Iterations planned: early exaggeration plus the normal phase."""
        return self.early_iter + self.n_iter

    def cancel(self) -> None:
        """Ask the job to stop; safe from any thread. It stops before its next chunk."""
        self._cancel.set()

    def layouts(self) -> Iterator[Layout]:
        """Generate the starting layout at once, then one per ``every`` iterations; the last has ``done``.

        The nearest-neighbour search and affinities (a few seconds for 10,000
        points) run after the first layout and cannot be interrupted.
        """
        from openTSNE import TSNE
        from openTSNE import initialization as schemes

        from studio.inspection.embedding import pca_components

        x, total = self.features, self.total
        if self.init is None:
            first = pca_components(x, seed=self.seed, threads=self.pca_threads)
            yield Layout(first.astype(np.float32), 0, total, "pca")
            # openTSNE's own PCA initialisation: the same components, scaled to std 1e-4 and jittered.
            start = schemes.rescale(first)
            start = schemes.jitter(start, inplace=True, random_state=self.seed)
        else:
            yield Layout(self.init.astype(np.float32), 0, total, "start")
            start = self.init
        if self._cancel.is_set():
            self.cancelled = True
            return
        tsne = TSNE(**self.tsne_args)
        # prepare_initial warns about a starting map with std > 1e-2 (true for a previous map,
        # on purpose): hand it a scaled-down copy, then put the real coordinates in.
        embedding = tsne.prepare_initial(x, initialization=np.ascontiguousarray(start) * _tiny(start))
        embedding[...] = start
        phases = [
            ("exaggeration", self.early_iter, tsne.early_exaggeration, tsne.initial_momentum),
            ("normal", self.n_iter, tsne.exaggeration, tsne.final_momentum),
        ]
        done_iter = 0
        lr_option = self.tsne_args.get("learning_rate", "auto")
        for phase, n_iter, exaggeration, momentum in phases:
            if n_iter <= 0:
                continue
            factor = float(exaggeration or 1.0)
            learning_rate = x.shape[0] / factor if lr_option == "auto" else lr_option
            embedding.affinities.P *= factor
            try:
                for start_iter in range(0, n_iter, self.every):
                    if self._cancel.is_set():
                        self.cancelled = True
                        return
                    steps = min(self.every, n_iter - start_iter)
                    embedding.optimize(
                        steps, inplace=True, exaggeration=None, momentum=momentum, learning_rate=learning_rate
                    )
                    done_iter += steps
                    kl = float(embedding.kl_divergence)
                    if factor != 1.0:
                        kl = kl / factor - math.log(factor)
                    layout = Layout(
                        np.array(embedding, dtype=np.float32), done_iter, total, phase, kl, done_iter == total
                    )
                    if layout.done:
                        self._finish(layout)
                    yield layout
            finally:
                embedding.affinities.P /= factor
        if self.result is None:  # nothing to optimise (n_iter == 0 and no exaggeration)
            self._finish(Layout(np.array(embedding, dtype=np.float32), total, total, "normal", None, True))
            yield self.result

    def _finish(self, layout: Layout) -> None:
        # Before the final layout is yielded, so a consumer that stops there still gets it stored.
        self.result = layout
        if self.on_done is not None:
            self.on_done(layout.coords)

    def run(self, on_layout: Callable[[Layout], None] | None = None) -> np.ndarray | None:
        """Run to the end, calling ``on_layout`` for each layout.

        Returns the final ``(N, 2)`` coordinates, or None if cancelled.
        """
        for layout in self.layouts():
            if on_layout is not None:
                on_layout(layout)
        return None if self.cancelled or self.result is None else self.result.coords


def _tiny(start: np.ndarray) -> float:
    """A factor that brings ``start`` below openTSNE's std warning threshold."""
    std = float(np.std(start[:, 0]))
    return 1.0 if std <= 1e-4 else 1e-4 / std
