"""Read and validate ``plugin.toml``, the static description of a folder plugin.

The manifest is read with :mod:`tomllib` and never imports plugin code, so the
app can list what a plugin offers before (or without) loading it (the napari
npe2 idea). Keys, from the design contract::

    id = "example_se"            # Python identifier, prefix of every type id
    name = "Squeeze-and-Excitation"
    version = "1.0.0"
    studio_api = 1               # the studio.layers.api version it targets
    layers = ["layers.py"]       # files relative to the plugin folder
    gui = ["gui.py"]             # optional, imported only by studio.ui
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser as a backport
    import tomli as tomllib  # type: ignore[no-redef]

from studio.layers.api import STUDIO_API
from studio.plugin_host.errors import ManifestError

MANIFEST_NAME = "plugin.toml"

# "core" is the built-ins' namespace; "builtin" is the registry's origin for
# built-ins, so a plugin with that id would be mistaken for one.
RESERVED_IDS = frozenset({"core", "builtin"})


@dataclass(frozen=True)
class PluginManifest:
    """A validated manifest; paths are absolute and known to exist.

    ``source`` is ``"folder"`` for ``plugin.toml`` plugins and
    ``"entry point <value>"`` for installed packages (which have no folder,
    manifest file, layers or gui files).
    """

    id: str
    name: str
    version: str
    studio_api: int = STUDIO_API
    layers: tuple[Path, ...] = ()
    gui: tuple[Path, ...] = ()
    description: str = ""
    folder: Path | None = None
    path: Path | None = None
    source: str = "folder"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def check_plugin_id(value: Any, path: Path, key: str = "id") -> str:
    """Return ``value`` if it is a usable plugin id, else raise :class:`ManifestError`."""
    if not isinstance(value, str) or not value.isascii() or not value.isidentifier():
        raise ManifestError(path, key, f"must be a Python identifier such as 'my_layers' (got {value!r})")
    if keyword.iskeyword(value):
        raise ManifestError(path, key, f"'{value}' is a Python keyword; choose another id")
    if value in RESERVED_IDS:
        raise ManifestError(path, key, f"'{value}' is reserved for NetStudio's built-in layers")
    return value


def read_manifest(path: Path) -> PluginManifest:
    """Parse and validate one ``plugin.toml``.

    Parameters
    ----------
    path
        The manifest file; its folder is the plugin folder.

    Returns
    -------
    PluginManifest

    Raises
    ------
    ManifestError
        Naming the file and the key at fault.
    """
    path = Path(path).resolve()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ManifestError(path, "", f"cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(path, "", f"invalid TOML: {exc}") from exc
    folder = path.parent
    known = {"id", "name", "version", "studio_api", "layers", "gui", "description"}
    return PluginManifest(
        id=check_plugin_id(_required(data, "id", path), path),
        name=_text(data, "name", path),
        version=_text(data, "version", path),
        studio_api=_api(data, path),
        layers=_files(data, "layers", path, folder, required=True),
        gui=_files(data, "gui", path, folder, required=False),
        description=_text(data, "description", path, required=False),
        folder=folder,
        path=path,
        extra={k: v for k, v in data.items() if k not in known},  # kept for newer hosts' keys
    )


def _required(data: dict, key: str, path: Path) -> Any:
    if key not in data:
        raise ManifestError(path, key, "is missing")
    return data[key]


def _text(data: dict, key: str, path: Path, required: bool = True) -> str:
    if not required and key not in data:
        return ""
    value = _required(data, key, path)
    if not isinstance(value, str) or (required and not value.strip()):
        raise ManifestError(path, key, f"must be a non-empty string (got {value!r})")
    return value


def _api(data: dict, path: Path) -> int:
    value = _required(data, "studio_api", path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ManifestError(path, "studio_api", f"must be an integer such as {STUDIO_API} (got {value!r})")
    if value > STUDIO_API:
        raise ManifestError(
            path,
            "studio_api",
            f"the plugin needs plugin API {value} but this NetStudio provides API {STUDIO_API}: "
            "update NetStudio or install an older version of the plugin",
        )
    if value != STUDIO_API:
        raise ManifestError(path, "studio_api", f"must be {STUDIO_API} (got {value})")
    return value


def _files(data: dict, key: str, path: Path, folder: Path, required: bool) -> tuple[Path, ...]:
    if not required and key not in data:
        return ()
    value = _required(data, key, path)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ManifestError(path, key, f"must be a list of file names such as ['layers.py'] (got {value!r})")
    files = []
    for name in value:
        target = (folder / name).resolve()
        # Relative names only, and no escaping the folder: the manifest describes
        # this plugin, never files elsewhere on the disk.
        if Path(name).is_absolute() or not target.is_relative_to(folder):
            raise ManifestError(path, key, f"'{name}' must be a path inside the plugin folder")
        if target.suffix != ".py":
            raise ManifestError(path, key, f"'{name}' is not a Python file (.py)")
        if not target.is_file():
            raise ManifestError(path, key, f"'{name}' does not exist in {folder}")
        # Each file becomes the module studio_plugins.<id>.<stem>: stems must differ.
        if any(f.stem == target.stem for f in files):
            raise ManifestError(path, key, f"two files are named '{target.stem}.py'; rename one")
        files.append(target)
    return tuple(files)
