"""Timing helpers shared by the ``bench_*.py`` modules.

Ratios between two implementations come from *interleaved* repetitions
(A, B, A, B, ...) so that drift (CPU frequency, other load) hits both equally;
results report the median and the relative spread (IQR / median).

A benchmark module exposes ``run(size: str) -> list[dict]`` with ``size`` either
``"full"`` (``make bench``) or ``"tiny"`` (the test suite, which only checks
the benchmark still runs), each dict built by :func:`result`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

CONTRACT_KEYS = ("name", "value", "unit", "goal", "meets", "repeats", "spread")


def interleaved(fns: dict[str, Callable[[], None]], repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Time each callable ``repeats`` times, round-robin, after ``warmup`` untimed rounds.

    Parameters
    ----------
    fns
        Name -> zero-argument callable to time.
    repeats
        Timed rounds; each round calls every function once, in order.
    warmup
        Untimed rounds first (imports, caches, lazy initialisation).

    Returns
    -------
    dict[str, list[float]]
        Name -> the ``repeats`` durations in seconds.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


def median_spread(samples: list[float]) -> tuple[float, float]:
    """The median of ``samples`` and their spread: interquartile range / median (0 for < 2 samples)."""
    if not samples:
        raise ValueError("no samples")
    median = statistics.median(samples)
    if len(samples) < 2 or median == 0:
        return median, 0.0
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return median, (q3 - q1) / median


def result(
    name: str,
    value: float,
    unit: str,
    goal: float | str | None,
    meets: bool,
    repeats: int,
    spread: float,
    **extra,
) -> dict:
    """One row of ``benchmarks/results.json`` (keys fixed by the Contracts).

    Parameters
    ----------
    name
        Stable identifier, e.g. ``"infer_1000_nodes"``.
    value
        The measured figure (a median, or a ratio of medians), in ``unit``.
    unit
        ``"ms"``, ``"x"`` (ratio), ``"samples/s"`` ...
    goal
        The target, in ``unit`` (a number) or in words (``"< 50 ms"``); None if there is none.
    meets
        Whether ``value`` reaches ``goal``.
    repeats
        Timed repetitions behind ``value``.
    spread
        Relative spread of the samples (IQR / median).
    **extra
        Context each benchmark must state: model, batch size, threads, size ...

    Returns
    -------
    dict
        The contract keys first, then ``extra``.
    """
    if not math.isfinite(value) or not math.isfinite(spread):
        raise ValueError(f"{name}: non-finite measurement value={value} spread={spread}")
    row = {
        "name": name,
        "value": float(value),
        "unit": unit,
        "goal": goal,
        "meets": bool(meets),
        "repeats": int(repeats),
        "spread": float(spread),
    }
    row.update(extra)
    return row
