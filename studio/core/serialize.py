"""Project files: versioned JSON, validated on load, saved atomically.

A project is one UTF-8 JSON object with ``format_version``, ``graph``
(``nodes``, ``edges``, ``blocks``), ``data``, ``training`` and ``ui``. Unknown
top-level, graph and node keys are kept and written back. Node types missing
from the catalog load as placeholders that keep their params and edges.
Every problem in a file is reported as a :class:`ProjectError` whose message
names the node and field at fault; nothing else escapes :func:`load_project`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.blocks import BlockDef
from studio.core.graph import Edge, GraphError, GraphModel, Node, PortResolver
from studio.core.migrations import FORMAT_VERSION, migrate

# (type_id, params) -> (current type_id, validated params); raises ValueError
# with a message. Provided by the catalog (studio.layers.validation).
ParamValidator = Callable[[str, dict], "tuple[str, dict]"]

_NODE_KEYS = {"id", "type", "name", "params", "position"}
_GRAPH_KEYS = {"nodes", "edges", "blocks", "next_id"}
_TOP_KEYS = {"format_version", "graph", "data", "training", "ui"}


class ProjectError(ValueError):
    """A project file that cannot be loaded; ``str()`` is one line for the user."""

    def __init__(self, message: str) -> None:
        # Ids and names come from the file and may hold line breaks.
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


@dataclass
class Project:
    """A graph plus the data, training and UI settings saved beside it."""

    graph: GraphModel
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- to dict
def node_to_dict(node: Node) -> dict[str, Any]:
    """A node as saved in the file (unknown keys written back)."""
    out = {
        "id": node.id,
        "type": node.type,
        "name": node.name,
        "params": node.params,
        "position": [node.position[0], node.position[1]],
    }
    out.update(node.extra)
    return json.loads(json.dumps(out))


def graph_to_dict(graph: GraphModel) -> dict[str, Any]:
    """Nodes, edges and blocks of ``graph`` as plain JSON data."""
    out: dict[str, Any] = {
        "nodes": [node_to_dict(n) for n in graph.nodes.values()],
        "edges": [{"src": list(e.src), "dst": list(e.dst)} for e in graph.edges],
        "blocks": [block_to_dict(b) for b in graph.blocks.values()],
        "next_id": graph.next_id,
    }
    out.update(graph.extra)
    return out


def project_to_dict(project: Project) -> dict[str, Any]:
    """The whole project file content."""
    out = dict(project.extra)
    out.update(
        {
            "format_version": FORMAT_VERSION,
            "graph": graph_to_dict(project.graph),
            "data": project.data,
            "training": project.training,
            "ui": project.ui,
        }
    )
    return out


# -------------------------------------------------------------- from dict
def _expect(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise ProjectError(f"{where}: {message}")


def _node_from_dict(raw: Any, where: str, validate: ParamValidator | None) -> Node:
    _expect(isinstance(raw, dict), where, "a node must be an object")
    for key in ("id", "type", "name"):
        _expect(
            isinstance(raw.get(key), str) and raw[key] != "", where, f"'{key}' must be a non-empty string"
        )
    where = f"node '{raw['id']}' ({raw['name']})"
    params = raw.get("params", {})
    _expect(isinstance(params, dict), where, "'params' must be an object")
    pos = raw.get("position", [0, 0])
    _expect(
        isinstance(pos, list)
        and len(pos) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e12 for v in pos),
        where,
        "'position' must be [x, y] numbers",
    )
    type_id = raw["type"]
    if validate is not None:
        try:
            type_id, params = validate(type_id, params)
        except ValueError as exc:
            raise ProjectError(f"{where}: {exc}") from None
    extra = {k: v for k, v in raw.items() if k not in _NODE_KEYS}
    return Node(raw["id"], type_id, raw["name"], dict(params), (float(pos[0]), float(pos[1])), extra)


def _edge_from_dict(raw: Any, where: str) -> Edge:
    _expect(isinstance(raw, dict), where, "an edge must be an object with 'src' and 'dst'")
    ends = []
    for key in ("src", "dst"):
        end = raw.get(key)
        _expect(
            isinstance(end, list) and len(end) == 2 and all(isinstance(v, str) for v in end),
            where,
            f"'{key}' must be [node_id, port]",
        )
        ends.append((end[0], end[1]))
    return Edge(ends[0], ends[1])


def block_to_dict(block: BlockDef) -> dict[str, Any]:
    """A block definition as plain JSON data: id, name, its graph and its extra keys."""
    return {"id": block.id, "name": block.name, **graph_to_dict(block.graph), **block.extra}


def block_from_dict(
    raw: Any,
    port_resolver: PortResolver | None = None,
    validate: ParamValidator | None = None,
    where: str = "block",
) -> BlockDef:
    """Undo :func:`block_to_dict`; :class:`ProjectError` names the first problem found."""
    _expect(
        isinstance(raw, dict) and isinstance(raw.get("id"), str) and isinstance(raw.get("name"), str),
        where,
        "a block needs string 'id' and 'name'",
    )
    inner = graph_from_dict(raw, port_resolver, validate, f"block '{raw['id']}'")
    extra = {k: v for k, v in raw.items() if k not in _GRAPH_KEYS | {"id", "name"}}
    return BlockDef(raw["id"], raw["name"], inner, extra)


def graph_from_dict(
    raw: Any,
    port_resolver: PortResolver | None = None,
    validate: ParamValidator | None = None,
    where: str = "graph",
) -> GraphModel:
    """Rebuild a graph; :class:`ProjectError` names the first problem found."""
    _expect(isinstance(raw, dict), where, "must be an object with 'nodes' and 'edges'")
    nodes, edges, blocks = raw.get("nodes", []), raw.get("edges", []), raw.get("blocks", [])
    for key, value in (("nodes", nodes), ("edges", edges), ("blocks", blocks)):
        _expect(isinstance(value, list), where, f"'{key}' must be a list")
    graph = GraphModel(port_resolver)
    graph.extra = {k: v for k, v in raw.items() if k not in _GRAPH_KEYS | {"id", "name"}}
    for i, raw_block in enumerate(blocks):
        block_where = f"{where}: block #{i}"
        block = block_from_dict(raw_block, port_resolver, validate, block_where)
        _expect(block.id not in graph.blocks, block_where, f"duplicate block id '{block.id}'")
        graph.blocks[block.id] = block
    for i, raw_node in enumerate(nodes):
        node = _node_from_dict(raw_node, f"{where}: node #{i}", validate)
        try:
            graph.add_node(node)
        except GraphError as exc:
            raise ProjectError(f"{where}: node '{node.id}': {exc}") from None
    for i, raw_edge in enumerate(edges):
        edge = _edge_from_dict(raw_edge, f"{where}: edge #{i}")
        try:
            graph.connect(edge)
        except GraphError as exc:
            raise ProjectError(
                f"{where}: edge #{i} {edge.src[0]}.{edge.src[1]} -> {edge.dst[0]}.{edge.dst[1]}: {exc}"
            ) from None
    next_id = raw.get("next_id")
    if isinstance(next_id, int) and not isinstance(next_id, bool) and next_id > graph.next_id:
        graph.next_id = next_id
    return graph


def project_from_dict(
    raw: Any, port_resolver: PortResolver | None = None, validate: ParamValidator | None = None
) -> Project:
    """Migrate, validate and rebuild a project from parsed JSON."""
    _expect(isinstance(raw, dict), "project", "the file must contain a JSON object")
    raw = migrate(raw)
    for key in ("data", "training", "ui"):
        _expect(isinstance(raw.get(key, {}), dict), "project", f"'{key}' must be an object")
    graph = graph_from_dict(raw.get("graph", {}), port_resolver, validate)
    extra = {k: v for k, v in raw.items() if k not in _TOP_KEYS}
    return Project(graph, raw.get("data", {}), raw.get("training", {}), raw.get("ui", {}), extra)


# ------------------------------------------------------------------- files
def load_project(
    path: str | os.PathLike, port_resolver: PortResolver | None = None, validate: ParamValidator | None = None
) -> Project:
    """Read a project file; every failure is a one-line :class:`ProjectError` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = (
            f"line {exc.lineno} column {exc.colno}: {exc.msg}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        raise ProjectError(f"{path}: not valid JSON ({detail})") from None
    try:
        return project_from_dict(raw, port_resolver, validate)
    except ProjectError as exc:
        raise ProjectError(f"{path}: {exc}") from None
    except RecursionError:
        raise ProjectError(f"{path}: the file is nested too deeply") from None


def temp_file_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder, with the permissions ``path`` will have.

    ``mkstemp`` creates files readable by their owner only; a file that is then
    renamed over ``path`` keeps ``path``'s mode instead (or the usual
    ``0o666 & ~umask`` for a new file), so saving never makes a shared file private.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(tmp, mode)
    except OSError:  # a file system without permissions: keep what mkstemp gave
        pass
    return fd, tmp


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` so that ``path`` holds either the old or the new content, never half.

    Writes a temporary file in the same directory, fsyncs it, renames it over
    ``path`` and fsyncs the directory (so the rename survives a power cut).
    """
    path = Path(path)
    fd, tmp = temp_file_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # not on Windows, where rename is durable enough
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save_project(project: Project, path: str | os.PathLike) -> None:
    """Save atomically as indented, key-ordered UTF-8 JSON."""
    text = json.dumps(project_to_dict(project), indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(path, text)
