"""Block instances and the input/output ports inside a block definition.

A block's shapes, parameters and module depend on its definition, which
lives in the graph (:mod:`studio.core.blocks`), not in the params. The
compiler therefore binds a ``core.block`` node to its definition
(:mod:`studio.compiler.blocks`) before inferring or building it; these specs
declare what the palette, the inspector and the file validation need.
"""

from __future__ import annotations

from studio.core.blocks import BLOCK_INPUT, BLOCK_OUTPUT, BLOCK_TYPE
from studio.layers.builtin._common import Passthrough
from studio.layers.registry import register_layer
from studio.layers.spec import LayerSpec, Param, Port, ShapeError


@register_layer
class BlockInstance(LayerSpec):
    """One use of a block defined in this project."""

    type_id = BLOCK_TYPE
    title = "Block"
    category = "Blocks"
    description = "An instance of a reusable block defined in this project"
    icon = "block"
    requires_graph = True
    params = (
        Param("block", "str", "", "Id of the block definition this node instantiates."),
        Param(
            "shared",
            "bool",
            False,
            "Share weights with the other shared instances of this block (Siamese networks); "
            "otherwise this instance has its own weights.",
        ),
    )
    inputs = ()
    outputs = ()

    def infer(self, p, inputs):
        raise ShapeError(f"block '{p['block']}' is not defined in this project")


@register_layer
class BlockInput(Passthrough):
    """An input port of a block definition; its shape comes from the instance."""

    type_id = BLOCK_INPUT
    title = "Block Input"
    category = "Blocks"
    description = "An input of the block being defined (named after this node)"
    icon = "input"
    is_input = True
    inputs = ()

    def infer(self, p, inputs):
        raise ShapeError("a block input gets its shape from the block's instances")


@register_layer
class BlockOutput(Passthrough):
    """An output port of a block definition."""

    type_id = BLOCK_OUTPUT
    title = "Block Output"
    category = "Blocks"
    description = "An output of the block being defined (named after this node)"
    icon = "output"
    is_output = True
    inputs = (Port("x"),)

    def example_inputs(self, p):
        return [{"x": (2, 3)}]
