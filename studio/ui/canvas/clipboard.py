"""Copy, cut, paste and duplicate of canvas selections.

A selection is serialised as JSON (``application/x-netstudio-nodes``, plus
the same text as ``text/plain``): node types, names, params, positions, the
wires between the copied nodes and the definitions of the blocks they
instantiate (nested ones included). Pasting creates new ids and names, keeps
params and internal wires, adds the block definitions the project lacks
(:func:`~studio.core.blocks.import_blocks`: a same-named but different block
of the target project is never taken for the copied one), and is one undo
step, so it works across projects (and across NetStudio processes).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from studio.core.blocks import BLOCK_TYPE, BlockDef, import_blocks, reachable_blocks
from studio.core.commands import AddNode, Command, Connect, SetBlock
from studio.core.graph import Edge, Node
from studio.core.serialize import ProjectError, block_from_dict, block_to_dict

if TYPE_CHECKING:
    from studio.ui.document import Document

NODES_MIME = "application/x-netstudio-nodes"
LAYER_MIME = "application/x-netstudio-layer"
PASTE_OFFSET = 40.0


def selection_payload(document: Document, node_ids: list[str]) -> dict:
    """The nodes and their internal wires as a JSON-ready dict."""
    graph = document.graph
    ids = [nid for nid in graph.nodes if nid in set(node_ids)]
    keep = set(ids)
    nodes = [
        {
            "id": n.id,
            "type": n.type,
            "name": n.name,
            "params": n.params,
            "position": list(n.position),
        }
        for n in (graph.nodes[nid] for nid in ids)
    ]
    edges = [
        {"src": list(e.src), "dst": list(e.dst)} for e in graph.edges if e.src[0] in keep and e.dst[0] in keep
    ]
    blocks = _blocks_home(document)
    used = {str(n["params"].get("block")) for n in nodes if n["type"] == BLOCK_TYPE}
    definitions = [block_to_dict(blocks[i]) for i in reachable_blocks(blocks, used)]
    return {"format": 1, "nodes": nodes, "edges": edges, "blocks": definitions}


def _blocks_home(document: Document) -> dict[str, BlockDef]:
    """The project's block definitions (a block being edited is a document of its own)."""
    return getattr(document, "root", document).graph.blocks


def _incoming_blocks(document: Document, payload: dict) -> dict[str, BlockDef]:
    """The payload's block definitions; malformed ones are left out (their instances show the error)."""
    found: dict[str, BlockDef] = {}
    for raw in payload.get("blocks") or []:
        try:
            block = block_from_dict(raw, document.graph.port_resolver)
        except ProjectError:
            continue
        found[block.id] = block
    return found


def paste_payload(document: Document, payload: dict, offset: tuple[float, float]) -> list[str]:
    """Add the payload's nodes (new ids and names) and wires as one undo step.

    Parameters
    ----------
    document
        Where to paste.
    payload
        A dict from :func:`selection_payload` (possibly of another project).
    offset
        Added to every position.

    Returns
    -------
    list of str
        The ids of the new nodes.
    """
    graph = document.graph
    mapping: dict[str, str] = {}
    commands: list[Command] = []
    block_ids, added = import_blocks(_blocks_home(document), _incoming_blocks(document, payload))
    if added and getattr(document, "root", None) is not None:
        # Definitions live at the project's top level; commands here would land inside this block.
        raise ValueError(
            f"the copied nodes use block(s) this project does not have ({', '.join(b.name for b in added)}): "
            "paste them at the project's top level first (Done in the bar above the canvas)"
        )
    commands += [SetBlock(block.id, block, f"add block {block.name}") for block in added]
    taken = set(graph.names())
    next_id = graph.next_id
    for raw in payload.get("nodes", []):
        while f"n{next_id}" in graph.nodes:
            next_id += 1
        new_id = f"n{next_id}"
        next_id += 1
        base = re.sub(r"_\d+$", "", str(raw.get("name", ""))) or str(raw["type"]).split(".")[-1]
        name = _free_name(base, taken)
        taken.add(name)
        x, y = raw.get("position", (0.0, 0.0))
        params = dict(raw.get("params", {}))
        if raw["type"] == BLOCK_TYPE and params.get("block") in block_ids:
            params["block"] = block_ids[params["block"]]
        node = Node(new_id, raw["type"], name, params, (x + offset[0], y + offset[1]))
        mapping[raw["id"]] = new_id
        commands.append(AddNode(node))
    for raw in payload.get("edges", []):
        src, dst = raw["src"], raw["dst"]
        if src[0] in mapping and dst[0] in mapping:
            commands.append(Connect(Edge((mapping[src[0]], src[1]), (mapping[dst[0]], dst[1]))))
    if mapping:
        document.history.push_all(commands, f"paste {len(mapping)} node(s)")
    return list(mapping.values())


def _free_name(base: str, taken: set[str]) -> str:
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def to_mime(payload: dict) -> QMimeData:
    """A ``QMimeData`` holding ``payload`` for the clipboard or a drag."""
    data = QMimeData()
    text = json.dumps(payload)
    data.setData(NODES_MIME, text.encode("utf-8"))
    data.setText(text)
    return data


def from_mime(data: QMimeData | None) -> dict | None:
    """The payload in ``data``, or None when it holds no NetStudio nodes."""
    if data is None:
        return None
    if data.hasFormat(NODES_MIME):
        text = bytes(data.data(NODES_MIME).data()).decode("utf-8")
    elif data.hasText():
        text = data.text()
    else:
        return None
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("nodes"), list):
        return None
    return payload


def layer_mime(type_id: str) -> QMimeData:
    """Mime data for dragging a layer type from the palette onto the canvas."""
    data = QMimeData()
    data.setData(LAYER_MIME, type_id.encode("utf-8"))
    return data


def copy_to_clipboard(document: Document, node_ids: list[str]) -> dict:
    """Put the selection on the system clipboard; return the payload."""
    payload = selection_payload(document, node_ids)
    app = QGuiApplication.instance()
    if app is not None and not app.property("netstudio_clipboard_hook"):
        # The clipboard owns the QMimeData; if it still holds ours when the
        # application object is destroyed at interpreter exit, PySide6 crashes.
        app.aboutToQuit.connect(release_clipboard)
        app.setProperty("netstudio_clipboard_hook", True)
    QGuiApplication.clipboard().setMimeData(to_mime(payload))
    return payload


def release_clipboard() -> None:
    """Drop our data from the clipboard (before the application object goes away)."""
    if QGuiApplication.instance() is not None:
        QGuiApplication.clipboard().clear()


def paste_from_clipboard(document: Document, offset: tuple[float, float] = (PASTE_OFFSET, PASTE_OFFSET)):
    """Paste what the clipboard holds; the new ids (empty when nothing to paste)."""
    payload = from_mime(QGuiApplication.clipboard().mimeData())
    return paste_payload(document, payload, offset) if payload else []
