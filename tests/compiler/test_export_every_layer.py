"""Every registered layer through the whole export path: graph -> .py file -> same outputs.

``tests/layers/test_every_layer.py`` checks each constructor expression; this
checks the generated file itself (support classes copied, forward wiring,
multi-port layers) for one small graph per layer and example shape.
"""

from __future__ import annotations

import pytest
import torch

from studio.compiler.export import export_python
from studio.compiler.lower import compile_graph
from studio.core.graph import Edge, GraphModel, Node
from studio.layers.ports import port_resolver
from tests.layers.layer_cases import REGISTRY, cases, make_inputs


def _graph_around(spec, params: dict, shapes: dict) -> GraphModel:
    """Inputs of the example shapes -> the layer -> one output per output port."""
    graph = GraphModel(port_resolver(REGISTRY))
    layer = Node(graph.new_id(), spec.type_id, graph.new_name(spec.type_id.split(".")[1]), dict(params))
    p = spec.resolve_params(params)
    sources = []
    for port in spec.input_ports(p):
        if port.name not in shapes:
            continue
        per_sample = list(shapes[port.name][1:])
        if port.dtype == "long":
            vocab = p.get("num_embeddings") or 10
            node = Node(
                graph.new_id(),
                "core.input_tokens",
                f"in_{port.name}",
                {"length": per_sample[0], "vocab_size": vocab},
            )
        else:
            node = Node(graph.new_id(), "core.input_tensor", f"in_{port.name}", {"shape": per_sample})
        graph.add_node(node)
        sources.append((node.id, port.name))
    graph.add_node(layer)
    for node_id, port in sources:
        graph.connect(Edge((node_id, "y"), (layer.id, port)))
    for port in spec.output_ports(p):
        out = Node(graph.new_id(), "core.output", f"out_{port.name}")
        graph.add_node(out)
        graph.connect(Edge((layer.id, port.name), (out.id, "x")))
    return graph


EXPORTABLE = [c for c in cases() if not c[0].is_input and not c[0].is_output]


@pytest.mark.parametrize(("spec", "params", "shapes"), EXPORTABLE, ids=lambda v: getattr(v, "type_id", None))
def test_exported_file_reproduces_compiled_layer(spec, params, shapes) -> None:
    graph = _graph_around(spec, params, shapes)
    torch.manual_seed(0)
    compiled = compile_graph(graph, REGISTRY).eval()
    namespace: dict = {"__name__": "exported_layer"}
    exec(compile(export_python(graph, REGISTRY), "<export>", "exec"), namespace)  # noqa: S102
    exported = namespace["Net"]().eval()
    exported.load_state_dict(compiled.state_dict())
    args = [a for a in make_inputs(spec, spec.resolve_params(params), shapes) if a is not None]
    torch.manual_seed(1)
    with torch.no_grad():
        want = compiled(*args)
        torch.manual_seed(1)
        got = exported(*args)
    want, got = (want if isinstance(want, tuple) else (want,)), (got if isinstance(got, tuple) else (got,))
    for a, b in zip(want, got, strict=True):
        assert torch.equal(a, b)


def test_support_class_names_are_unique_across_the_catalog() -> None:
    """The export copies support classes into one file: two different classes must not share a name."""
    seen: dict[str, type] = {}
    for spec in REGISTRY.all():
        for cls in spec.support_classes():
            assert seen.setdefault(cls.__name__, cls) is cls, f"{cls.__name__} defined twice ({spec.type_id})"
