"""Node names: unique Python identifiers usable as ``nn.Module`` attributes."""

from __future__ import annotations

import keyword
import re

# Attributes and methods of ``torch.nn.Module``: a submodule with one of these
# names would shadow them. Kept as data so that ``studio.core`` needs no torch;
# ``tests/core/test_names.py`` checks the list against the installed torch.
RESERVED = frozenset(
    """T_destination add_module apply bfloat16 buffers call_super_init children
    compile cpu cuda double dump_patches eval extra_repr float forward
    get_buffer get_extra_state get_parameter get_submodule half ipu
    load_state_dict modules mtia named_buffers named_children named_modules
    named_parameters parameters register_backward_hook register_buffer
    register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter
    register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory smart_apply state_dict to to_empty
    train training type xpu zero_grad""".split()
    # Not an attribute, but the first parameter of every generated method.
) | {"self"}

_INVALID = re.compile(r"[^0-9a-zA-Z_]+")


class NameError_(ValueError):
    """A node name that cannot be used, with the reason."""


def check_name(name: str) -> None:
    """Raise :class:`NameError_` if ``name`` cannot name a submodule."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise NameError_(f"'{name}' is not a valid Python identifier")
    if name.startswith("_"):
        raise NameError_(f"'{name}' starts with an underscore (reserved for internals)")
    if name in RESERVED:
        raise NameError_(f"'{name}' is an attribute of nn.Module and cannot name a layer")


def sanitize(text: str, fallback: str = "node") -> str:
    """Turn arbitrary user text into a valid, unreserved identifier.

    Examples
    --------
    >>> sanitize("Conv 2D #1")
    'conv_2d_1'
    >>> sanitize("forward")
    'forward_'
    """
    name = _INVALID.sub("_", text.strip()).strip("_").lower() or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in RESERVED:
        name += "_"
    return name


def unique_name(base: str, taken: set[str] | frozenset[str], always_number: bool = False) -> str:
    """Return a sanitized ``base`` not in ``taken``, numbering it if needed.

    With ``always_number`` the result is always ``stem_N`` (the editor's
    ``conv2d_1``, ``conv2d_2`` ...); otherwise ``base`` is kept when it is free.
    """
    base = sanitize(base)
    if not always_number and base not in taken:
        return base
    stem = re.sub(r"_\d+$", "", base) if base in taken else base
    n = 1
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"
