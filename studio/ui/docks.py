"""The window's panels as dock widgets, built from a small table (object name, title, area)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

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
