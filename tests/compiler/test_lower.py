"""Lowering to torch.fx: structure, numerics, hooks and errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from studio.compiler.lower import CompileError, compile_graph
from studio.layers.registry import LayerRegistry
from tests.compiler.graphs import LENET5, add, chain, empty, lenet5, two_in_two_out, wire

REGISTRY = LayerRegistry.with_builtins()
needs_concat = pytest.mark.skipif("core.concat" not in REGISTRY, reason="core.concat not registered yet")


def test_lenet5_compiles_to_plain_call_module_graph() -> None:
    graph = lenet5(REGISTRY)
    model = compile_graph(graph, REGISTRY)
    assert type(model).__name__ == "Net"
    ops = [n.op for n in model.graph.nodes]
    assert ops == ["placeholder"] + ["call_module"] * len(LENET5) + ["output"]
    names = [n.name for n in graph.nodes.values()]
    assert [name for name, _ in model.named_children()] == names
    assert sum(p.numel() for p in model.parameters()) == 61_706
    assert list(model.state_dict()) == [
        f"{name}.{kind}"
        for name in names
        if name.startswith(("conv", "linear"))
        for kind in ("weight", "bias")
    ]


def test_compiled_lenet5_equals_manual_calls_and_hooks_reach_every_node() -> None:
    torch.manual_seed(0)
    graph = lenet5(REGISTRY)
    model = compile_graph(graph, REGISTRY)
    x = torch.randn(3, 1, 32, 32)
    manual = x
    for child in model.children():
        manual = child(manual)
    seen: list[str] = []
    for name, child in model.named_children():
        child.register_forward_hook(lambda mod, args, out, name=name: seen.append(name))
    out = model(x)
    assert out.shape == (3, 10)
    assert torch.equal(out, manual)
    assert seen == [n.name for n in graph.nodes.values()]
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_errors_name_the_node() -> None:
    graph = chain(
        REGISTRY,
        [
            ("core.input_image", {"channels": 1, "height": 8, "width": 8}),
            ("core.conv2d", {"out_channels": 4, "kernel_size": 3}),
            ("core.linear", {"out_features": 10}),
            ("core.output", {}),
        ],
    )
    with pytest.raises(CompileError, match="linear_1") as info:
        compile_graph(graph, REGISTRY)
    ((node_id, port, _),) = info.value.errors
    assert graph.nodes[node_id].name == "linear_1" and port == "x"


def test_no_input_or_no_output_cannot_compile() -> None:
    no_output = chain(REGISTRY, [("core.input_vector", {"features": 3}), ("core.linear", {})])
    with pytest.raises(CompileError, match="no output"):
        compile_graph(no_output, REGISTRY)
    with pytest.raises(CompileError, match="no input"):
        compile_graph(empty(REGISTRY), REGISTRY)


def test_multi_input_and_multi_output_nodes() -> None:
    """Bilinear takes two inputs; Graph Input has two outputs feeding two heads."""
    graph = empty(REGISTRY)
    a = add(graph, "core.input_vector", {"features": 3}, name="a")
    b = add(graph, "core.input_vector", {"features": 4}, name="b")
    bil = add(graph, "core.bilinear", {"out_features": 5})
    wire(graph, a, bil, dst_port="x1")
    wire(graph, b, bil, dst_port="x2")
    gin = add(graph, "core.input_graph", {"nodes": 4, "features": 2}, name="g")
    heads = [add(graph, "core.output", name=name) for name in ("bil_out", "feat_out", "adj_out")]
    wire(graph, bil, heads[0])
    wire(graph, gin, heads[1], src_port="features")
    wire(graph, gin, heads[2], src_port="adjacency")
    model = compile_graph(graph, REGISTRY)
    assert [n.name for n in model.graph.nodes if n.op == "placeholder"] == [
        "a",
        "b",
        "g_features",
        "g_adjacency",
    ]
    x1, x2, feats, adj = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4, 2), torch.rand(2, 4, 4)
    out_bil, out_feat, out_adj = model(x1, x2, feats, adj)
    assert torch.equal(out_bil, model.bilinear_1(x1, x2))
    assert torch.equal(out_feat, feats) and torch.equal(out_adj, adj)


@needs_concat
def test_two_inputs_concatenated_two_heads() -> None:
    model = compile_graph(two_in_two_out(REGISTRY), REGISTRY)
    score, logits = model(torch.randn(4, 5), torch.randn(4, 3))
    assert score.shape == (4, 2) and logits.shape == (4, 7)
    assert isinstance(model.concat_1, nn.Module)
