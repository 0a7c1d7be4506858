"""How a layer type is declared: params, ports, shape rule, builder, code.

A :class:`LayerSpec` subclass is the *one* declaration of a layer type. The
palette reads its title/category/description, the inspector its params, shape
inference its :meth:`~LayerSpec.infer`, the compiler its :meth:`~LayerSpec.build`
and the code export its :meth:`~LayerSpec.ctor_source`. torch is imported only
inside ``build`` (and by the runtime modules it instantiates), so the catalog
loads without torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

Shape = tuple  # (None, C, H, W): batch first and symbolic (None)
Params = dict[str, Any]


class ShapeError(ValueError):
    """A shape rule refused its input; the message says what to change.

    Parameters
    ----------
    message
        Actionable text, e.g. "Linear expects 2-D input (N, F) but receives
        (N, 16, 5, 5): insert Flatten".
    port
        The input port at fault ("" when the node as a whole is at fault).
    """

    def __init__(self, message: str, port: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.port = port


class ParamError(ValueError):
    """A param value outside its kind, limits or choices."""


PARAM_KINDS = ("int", "float", "bool", "choice", "str", "ints", "size")


@dataclass(frozen=True)
class Param:
    """One constructor argument of a layer, described as data.

    ``kind`` describes the value, never the widget:

    - ``int``, ``float``, ``bool``, ``str``;
    - ``choice``: one of ``choices``;
    - ``ints``: a list of ints (``Reshape``'s shape, ``Permute``'s dims);
    - ``size``: an int or a list of ``length`` ints (kernel sizes, strides),
      or one of ``choices`` when given (``padding="same"``).

    ``optional`` allows ``None`` (e.g. ``num_classes`` inferred from data).
    """

    name: str
    kind: str
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] = ()
    length: int | None = None
    optional: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"param '{self.name}': unknown kind '{self.kind}'")

    def validate(self, value: Any) -> Any:
        """Return ``value`` normalised to this param's kind, or raise :class:`ParamError`."""
        if value is None:
            if self.optional:
                return None
            raise ParamError(f"'{self.name}' needs a value")
        check = getattr(self, f"_check_{self.kind}")
        return check(value)

    # One checker per kind keeps each rule short and the messages specific.
    def _limits(self, value: float) -> None:
        if self.min is not None and value < self.min:
            raise ParamError(f"'{self.name}' must be >= {_fmt(self.min)} (got {_fmt(value)})")
        if self.max is not None and value > self.max:
            raise ParamError(f"'{self.name}' must be <= {_fmt(self.max)} (got {_fmt(value)})")

    def _check_int(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ParamError(f"'{self.name}' must be an integer (got {value!r})")
        self._limits(int(value))
        return int(value)

    def _check_float(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParamError(f"'{self.name}' must be a finite number (got {value!r})")
        self._limits(float(value))
        return float(value)

    def _check_bool(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(f"'{self.name}' must be true or false (got {value!r})")
        return value

    def _check_str(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ParamError(f"'{self.name}' must be text (got {value!r})")
        return value

    def _check_choice(self, value: Any) -> Any:
        if value not in self.choices:
            options = ", ".join(repr(c) for c in self.choices)
            raise ParamError(f"'{self.name}' must be one of {options} (got {value!r})")
        return value

    def _check_ints(self, value: Any) -> list[int]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ParamError(f"'{self.name}' must be a non-empty list of integers (got {value!r})")
        if self.length is not None and len(value) != self.length:
            raise ParamError(f"'{self.name}' needs {self.length} values (got {len(value)})")
        return [self._check_int(v) for v in value]

    def _check_size(self, value: Any) -> Any:
        if isinstance(value, str):
            if value in self.choices:
                return value
            allowed = " or ".join(repr(c) for c in self.choices) or "no text values"
            raise ParamError(f"'{self.name}' must be an integer, a list of integers or {allowed}")
        if isinstance(value, (list, tuple)):
            values = self._check_ints(value)
            return values[0] if len(set(values)) == 1 and self.length else values
        return self._check_int(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


@dataclass(frozen=True)
class Port:
    """A typed input or output of a layer.

    ``rank`` is the accepted number of dimensions *including* the batch
    dimension (an int, a tuple of allowed ranks, or None for any). ``dtype`` is
    ``"float"`` or ``"long"`` (token ids). ``optional`` inputs may stay unwired.
    """

    name: str
    rank: int | tuple[int, ...] | None = None
    dtype: str = "float"
    optional: bool = False
    label: str = ""

    def ranks(self) -> tuple[int, ...] | None:
        """Accepted ranks as a tuple, or None for any."""
        if self.rank is None:
            return None
        return (self.rank,) if isinstance(self.rank, int) else tuple(self.rank)


@dataclass
class LayerSpec:
    """Base class of every layer declaration; subclass and fill in.

    Class attributes describe the type; methods receive ``p`` (the node's
    params, validated and with defaults filled in) and ``inputs`` (input port
    name -> shape, batch dimension ``None``).
    """

    type_id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    category: ClassVar[str] = "Other"
    description: ClassVar[str] = ""
    icon: ClassVar[str] = ""
    replaces: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    inputs: ClassVar[tuple[Port, ...]] = (Port("x"),)
    outputs: ClassVar[tuple[Port, ...]] = (Port("y"),)
    is_input: ClassVar[bool] = False
    is_output: ClassVar[bool] = False
    # True for types whose ports and shapes depend on the project (block
    # instances): the compiler binds them before use.
    requires_graph: ClassVar[bool] = False
    origin: str = field(default="builtin")  # plugin id for plugin layers

    # ------------------------------------------------------------ ports
    def input_ports(self, p: Params) -> tuple[Port, ...]:
        """Input ports for these params (variadic merges override this)."""
        return self.inputs

    def output_ports(self, p: Params) -> tuple[Port, ...]:
        """Output ports for these params (Split overrides this)."""
        return self.outputs

    # ------------------------------------------------------------ params
    def defaults(self) -> Params:
        """Default value of every param."""
        return {prm.name: prm.default for prm in self.params}

    def resolve_params(self, given: Params) -> Params:
        """Defaults overlaid with ``given``, each validated; raises ParamError."""
        known = {prm.name: prm for prm in self.params}
        unknown = set(given) - set(known)
        if unknown:
            raise ParamError(f"{self.title} has no parameter {', '.join(sorted(map(repr, unknown)))}")
        values = self.defaults()
        values.update(given)
        return {k: known[k].validate(v) for k, v in values.items()}

    def check_params(self, p: Params) -> None:
        """Cross-param rules (e.g. embed_dim divisible by num_heads); raise ParamError."""

    # ------------------------------------------------------------ shapes
    def infer(self, p: Params, inputs: dict[str, Shape]) -> dict[str, Shape]:
        """Output port -> shape. Default: single-port layers use :meth:`shape`."""
        out = self.output_ports(p)[0].name
        return {out: self.shape(p, inputs[self.input_ports(p)[0].name])}

    def shape(self, p: Params, x: Shape) -> Shape:
        """Single input, single output shape rule; raise :class:`ShapeError`."""
        raise NotImplementedError(f"{type(self).__name__} must implement shape() or infer()")

    def param_count(self, p: Params, inputs: dict[str, Shape]) -> int:
        """Trainable parameters (no buffers), by arithmetic."""
        return 0

    def macs(self, p: Params, inputs: dict[str, Shape], outputs: dict[str, Shape]) -> int:
        """Multiply-accumulates of one sample's forward pass (0 for cheap ops)."""
        return 0

    # ------------------------------------------------------------ torch
    def build(self, p: Params, inputs: dict[str, Shape]) -> Any:
        """Return a fresh ``nn.Module`` (import torch inside)."""
        raise NotImplementedError

    def ctor_source(self, p: Params, inputs: dict[str, Shape]) -> str:
        """Python expression constructing the module in exported code.

        The export's namespace has ``torch``, ``nn``, ``F``, ``math`` and the
        classes named in :attr:`support_classes`.
        """
        raise NotImplementedError

    def support_classes(self) -> tuple[type, ...]:
        """Runtime ``nn.Module`` classes that :meth:`ctor_source` names and torch lacks.

        The code export copies their source into the exported file (so it needs
        only torch); import them lazily here.
        """
        return ()

    def example_inputs(self, p: Params) -> list[dict[str, Shape]]:
        """Concrete input shapes (batch included) the every-layer test tries."""
        return []
