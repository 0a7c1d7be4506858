"""Property tests: undo-all restores the graph; the loader never crashes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from studio.core.commands import AddNode, Connect, Disconnect, MoveNodes, RemoveNode, Rename, SetParam
from studio.core.graph import Edge, GraphError, Node
from studio.core.history import History
from studio.core.serialize import Project, ProjectError, graph_to_dict, project_from_dict, project_to_dict
from tests.core.helpers import chain


def _content(graph) -> dict:
    # The id counter only ever grows (ids are never reused, even after undo),
    # so it is not part of what undo restores.
    data = graph_to_dict(graph)
    data.pop("next_id")
    return data


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "connect", "disconnect", "param", "move", "rename"]),
        st.integers(0, 50),
        st.integers(0, 50),
        st.integers(-5, 5),
    ),
    max_size=25,
)


def _command(graph, action, i, j, value):
    ids = list(graph.nodes)
    if action == "add" or not ids:
        return AddNode(Node(graph.new_id(), "core.linear", graph.new_name("linear"), {"out_features": 4}))
    a, b = ids[i % len(ids)], ids[j % len(ids)]
    if action == "remove":
        return RemoveNode(a)
    if action == "connect":
        return Connect(Edge((a, "y"), (b, f"in{value % 3}")))
    if action == "disconnect" and graph.edges:
        return Disconnect(graph.edges[i % len(graph.edges)])
    if action == "param":
        return SetParam(a, "out_features", abs(value) + 1)
    if action == "rename":
        return Rename(a, f"layer_{j}")
    return MoveNodes({a: (float(value), float(i))})


@given(ACTIONS)
def test_undo_all_restores_exact_graph(actions) -> None:
    graph, _ = chain(2)
    history = History(graph)
    start = _content(graph)
    states = [start]
    for action in actions:
        try:
            history.push(_command(graph, action[0], *action[1:]))
        except GraphError:
            continue  # refused edits change nothing
        if len(states) <= history.index:
            states.append(_content(graph))
        else:
            states[history.index] = _content(graph)  # merged into the previous step
    while history.undo():
        assert _content(graph) == states[history.index]
    assert _content(graph) == start
    while history.redo():
        assert _content(graph) == states[history.index]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_random_json_never_crashes_loader(raw) -> None:
    try:
        project_from_dict(raw)
    except ProjectError as exc:
        assert str(exc) and "\n" not in str(exc)


@given(st.data())
def test_mutated_valid_files_never_crash_loader(data) -> None:
    text = json.dumps(project_to_dict(Project(chain(3)[0])))
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=8))
    mutated = text[:cut] + junk + text[cut + data.draw(st.integers(0, 10)) :]
    try:
        raw = json.loads(mutated)
    except json.JSONDecodeError:
        return
    try:
        project_from_dict(raw)
    except ProjectError as exc:
        assert "\n" not in str(exc)


@given(st.data())
def test_structurally_mutated_files_never_crash_loader(data) -> None:
    raw = project_to_dict(Project(chain(3)[0]))
    nodes = raw["graph"]["nodes"]
    node = nodes[data.draw(st.integers(0, len(nodes) - 1))]
    key = data.draw(st.sampled_from(["id", "type", "name", "params", "position", "extra"]))
    node[key] = data.draw(JSON)
    if data.draw(st.booleans()):
        raw["graph"]["edges"].append({"src": data.draw(JSON), "dst": [node.get("id"), "x"]})
    try:
        project_from_dict(raw)
    except ProjectError as exc:
        assert "\n" not in str(exc)
