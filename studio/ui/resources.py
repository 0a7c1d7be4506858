"""Locate and load files under the repository's ``resources/`` folder.

Icons, style sheets and example projects live outside the import package
(Orange keeps ``styles/*.qss`` the same way). ``NETSTUDIO_RESOURCES`` points
elsewhere, e.g. for an installed copy whose resources were unpacked apart.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon

_ICON_SUFFIXES = (".svg", ".png")
THEMES = ("light", "dark")
# One accent per palette category: the icon tiles and the canvas cards use the same colours.
CATEGORY_COLORS = {
    "input": "#2e7d5b",
    "output": "#2e7d5b",
    "dense": "#2f6fed",
    "conv": "#7c3aed",
    "pool": "#0e8a9a",
    "reshape": "#8a6d3b",
    "norm": "#d97706",
    "dropout": "#64748b",
    "activation": "#db2777",
    "recurrent": "#4338ca",
    "attention": "#0f766e",
    "merge": "#b45309",
    "graph": "#65a30d",
    "generative": "#9333ea",
    "block": "#334155",
}


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
    ``@ICONS@`` in the sheet becomes the icon folder's absolute path (``url()``
    in a style sheet is otherwise relative to the working directory).
    """
    path = resource_path("styles", f"{name}.qss")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    return text.replace("@ICONS@", resource_path("icons").as_posix())


@lru_cache(maxsize=256)
def _icon_file(name: str) -> str:
    for suffix in _ICON_SUFFIXES:
        path = resource_path("icons", name + suffix)
        if path.is_file():
            return str(path)
    return ""


def icon(name: str, fallback: str = "") -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (or ``.png``), else ``fallback``'s, else an empty one.

    SVG icons are vector, so they stay crisp at any device pixel ratio.
    """
    for candidate in (name, fallback):
        path = _icon_file(candidate) if candidate else ""
        if path:
            return QIcon(path)
    return QIcon()


def category_color(icon_name: str) -> str:
    """The accent colour of a layer icon name (``"conv"`` -> violet); slate when unknown."""
    return CATEGORY_COLORS.get(icon_name, "#52606d")


def _dark_palette():
    from PySide6.QtGui import QColor, QPalette

    roles = QPalette.ColorRole
    colors = {
        roles.Window: "#1b1f24",
        roles.WindowText: "#e6e9ed",
        roles.Base: "#22272e",
        roles.AlternateBase: "#262c34",
        roles.ToolTipBase: "#2d333b",
        roles.ToolTipText: "#e6e9ed",
        roles.Text: "#e6e9ed",
        roles.Button: "#2d333b",
        roles.ButtonText: "#e6e9ed",
        roles.Highlight: "#3b82f6",
        roles.HighlightedText: "#ffffff",
        roles.PlaceholderText: "#7d8590",
        roles.Link: "#60a5fa",
        roles.Mid: "#3d444d",
        roles.Dark: "#15181c",
        roles.Light: "#3d444d",
    }
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#6e7681"))
    return palette


def apply_theme(app, name: str = "light") -> str:
    """Give ``app`` the ``light`` or ``dark`` theme (palette and style sheet); return the theme used."""
    from PySide6.QtGui import QPalette

    name = name if name in THEMES else "light"
    app.setPalette(_dark_palette() if name == "dark" else app.style().standardPalette() or QPalette())
    app.setStyleSheet(stylesheet(name))
    app.setProperty("netstudio_theme", name)
    from studio.ui.canvas.style import apply_canvas_theme

    apply_canvas_theme(name)
    return name


def current_theme(app) -> str:
    """The theme :func:`apply_theme` last gave ``app`` (``light`` by default)."""
    return app.property("netstudio_theme") or "light"
