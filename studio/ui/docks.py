"""The window's panels as dock widgets, built from a small table (object name, title, area)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

Area = Qt.DockWidgetArea
_FEATURES = (
    QDockWidget.DockWidgetFeature.DockWidgetClosable
    | QDockWidget.DockWidgetFeature.DockWidgetMovable
    | QDockWidget.DockWidgetFeature.DockWidgetFloatable
)


def add_dock(window: QMainWindow, name: str, title: str, widget: QWidget, area: Area) -> QDockWidget:
    """Wrap ``widget`` in a dock called ``name`` (its object name, used to restore the layout)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(_FEATURES)
    window.addDockWidget(area, dock)
    return dock


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: a dock holding it can be shorter than its minimum size.

    Docks tabbed together share one height, at least the tallest minimum; a rich
    panel (inspection views) would otherwise push the canvas into a strip.
    """
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area
