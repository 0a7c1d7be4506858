"""Import plugins into a :class:`~studio.layers.registry.LayerRegistry`, tolerantly.

Every failure (unreadable manifest, syntax or import error, a type outside the
plugin's namespace, a duplicate type or plugin id) becomes a
:class:`~studio.plugin_host.errors.PluginLoadError` in the returned report;
the types that plugin registered before failing are removed again, so a
plugin is either fully loaded or not at all. Loading is never fatal.

Folder plugins are imported under ``studio_plugins.<id>.<stem>`` with
:func:`importlib.util.spec_from_file_location`; ``plugins/`` is never put on
``sys.path`` (its name collides with everything). ``studio_plugins.<id>`` is a
synthetic package whose ``__path__`` is the plugin folder, so a layers file can
import its own runtime modules lazily (``from .modules import MyBlock`` inside
``build``). GUI files are not imported here; ``studio.ui`` asks
:func:`gui_files`.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from studio.layers.registry import LayerRegistry, marked_specs
from studio.layers.spec import LayerSpec
from studio.plugin_host import discovery
from studio.plugin_host.errors import ManifestError, PluginLoadError
from studio.plugin_host.manifest import PluginManifest, check_plugin_id, read_manifest

PACKAGE = "studio_plugins"


@dataclass
class PluginReport:
    """What :func:`load_plugins` did: plugins loaded, their types, and errors."""

    loaded: list[PluginManifest] = field(default_factory=list)
    errors: list[PluginLoadError] = field(default_factory=list)
    types: dict[str, list[str]] = field(default_factory=dict)  # plugin id -> type ids

    @property
    def ok(self) -> bool:
        """True when no plugin failed."""
        return not self.errors

    def lines(self) -> list[str]:
        """One human-readable line per loaded plugin and per error (for logs and the CLI)."""
        out = [
            f"loaded plugin '{m.id}' {m.version} ({len(self.types.get(m.id, []))} types)" for m in self.loaded
        ]
        return out + [f"error: {e}" for e in self.errors]


class _Registrar:
    """The registry as a plugin sees it: every registration carries the plugin's origin.

    A ``register(registry)`` function calling ``registry.register(cls)`` would
    otherwise get the default origin "builtin" and be refused (or worse).
    """

    def __init__(self, registry: LayerRegistry, origin: str) -> None:
        self._registry = registry
        self.origin = origin

    def register(self, spec_cls: type[LayerSpec], origin: str | None = None) -> LayerSpec:
        return self._registry.register(spec_cls, origin=self.origin)

    def register_module(self, module: ModuleType, origin: str | None = None) -> list[LayerSpec]:
        return self._registry.register_module(module, origin=self.origin)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._registry, name)  # read-only helpers: get, ids, all, ...


def load_plugins(
    registry: LayerRegistry,
    sources: Iterable[Path] | None = None,
    use_entry_points: bool | None = None,
) -> PluginReport:
    """Discover and load plugins into ``registry``.

    Parameters
    ----------
    registry
        Usually one holding the built-ins already.
    sources
        Folders to search (each a folder of plugin folders, or one plugin
        folder); default :func:`~studio.plugin_host.discovery.default_sources`.
    use_entry_points
        Also load the ``netstudio.plugins`` entry points; default: only when
        ``sources`` is None, so explicit sources give hermetic loads (tests).

    Returns
    -------
    PluginReport
        Never raises for a plugin's fault; a plugin id seen twice keeps the first.
    """
    report = PluginReport()
    seen: dict[str, str] = {}  # plugin id -> where it came from
    for root in discovery.default_sources() if sources is None else sources:
        for manifest_path in discovery.find_manifests(Path(root)):
            _load_folder_plugin(registry, manifest_path, seen, report)
    if use_entry_points if use_entry_points is not None else sources is None:
        for ep in discovery.entry_points():
            _load_entry_point(registry, ep, seen, report)
    return report


def load_sources(registry: LayerRegistry, sources: dict[str, tuple[str, str]]) -> PluginReport:
    """Load exactly the plugins of ``registry.sources`` from another registry (another process).

    Parameters
    ----------
    registry
        Usually one holding the built-ins already.
    sources
        Plugin id -> ``("folder", manifest path)`` or ``("entry point", name)``.

    Returns
    -------
    PluginReport
        A plugin that cannot be found or loaded again is an error in it.
    """
    report = PluginReport()
    seen: dict[str, str] = {}
    wanted = {name for kind, name in sources.values() if kind == "entry point"}
    for kind, where in sources.values():
        if kind == "folder":
            _load_folder_plugin(registry, Path(where), seen, report)
    for ep in discovery.entry_points() if wanted else ():
        if ep.name in wanted:
            _load_entry_point(registry, ep, seen, report)
    for plugin_id in sources:
        if plugin_id not in registry.sources and not any(e.plugin_id == plugin_id for e in report.errors):
            report.errors.append(PluginLoadError(plugin_id, None, "the plugin is no longer installed"))
    return report


def gui_files(manifest: PluginManifest) -> tuple[Path, ...]:
    """The plugin's GUI files, for ``studio.ui`` to import in GUI mode only."""
    return manifest.gui


def _load_folder_plugin(
    registry: LayerRegistry, manifest_path: Path, seen: dict[str, str], report: PluginReport
) -> None:
    try:
        manifest = read_manifest(manifest_path)
    except ManifestError as exc:
        report.errors.append(PluginLoadError(manifest_path.parent.name, exc.path, str(exc)))
        return
    if not _claim(registry, manifest.id, str(manifest.folder), seen, manifest.path, report):
        return
    _reset_package(manifest.id, manifest.folder)
    current = manifest.path
    try:
        for current in manifest.layers:
            module = _import_file(manifest.id, current)
            _register_from(module, _Registrar(registry, manifest.id))
    except Exception as exc:  # noqa: BLE001 - any plugin fault is reported, never fatal
        _fail(registry, manifest.id, current, exc, report)
        return
    _succeed(registry, manifest, report)


def _load_entry_point(registry: LayerRegistry, ep: Any, seen: dict[str, str], report: PluginReport) -> None:
    source = f"entry point {ep.value}"
    try:
        plugin_id = check_plugin_id(ep.name, Path(f"<{discovery.ENTRY_POINT_GROUP}: {ep.value}>"), "name")
    except ManifestError as exc:
        report.errors.append(PluginLoadError(ep.name, None, str(exc)))
        return
    if not _claim(registry, plugin_id, source, seen, None, report):
        return
    try:
        loaded = ep.load()
        registrar = _Registrar(registry, plugin_id)
        if isinstance(loaded, ModuleType):
            _register_from(loaded, registrar)
        elif callable(loaded):
            loaded(registrar)
        else:
            raise TypeError(f"{ep.value} is neither a module nor a register(registry) function")
    except Exception as exc:  # noqa: BLE001 - any plugin fault is reported, never fatal
        _fail(registry, plugin_id, None, exc, report)
        return
    dist = getattr(ep, "dist", None)
    version = getattr(dist, "version", "") or "?"
    _succeed(registry, PluginManifest(id=plugin_id, name=plugin_id, version=version, source=source), report)


def _claim(
    registry: LayerRegistry,
    plugin_id: str,
    where: str,
    seen: dict[str, str],
    path: Path | None,
    report: PluginReport,
) -> bool:
    """Reserve ``plugin_id`` for this load, or report why a plugin with it is already there."""
    if plugin_id in seen:
        message = f"duplicate plugin id: already loaded from {seen[plugin_id]}; skipped the copy in {where}"
    elif any(spec.origin == plugin_id for spec in registry.all()):
        message = "duplicate plugin id: this registry already holds a plugin with this id; skipped"
    else:
        seen[plugin_id] = where
        return True
    report.errors.append(PluginLoadError(plugin_id, path, message))
    return False


def _reset_package(plugin_id: str, folder: Path | None) -> None:
    """(Re)create the synthetic ``studio_plugins.<id>`` package, dropping stale submodules."""
    if PACKAGE not in sys.modules:
        root = ModuleType(PACKAGE, "Synthetic parent of the folder plugins NetStudio loaded.")
        root.__path__ = []
        sys.modules[PACKAGE] = root
    _forget_modules(plugin_id)
    name = f"{PACKAGE}.{plugin_id}"
    package = ModuleType(name)
    package.__path__ = [str(folder)] if folder else []
    package.__package__ = name
    sys.modules[name] = package


def _forget_modules(plugin_id: str) -> None:
    """Drop ``studio_plugins.<id>`` and its submodules so the next load runs fresh code."""
    name = f"{PACKAGE}.{plugin_id}"
    for stale in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[stale]


def _import_file(plugin_id: str, path: Path) -> ModuleType:
    name = f"{PACKAGE}.{plugin_id}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    # In sys.modules before running, like a normal import: inspect.getsource
    # (used by the code export) and dataclasses look the module up there.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _register_from(module: ModuleType, registrar: _Registrar) -> None:
    """Register the module's ``@register_layer`` classes, then call its own ``register`` if any."""
    registrar.register_module(module)
    hook: Callable[[Any], Any] | None = getattr(module, "register", None)
    if callable(hook) and getattr(hook, "__module__", None) == module.__name__:
        hook(registrar)
    elif not marked_specs(module):
        raise ValueError(f"{module.__name__} declares no layers (no @register_layer class, no register())")


def _fail(
    registry: LayerRegistry, plugin_id: str, path: Path | None, exc: BaseException, report: PluginReport
) -> None:
    registry.unregister_origin(plugin_id)
    _forget_modules(plugin_id)
    message = f"{type(exc).__name__}: {exc}"
    text = "".join(traceback.format_exception(exc))
    report.errors.append(PluginLoadError(plugin_id, path, message, text))


def _succeed(registry: LayerRegistry, manifest: PluginManifest, report: PluginReport) -> None:
    report.loaded.append(manifest)
    if manifest.path is not None:
        registry.sources[manifest.id] = ("folder", str(manifest.path))
    else:
        registry.sources[manifest.id] = ("entry point", manifest.id)
    report.types[manifest.id] = [s.type_id for s in registry.all() if s.origin == manifest.id]
