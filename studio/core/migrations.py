"""Upgrades of older project files to the current ``format_version``.

Each step takes the parsed JSON of version N and returns version N+1. Steps
never raise on odd content they do not touch: validation happens after.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

FORMAT_VERSION = 1


class MigrationError(ValueError):
    """The file's version cannot be read by this NetStudio."""


def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
    """Format 0 (pre-release): ``"links": [{"from": "id:port", "to": "id:port"}]``
    and positions as ``{"x": .., "y": ..}``; format 1 uses ``edges`` with
    ``[id, port]`` pairs and ``[x, y]`` positions.
    """
    graph = raw.get("graph")
    if isinstance(graph, dict):
        links = graph.pop("links", None)
        if isinstance(links, list) and "edges" not in graph:
            graph["edges"] = [_link_to_edge(link) for link in links]
        for node in graph.get("nodes", []) if isinstance(graph.get("nodes"), list) else []:
            pos = node.get("position") if isinstance(node, dict) else None
            if isinstance(pos, dict):
                node["position"] = [pos.get("x", 0), pos.get("y", 0)]
    raw["format_version"] = 1
    return raw


def _link_to_edge(link: Any) -> Any:
    if isinstance(link, dict) and isinstance(link.get("from"), str) and isinstance(link.get("to"), str):
        src, dst = link["from"].partition(":"), link["to"].partition(":")
        return {"src": [src[0], src[2]], "dst": [dst[0], dst[2]]}
    return link  # left for validation to report


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Return ``raw`` upgraded to :data:`FORMAT_VERSION` (a copy; input untouched)."""
    from studio.core.serialize import ProjectError

    version = raw.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError("project: 'format_version' must be an integer")
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"project: format_version {version} was written by a newer NetStudio "
            f"(this version reads up to {FORMAT_VERSION}); please update NetStudio"
        )
    if version < min(MIGRATIONS, default=FORMAT_VERSION):
        raise ProjectError(f"project: format_version {version} is too old to migrate")
    raw = copy.deepcopy(raw)
    while raw["format_version"] < FORMAT_VERSION:
        raw = MIGRATIONS[raw["format_version"]](raw)
    return raw
