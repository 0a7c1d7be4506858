"""Embedding benchmarks: the progressive t-SNE job against openTSNE alone, and the first layout.

(a) :class:`~studio.inspection.tsne.TsneJob` run to the end (every layout
    yielded and copied for display, one per 50 iterations) against
    ``openTSNE.TSNE(...).fit(X)`` with the same settings -- openTSNE's defaults
    (perplexity 30, 250 early-exaggeration + 500 iterations, Barnes-Hut below
    10,000 points and FFT from 10,000), ``n_jobs=1``, ``random_state=0`` -- in
    interleaved runs (job, openTSNE, job, ...). Both produce the same map.
    Both run with BLAS capped at one thread (the job caps its PCA so; openTSNE's
    own PCA gets the same cap, so the ratio compares like with like).
(b) Time from creating the job to its first layout (the PCA map a view shows
    at once), and, informational, to the first t-SNE layout (after the
    nearest-neighbour search, affinities and 50 iterations).

The points are a seeded mixture of 10 Gaussian clusters in 64 dimensions
(float32), the shape of a penultimate layer's features.
``run("full")`` is what ``make bench`` records; ``run("tiny")`` is the test
suite's smoke run (300 points, 50 iterations).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from benchmarks._harness import interleaved, median_spread, result

SIZES = {
    # points -> (timed rounds of the job/openTSNE pair, untimed warm-up rounds); first-layout repeats;
    # iterations (None = openTSNE's defaults)
    "tiny": {"points": {300: (1, 1)}, "first_reps": 3, "iters": (20, 30)},
    "full": {"points": {2_000: (7, 1), 10_000: (2, 0)}, "first_reps": 7, "iters": None},
}
RATIO_GOAL = 1.1
FIRST_GOAL_MS = 1000.0
DIMS, CLUSTERS = 64, 10


def mixture(n: int, seed: int = 0) -> np.ndarray:
    """``n`` points of 10 Gaussian clusters in 64-D (float32)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(CLUSTERS, DIMS))
    labels = rng.integers(0, CLUSTERS, n)
    return (centres[labels] + rng.normal(size=(n, DIMS))).astype(np.float32)


def bench_size(
    n: int, rounds: int, warmup: int, first_reps: int, iters: tuple[int, int] | None
) -> list[dict]:
    """Ratio job/openTSNE, time to the first layout and to the first t-SNE layout for ``n`` points."""
    from openTSNE import TSNE
    from threadpoolctl import threadpool_limits

    from studio.inspection.tsne import TsneJob

    x = mixture(n)
    phases = {} if iters is None else {"early_exaggeration_iter": iters[0], "n_iter": iters[1]}
    first_tsne: list[float] = []
    finals: list[np.ndarray] = []

    def job() -> None:
        start = time.perf_counter()
        layouts = TsneJob(x, seed=0, n_jobs=1, **phases).layouts()
        next(layouts)  # the PCA map
        next(layouts)  # the first t-SNE map
        first_tsne.append(time.perf_counter() - start)
        *_, last = layouts  # runs the job to its end
        finals.append(last.coords)

    def alone() -> None:
        finals.append(np.asarray(TSNE(n_jobs=1, random_state=0, **phases).fit(x), dtype=np.float32))

    with threadpool_limits(1, user_api="blas"):
        samples = interleaved({"job": job, "openTSNE": alone}, repeats=rounds, warmup=warmup)
    same = bool(np.allclose(finals[-2], finals[-1], atol=1e-5 * np.abs(finals[-1]).max()))
    first_tsne = first_tsne[warmup:]

    first_ms = []
    for _ in range(first_reps):
        start = time.perf_counter()
        layouts = TsneJob(x, seed=0).layouts()
        next(layouts)
        first_ms.append((time.perf_counter() - start) * 1e3)
        layouts.close()

    a, b = samples["job"], samples["openTSNE"]
    ratio = statistics.median(a) / statistics.median(b)
    _, spread = median_spread([ja / ob for ja, ob in zip(a, b, strict=True)])
    method = "Barnes-Hut" if n < 10_000 else "FFT"
    run_text = (
        "openTSNE defaults (perplexity 30, 250 + 500 iterations)"
        if iters is None
        else f"{iters[0]} + {iters[1]} iterations (tiny size)"
    )
    setting = (
        f"{n:,} points, mixture of {CLUSTERS} Gaussians in {DIMS}-D float32; {run_text}, {method}, "
        "n_jobs=1, BLAS 1 thread, random_state=0"
    )
    first, first_spread = median_spread(first_ms)
    tsne_first, tsne_spread = median_spread(first_tsne)
    return [
        result(
            f"t-SNE {n:,} points, progressive job vs openTSNE alone (time ratio)",
            round(ratio, 4),
            "x",
            RATIO_GOAL,
            ratio <= RATIO_GOAL,
            rounds,
            spread,
            note=(
                f"{setting}; job {statistics.median(a):.2f} s (a layout every 50 iterations) vs "
                f"openTSNE TSNE.fit {statistics.median(b):.2f} s; {rounds} interleaved round(s) after "
                f"{warmup} warm-up; same final map: {same}"
            ),
        ),
        result(
            f"t-SNE {n:,} points, time to first layout shown (PCA)",
            round(first, 3),
            "ms",
            FIRST_GOAL_MS,
            first <= FIRST_GOAL_MS,
            first_reps,
            first_spread,
            note=f"{setting}; from TsneJob(features) to its first layout, BLAS threads as the job sets them",
        ),
        result(
            f"t-SNE {n:,} points, time to first t-SNE layout",
            round(tsne_first, 3),
            "s",
            None,
            True,
            len(first_tsne),
            tsne_spread,
            note=f"{setting}; nearest neighbours + affinities + 50 iterations, informational",
        ),
    ]


def run(size: str = "full") -> list[dict]:
    """Every t-SNE benchmark at ``size`` ("tiny" or "full")."""
    cfg = SIZES[size]
    rows = []
    for n, (rounds, warmup) in cfg["points"].items():
        rows += bench_size(n, rounds, warmup, cfg["first_reps"], cfg["iters"])
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
