"""Shared helpers for the every-layer tests: the registry, cases and inputs."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from studio.layers.spec import LayerSpec
from studio.plugin_host import default_registry, repo_plugin_dir

# Built-ins plus the repo's plugins only (no user folders or entry points): hermetic.
REGISTRY, PLUGIN_REPORT = default_registry(sources=[repo_plugin_dir()])
assert PLUGIN_REPORT.ok, PLUGIN_REPORT.lines()


def run(type_id: str, x: tuple, **params) -> tuple[LayerSpec, dict, tuple]:
    """(spec, resolved params, inferred output shape) for a per-sample input shape."""
    spec = REGISTRY.get(type_id)
    p = spec.resolve_params(params)
    return spec, p, spec.shape(p, (None, *x))


def module(type_id: str, x: tuple, **params) -> torch.nn.Module:
    """The built module of a single-input layer for a per-sample input shape."""
    spec, p, _ = run(type_id, x, **params)
    return spec.build(p, {"x": (None, *x)})


def cases() -> list[tuple[LayerSpec, dict, dict]]:
    """(spec, params, concrete input shapes) for every example of every spec."""
    out = []
    for spec in REGISTRY.all():
        for variant in [{}, *getattr(spec, "test_param_variants", ())]:
            p = spec.resolve_params(variant)
            for shapes in spec.example_inputs(p):
                out.append((spec, variant, shapes))
    return out


def make_inputs(spec: LayerSpec, p: dict, shapes: dict) -> list:
    """Random tensors for the spec's input ports (None for unwired optional ones)."""
    args = []
    for port in spec.input_ports(p):
        if port.name not in shapes:
            args.append(None)
            continue
        shape = shapes[port.name]
        if port.dtype == "long":
            high = p.get("num_embeddings") or p.get("vocab_size") or 10
            args.append(torch.randint(0, high, shape))
        elif port.name in ("adjacency", "adj"):
            a = (torch.rand(shape) > 0.5).float()
            args.append(((a + a.transpose(-1, -2)) > 0).float())
        else:
            args.append(torch.randn(shape, requires_grad=True))
    return args


def source_namespace(spec: LayerSpec) -> dict:
    """The names exported code has: torch, nn, F, math and the support classes."""
    ns = {"torch": torch, "nn": nn, "F": F, "math": math}
    ns.update({cls.__name__: cls for cls in spec.support_classes()})
    return ns
