"""Shape arithmetic and messages shared by the built-in shape rules.

Pure Python (no torch): these run on every edit for live feedback.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from studio.layers.spec import Shape, ShapeError

_DIM_NAMES = {2: "(N, F)", 3: "(N, C, L)", 4: "(N, C, H, W)", 5: "(N, C, D, H, W)"}


def fmt(shape: Shape) -> str:
    """``(None, 16, 5, 5)`` -> ``"(N, 16, 5, 5)"``."""
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"


def expect_rank(title: str, x: Shape, ranks: int | Sequence[int], port: str = "x", hint: str = "") -> None:
    """Raise a :class:`ShapeError` unless ``len(x)`` is one of ``ranks``."""
    allowed = (ranks,) if isinstance(ranks, int) else tuple(ranks)
    if len(x) in allowed:
        return
    wanted = " or ".join(f"{r}-D {_DIM_NAMES.get(r, '')}".strip() for r in allowed)
    message = f"{title} expects {wanted} input but receives {fmt(x)}"
    if not hint and len(x) > max(allowed) and min(allowed) == 2:
        hint = "insert Flatten"
    raise ShapeError(f"{message}: {hint}" if hint else message, port)


def expect_dim(
    title: str, x: Shape, axis: int, expected: int, what: str, param: str, port: str = "x"
) -> None:
    """Raise unless ``x[axis] == expected`` (e.g. in_channels vs actual channels)."""
    if x[axis] != expected:
        raise ShapeError(
            f"{title}: {param}={expected} but the input has {x[axis]} {what} {fmt(x)}: set {param}={x[axis]}",
            port,
        )


def tup(value: int | Sequence[int], n: int) -> tuple[int, ...]:
    """Expand an int or list param to an ``n``-tuple."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ShapeError(f"expected {n} values, got {len(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def conv_out(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil: bool = False
) -> int:
    """PyTorch's output size: ``floor((N + 2P - D(K-1) - 1)/S) + 1`` (``ceil`` for ceil_mode)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (math.ceil(span / stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + padding:
        out -= 1  # PyTorch drops a last window that would start in the right padding
    return out


def spatial_out(
    title: str,
    spatial: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    ceil: bool = False,
) -> tuple[int, ...]:
    """Output sizes per spatial dim, with an actionable error when one is <= 0."""
    out = []
    for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        eff = d * (k - 1) + 1
        if eff > size + 2 * p:
            extra = f" (dilated to {eff})" if d > 1 else ""
            raise ShapeError(
                f"{title}: kernel {k}{extra} > input {size + 2 * p} after padding: "
                "reduce the kernel or add padding"
            )
        out.append(conv_out(size, k, s, p, d, ceil))
    return tuple(out)


def numel(shape: Shape) -> int:
    """Elements per sample (the batch dimension ignored)."""
    return math.prod(d for d in shape[1:] if d is not None)
