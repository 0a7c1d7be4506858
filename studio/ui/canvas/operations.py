"""Selection-wide canvas commands: clipboard, delete, layout, align, distribute.

Everything the keyboard, the zoom toolbar and the main window's Edit menu
can trigger lives here, so the view only maps keys and the main window can
call the same methods from its actions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from studio.ui.canvas import clipboard, editing, layout

if TYPE_CHECKING:
    from studio.ui.canvas.view import GraphView

Key = Qt.Key


class CanvasOperations:
    """Commands over the selection of one :class:`~studio.ui.canvas.view.GraphView`."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self._last_paste = ""
        self._paste_count = 0

    @property
    def scene(self):
        """The view's :class:`~studio.ui.canvas.scene.GraphScene`."""
        return self.view.graph_scene

    @property
    def document(self):
        """The document being edited (None when none is shown)."""
        return self.view.graph_scene.document

    def handle_key(self, key: int, ctrl: bool) -> bool:
        """Run the command bound to ``key``; False when it is not a canvas key."""
        table = {
            (Key.Key_Delete, False): self.delete_selection,
            (Key.Key_Backspace, False): self.delete_selection,
            (Key.Key_F, False): self.view.fit,
            (Key.Key_Z, False): self.view.zoom_to_selection,
            (Key.Key_1, False): lambda: self.view.set_zoom(1.0),
            (Key.Key_Plus, False): lambda: self.view.zoom_by(1.25),
            (Key.Key_Equal, False): lambda: self.view.zoom_by(1.25),
            (Key.Key_Minus, False): lambda: self.view.zoom_by(0.8),
            (Key.Key_C, True): self.copy,
            (Key.Key_X, True): self.cut,
            (Key.Key_V, True): self.paste,
            (Key.Key_D, True): self.duplicate,
            (Key.Key_A, True): self.select_all,
            (Key.Key_L, True): self.auto_layout,
        }
        command = table.get((key, ctrl))
        if command is None or self.document is None:
            return False
        command()
        return True

    # ------------------------------------------------------------ clipboard
    def copy(self) -> int:
        """Copy the selected nodes and their internal wires; return how many nodes."""
        ids = self.scene.selected_node_ids()
        if ids:
            clipboard.copy_to_clipboard(self.document, ids)
            self.view.message.emit(f"copied {len(ids)} node(s)")
        return len(ids)

    def cut(self) -> int:
        """Copy, then delete the selection."""
        count = self.copy()
        if count:
            editing.delete(self.document, self.scene.selected_node_ids(), [])
        return count

    def paste(self) -> list[str]:
        """Paste the clipboard's nodes (offset from the originals) and select them."""
        data = QGuiApplication.clipboard().mimeData()
        payload = clipboard.from_mime(data)
        if not payload:
            self.view.message.emit("nothing to paste")
            return []
        text = json.dumps(payload, sort_keys=True)
        self._paste_count = self._paste_count + 1 if text == self._last_paste else 1
        self._last_paste = text
        step = clipboard.PASTE_OFFSET * self._paste_count
        return self._paste(payload, (step, step))

    def duplicate(self) -> list[str]:
        """Copy the selection beside itself (the clipboard is left alone)."""
        ids = self.scene.selected_node_ids()
        if not ids:
            return []
        payload = clipboard.selection_payload(self.document, ids)
        return self._paste(payload, (clipboard.PASTE_OFFSET, clipboard.PASTE_OFFSET))

    def _paste(self, payload: dict, offset: tuple[float, float]) -> list[str]:
        try:
            new_ids = clipboard.paste_payload(self.document, payload, offset)
        except ValueError as exc:  # e.g. blocks this project lacks, pasted inside a block
            self.view.message.emit(str(exc))
            return []
        self.document.select(new_ids)
        self.view.message.emit(f"pasted {len(new_ids)} node(s)")
        return new_ids

    # ------------------------------------------------------------ selection
    def delete_selection(self) -> int:
        """Delete the selected nodes and wires (one undo step)."""
        count = editing.delete(self.document, self.scene.selected_node_ids(), self.scene.selected_edges())
        if count:
            self.view.message.emit(f"deleted {count} item(s)")
        return count

    def select_all(self) -> None:
        """Select every node."""
        self.document.select(list(self.document.graph.nodes))

    # ------------------------------------------------------------ arrange
    def auto_layout(self, selection_only: bool | None = None) -> None:
        """Layered left-to-right layout of the selection (2+ nodes) or the whole graph."""
        graph = self.document.graph
        ids = self.scene.selected_node_ids()
        if selection_only is None:
            selection_only = len(ids) > 1
        if not selection_only:
            ids = list(graph.nodes)
        if not ids:
            return
        sizes = self.scene.sizes()
        origin = (
            min(graph.nodes[n].position[0] for n in ids),
            min(graph.nodes[n].position[1] for n in ids),
        )
        edges = [(e.src[0], e.dst[0]) for e in graph.edges]
        positions = layout.layered_layout(ids, edges, sizes, origin)
        editing.move(self.document, positions)
        self.view.message.emit(f"arranged {len(ids)} node(s)")

    def _selected_geometry(self):
        ids = self.scene.selected_node_ids()
        positions = {n: self.document.graph.nodes[n].position for n in ids}
        return positions, self.scene.sizes()

    def align(self, mode: str) -> None:
        """Align the selected nodes (``left``, ``right``, ``hcenter``, ``top``, ``bottom``, ``vcenter``)."""
        positions, sizes = self._selected_geometry()
        editing.move(self.document, layout.align(positions, sizes, mode))

    def distribute(self, axis: str) -> None:
        """Space the selected nodes evenly along ``"x"`` or ``"y"``."""
        positions, sizes = self._selected_geometry()
        editing.move(self.document, layout.distribute(positions, sizes, axis))
