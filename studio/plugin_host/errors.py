"""What can go wrong while reading or loading a plugin, as data.

A broken plugin must never stop startup, so the loader turns every failure
into a :class:`PluginLoadError` record that the app shows in a dialog and the
CLI prints; only :class:`ManifestError` is raised (by the manifest reader) and
the loader catches it like any other exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ManifestError(ValueError):
    """A ``plugin.toml`` that is unreadable or breaks the manifest contract.

    Parameters
    ----------
    path
        The manifest file.
    key
        The offending key ("" when the file as a whole is at fault, e.g. a
        TOML syntax error).
    message
        What is wrong and, where possible, what to write instead.
    """

    def __init__(self, path: Path, key: str, message: str) -> None:
        self.path = Path(path)
        self.key = key
        self.message = message
        where = f"{self.path}: key '{key}'" if key else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PluginLoadError:
    """One plugin that could not be (fully) loaded; its types were removed again.

    Attributes
    ----------
    plugin_id
        The manifest id, or the folder / entry-point name when the manifest
        itself could not be read.
    path
        The file at fault (manifest, layers file) or None for entry points.
    message
        One line for the user: ``"SyntaxError: invalid syntax (layers.py, line 3)"``.
    traceback_text
        The full traceback for the log / "details" pane ("" when not useful).
    """

    plugin_id: str
    path: Path | None
    message: str
    traceback_text: str = ""

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"plugin '{self.plugin_id}'{where}: {self.message}"
