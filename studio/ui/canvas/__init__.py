"""The canvas editor: design a network by placing and wiring layer cards.

Embed :class:`CanvasWidget`; it bundles :class:`GraphView` (zoom, pan,
interactions), :class:`GraphScene` (items following a
:class:`~studio.ui.document.Document`), a minimap and a zoom toolbar.
"""

from __future__ import annotations

from studio.ui.canvas.clipboard import LAYER_MIME, NODES_MIME, layer_mime
from studio.ui.canvas.scene import GraphScene
from studio.ui.canvas.view import GraphView
from studio.ui.canvas.widget import CanvasWidget

__all__ = ["LAYER_MIME", "NODES_MIME", "CanvasWidget", "GraphScene", "GraphView", "layer_mime"]
