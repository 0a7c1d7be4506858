"""The public plugin surface: everything a layer plugin may import.

Examples
--------
>>> from studio.layers.api import LayerSpec, Param, Port, register_layer, ShapeError
"""

from studio.layers.registry import LayerRegistry, register_layer
from studio.layers.spec import LayerSpec, Param, ParamError, Port, ShapeError

STUDIO_API = 1

__all__ = [
    "STUDIO_API",
    "LayerRegistry",
    "LayerSpec",
    "Param",
    "ParamError",
    "Port",
    "ShapeError",
    "register_layer",
]
