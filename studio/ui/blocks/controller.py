"""Blocks in the main window: group, expand, edit a definition, rename, share weights.

The window binds its block actions (see :data:`studio.ui.actions.ACTIONS`) to
the methods of the same name here. Every change goes through the open
:class:`~studio.ui.document.Document` (its group/expand methods or its
history), so each is one undo step. Editing a definition swaps the canvas and
the inspector to a :class:`~studio.ui.blocks.block_document.BlockDocument`
until Done (:mod:`~studio.ui.blocks.editor_mode`); the project's history, file
and other panels stay as they are.
The palette's "Project blocks" list follows the project's definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QMenu

from studio.core.blocks import BLOCK_TYPE, BlockDef, instances_of
from studio.core.commands import AddNode, SetBlock, SetParam
from studio.core.graph import GraphError, Node
from studio.core.grouping import group_into_block
from studio.core.names import sanitize, unique_name
from studio.ui.blocks.block_document import NOT_HERE, BlockDocument
from studio.ui.blocks.dialogs import BlockNameDialog
from studio.ui.blocks.editor_mode import BlockEditorMode
from studio.ui.blocks.project_blocks import free_spot, palette_entries
from studio.ui.palette import BLOCK_ID_ROLE, BLOCK_MIME

if TYPE_CHECKING:
    from studio.ui.document import Document
    from studio.ui.main_window import MainWindow

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove)


class BlockController(QObject):
    """The block actions, the block editor mode and the palette's project blocks of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.root: Document | None = None
        self.name_dialog: BlockNameDialog | None = None
        self.mode = BlockEditorMode(window)
        self.mode.changed.connect(self.refresh_actions)
        self.mode.message.connect(self._message)
        self.bar = self.mode.bar
        tree = window.palette_panel.tree
        window.palette_panel.block_requested.connect(self.add_instance)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._palette_menu)
        window.canvas.view.viewport().installEventFilter(self)
        window.canvas.node_activated.connect(self._on_node_activated)

    # ------------------------------------------------------------- state
    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def selected_instances(self) -> list[str]:
        """Ids of the selected block instances of the project (none while editing a block)."""
        root = self.window.document
        if root is None or self.editor is not None:
            return []
        return [n for n in root.selection if root.graph.nodes[n].type == BLOCK_TYPE]

    def _selected_block(self) -> str | None:
        """The block of the first selected instance, else the block selected in the palette."""
        root = self.window.document
        for node_id in self.selected_instances():
            block_id = root.graph.nodes[node_id].params.get("block")
            if block_id in root.graph.blocks:
                return block_id
        item = self.window.palette_panel.tree.currentItem()
        block_id = item.data(0, BLOCK_ID_ROLE) if item is not None else None
        return block_id if root is not None and block_id in root.graph.blocks else None

    def set_document(self, document: Document | None) -> None:
        """Follow the window's document (called after the window switched every panel to it)."""
        self.mode.drop(restore=False)  # the canvas and inspector already show ``document``
        if self.root is not None:
            self.root.graph_changed.disconnect(self._on_graph_changed)
            self.root.selection_changed.disconnect(self.refresh_actions)
            self.root.history_changed.disconnect(self.refresh_actions)
        self.root = document
        if document is not None:
            document.graph_changed.connect(self._on_graph_changed)
            document.selection_changed.connect(self.refresh_actions)
            document.history_changed.connect(self.refresh_actions)
        self.refresh_palette()
        self.refresh_actions()

    def refresh_actions(self, *_: object) -> None:
        """Enable the block actions that apply to the selection; check Share for shared instances."""
        actions, root = self.window.actions_, self.window.document
        instances = self.selected_instances()
        actions["group_block"].setEnabled(root is not None and self.editor is None and bool(root.selection))
        for name in ("expand_block", "edit_block", "rename_block", "share_block_weights"):
            actions[name].setEnabled(bool(instances))
        shared = bool(instances) and all(root.graph.nodes[n].params.get("shared") for n in instances)
        actions["share_block_weights"].setChecked(shared)

    def refresh_palette(self) -> None:
        """List the project's block definitions under "Project blocks"."""
        root = self.window.document
        self.window.palette_panel.tree.set_blocks(palette_entries(root.graph) if root is not None else [])

    def _on_graph_changed(self, name: str, args: tuple) -> None:
        if name == "block_changed":
            self.refresh_palette()
            if self.editor is not None and args[0] == self.editor.block_id:
                self.mode.follow()
        elif name in ("node_added", "node_removed") and args[0].type == BLOCK_TYPE:
            self.refresh_palette()  # usage counts
        elif name == "param_changed" and args[1] == "shared":
            self.refresh_actions()

    # ------------------------------------------------------------- group / expand
    def group_block(self) -> None:
        """Ask for a name, then replace the selected layers by an instance of a new block (Ctrl+G)."""
        root = self.window.document
        if root is None:
            return
        if self.editor is not None:
            self._message(f"Group into block: {NOT_HERE}")
            return
        ids = list(root.selection)
        if not ids:
            self._message("Select the layers to group first (rubber band or Ctrl+click)")
            return
        try:
            group_into_block(root.graph, ids, "probe")  # pure: only checks that the selection can be grouped
        except GraphError as exc:
            self._message(f"Cannot group: {exc}")
            return
        first = root.graph.nodes[ids[0]].type.split(".", 1)[-1]
        taken = {b.name for b in root.graph.blocks.values()}
        suggested = unique_name(f"{first}_block", taken)
        self._ask_name(
            "Group into Block",
            f"Group the {len(ids)} selected layers into a reusable block named:",
            suggested,
            taken,
            lambda name: self.group(ids, name),
        )

    def group(self, node_ids: list[str], name: str) -> str:
        """Group ``node_ids`` into a new block called ``name`` and select the instance; "" or why not."""
        root = self.window.document
        before = set(root.graph.blocks)
        error = root.group(node_ids, name)
        if error:
            self._message(f"Cannot group: {error}")
            return error
        block_id = next(iter(set(root.graph.blocks) - before))
        root.select(instances_of(root.graph, block_id))
        self._message(f"Grouped {len(node_ids)} layers into block '{name}' (Ctrl+Shift+G expands it)")
        return ""

    def expand_block(self) -> None:
        """Replace each selected block instance by the block's layers (Ctrl+Shift+G)."""
        root = self.window.document
        instances = self.selected_instances()
        if not instances:
            self._message("Select a block instance to expand")
            return
        new: list[str] = []
        for node_id in instances:
            before = set(root.graph.nodes)
            error = root.expand(node_id)
            if error:
                self._message(f"Cannot expand: {error}")
                return
            new += [n for n in root.graph.nodes if n not in before]
        root.select(new)
        self._message(f"Expanded {len(instances)} block instance(s) into {len(new)} layers")

    # ------------------------------------------------------------- instances
    def add_instance(self, block_id: str, view_pos: QPoint | None = None) -> str:
        """Add an instance of ``block_id`` at ``view_pos`` (the canvas centre) and select it; its id."""
        root = self.window.document
        if root is None or block_id not in root.graph.blocks:
            return ""
        if self.editor is not None:
            self._message(f"Add a block instance: {NOT_HERE}")
            return ""
        view = self.window.canvas.view
        at = view.card_origin(
            view.mapToScene(view.viewport().rect().center() if view_pos is None else view_pos)
        )
        if view_pos is None:  # no place chosen: the nearest free spot below the centre
            at = free_spot(self.window.canvas.scene, at)
        block = root.graph.blocks[block_id]
        graph = root.graph
        node = Node(
            graph.new_id(),
            BLOCK_TYPE,
            graph.new_name(sanitize(block.name, "block")),
            {"block": block_id, "shared": False},
            at,
        )
        root.history.push_all([AddNode(node)], f"add {node.name}")
        root.select([node.id])
        self._message(f"Added {node.name}, an instance of block '{block.name}'")
        return node.id

    def share_block_weights(self, checked: bool = False) -> None:
        """Make the selected instances share one set of weights (checked) or own theirs."""
        root = self.window.document
        instances = self.selected_instances()
        if not instances:
            self._message("Select block instances to share (or separate) their weights")
            return
        nodes = root.graph.nodes
        changes = [
            SetParam(n, "shared", checked) for n in instances if nodes[n].params.get("shared") != checked
        ]
        if changes:
            text = "share block weights" if checked else "separate block weights"
            root.history.push_all(changes, text)
        how = "share one set of weights" if checked else "each have their own weights"
        self._message(f"{len(instances)} block instance(s) {how}")

    # ------------------------------------------------------------- rename / delete
    def rename_block(self) -> None:
        """Ask for a new name for the selected instance's block (every instance follows)."""
        self.ask_rename(self._selected_block())

    def ask_rename(self, block_id: str | None) -> None:
        """Ask for a new name for block ``block_id``."""
        root = self.window.document
        if block_id is None:
            self._message("Select a block instance (or a project block in the palette) to rename")
            return
        block = root.graph.blocks[block_id]
        taken = {b.name for b in root.graph.blocks.values() if b.id != block_id}
        self._ask_name(
            "Rename Block", f"New name for block '{block.name}':", block.name, taken,
            lambda name: self.rename(block_id, name),
        )  # fmt: skip

    def rename(self, block_id: str, name: str) -> str:
        """Rename block ``block_id`` (one undo step); "" or why not."""
        root = self.window.document
        block = root.graph.blocks[block_id]
        if name == block.name:
            return ""
        renamed = BlockDef(block.id, name, block.graph, dict(block.extra))
        return self._push(SetBlock(block_id, renamed, text=f"rename block {block.name} to {name}"))

    def delete_definition(self, block_id: str) -> str:
        """Remove an unused block definition from the project; "" or why not."""
        root = self.window.document
        used = instances_of(root.graph, block_id)
        if used:
            error = f"block '{root.graph.blocks[block_id].name}' is used by {len(used)} instance(s)"
            self._message(f"Cannot delete: {error}")
            return error
        return self._push(SetBlock(block_id, None, text=f"delete block {root.graph.blocks[block_id].name}"))

    def _push(self, command) -> str:
        root = self.window.document
        root.history.seal()
        try:
            root.history.push(command, merge=False)
        except GraphError as exc:
            self._message(str(exc))
            return str(exc)
        root.history.seal()
        return ""

    def _ask_name(self, title: str, prompt: str, name: str, taken: set[str], done: Callable) -> None:
        if self.name_dialog is not None:
            self.name_dialog.close()
        dialog = BlockNameDialog(self.window, title, prompt, name, taken, done)
        dialog.finished.connect(lambda _=0: setattr(self, "name_dialog", None))
        self.name_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------- editing a definition
    @property
    def editor(self) -> BlockDocument | None:
        """The block definition open in the canvas, if any."""
        return self.mode.editor

    def edit_block(self) -> bool:
        """Show the selected instance's block definition in the canvas until Done; False if none."""
        return self.open_block(self._selected_block())

    def open_block(self, block_id: str | None) -> bool:
        """Show the definition of ``block_id`` in the canvas until Done; False if there is none."""
        root = self.window.document
        if root is None or block_id is None or block_id not in root.graph.blocks:
            self._message("Select a block instance to edit its definition")
            return False
        self.mode.open(root, block_id)
        return True

    def finish_editing(self) -> None:
        """Leave the block editor (the Done button)."""
        self.mode.finish()

    # ------------------------------------------------------------- events
    def _on_node_activated(self, node_id: str) -> None:
        """Double-click on a block instance opens its definition."""
        root = self.window.document
        if self.editor is None and root is not None and node_id in root.graph.nodes:
            node = root.graph.nodes[node_id]
            if node.type == BLOCK_TYPE and node.params.get("block") in root.graph.blocks:
                self.open_block(node.params["block"])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Accept project blocks dragged from the palette onto the canvas."""
        kind = event.type()
        if kind in _DRAG_EVENTS or kind == QEvent.Type.Drop:
            data = event.mimeData()
            if data is not None and data.hasFormat(BLOCK_MIME):
                event.acceptProposedAction()
                if kind == QEvent.Type.Drop:
                    block_id = bytes(data.data(BLOCK_MIME).data()).decode("utf-8")
                    self.add_instance(block_id, event.position().toPoint())
                return True
        return super().eventFilter(watched, event)

    def _palette_menu(self, pos: QPoint) -> None:
        tree = self.window.palette_panel.tree
        item = tree.itemAt(pos)
        block_id = item.data(0, BLOCK_ID_ROLE) if item is not None else None
        root = self.window.document
        if not block_id or root is None or block_id not in root.graph.blocks:
            return
        menu = QMenu(tree)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Add Instance", lambda: self.add_instance(block_id))
        menu.addAction("Edit Definition", lambda: self.open_block(block_id))
        menu.addAction("Rename…", lambda: self.ask_rename(block_id))
        delete = menu.addAction("Delete Definition", lambda: self.delete_definition(block_id))
        delete.setEnabled(not instances_of(root.graph, block_id))
        menu.popup(tree.viewport().mapToGlobal(pos))
