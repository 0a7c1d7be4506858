"""Block definitions copied from another project: reused when equal, added under free names when not."""

from __future__ import annotations

import copy

from studio.core.blocks import BLOCK_TYPE, import_blocks, reachable_blocks
from studio.core.grouping import group_into_block
from studio.layers.registry import LayerRegistry
from tests.compiler.graphs import add, empty, wire

REGISTRY = LayerRegistry.with_builtins()


def _project_with_block(name: str, features: int):
    """A vector input -> [Linear(features) -> ReLU] grouped as block ``name`` -> output."""
    graph = empty(REGISTRY)
    x = add(graph, "core.input_vector", {"features": 8})
    lin = add(graph, "core.linear", {"out_features": features})
    relu = add(graph, "core.relu")
    wire(graph, x, lin)
    wire(graph, lin, relu)
    wire(graph, relu, add(graph, "core.output"))
    group_into_block(graph, [lin, relu], name).do(graph)
    return graph


def test_into_a_project_without_blocks_the_definition_is_added_as_it_is():
    source = _project_with_block("unit", 4)
    id_map, added = import_blocks({}, source.blocks)
    assert id_map == {"unit": "unit"} and [b.id for b in added] == ["unit"] and added[0].name == "unit"
    assert added[0] is not source.blocks["unit"]  # a copy: the source project is left alone


def test_an_equal_definition_is_reused():
    source, target = _project_with_block("unit", 4), _project_with_block("unit", 4)
    assert import_blocks(target.blocks, source.blocks) == ({"unit": "unit"}, [])


def test_a_different_block_of_the_same_name_is_never_taken_for_the_copied_one():
    source, target = _project_with_block("unit", 4), _project_with_block("unit", 6)
    id_map, added = import_blocks(target.blocks, source.blocks)
    assert id_map == {"unit": "unit_1"} and [(b.id, b.name) for b in added] == [("unit_1", "unit_1")]
    linear = next(n for n in added[0].graph.nodes.values() if n.type == "core.linear")
    assert linear.params["out_features"] == 4
    assert source.blocks["unit"].id == "unit" and "unit_1" not in target.blocks  # nothing changed yet


def test_nested_blocks_are_mapped_first_and_the_outer_one_points_at_the_new_id():
    source = _project_with_block("inner", 4)
    [instance] = [n.id for n in source.nodes.values() if n.type == BLOCK_TYPE]
    group_into_block(source, [instance], "outer").do(source)
    assert reachable_blocks(source.blocks, {"outer"}) == ["inner", "outer"]  # both, by id
    target = _project_with_block("inner", 6)  # its own, different "inner"
    id_map, added = import_blocks(target.blocks, source.blocks)
    assert id_map == {"inner": "inner_1", "outer": "outer"}
    outer = next(b for b in added if b.id == "outer")
    [nested] = [n for n in outer.graph.nodes.values() if n.type == BLOCK_TYPE]
    assert nested.params["block"] == "inner_1"
    assert source.blocks["outer"].graph.nodes[nested.id].params["block"] == "inner"  # source untouched
    # The same blocks again: both equal now, nothing more to add.
    merged = {**target.blocks, **{b.id: copy.deepcopy(b) for b in added}}
    assert import_blocks(merged, source.blocks) == ({"inner": "inner_1", "outer": "outer"}, [])
