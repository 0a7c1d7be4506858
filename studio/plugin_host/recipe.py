"""A layer catalog as plain, picklable data, for building the same catalog in another process.

A :class:`~studio.layers.registry.LayerRegistry` holding folder plugins cannot
be pickled: their classes live in the synthetic ``studio_plugins.<id>``
modules this process created. A training run in a child process therefore
receives a :class:`RegistryRecipe` -- built-ins, the plugin sources the
registry recorded, and classes of importable modules by reference -- and
loads the plugins again from where they came from.

Examples
--------
>>> from studio.layers.registry import LayerRegistry
>>> recipe = recipe_of(LayerRegistry.with_builtins())
>>> recipe.build().get("core.Linear") is not None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.layers.registry import LayerRegistry
from studio.plugin_host import loader

_BUILTIN_PACKAGE = "studio.layers.builtin."


class RecipeError(RuntimeError):
    """The catalog cannot be rebuilt elsewhere (a plugin was removed, or a class is not importable)."""


@dataclass(frozen=True)
class RegistryRecipe:
    """How to build a registry equal to another one.

    Attributes
    ----------
    plugins
        Plugin id -> ``("folder", manifest path)`` or ``("entry point", name)``.
    classes
        ``(origin, spec class)`` of the other registered types (pickled by reference).
    """

    plugins: dict[str, tuple[str, str]] = field(default_factory=dict)
    classes: tuple[tuple[str, type], ...] = ()

    def build(self) -> LayerRegistry:
        """The built-ins, the plugins loaded again from their sources, then the other classes.

        Raises
        ------
        RecipeError
            When a plugin cannot be loaded again; the message names it and why.
        """
        registry = LayerRegistry.with_builtins()
        report = loader.load_sources(registry, self.plugins)
        if report.errors:
            raise RecipeError("could not load the layer catalog again: " + "; ".join(map(str, report.errors)))
        for origin, cls in self.classes:
            if registry.get(cls.type_id) is None:
                registry.register(cls, origin=origin)
        return registry


def recipe_of(registry: LayerRegistry) -> RegistryRecipe:
    """The recipe of ``registry``.

    Raises
    ------
    RecipeError
        For a plugin type registered without a recorded source (its code
        exists only in this process).
    """
    classes = []
    for spec in registry.all():
        cls = type(spec)
        if spec.origin in registry.sources or cls.__module__.startswith(_BUILTIN_PACKAGE):
            continue
        if cls.__module__.startswith(loader.PACKAGE + "."):
            raise RecipeError(
                f"layer type '{spec.type_id}' comes from plugin '{spec.origin}', which was not loaded "
                "from a folder or an entry point; it cannot be loaded in the training process"
            )
        classes.append((spec.origin, cls))
    return RegistryRecipe(dict(registry.sources), tuple(classes))
