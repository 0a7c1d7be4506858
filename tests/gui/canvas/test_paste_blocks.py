"""Copying block instances between projects brings their definitions along (one undo step)."""

from __future__ import annotations

from studio.core.blocks import BLOCK_TYPE
from studio.ui.document import Document


def _with_block(document: Document, name: str, features: int) -> str:
    """vector -> [Linear(features) -> ReLU] as block ``name`` -> output; the instance's id."""
    ids = [
        document.add_node(t, (i * 280.0, 0.0))
        for i, t in enumerate(("core.input_vector", "core.linear", "core.relu", "core.output"))
    ]
    for a, b in zip(ids, ids[1:], strict=False):
        assert document.connect((a, "y"), (b, "x")) == ""
    document.set_param(ids[1], "out_features", features)
    assert document.group(ids[1:3], name) == ""
    [instance] = [n.id for n in document.graph.nodes.values() if n.type == BLOCK_TYPE]
    return instance


def _linear_width(document: Document, block_id: str) -> int:
    block = document.graph.blocks[block_id]
    return next(n.params["out_features"] for n in block.graph.nodes.values() if n.type == "core.linear")


def test_a_block_instance_pasted_into_another_project_brings_its_definition(make_canvas, registry):
    source = make_canvas()
    instance = _with_block(source.document, "unit", 4)
    source.document.select([instance])
    assert source.ops.copy() == 1
    target = make_canvas()
    doc = target.document
    steps = doc.history.index
    [pasted] = target.ops.paste()
    node = doc.graph.nodes[pasted]
    assert node.type == BLOCK_TYPE and node.params["block"] == "unit" and _linear_width(doc, "unit") == 4
    assert doc.history.index == steps + 1
    # A known block: its input port is there, waiting for a wire (an unknown one has no ports).
    assert [m for _, m in doc.report.nodes[pasted].errors] == ["input 'input_vector_1' is not connected"]
    doc.undo()  # one step: the node and the definition go together
    assert pasted not in doc.graph.nodes and "unit" not in doc.graph.blocks
    doc.redo()
    assert "unit" in doc.graph.blocks and pasted in doc.graph.nodes


def test_a_same_named_different_block_of_the_target_is_left_alone(make_canvas, registry):
    source = make_canvas()
    instance = _with_block(source.document, "unit", 4)
    source.document.select([instance])
    source.ops.copy()
    target = make_canvas()
    doc = target.document
    _with_block(doc, "unit", 6)  # the target's own "unit": 6 features
    [pasted] = target.ops.paste()
    assert doc.graph.nodes[pasted].params["block"] == "unit_1"
    assert _linear_width(doc, "unit") == 6 and _linear_width(doc, "unit_1") == 4
    assert doc.graph.blocks["unit_1"].name == "unit_1"
    [again] = target.ops.paste()  # the same copy again: no third definition
    assert doc.graph.nodes[again].params["block"] == "unit_1" and set(doc.graph.blocks) == {"unit", "unit_1"}
    source.ops.paste()  # back into its own project: its own definition, nothing added
    assert set(source.document.graph.blocks) == {"unit"}


def test_pasting_unknown_blocks_inside_a_block_editor_is_refused_with_a_reason(make_canvas, registry):
    from studio.ui.blocks.block_document import BlockDocument

    source = make_canvas()
    instance = _with_block(source.document, "unit", 4)
    source.document.select([instance])
    source.ops.copy()
    root = Document(registry)
    _with_block(root, "other", 3)
    inside = make_canvas(BlockDocument(root, "other"))
    messages = []
    inside.view.message.connect(messages.append)
    before = set(root.graph.blocks["other"].graph.nodes)
    assert inside.ops.paste() == []
    assert "paste them at the project's top level first" in messages[-1] and "unit" in messages[-1]
    assert set(root.graph.blocks["other"].graph.nodes) == before and "unit" not in root.graph.blocks
    root.close()
