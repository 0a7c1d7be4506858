"""Helpers for showing and placing the project's blocks: palette entries and a free spot on the canvas."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsScene

from studio.core.blocks import BLOCK_INPUT, BLOCK_OUTPUT, instances_of
from studio.core.graph import GraphModel
from studio.ui.canvas import style
from studio.ui.canvas.node_item import NodeItem
from studio.ui.palette import BlockEntry


def palette_entries(graph: GraphModel) -> list[BlockEntry]:
    """One palette entry per block of ``graph``, by name: size, use count and ports."""
    entries = []
    for block in sorted(graph.blocks.values(), key=lambda b: b.name):
        inner = [n for n in block.graph.nodes.values() if n.type not in (BLOCK_INPUT, BLOCK_OUTPUT)]
        uses = len(instances_of(graph, block.id))
        ports = f"{', '.join(block.input_names()) or '–'} → {', '.join(block.output_names()) or '–'}"
        description = f"{len(inner)} layers · used {uses}× · {ports}"
        layers = ", ".join(n.name for n in inner[:8]) + (" …" if len(inner) > 8 else "")
        tip = f"<b>{block.name}</b> (class {block.class_name()})<br>{description}<br><i>{layers}</i>"
        entries.append(BlockEntry(block.id, block.name, description, tip))
    return entries


def free_spot(scene: QGraphicsScene, origin: tuple[float, float], tries: int = 50) -> tuple[float, float]:
    """``origin``, or the first grid step below it where a new card would overlap no card."""
    height = style.node_height(1, 1) + 2 * style.GRID
    step = style.GRID * -(-height // style.GRID)
    x, y = origin
    for _ in range(tries):
        area = QRectF(x - style.GRID, y - style.GRID, style.NODE_WIDTH + 2 * style.GRID, height)
        if not any(isinstance(item, NodeItem) for item in scene.items(area)):
            return (x, y)
        y += step
    return origin
