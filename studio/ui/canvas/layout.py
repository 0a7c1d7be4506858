"""Automatic layered layout, align and distribute (pure functions, no Qt).

The layout follows Sugiyama's recipe in its simplest useful form: networkx's
topological generations give the columns (so every wire points to the right),
a few barycentric sweeps order the nodes inside each column to reduce
crossings, and columns are centred vertically on one another.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

Position = tuple[float, float]
Size = tuple[float, float]

COLUMN_GAP = 96.0
ROW_GAP = 36.0
SWEEPS = 4


def layered_layout(
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str]],
    sizes: dict[str, Size],
    origin: Position = (0.0, 0.0),
    column_gap: float = COLUMN_GAP,
    row_gap: float = ROW_GAP,
) -> dict[str, Position]:
    """Positions (top-left corners) placing each node in its topological column.

    Parameters
    ----------
    nodes
        Node ids, in a stable order (ties keep it).
    edges
        ``(src, dst)`` pairs; pairs touching other nodes are ignored.
    sizes
        ``(width, height)`` of each node.
    origin
        Top-left corner of the laid-out block.
    column_gap, row_gap
        Free space between columns and between nodes of a column.

    Returns
    -------
    dict
        Node id -> ``(x, y)``. Every edge goes from a lower to a higher x.
    """
    order = list(dict.fromkeys(nodes))
    graph = nx.DiGraph()
    graph.add_nodes_from(order)
    graph.add_edges_from((s, d) for s, d in edges if s in graph and d in graph and s != d)
    rank = {nid: i for i, nid in enumerate(order)}
    columns = [sorted(gen, key=rank.__getitem__) for gen in nx.topological_generations(graph)]
    _order_columns(graph, columns)
    positions: dict[str, Position] = {}
    heights = [sum(sizes[n][1] for n in col) + row_gap * (len(col) - 1) for col in columns]
    tallest = max(heights, default=0.0)
    x = origin[0]
    for col, height in zip(columns, heights, strict=True):
        y = origin[1] + (tallest - height) / 2
        for nid in col:
            positions[nid] = (x, y)
            y += sizes[nid][1] + row_gap
        x += max(sizes[n][0] for n in col) + column_gap
    return positions


def _order_columns(graph: nx.DiGraph, columns: list[list[str]]) -> None:
    """Barycentric sweeps: sort each column by the mean row of its neighbours."""
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for i in indices:
            ref = columns[i - 1] if forward else columns[i + 1]
            row = {nid: r for r, nid in enumerate(ref)}
            current = {nid: r for r, nid in enumerate(columns[i])}

            def barycenter(nid: str, row=row, current=current, forward=forward) -> float:
                near = graph.predecessors(nid) if forward else graph.successors(nid)
                ranks = [row[m] for m in near if m in row]
                return sum(ranks) / len(ranks) if ranks else current[nid]

            columns[i].sort(key=lambda nid: (barycenter(nid), current[nid]))


def align(positions: dict[str, Position], sizes: dict[str, Size], mode: str) -> dict[str, Position]:
    """Align nodes on one edge or centre line of their bounding box.

    Parameters
    ----------
    positions, sizes
        Top-left corners and sizes of the nodes to align.
    mode
        ``left``, ``right``, ``hcenter`` (a common vertical centre line),
        ``top``, ``bottom`` or ``vcenter``.

    Returns
    -------
    dict
        The new positions.
    """
    if not positions:
        return {}
    xs = [(x, x + sizes[n][0]) for n, (x, _) in positions.items()]
    ys = [(y, y + sizes[n][1]) for n, (_, y) in positions.items()]
    left, right = min(a for a, _ in xs), max(b for _, b in xs)
    top, bottom = min(a for a, _ in ys), max(b for _, b in ys)
    out = {}
    for nid, (x, y) in positions.items():
        w, h = sizes[nid]
        new_x = {"left": left, "right": right - w, "hcenter": (left + right - w) / 2}.get(mode, x)
        new_y = {"top": top, "bottom": bottom - h, "vcenter": (top + bottom - h) / 2}.get(mode, y)
        out[nid] = (new_x, new_y)
    if mode not in ("left", "right", "hcenter", "top", "bottom", "vcenter"):
        raise ValueError(f"unknown alignment '{mode}'")
    return out


def distribute(positions: dict[str, Position], sizes: dict[str, Size], axis: str) -> dict[str, Position]:
    """Space nodes evenly between the first and the last along ``axis``.

    Parameters
    ----------
    positions, sizes
        Top-left corners and sizes of the nodes.
    axis
        ``"x"`` (horizontal) or ``"y"`` (vertical): equal gaps between neighbours.

    Returns
    -------
    dict
        The new positions (unchanged for fewer than three nodes).
    """
    if axis not in ("x", "y"):
        raise ValueError(f"unknown axis '{axis}'")
    k = 0 if axis == "x" else 1
    if len(positions) < 3:
        return dict(positions)
    ordered = sorted(positions, key=lambda n: positions[n][k])
    first, last = ordered[0], ordered[-1]
    span = positions[last][k] + sizes[last][k] - positions[first][k]
    gap = (span - sum(sizes[n][k] for n in ordered)) / (len(ordered) - 1)
    out = {}
    cursor = positions[first][k]
    for nid in ordered:
        p = list(positions[nid])
        p[k] = cursor
        out[nid] = (p[0], p[1])
        cursor += sizes[nid][k] + gap
    return out
