"""Node names: sanitising, reserved names (checked against the installed torch)."""

from __future__ import annotations

import pytest

from studio.core.names import RESERVED, NameError_, check_name, sanitize, unique_name


def test_reserved_list_covers_nn_module_attributes() -> None:
    torch = pytest.importorskip("torch")
    public = {a for a in dir(torch.nn.Module()) if not a.startswith("_")}
    assert public <= RESERVED, f"missing: {sorted(public - RESERVED)}"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Conv 2D #1", "conv_2d_1"),
        ("forward", "forward_"),
        ("3x3", "node_3x3"),
        ("class", "class_"),
        ("", "node"),
    ],
)
def test_sanitize(text: str, name: str) -> None:
    assert sanitize(text) == name
    check_name(name)


def test_unique_name_numbering() -> None:
    assert unique_name("conv2d", set(), always_number=True) == "conv2d_1"
    assert unique_name("conv2d", {"conv2d_1", "conv2d_2"}, always_number=True) == "conv2d_3"
    assert unique_name("head", set()) == "head"
    assert unique_name("head", {"head"}) == "head_1"


@pytest.mark.parametrize("bad", ["eval", "training", "_private", "a-b", "1a"])
def test_check_name_refuses(bad: str) -> None:
    with pytest.raises(NameError_):
        check_name(bad)
