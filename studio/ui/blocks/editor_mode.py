"""The block editor mode: the canvas and the inspector show one block's definition until Done.

Only the canvas and the inspector switch to the
:class:`~studio.ui.blocks.block_document.BlockDocument`; the window's
document, history, file, summary and problems stay the project's, so Save,
Undo and autosave keep working while a block is open. The view of the project
(zoom, centre) is put back on Done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, Signal

from studio.core.blocks import instances_of
from studio.ui.blocks.block_document import BlockDocument
from studio.ui.blocks.dialogs import BlockEditBar

if TYPE_CHECKING:
    from studio.ui.document import Document
    from studio.ui.main_window import MainWindow


class BlockEditorMode(QObject):
    """Opens, follows and closes the block editor of one window.

    Signals
    -------
    changed()
        The editor opened or closed (actions depend on it).
    message(str)
        A status line for the window.
    """

    changed = Signal()
    message = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.editor: BlockDocument | None = None
        self._view_before: tuple[float, QPointF] | None = None
        self.bar = BlockEditBar(window.canvas, self.finish)

    def open(self, root: Document, block_id: str) -> None:
        """Show the definition of ``block_id`` (a block of ``root``) in the canvas."""
        if self.editor is not None:
            self.drop(restore=False)  # another block: keep the project's view to go back to
        else:
            view = self.window.canvas.view
            self._view_before = (view.zoom(), view.mapToScene(view.viewport().rect().center()))
        self.editor = BlockDocument(root, block_id, parent=self)
        self.window.canvas.set_document(self.editor)
        self.window.inspector.set_document(self.editor)
        title = self.window.project_title or (root.path.name if root.path else "project")
        self.bar.show_block(title, self.editor.block.name, len(instances_of(root.graph, block_id)))
        self.changed.emit()
        self.message.emit("Editing the block: every instance follows each edit; Ctrl+Z undoes as usual")

    def finish(self) -> None:
        """Show the project again (the edits are already in it) with the block's instances selected."""
        if self.editor is None:
            return
        block_id = self.editor.block_id
        self.drop(restore=True)
        root = self.window.document
        if root is not None:
            root.select(instances_of(root.graph, block_id))

    def drop(self, restore: bool) -> None:
        """Close the editor; with ``restore``, point the canvas and inspector back at the project."""
        editor, self.editor = self.editor, None
        if editor is None:
            return
        root = self.window.document
        if restore and root is not None:
            self.window.canvas.set_document(root)
            self.window.inspector.set_document(root)
            if self._view_before is not None:
                zoom, center = self._view_before
                self.window.canvas.view.set_zoom(zoom)
                self.window.canvas.view.centerOn(center)
            self._view_before = None
        editor.close()
        editor.deleteLater()
        self.bar.hide()
        self.changed.emit()

    def follow(self) -> None:
        """The edited block changed in the project (rename, undo of its creation...): follow or leave."""
        root, editor = self.window.document, self.editor
        if editor is None:
            return
        block = root.graph.blocks.get(editor.block_id) if root is not None else None
        if block is None:
            self.finish()
            self.message.emit("The block being edited was removed (undo); back to the project")
        elif block is not editor.block:  # replaced by a copy (rename, redo): edit the live one
            self.open(root, editor.block_id)
