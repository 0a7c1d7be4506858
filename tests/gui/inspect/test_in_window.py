"""The Inspection dock in the main window: room for the views without squeezing the canvas."""

from __future__ import annotations


def test_inspection_dock_keeps_the_canvas_usable_and_grows_when_raised(qtbot, lenet_window):
    win = lenet_window
    win.resize(1600, 1000)
    qtbot.wait(50)
    assert win.canvas.height() > 400  # the rich inspection panel scrolls, it does not claim the window
    win.inspection_dock.raise_()
    qtbot.waitUntil(lambda: win.inspection_dock.height() >= 0.5 * win.height(), timeout=3000)
    assert win.canvas.height() > 150


def test_raising_the_training_tab_gives_the_curves_room(qtbot, lenet_window):
    win = lenet_window
    win.resize(1600, 1000)
    win.summary_dock.raise_()
    qtbot.wait(50)
    win.training_dock.raise_()
    qtbot.waitUntil(lambda: win.training_dock.height() >= 0.4 * win.height(), timeout=3000)
