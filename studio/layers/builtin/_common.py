"""Bases and helpers shared by the built-in layer modules (not a layer module itself).

The registry skips modules whose name starts with "_", so nothing here is
registered. Most layers are *one constructor call*: :class:`ModuleLayer`
derives both ``build`` and the exported ``ctor_source`` from a single
:meth:`~ModuleLayer.ctor` description, so the compiled module and the
exported code cannot disagree.
"""

from __future__ import annotations

import importlib
from typing import Any

from studio.layers.spec import LayerSpec, Param, ParamError, ShapeError

_PER_SAMPLE = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def src(value: Any) -> str:
    """Python source of a param value (lists become tuples, as torch stores them)."""
    return repr(tuple(value)) if isinstance(value, (list, tuple)) else repr(value)


def call_source(ctor: str, args: tuple, kwargs: dict) -> str:
    """``"nn.Conv2d(3, 16, kernel_size=3)"`` from a constructor name, args and kwargs."""
    parts = [src(a) for a in args] + [f"{k}={src(v)}" for k, v in kwargs.items()]
    return f"{ctor}({', '.join(parts)})"


def as_torch(value: Any) -> Any:
    """Lists become tuples before reaching a torch constructor."""
    return tuple(value) if isinstance(value, list) else value


def changed(p: dict, defaults: dict) -> dict:
    """The params of ``defaults`` whose value differs from it (keeps exported code short)."""
    return {k: p[k] for k, v in defaults.items() if k in p and p[k] != v}


def params_as_shape_error(spec: LayerSpec, p: dict) -> None:
    """Run ``spec.check_params`` so that shape inference reports cross-param rules too."""
    try:
        spec.check_params(p)
    except ParamError as err:
        raise ShapeError(f"{spec.title}: {err}") from err


def rank_hint(n: int, x: tuple) -> str:
    """What to do when an N-d conv/pool receives the wrong rank."""
    if len(x) < n + 2:
        return f"insert Reshape to a per-sample {_PER_SAMPLE[n]} shape"
    if len(x) - 2 in _PER_SAMPLE:
        return f"use the {len(x) - 2}-D variant of this layer"
    return "insert Reshape or Flatten"


def drop_param(where: str, default: float = 0.0, name: str = "dropout") -> Param:
    """A drop-probability param (``p`` of inverted dropout: active in training only)."""
    return Param(name, "float", default, f"Drop probability (train only) {where}.", min=0.0, max=1.0)


class ModuleLayer(LayerSpec):
    """A layer that is one constructor call of a ``torch.nn`` class or of a runtime class.

    Subclasses implement :meth:`ctor`. A name starting with ``nn.`` is torch's;
    any other names one of :meth:`support_classes`, which by default is
    ``runtime`` from ``studio.layers.runtime.<runtime_module>``.
    """

    runtime_module = ""
    runtime = ""

    def ctor(self, p, inputs) -> tuple[str, tuple, dict]:
        """Constructor name (``"nn.Linear"`` or a runtime class), positional args and kwargs."""
        return self.runtime, (), {}

    def support_classes(self):
        if not self.runtime_module:
            return ()
        module = importlib.import_module(f"studio.layers.runtime.{self.runtime_module}")
        return (getattr(module, self.runtime),)

    def build(self, p, inputs):
        name, args, kwargs = self.ctor(p, inputs)
        if name.startswith("nn."):
            from torch import nn

            cls = getattr(nn, name[3:])
        else:
            cls = next(c for c in self.support_classes() if c.__name__ == name)
        return cls(*map(as_torch, args), **{k: as_torch(v) for k, v in kwargs.items()})

    def ctor_source(self, p, inputs):
        return call_source(*self.ctor(p, inputs))


class Passthrough(ModuleLayer):
    """Output = input, as an ``nn.Identity`` submodule so that hooks reach the node."""

    def shape(self, p, x):
        return tuple(x)

    def ctor(self, p, inputs):
        return "nn.Identity", (), {}
