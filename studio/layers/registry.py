"""The catalog of layer types: a plain object, one per application or test."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from studio.layers.spec import LayerSpec

# Palette order of the built-in modules; any other module in
# studio/layers/builtin is loaded after these, alphabetically.
BUILTIN_ORDER = (
    "io",
    "dense",
    "conv",
    "pooling",
    "reshape",
    "norm",
    "activation",
    "recurrent",
    "attention",
    "merge",
    "graph",
    "generative",
    "blocks",
)


def builtin_modules() -> list[str]:
    """Dotted names of the built-in layer modules, in palette order."""
    import studio.layers.builtin as package

    found = {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}
    ordered = [n for n in BUILTIN_ORDER if n in found] + sorted(found - set(BUILTIN_ORDER))
    return [f"studio.layers.builtin.{n}" for n in ordered]


class RegistryError(ValueError):
    """A layer declaration that cannot be registered (duplicate id, bad namespace)."""


def register_layer(cls: type[LayerSpec]) -> type[LayerSpec]:
    """Mark a :class:`LayerSpec` subclass for registration when its module loads."""
    cls._studio_layer = True  # type: ignore[attr-defined]
    return cls


def marked_specs(module: ModuleType) -> list[type[LayerSpec]]:
    """The classes of ``module`` decorated with :func:`register_layer`, in order."""
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, LayerSpec)
        and obj.__dict__.get("_studio_layer")
        and obj.__module__ == module.__name__
    ]


class LayerRegistry:
    """Layer types by ``type_id``, with legacy ids resolved through ``replaces``."""

    def __init__(self) -> None:
        self._specs: dict[str, LayerSpec] = {}
        self._aliases: dict[str, str] = {}
        # Where each plugin origin was loaded from (set by the plugin host), so that another
        # process -- a training run -- can load the same catalog: ("folder", manifest path) or
        # ("entry point", name).
        self.sources: dict[str, tuple[str, str]] = {}

    @classmethod
    def with_builtins(cls) -> LayerRegistry:
        """A registry holding every built-in layer type."""
        registry = cls()
        for name in builtin_modules():
            registry.register_module(importlib.import_module(name), origin="builtin")
        return registry

    def register(self, spec_cls: type[LayerSpec], origin: str = "builtin") -> LayerSpec:
        """Instantiate and add one spec; duplicates are errors, never overrides."""
        type_id = spec_cls.type_id
        namespace = type_id.split(".", 1)[0] if "." in type_id else ""
        if origin == "builtin" and namespace != "core":
            raise RegistryError(f"built-in type '{type_id}' must be in the 'core.' namespace")
        if origin != "builtin" and namespace != origin:
            raise RegistryError(f"plugin '{origin}' may only declare '{origin}.*' types, not '{type_id}'")
        if type_id in self._specs or type_id in self._aliases:
            raise RegistryError(f"layer type '{type_id}' is already registered")
        spec = spec_cls(origin=origin)
        self._specs[type_id] = spec
        for old in spec_cls.replaces:
            self._aliases.setdefault(old, type_id)
        return spec

    def register_module(self, module: ModuleType, origin: str = "builtin") -> list[LayerSpec]:
        """Register every marked spec of ``module``."""
        return [self.register(cls, origin) for cls in marked_specs(module)]

    def unregister_origin(self, origin: str) -> None:
        """Drop every type a plugin registered (used when its load fails halfway)."""
        for type_id in [t for t, s in self._specs.items() if s.origin == origin]:
            del self._specs[type_id]
        self.sources.pop(origin, None)
        self._aliases = {a: t for a, t in self._aliases.items() if t in self._specs}

    def resolve(self, type_id: str) -> str:
        """The current id for ``type_id`` (follows ``replaces``)."""
        return self._aliases.get(type_id, type_id)

    def get(self, type_id: str) -> LayerSpec | None:
        """The spec for ``type_id`` (or a legacy id), or None if unknown."""
        return self._specs.get(self.resolve(type_id))

    def __contains__(self, type_id: str) -> bool:
        return self.get(type_id) is not None

    def all(self) -> list[LayerSpec]:
        """Every spec, in registration order."""
        return list(self._specs.values())

    def categories(self) -> dict[str, list[LayerSpec]]:
        """Specs grouped by category, categories in first-seen order."""
        groups: dict[str, list[LayerSpec]] = {}
        for spec in self._specs.values():
            groups.setdefault(spec.category, []).append(spec)
        return groups

    def ids(self) -> Iterable[str]:
        """All registered type ids."""
        return self._specs.keys()
