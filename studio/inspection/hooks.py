"""Finding a node's module and capturing what flows through it.

Hooks are always removed in ``finally``, so an exception in the model (a wrong
input shape) never leaves a hook behind that would slow down or change later
forwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import torch
from torch import nn

Target = str | nn.Module


class InspectionError(ValueError):
    """A request that cannot be answered (unknown node, no spatial layer ...); the message says why."""


class Cancelled(Exception):  # noqa: N818 - named for what happened, like concurrent.futures' CancelledError
    """A long computation noticed its cancel flag between two chunks and stopped; nothing to show."""


def check_cancel(cancel: Any) -> None:
    """Raise :class:`Cancelled` when ``cancel`` (any object with truth, e.g. the GUI's job flag) is set."""
    if cancel:
        raise Cancelled


def resolve_module(model: nn.Module, target: Target) -> nn.Module:
    """The submodule ``target`` names: a node name, a dotted path, or the module itself.

    Raises
    ------
    InspectionError
        If ``model`` has no such submodule (the message lists a few that exist).
    """
    if isinstance(target, nn.Module):
        if not any(m is target for m in model.modules()):
            raise InspectionError(f"{type(target).__name__} is not part of this model")
        return target
    try:
        return model.get_submodule(target)
    except AttributeError:
        names = [name for name, _ in model.named_children()]
        hint = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
        raise InspectionError(f"the model has no node or module {target!r} (it has: {hint})") from None


def module_name(model: nn.Module, module: nn.Module) -> str:
    """The dotted path of ``module`` inside ``model`` (``""`` for the model itself)."""
    for name, candidate in model.named_modules():
        if candidate is module:
            return name
    raise InspectionError(f"{type(module).__name__} is not part of this model")


def first_tensor(value: Any) -> torch.Tensor | None:
    """The first tensor in a module's output (a tensor, or a tuple such as an RNN's ``(out, h)``)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = first_tensor(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = first_tensor(item)
            if found is not None:
                return found
    return None


@contextlib.contextmanager
def recording(
    model: nn.Module, targets: Iterable[Target], detach: bool = True
) -> Iterator[dict[str, torch.Tensor]]:
    """Record the (first tensor) output of each target during the forwards run inside the block.

    Yields a dict, filled as forwards run, keyed by the target's name (its
    dotted path when a module was given). ``detach=False`` keeps the graph so
    gradients can be taken with respect to the recorded tensors.
    """
    records: dict[str, torch.Tensor] = {}
    handles = []
    try:
        for target in targets:
            module = resolve_module(model, target)
            key = target if isinstance(target, str) else module_name(model, module)

            def hook(_module: nn.Module, _inputs: Any, output: Any, key: str = key) -> None:
                tensor = first_tensor(output)
                if tensor is not None:
                    records[key] = tensor.detach() if detach else tensor

            handles.append(module.register_forward_hook(hook))
        yield records
    finally:
        for handle in handles:
            handle.remove()


def capture_activations(
    model: nn.Module, x: Any, node_names: Iterable[Target]
) -> dict[str, torch.Tensor]:
    """Run ``model(x)`` without gradients and return the outputs of ``node_names`` (detached).

    ``x`` is a tensor or a tuple of tensors (several graph inputs). The model's
    training/eval mode is left as it was; call ``model.eval()`` first for
    inference behaviour (dropout off, batch-norm running statistics).
    """
    names = list(node_names)
    with torch.no_grad(), recording(model, names) as records:
        model(*x) if isinstance(x, tuple) else model(x)
    missing = [str(n) for n in names if isinstance(n, str) and n not in records]
    if missing:
        raise InspectionError(f"no tensor output recorded for {', '.join(missing)}")
    return records
