"""Training from the main window: curves fill while the editor stays usable; closing stops the run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gui.training.conftest import curve_len


def test_curves_fill_in_the_window_and_closing_it_stops_the_run(qtbot, make_window, tmp_path):
    win = make_window()
    win.io.new_from_template("mlp")
    win.document.path = tmp_path / "w.nsproj.json"  # runs go beside the project
    panel = win.training_panel
    panel.document.project.training.update(epochs=5000)
    win.training_dock.show()
    win.training_dock.raise_()
    panel.start()
    qtbot.waitUntil(lambda: curve_len(panel) > 20, timeout=30000)
    qtbot.waitUntil(lambda: curve_len(panel, "val_loss") >= 2, timeout=30000)
    # The editor keeps working during the run: an edit is one undoable step.
    before = len(win.document.graph.nodes)
    win.document.add_node("core.relu", (600.0, 600.0))
    assert len(win.document.graph.nodes) == before + 1
    thread = panel.session.thread
    run_dir = Path(panel.run_dir)
    win.document.history.set_clean()  # no "save changes?" prompt
    win.close()
    assert not thread.isRunning()
    assert panel.session.thread is None
    assert json.loads((run_dir / "summary.json").read_text())["status"] == "stopped"
