"""Compiler benchmarks: training-step overhead of the fx module and live shape inference.

``run("full")`` is what ``make bench`` records; ``run("tiny")`` is the test
suite's smoke run (same code, few repetitions, small graph).
"""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F

from benchmarks._harness import median_spread, result
from studio.compiler.infer import ShapeInference, infer_graph
from studio.compiler.lower import compile_graph
from studio.layers.registry import LayerRegistry
from tests.compiler.graphs import chain, lenet5, long_chain

SIZES = {
    # repetitions of the interleaved A/B timing, steps per repetition, chain length, edits timed
    "tiny": {"reps": 3, "steps": 2, "nodes": 50, "edits": 20},
    "full": {"reps": 31, "steps": 20, "nodes": 1000, "edits": 300},
}
BATCH = 64


class HandLeNet5(nn.Module):
    """LeNet-5 written the usual way by hand: functional ReLU/pooling/flatten."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def _step_timer(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def timed() -> float:
        start = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return (time.perf_counter() - start) / steps

    return timed


def bench_training_step(reps: int, steps: int) -> dict:
    """Compiled LeNet-5 vs the hand-written one, interleaved A, B, A, B, ..."""
    registry = LayerRegistry.with_builtins()
    torch.manual_seed(0)
    compiled, hand = compile_graph(lenet5(registry), registry), HandLeNet5()
    with torch.no_grad():  # same initial weights: both list their parameters in the same order
        for dst, src in zip(hand.parameters(), compiled.parameters(), strict=True):
            dst.copy_(src)
    x, y = torch.randn(BATCH, 1, 32, 32), torch.randint(0, 10, (BATCH,))
    run_compiled, run_hand = _step_timer(compiled, x, y, steps), _step_timer(hand, x, y, steps)
    run_compiled(), run_hand()  # warm-up
    a, b = [], []
    for _ in range(reps):
        a.append(run_compiled())
        b.append(run_hand())
    ratio = statistics.median(b) / statistics.median(a)
    _, spread = median_spread([hb / ca for ca, hb in zip(a, b, strict=True)])
    note = f"LeNet-5 1x32x32, batch {BATCH}, SGD + cross-entropy, CPU, {torch.get_num_threads()} thread(s)"
    name = "compiled vs hand-written LeNet-5 training step (speed ratio)"
    return result(name, round(ratio, 4), "x", 0.98, ratio >= 0.98, reps, spread, note=note)


def bench_reinference(nodes: int, edits: int) -> list[dict]:
    """Re-inference after one param edit, and a full inference, on an n-node chain."""
    registry = LayerRegistry.with_builtins()
    graph = long_chain(registry, nodes)
    live = ShapeInference(graph, registry)
    live.report()
    ids = list(graph.nodes)
    target = ids[(len(ids) // 2) | 1]  # odd positions hold the Linears
    edit_ms = []
    for i in range(edits):
        start = time.perf_counter()
        graph.set_param(target, "out_features", 16 + i % 2)
        live.report()
        edit_ms.append((time.perf_counter() - start) * 1e3)
    full_ms = []
    for _ in range(max(3, edits // 30)):
        start = time.perf_counter()
        infer_graph(graph, registry)
        full_ms.append((time.perf_counter() - start) * 1e3)
    note = f"{nodes}-node Linear/ReLU chain, width 16, one Linear's out_features edited, 1 thread"
    edit, edit_spread = median_spread(edit_ms)
    full, full_spread = median_spread(full_ms)
    return [
        result(
            f"shape re-inference after one param edit ({nodes} nodes)",
            round(edit, 4),
            "ms",
            16.0,
            edit <= 16.0,
            edits,
            edit_spread,
            note=note + " (edit + report())",
        ),
        result(
            f"full shape inference ({nodes} nodes)",
            round(full, 4),
            "ms",
            None,
            True,
            len(full_ms),
            full_spread,
            note=note.split(",")[0] + ", from scratch",
        ),
    ]


def bench_worst_case_edit(nodes: int, edits: int) -> dict:
    """Re-inference when an edit changes every downstream shape (input width into a ReLU chain)."""
    registry = LayerRegistry.with_builtins()
    layers = [
        ("core.input_vector", {"features": 16}),
        *[("core.relu", {})] * (nodes - 2),
        ("core.output", {}),
    ]
    graph = chain(registry, layers)
    live = ShapeInference(graph, registry)
    live.report()
    source = next(iter(graph.nodes))
    times = []
    for i in range(max(5, edits // 10)):
        start = time.perf_counter()
        graph.set_param(source, "features", 16 + i % 2)
        live.report()
        times.append((time.perf_counter() - start) * 1e3)
    value, spread = median_spread(times)
    note = f"{nodes}-node ReLU chain, input width edited so all {nodes} nodes re-infer, 1 thread"
    name = f"shape re-inference, worst case ({nodes} nodes)"
    return result(name, round(value, 4), "ms", 16.0, value <= 16.0, len(times), spread, note=note)


def run(size: str = "full") -> list[dict]:
    """Run every compiler benchmark at ``size`` ("tiny" or "full"); one thread for comparable timings."""
    cfg = SIZES[size]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [
            bench_training_step(cfg["reps"], cfg["steps"]),
            *bench_reinference(cfg["nodes"], cfg["edits"]),
            bench_worst_case_edit(cfg["nodes"], cfg["edits"]),
        ]
    finally:
        torch.set_num_threads(threads)


if __name__ == "__main__":
    for row in run():
        print(row)
