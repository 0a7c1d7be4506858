"""A block definition opened for editing, seen by the canvas as an ordinary document.

The canvas, the inspector and the clipboard talk to a
:class:`~studio.ui.document.Document`; :class:`BlockDocument` is one whose
graph is the definition's graph and whose history wraps every command in
:class:`~studio.ui.blocks.commands.InBlock` before pushing it on the
project's history. So the block editor reuses every canvas gesture, each
edit is one step of the project's undo history, and every instance of the
block re-infers as soon as the edit lands.

Shapes inside the block come from the first instance whose inputs are wired:
the editor shows what the block computes where it is used.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

from studio.compiler.blocks import infer_inner
from studio.compiler.infer import GraphReport
from studio.core.blocks import BlockDef, instances_of
from studio.core.commands import Command, Macro
from studio.core.graph import GraphModel
from studio.core.history import History
from studio.ui.blocks.commands import InBlock
from studio.ui.document import Document

NOT_HERE = "finish editing the block first (Done in the bar above the canvas)"


class BlockHistory:
    """The project's :class:`~studio.core.history.History`, seen from inside one block.

    ``push``/``push_all`` wrap the command in :class:`InBlock`; everything else
    (undo, redo, seal, texts...) is the project's history itself.
    """

    def __init__(self, history: History, block_id: str) -> None:
        self._history = history
        self.block_id = block_id

    def _wrap(self, command: Command) -> InBlock:
        block = self._history.graph.blocks.get(self.block_id)
        return InBlock(self.block_id, command, block.name if block is not None else "")

    def push(self, command: Command, merge: bool = True) -> Command:
        """Apply ``command`` inside the block as a step of the project's history."""
        return self._history.push(self._wrap(command), merge=merge)

    def push_all(self, commands: list[Command], text: str) -> Command:
        """Apply several commands inside the block as one step."""
        self._history.seal()
        step = self._history.push(self._wrap(Macro(list(commands), text)), merge=False)
        self._history.seal()
        return step

    def __getattr__(self, name: str) -> Any:
        return getattr(self._history, name)


class BlockDocument(Document):
    """The definition of block ``block_id`` of ``root``, editable through the Document API.

    Parameters
    ----------
    root
        The open project's document (it stays the owner of the history and the file).
    block_id
        The block to edit; it must be defined in ``root``'s graph.
    """

    def __init__(self, root: Document, block_id: str, parent: QObject | None = None) -> None:
        # Not Document.__init__: that would copy the project; this edits the live definition.
        QObject.__init__(self, parent)
        self.root, self.block_id = root, block_id
        self.registry, self.path = root.registry, root.path
        self.block: BlockDef = root.graph.blocks[block_id]
        self.history = BlockHistory(root.history, block_id)  # type: ignore[assignment]
        self.selection: list[str] = []
        self._report: GraphReport | None = None
        self._report_timer = QTimer(self)
        self._report_timer.setSingleShot(True)
        self._report_timer.setInterval(0)
        self._report_timer.timeout.connect(self._publish_report)
        self.block.graph.events.changed.connect(self._on_model_event)
        root.history_changed.connect(self.history_changed)
        root.report_changed.connect(self._on_root_report)

    @property
    def graph(self) -> GraphModel:  # type: ignore[override]
        """The definition's graph (read it freely; change it only through this document)."""
        return self.block.graph

    @property
    def report(self) -> GraphReport:
        """Inference of the block's graph with the input shapes of its first wired instance."""
        if self._report is None:
            self._report = infer_inner(
                self.block, self.instance_inputs(), self.root.graph.blocks, self.registry
            )
        return self._report

    def instance_inputs(self) -> dict[str, tuple]:
        """Input shapes by port name, from the instance with the most wired inputs."""
        names = set(self.block.input_names())
        nodes = self.root.report.nodes
        best: dict[str, tuple] = {}
        for node_id in instances_of(self.root.graph, self.block_id):
            result = nodes.get(node_id)
            shapes = {k: v for k, v in (result.input_shapes if result else {}).items() if k in names}
            if len(shapes) > len(best):
                best = shapes
        return best

    def is_dirty(self) -> bool:
        """The project's dirty state (the block is part of it)."""
        return self.root.is_dirty()

    def close(self) -> None:
        """Stop following the definition and the project."""
        self._report_timer.stop()
        self.block.graph.events.changed.disconnect(self._on_model_event)
        self.root.history_changed.disconnect(self.history_changed)
        self.root.report_changed.disconnect(self._on_root_report)

    def _on_root_report(self, *_: object) -> None:
        # The instances' input shapes may have changed: re-infer the inside.
        self._report = None
        self._report_timer.start()

    def group(self, node_ids: list[str], name: str) -> str:
        """Blocks are grouped in the project's graph, not inside another block."""
        return NOT_HERE

    def expand(self, node_id: str) -> str:
        """Instances are expanded in the project's graph."""
        return NOT_HERE
