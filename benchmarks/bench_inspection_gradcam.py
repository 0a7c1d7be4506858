"""Grad-CAM cost relative to training: time per image / one forward+backward of the same model.

Model: the LeNet-5 template compiled from its graph (1x32x32 input), Grad-CAM at
the proposed target (``maxpool2d_2``), batch 32, CPU, one thread. The
reference is one forward + ``cross_entropy(...).backward()`` with the weight
gradients, i.e. a training step without the optimizer; both run interleaved,
so drift hits them alike. Goal (issue 6): ratio <= 1.3.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from benchmarks._harness import interleaved, median_spread, result
from studio.compiler.lower import compile_graph
from studio.inspection.attribution import grad_cam, propose_gradcam_target
from studio.layers.registry import LayerRegistry
from studio.templates import get_template

SIZES = {
    # timed rounds, calls per timed sample (shorter calls are too noisy to time one by one)
    "tiny": {"reps": 3, "inner": 1},
    "full": {"reps": 31, "inner": 10},
}
BATCH = 32
GOAL = 1.3


def bench_gradcam(reps: int, inner: int) -> dict:
    """Interleaved Grad-CAM vs forward+backward on the compiled LeNet-5 template."""
    registry = LayerRegistry.with_builtins()
    graph = get_template("lenet5").build().graph
    target = propose_gradcam_target(graph, registry)
    torch.manual_seed(0)
    model = compile_graph(graph, registry).eval()
    x, y = torch.randn(BATCH, 1, 32, 32), torch.randint(0, 10, (BATCH,))

    def explain() -> None:
        for _ in range(inner):
            grad_cam(model, x, target)

    def train_pass() -> None:
        for _ in range(inner):
            model.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()

    samples = interleaved({"gradcam": explain, "fwd_bwd": train_pass}, repeats=reps, warmup=1)
    model.zero_grad(set_to_none=True)
    ratios = [g / f for g, f in zip(samples["gradcam"], samples["fwd_bwd"], strict=True)]
    ratio, spread = median_spread(ratios)
    gradcam_ms = 1e3 * median_spread(samples["gradcam"])[0] / (inner * BATCH)
    fwd_bwd_ms = 1e3 * median_spread(samples["fwd_bwd"])[0] / (inner * BATCH)
    note = (
        f"LeNet-5 template 1x32x32, Grad-CAM at {target} with bilinear upsampling, batch {BATCH}, "
        f"CPU, {torch.get_num_threads()} thread(s); per image: Grad-CAM {gradcam_ms:.4f} ms, "
        f"forward+backward {fwd_bwd_ms:.4f} ms"
    )
    return result(
        "Grad-CAM time per image / forward+backward (LeNet-5, batch 32)",
        round(ratio, 4),
        "x",
        GOAL,
        ratio <= GOAL,
        reps,
        spread,
        note=note,
        batch=BATCH,
        threads=torch.get_num_threads(),
        gradcam_ms_per_image=round(gradcam_ms, 5),
        forward_backward_ms_per_image=round(fwd_bwd_ms, 5),
    )


def run(size: str = "full") -> list[dict]:
    """The Grad-CAM benchmark at ``size`` ("tiny" or "full"), on one thread for comparable timings."""
    cfg = SIZES[size]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [bench_gradcam(cfg["reps"], cfg["inner"])]
    finally:
        torch.set_num_threads(threads)


if __name__ == "__main__":
    for row in run():
        print(row)
