"""Synthetic sequences: sine forecasting, parity / counting, topic-classified toy text."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData


def load_sine(opts: dict[str, Any], seed: int) -> RawData:
    """Forecast the next value of a sine wave: ``x (T, 1)``, ``y (1,)``, regression.

    Parameters
    ----------
    opts
        ``n_samples``, ``length`` (T) and ``noise`` (on the inputs).
    seed
        Generation seed.

    Returns
    -------
    RawData
        Windows of random amplitude, frequency and phase; the target is noise-free.
    """
    rng = np.random.default_rng(seed)
    n, t = opts["n_samples"], opts["length"]
    amp = rng.uniform(0.5, 1.0, (n, 1))
    omega = rng.uniform(0.2, 0.6, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    wave = amp * np.sin(omega * np.arange(t + 1) + phase)
    x = wave[:, :t] + rng.normal(0, opts["noise"], (n, t))
    return RawData(
        torch.from_numpy(x).float().unsqueeze(-1), torch.from_numpy(wave[:, t:]).float(), "regression"
    )


def load_parity(opts: dict[str, Any], seed: int) -> RawData:
    """Random bit sequences ``x (T, 1)`` (floats 0/1), classified by parity or by count of ones.

    Parameters
    ----------
    opts
        ``n_samples``, ``length`` (T), ``target`` (parity or count).
    seed
        Generation seed.

    Returns
    -------
    RawData
        2 classes (even, odd) or T + 1 classes (number of ones).
    """
    rng = np.random.default_rng(seed)
    n, t = opts["n_samples"], opts["length"]
    bits = rng.integers(0, 2, (n, t))
    ones = bits.sum(1)
    if opts["target"] == "parity":
        y, names = ones % 2, ["even", "odd"]
    else:
        y, names = ones, [str(i) for i in range(t + 1)]
    x = torch.from_numpy(bits).float().unsqueeze(-1)
    return RawData(x, torch.from_numpy(y).long(), "classification", names)


_TOPICS = {
    "sports": (
        "team ball coach player goal match referee stadium".split(),
        "kicks wins scores passes loses trains".split(),
        "fast strong young tired".split(),
    ),
    "food": (
        "soup bread chef cake apple salad kitchen recipe".split(),
        "bakes cooks tastes eats serves burns".split(),
        "sweet hot fresh salty".split(),
    ),
    "weather": (
        "rain storm sun cloud wind snow fog sky".split(),
        "falls blows shines covers clears freezes".split(),
        "cold grey warm wet".split(),
    ),
    "tech": (
        "robot laptop code server phone chip network screen".split(),
        "runs crashes computes boots updates charges".split(),
        "new smart digital slow".split(),
    ),
}
_SHARED = "the a this every".split()
_FILLER = "today again now really".split()
_TEMPLATES = ("D A N V D N", "D N V F", "D A N V", "D N V D A N F", "F D N V")


def load_toy_text(opts: dict[str, Any], seed: int) -> RawData:
    """Sentences from a tiny grammar, classified by topic; ``x`` long token ids ``(T,)``.

    Token 0 is padding (sentences are right-padded to ``length``), 1 is unused
    ``<unk>``. With probability ``noise`` a content word comes from another topic.

    Parameters
    ----------
    opts
        ``n_samples``, ``length`` (T, at least 7), ``noise``.
    seed
        Generation seed.

    Returns
    -------
    RawData
        Token ids, topic indices; ``extra`` has ``vocab``, ``vocab_size``, ``pad_index``.
    """
    rng = np.random.default_rng(seed)
    topics = list(_TOPICS)
    words = sorted({w for parts in _TOPICS.values() for p in parts for w in p} | set(_SHARED) | set(_FILLER))
    vocab = ["<pad>", "<unk>", *words]
    index = {w: i for i, w in enumerate(vocab)}
    n, t = opts["n_samples"], opts["length"]
    x = np.zeros((n, t), dtype=np.int64)
    y = rng.permutation(np.arange(n) % len(topics))
    for i in range(n):
        template = _TEMPLATES[rng.integers(len(_TEMPLATES))].split()
        for j, slot in enumerate(template[:t]):
            topic = _TOPICS[topics[y[i]]]
            if slot in "NVA" and rng.random() < opts["noise"]:
                topic = _TOPICS[topics[rng.integers(len(topics))]]
            pool = {"D": _SHARED, "F": _FILLER, "N": topic[0], "V": topic[1], "A": topic[2]}[slot]
            x[i, j] = index[pool[rng.integers(len(pool))]]
    extra = {"vocab": vocab, "vocab_size": len(vocab), "pad_index": 0}
    return RawData(torch.from_numpy(x), torch.from_numpy(y).long(), "classification", topics, extra=extra)


_N = Option(1000, "int", "Number of sequences", minimum=4)
DATASETS = [
    DatasetInfo(
        "sine",
        "Sine forecasting",
        "regression",
        "Predict the next value of a noisy sine wave from the previous T values: x (T, 1), y (1,)",
        {
            "n_samples": _N,
            "length": Option(20, "int", "Input steps T", minimum=2),
            "noise": Option(0.05, "float", "Noise on the inputs", minimum=0),
        },
        load_sine,
    ),
    DatasetInfo(
        "parity",
        "Parity / counting",
        "classification",
        "Random bit sequences x (T, 1): classify the parity or the number of ones",
        {
            "n_samples": _N,
            "length": Option(8, "int", "Sequence length T", minimum=1),
            "target": Option("parity", "str", "What to classify", choices=("parity", "count")),
        },
        load_parity,
    ),
    DatasetInfo(
        "toy_text",
        "Toy text",
        "classification",
        "Generated sentences about sports, food, weather or tech: classify the topic from token ids",
        {
            "n_samples": _N,
            "length": Option(8, "int", "Tokens per sentence (padded with 0)", minimum=7),
            "noise": Option(0.1, "float", "Chance a content word comes from another topic", minimum=0),
        },
        load_toy_text,
    ),
]
