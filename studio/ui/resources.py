"""Locate and load files under the repository's ``resources/`` folder.

Icons, style sheets and example projects live outside the import package
(Orange keeps ``styles/*.qss`` the same way). ``NETSTUDIO_RESOURCES`` points
elsewhere, e.g. for an installed copy whose resources were unpacked apart.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QIcon

_ICON_SUFFIXES = (".svg", ".png")


def resources_dir() -> Path:
    """The ``resources/`` folder: ``$NETSTUDIO_RESOURCES`` or the one beside the ``studio`` package."""
    override = os.environ.get("NETSTUDIO_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>`` (which may not exist)."""
    return resources_dir().joinpath(*parts)


def stylesheet(name: str = "light") -> str:
    """The text of ``resources/styles/<name>.qss``, or ``""`` when it is missing.

    A missing theme must not stop the app: Qt's default style is usable.
    """
    path = resource_path("styles", f"{name}.qss")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (or ``.png``); an empty ``QIcon`` when absent."""
    if name:
        for suffix in _ICON_SUFFIXES:
            path = resource_path("icons", name + suffix)
            if path.is_file():
                return QIcon(str(path))
    return QIcon()
