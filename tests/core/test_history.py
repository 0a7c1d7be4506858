"""Commands and the undo history: undo, redo, merging, clean state, macros."""

from __future__ import annotations

import pytest

from studio.core.commands import AddNode, Connect, MoveNodes, RemoveNode, Rename, SetParam
from studio.core.graph import Edge, GraphError, Node
from studio.core.history import History
from studio.core.serialize import graph_to_dict
from tests.core.helpers import chain


def test_remove_node_undo_restores_edges_in_order() -> None:
    graph, nodes = chain(3)
    history = History(graph)
    before = graph_to_dict(graph)
    history.push(RemoveNode(nodes[2].id))
    assert nodes[2].id not in graph.nodes and len(graph.edges) == 2
    history.undo()
    assert graph_to_dict(graph) == before
    history.redo()
    assert nodes[2].id not in graph.nodes


def test_param_edits_merge_until_sealed() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    for value in (9, 10, 11):
        history.push(SetParam(nodes[1].id, "out_features", value))
    history.seal()
    history.push(SetParam(nodes[1].id, "out_features", 12))
    assert history.index == 2
    history.undo()
    assert graph.node(nodes[1].id).params["out_features"] == 11
    history.undo()
    assert graph.node(nodes[1].id).params["out_features"] == 8


def test_drag_moves_merge_into_one_step() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    for x in range(5):
        history.push(MoveNodes({nodes[1].id: (x * 10.0, 0.0)}))
    assert history.index == 1
    history.undo()
    assert graph.node(nodes[1].id).position == (0.0, 0.0)


def test_different_params_do_not_merge() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    history.push(SetParam(nodes[1].id, "out_features", 3))
    history.push(SetParam(nodes[1].id, "bias", False))
    assert history.index == 2


def test_failed_command_records_nothing() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    with pytest.raises(GraphError):
        history.push(Rename(nodes[1].id, "eval"))
    assert history.index == 0 and not history.can_undo


def test_clean_state_follows_save_point() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    history.push(Rename(nodes[1].id, "hidden"))
    history.set_clean()
    assert history.is_clean()
    history.push(SetParam(nodes[1].id, "out_features", 3))
    assert not history.is_clean()
    history.undo()
    assert history.is_clean()
    history.undo()
    history.push(SetParam(nodes[1].id, "bias", False))  # saved state now unreachable
    assert not history.is_clean()
    history.undo()
    history.redo()
    assert not history.is_clean()


def test_macro_is_one_step_and_rolls_back_on_failure() -> None:
    graph, nodes = chain(1)
    history = History(graph)
    new = Node(graph.new_id(), "core.relu", "relu_1")
    history.push_all([AddNode(new), Connect(Edge((nodes[1].id, "y"), (new.id, "x")))], "add relu")
    assert history.index == 1 and history.undo_text() == "add relu"
    history.undo()
    assert new.id not in graph.nodes
    bad = Node(graph.new_id(), "core.relu", "relu_2")
    before = graph_to_dict(graph)
    with pytest.raises(GraphError):
        history.push_all([AddNode(bad), Connect(Edge((bad.id, "y"), (bad.id, "x")))], "bad")
    assert graph_to_dict(graph) == before
