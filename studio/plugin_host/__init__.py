"""Plugin discovery and loading: manifests, sources, tolerant import.

Pure Python: imports :mod:`studio.layers` and the standard library only (no
torch, no Qt), so the CLI and tests can load the catalog cheaply.

Examples
--------
>>> from studio.plugin_host import default_registry
>>> registry, report = default_registry()
>>> report.errors  # doctest: +SKIP
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from studio.layers.registry import LayerRegistry
from studio.plugin_host.discovery import (
    ENTRY_POINT_GROUP,
    ENV_VAR,
    default_sources,
    find_manifests,
    repo_plugin_dir,
    user_plugin_dirs,
)
from studio.plugin_host.errors import ManifestError, PluginLoadError
from studio.plugin_host.loader import PluginReport, gui_files, load_plugins
from studio.plugin_host.manifest import MANIFEST_NAME, PluginManifest, read_manifest

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "MANIFEST_NAME",
    "ManifestError",
    "PluginLoadError",
    "PluginManifest",
    "PluginReport",
    "default_registry",
    "default_sources",
    "find_manifests",
    "gui_files",
    "load_plugins",
    "read_manifest",
    "repo_plugin_dir",
    "user_plugin_dirs",
]


def default_registry(
    load_plugins: bool = True, sources: Iterable[Path] | None = None
) -> tuple[LayerRegistry, PluginReport]:
    """A fresh registry with the built-ins and, unless disabled, every discovered plugin.

    This is what the app and the CLI call. Plugin failures are in the report,
    never raised.

    Parameters
    ----------
    load_plugins
        False gives built-ins only (and an empty report).
    sources
        Plugin folders to search instead of the default ones; when given,
        entry points are skipped too (a hermetic registry, e.g. for tests:
        ``default_registry(sources=[repo_plugin_dir()])``).

    Returns
    -------
    tuple[LayerRegistry, PluginReport]
    """
    from studio.plugin_host import loader  # the parameter shadows the function's name

    registry = LayerRegistry.with_builtins()
    if not load_plugins:
        return registry, PluginReport()
    return registry, loader.load_plugins(registry, sources)
