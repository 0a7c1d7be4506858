"""Blocks in the editor: actions, the block definition editor and its undoable in-block edits."""

from studio.ui.blocks.block_document import BlockDocument
from studio.ui.blocks.commands import InBlock
from studio.ui.blocks.controller import BlockController

__all__ = ["BlockController", "BlockDocument", "InBlock"]
