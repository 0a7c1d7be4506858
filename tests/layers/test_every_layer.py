"""Every registered layer type, built-ins and the example plugin, through its paces.

For each spec and each of its example input shapes: the shape rule equals the
real forward shape, the arithmetic parameter count equals the module's,
forward + backward run and every parameter gets a gradient, and the exported
constructor source builds a module that reproduces the output.
"""

from __future__ import annotations

import math

import pytest
import torch

from studio.layers.registry import LayerRegistry
from studio.layers.spec import LayerSpec
from tests.layers.layer_cases import REGISTRY, cases, make_inputs, source_namespace


@pytest.mark.parametrize("spec", REGISTRY.all(), ids=lambda s: s.type_id)
def test_declaration_is_complete(spec: LayerSpec) -> None:
    assert spec.title and spec.category and spec.description, "palette needs title/category/description"
    p = spec.resolve_params({})
    assert set(p) == {prm.name for prm in spec.params}
    for prm in spec.params:
        assert prm.help, f"{spec.type_id}.{prm.name} has no help text"
    # Block instances get their ports from a definition: tests/compiler/test_blocks.py covers them.
    assert spec.is_input or spec.requires_graph or spec.example_inputs(p), "every layer needs example inputs"


@pytest.mark.parametrize(("spec", "params", "shapes"), cases(), ids=lambda v: getattr(v, "type_id", None))
def test_layer_matches_torch(spec: LayerSpec, params: dict, shapes: dict) -> None:
    torch.manual_seed(0)
    p = spec.resolve_params(params)
    symbolic = {k: (None, *v[1:]) for k, v in shapes.items()}
    expected = spec.infer(p, symbolic)
    module = spec.build(p, symbolic)
    module.train()
    args = make_inputs(spec, p, shapes)
    out = module(*args)
    outs = out if isinstance(out, tuple) else (out,)
    ports = [port.name for port in spec.output_ports(p)]
    assert len(outs) == len(ports)
    for port, tensor in zip(ports, outs, strict=True):
        assert tuple(tensor.shape[1:]) == tuple(expected[port][1:]), f"port {port}"
        assert tensor.shape[0] == next(iter(shapes.values()))[0] if shapes else True

    trainable = sum(t.numel() for t in module.parameters() if t.requires_grad)
    assert spec.param_count(p, symbolic) == trainable
    assert spec.macs(p, symbolic, expected) >= 0

    floats = [t for t in outs if t.is_floating_point()]
    if floats:
        loss = sum((t.float() ** 2).mean() for t in floats)
        loss.backward()
        for name, prm in module.named_parameters():
            assert prm.grad is not None, f"no gradient for {name}"
            assert torch.isfinite(prm.grad).all()

    exported = eval(spec.ctor_source(p, symbolic), source_namespace(spec))  # noqa: S307
    assert isinstance(exported, torch.nn.Module)
    exported.load_state_dict(module.state_dict())
    module.eval()
    exported.eval()
    torch.manual_seed(1)
    ref = module(*args)
    torch.manual_seed(1)
    got = exported(*args)
    for a, b in zip(
        ref if isinstance(ref, tuple) else (ref,), got if isinstance(got, tuple) else (got,), strict=True
    ):
        assert torch.equal(a, b)


def test_registry_is_fresh_per_call() -> None:
    a, b = LayerRegistry.with_builtins(), LayerRegistry.with_builtins()
    assert a.all()[0] is not b.all()[0]
    assert math.isclose(len(a.all()), len(b.all()))
