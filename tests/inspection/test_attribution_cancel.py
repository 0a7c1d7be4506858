"""The attributions that run in chunks stop between two chunks when their cancel flag is set."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from studio.inspection.attribution import integrated_gradients, occlusion, smoothgrad
from studio.inspection.hooks import Cancelled


class Counting(nn.Module):
    """A small CNN that counts its forward passes."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 3)
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.fc(torch.relu(self.conv(x)).flatten(1))


class SetAfter:
    """A cancel flag that becomes set after ``checks`` looks at it (a newer request came in)."""

    def __init__(self, checks: int) -> None:
        self.checks, self.seen = checks, 0

    def __bool__(self) -> bool:
        self.seen += 1
        return self.seen > self.checks


CHUNK = {"internal_batch_size": 4}  # points, noisy copies or window positions per forward
METHODS = {  # name: a call with a cancel flag
    "integrated_gradients": lambda m, x, c: integrated_gradients(m, x, steps=32, cancel=c, **CHUNK),
    "smoothgrad": lambda m, x, c: smoothgrad(m, x, n_samples=32, cancel=c, **CHUNK),
    "occlusion": lambda m, x, c: occlusion(m, x, window=2, stride=1, cancel=c, **CHUNK),
}


@pytest.mark.parametrize("name", list(METHODS))
def test_a_set_flag_stops_the_method_between_chunks_and_restores_the_model(name):
    torch.manual_seed(0)
    model, x = Counting().train(), torch.randn(1, 1, 8, 8)
    run = METHODS[name]
    full = run(model, x, None)  # never set: runs to the end
    whole = model.calls
    assert whole > 6 and full.values.shape == (1, 1, 8, 8)
    model.calls = 0
    with pytest.raises(Cancelled):
        run(model, x, SetAfter(2))  # two chunks, then the flag is set
    assert model.calls < whole / 2  # stopped early: the clean forward(s) and two chunks
    assert model.training  # eval mode for the explanation, restored on the way out
    assert all(p.grad is None for p in model.parameters())
    model.calls = 0
    again = run(model, x, SetAfter(10_000))  # a flag that is never set changes nothing
    assert model.calls == whole and torch.equal(torch.as_tensor(again.values), torch.as_tensor(full.values))
