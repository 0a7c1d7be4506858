"""Where plugins come from, in the contract's order; nothing here imports them.

1. the repository's ``plugins/`` folder (beside the ``studio`` package);
2. the user plugin folders: ``$NETSTUDIO_PLUGIN_PATH`` (``os.pathsep``
   separated) when set, else the platform's data folder
   (``$XDG_DATA_HOME/netstudio/plugins`` on Linux);
3. installed packages' entry points in the group ``netstudio.plugins``.

Built-ins come before all of these and are registered by
:meth:`~studio.layers.registry.LayerRegistry.with_builtins`.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

from studio.plugin_host.manifest import MANIFEST_NAME

ENV_VAR = "NETSTUDIO_PLUGIN_PATH"
ENTRY_POINT_GROUP = "netstudio.plugins"


def repo_plugin_dir() -> Path | None:
    """The ``plugins/`` folder beside the ``studio`` package, or None if absent.

    In an installed copy this is ``site-packages/plugins``, which normally does
    not exist; if some other package owns such a folder, only its
    sub-folders holding a ``plugin.toml`` would count, so nothing stray loads.
    """
    folder = Path(__file__).resolve().parents[2] / "plugins"
    return folder if folder.is_dir() else None


def user_data_dir() -> Path:
    """The platform's per-user data folder (what platformdirs calls user_data_dir)."""
    home = Path.home()
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return Path(appdata) if appdata else home / "AppData" / "Roaming"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    return Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"


def user_plugin_dirs() -> list[Path]:
    """The user plugin folders, in search order.

    ``$NETSTUDIO_PLUGIN_PATH`` replaces the default when set; set to an empty
    string it means "no user plugins" (handy for hermetic runs).
    """
    if ENV_VAR in os.environ:
        return [Path(p).expanduser() for p in os.environ[ENV_VAR].split(os.pathsep) if p.strip()]
    return [user_data_dir() / "netstudio" / "plugins"]


def default_sources() -> list[Path]:
    """Folder sources in contract order: the repo's ``plugins/`` then the user folders."""
    repo = repo_plugin_dir()
    return ([repo] if repo else []) + user_plugin_dirs()


def find_manifests(root: Path) -> list[Path]:
    """The ``plugin.toml`` files of the plugins in ``root``, sorted by folder name.

    ``root`` is a folder of plugin folders (``plugins/<id>/plugin.toml``) or a
    single plugin folder (a path list entry may name one plugin directly).
    Missing folders yield nothing: a user who has no plugins has no folder.
    """
    root = Path(root)
    if (root / MANIFEST_NAME).is_file():
        return [root / MANIFEST_NAME]
    if not root.is_dir():
        return []
    return sorted(
        (d / MANIFEST_NAME for d in root.iterdir() if d.is_dir() and (d / MANIFEST_NAME).is_file()),
        key=lambda p: p.parent.name,
    )


def entry_points() -> list[metadata.EntryPoint]:
    """Installed entry points of the ``netstudio.plugins`` group, sorted by name."""
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
