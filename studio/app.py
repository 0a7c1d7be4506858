"""Desktop bootstrap: Qt application, layer catalog, main window.

PySide6 is imported before anything that might import pyqtgraph, and
``PYQTGRAPH_QT_LIB`` is set, because pyqtgraph otherwise prefers PyQt6 when
both bindings are installed (DESIGN.md, pitfall 10).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from studio import __version__
from studio.cli.common import EXIT_OK, EXIT_USAGE, fail

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from studio.layers.registry import LayerRegistry
    from studio.ui.main_window import MainWindow

SCREENSHOT_SIZE = (1600, 1000)
# Harmless messages Qt prints for every top-level window on the offscreen platform.
_QUIET_QT_MESSAGES = ("propagateSizeHints",)


def _writable_target(out: Path) -> str:
    """Why ``out`` cannot be written ("" when it can), checked before Qt starts."""
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        return "is a directory"
    if not parent.is_dir():
        return f"directory {parent} does not exist"
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        return "permission denied"
    return ""


def _quiet_qt_messages() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message: str) -> None:
        if any(text in message for text in _QUIET_QT_MESSAGES):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


def make_registry() -> LayerRegistry:
    """The catalog the app shows: built-in layers plus every plugin that loads.

    A broken plugin never stops the app: each failure is printed on stderr
    (one line per plugin) and the plugin is skipped.
    """
    from studio.cli.common import load_registry

    return load_registry()


def make_application(theme: str | None = None) -> QApplication:
    """The (single) ``QApplication``, named and themed.

    Parameters
    ----------
    theme
        ``"light"`` or ``"dark"``; None uses the one the user chose last
        (``NETSTUDIO_THEME`` overrides both, e.g. for screenshots).
    """
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import PySide6  # noqa: F401  (first binding imported wins pyqtgraph's choice)
    from PySide6.QtWidgets import QApplication

    from studio.ui.files import settings
    from studio.ui.resources import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "studio"])
    app.setApplicationName("NetStudio")
    app.setOrganizationName("NetStudio")
    app.setApplicationVersion(__version__)
    # Fusion renders style sheets the same on every platform, so the theme looks as designed.
    app.setStyle("Fusion")
    chosen = theme or os.environ.get("NETSTUDIO_THEME") or settings().value("ui/theme", "light")
    apply_theme(app, str(chosen))
    return app


def take_screenshot(app: QApplication, window: MainWindow, out: Path) -> int:
    """Render ``window`` once at 1600x1000 into ``out``; 0 on success, 2 when it cannot be written."""
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    # Several rounds: layouts settle over more than one pass of the event loop.
    for _ in range(5):
        app.processEvents()
    if not window.grab().save(str(out)):
        return fail(f"{out}: cannot write the image (unsupported format or I/O error)", EXIT_USAGE)
    window.close()
    return EXIT_OK


def run_app(project: str | None = None, screenshot: str | None = None) -> int:
    """Start the desktop app, or render one screenshot of it.

    Parameters
    ----------
    project
        A project file to open at start.
    screenshot
        Render the main window offscreen into this PNG and exit instead of
        running the event loop.

    Returns
    -------
    int
        The exit status: the event loop's, or 0/2 for a screenshot.
    """
    out = Path(screenshot) if screenshot else None
    if out is not None:
        problem = _writable_target(out)
        if problem:
            return fail(f"{out}: {problem}", EXIT_USAGE)
        # A screenshot needs no display; respect an explicit platform choice.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    app = make_application("light" if out is not None and "NETSTUDIO_THEME" not in os.environ else None)
    _quiet_qt_messages()
    from studio.ui.main_window import MainWindow

    # A screenshot window is throwaway: no recovery offer, recent files or saved layout.
    window = MainWindow(make_registry(), session=out is None)
    if project:
        error = window.open_project(project)
        if error and out is not None:
            return fail(error, EXIT_USAGE)
    if out is not None:
        return take_screenshot(app, window, out)
    window.resize(1280, 800)
    window.show()
    return app.exec()
