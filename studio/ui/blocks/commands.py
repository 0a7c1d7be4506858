"""An edit inside a block definition, recorded on the project's own undo history.

Editing a block's definition must be one history with the rest of the
project: Ctrl+Z in the block editor undoes the last inner edit, and saving
while the editor is open saves the edited definition. :class:`InBlock` wraps
any ordinary command, applies it to the definition's graph and then tells the
root graph that the block changed, so every instance re-infers its shapes.

Renaming or deleting a Block Input/Output node renames or removes a port of
every instance; the wires on those ports follow (renamed ports keep their
wires, removed ports lose them) inside the same undo step, so the project
never holds a wire to a port that no longer exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.blocks import BLOCK_INPUT, BLOCK_OUTPUT, BlockDef, instances_of
from studio.core.commands import Command, Connect, Disconnect
from studio.core.graph import Edge, GraphError, GraphModel


def _ports(block: BlockDef) -> dict[str, tuple[bool, str]]:
    """Boundary node id -> (is output, port name)."""
    return {
        n.id: (n.type == BLOCK_OUTPUT, n.name)
        for n in block.graph.nodes.values()
        if n.type in (BLOCK_INPUT, BLOCK_OUTPUT)
    }


def _follow_ports(
    graph: GraphModel, block_id: str, before: dict[str, tuple[bool, str]], after: dict[str, tuple[bool, str]]
) -> list[Command]:
    """Commands moving the instances' wires from old port names to new ones (or dropping them)."""
    if before == after:
        return []
    renamed: dict[tuple[bool, str], str | None] = {}
    for node_id, (is_output, name) in before.items():
        now = after.get(node_id)
        if now != (is_output, name):
            renamed[(is_output, name)] = now[1] if now is not None else None
    commands: list[Command] = []
    for instance in instances_of(graph, block_id):
        for edge in graph.iter_edges_of(instance):
            is_output = edge.src[0] == instance
            port = edge.src[1] if is_output else edge.dst[1]
            if (is_output, port) not in renamed:
                continue
            commands.append(Disconnect(edge))
            new = renamed[(is_output, port)]
            if new is not None:
                src, dst = ((instance, new), edge.dst) if is_output else (edge.src, (instance, new))
                commands.append(Connect(Edge(src, dst)))
    # Disconnect everything first: a renamed port may take the name another one just freed.
    return sorted(commands, key=lambda c: isinstance(c, Connect))


@dataclass
class InBlock(Command):
    """Apply ``command`` to the graph of block ``block_id`` (an undoable step of the root graph).

    ``label`` names the block in the history ("set out_channels in conv_stage").
    """

    block_id: str
    command: Command
    label: str = ""
    _outer: list[Command] = field(default_factory=list)

    @property
    def text(self) -> str:  # type: ignore[override]
        """The wrapped command's text, marked as an edit inside a block."""
        return f"{self.command.text} in {self.label or self.block_id}"

    def _block(self, graph: GraphModel) -> BlockDef:
        block = graph.blocks.get(self.block_id)
        if block is None:
            raise GraphError(f"block '{self.block_id}' is not defined in this project")
        return block

    def do(self, graph: GraphModel) -> None:
        """Apply the command to the block, then move the instances' wires of renamed ports."""
        block = self._block(graph)
        before = _ports(block)
        self.command.do(block.graph)
        graph.set_block(self.block_id, block)  # same object: only the event, so instances re-infer
        self._outer = _follow_ports(graph, self.block_id, before, _ports(block))
        done: list[Command] = []
        try:
            for command in self._outer:
                command.do(graph)
                done.append(command)
        except GraphError:
            for command in reversed(done):
                command.undo(graph)
            self.command.undo(block.graph)
            graph.set_block(self.block_id, block)
            raise

    def undo(self, graph: GraphModel) -> None:
        """Revert the command, then put the instances' wires back."""
        # Inner first: the old port names must exist again before their wires come back.
        block = self._block(graph)
        self.command.undo(block.graph)
        graph.set_block(self.block_id, block)
        for command in reversed(self._outer):
            command.undo(graph)

    def merge(self, other: Command) -> bool:
        """Merge like the wrapped command (a param dragged inside the block) when no wire moved."""
        return (
            isinstance(other, InBlock)
            and other.block_id == self.block_id
            and not self._outer
            and not other._outer
            and self.command.merge(other.command)
        )
