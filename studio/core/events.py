"""A tiny observer: a signal that calls its subscribers after a mutation.

Bound methods are held through weak references so that a view that forgot to
disconnect does not keep itself (and its dead Qt objects) alive.
"""

from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from typing import Any


class Signal:
    """A list of callbacks called in connection order by :meth:`emit`."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._slots: list[Any] = []

    def connect(self, slot: Callable[..., Any]) -> Callable[..., Any]:
        """Subscribe ``slot``; bound methods are referenced weakly."""
        # Only Python bound methods can be weakly referenced this way; builtins
        # (e.g. a Qt signal's emit) and plain functions are held strongly.
        ref = weakref.WeakMethod(slot) if isinstance(slot, types.MethodType) else slot
        self._slots.append(ref)
        return slot

    def disconnect(self, slot: Callable[..., Any]) -> None:
        """Unsubscribe ``slot`` (no error if it was not connected)."""
        self._slots = [s for s in self._slots if self._resolve(s) not in (slot, None)]

    def emit(self, *args: Any) -> None:
        """Call every live subscriber with ``args``."""
        dead = False
        for ref in list(self._slots):
            slot = self._resolve(ref)
            if slot is None:
                dead = True
                continue
            slot(*args)
        if dead:
            self._slots = [s for s in self._slots if self._resolve(s) is not None]

    def __len__(self) -> int:
        return sum(1 for s in self._slots if self._resolve(s) is not None)

    @staticmethod
    def _resolve(ref: Any) -> Callable[..., Any] | None:
        return ref() if isinstance(ref, weakref.WeakMethod) else ref


class GraphEvents:
    """The events a :class:`~studio.core.graph.GraphModel` emits, declared once.

    Each is emitted exactly once, after the mutation it reports.
    """

    NAMES = (
        "node_added",  # (node)
        "node_removed",  # (node)
        "edge_added",  # (edge)
        "edge_removed",  # (edge)
        "param_changed",  # (node_id, key, old, new)
        "node_moved",  # (node_id, old_pos, new_pos)
        "renamed",  # (node_id, old_name, new_name)
        "block_changed",  # (block_id)
    )

    def __init__(self) -> None:
        for name in self.NAMES:
            setattr(self, name, Signal(name))
        self.changed = Signal("changed")  # (event_name, *args): any of the above

    def emit(self, name: str, *args: Any) -> None:
        """Emit ``name`` and then the catch-all :attr:`changed`."""
        getattr(self, name).emit(*args)
        self.changed.emit(name, *args)
