"""A pure undo stack over :mod:`studio.core.commands` (Qt adapts it in ``studio.ui``)."""

from __future__ import annotations

from studio.core.commands import Command, Macro
from studio.core.events import Signal
from studio.core.graph import GraphModel


class History:
    """Undo/redo for one graph, with a clean (saved) marker and edit merging.

    ``push`` applies a command and records it. A command that merges into the
    previous one (a param drag, a node drag) extends that undo step until
    :meth:`seal` is called (mouse release, editing finished) or another kind
    of edit comes in.
    """

    def __init__(self, graph: GraphModel, limit: int = 1000) -> None:
        self.graph = graph
        self.limit = limit
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean: int | None = 0
        self._sealed = True
        self.changed = Signal("history_changed")  # () after every push/undo/redo

    # ------------------------------------------------------------------ state
    @property
    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        """Whether there is a step to redo."""
        return bool(self._undone)

    @property
    def index(self) -> int:
        """Number of steps currently applied."""
        return len(self._done)

    def is_clean(self) -> bool:
        """True when the graph is as it was at the last :meth:`set_clean`."""
        return self._clean == len(self._done)

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean = len(self._done)
        self.changed.emit()

    def texts(self) -> list[str]:
        """Descriptions of the applied steps, oldest first (for a history view)."""
        return [c.text for c in self._done]

    def undo_text(self) -> str:
        """What Undo would revert."""
        return self._done[-1].text if self._done else ""

    def redo_text(self) -> str:
        """What Redo would re-apply."""
        return self._undone[-1].text if self._undone else ""

    # -------------------------------------------------------------- mutation
    def push(self, command: Command, merge: bool = True) -> Command:
        """Apply ``command`` and record it; raises whatever ``do`` raises, recording nothing."""
        command.do(self.graph)
        self._undone.clear()
        top = self._done[-1] if self._done else None
        if merge and not self._sealed and top is not None and top.merge(command):
            if self._clean == len(self._done):
                self._clean = None  # the merged step differs from what was saved
        else:
            if self._clean is not None and self._clean > len(self._done):
                self._clean = None  # the saved state was undone and is now unreachable
            self._done.append(command)
            if len(self._done) > self.limit:
                self._done.pop(0)
                self._clean = None if self._clean in (None, 0) else self._clean - 1
        self._sealed = False
        self.changed.emit()
        return command

    def push_all(self, commands: list[Command], text: str) -> Command:
        """Apply several commands as one undo step."""
        self.seal()
        macro = self.push(Macro(list(commands), text), merge=False)
        self.seal()
        return macro

    def seal(self) -> None:
        """End the current merge run: the next push starts a new undo step."""
        self._sealed = True

    def undo(self) -> bool:
        """Revert the last step; False if there is none."""
        if not self._done:
            return False
        command = self._done.pop()
        command.undo(self.graph)
        self._undone.append(command)
        self._sealed = True
        self.changed.emit()
        return True

    def redo(self) -> bool:
        """Re-apply the last undone step; False if there is none."""
        if not self._undone:
            return False
        command = self._undone.pop()
        command.do(self.graph)
        self._done.append(command)
        self._sealed = True
        self.changed.emit()
        return True

    def clear(self) -> None:
        """Forget all steps (e.g. after loading a file)."""
        self._done.clear()
        self._undone.clear()
        self._clean = 0
        self._sealed = True
        self.changed.emit()
