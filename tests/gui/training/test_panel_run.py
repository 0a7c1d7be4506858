"""Start training from the panel, watch the curves fill, pause, resume, stop, close mid-run."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from tests.gui.training.conftest import curve_len

LONG = {"epochs": 5000}  # far longer than any test waits: runs end by stop or close


def enabled(panel) -> set[str]:
    return {name for name, button in panel.controls.buttons.items() if button.isEnabled()}


def test_start_curves_pause_resume_stop(qtbot, make_panel):
    panel = make_panel(**LONG)
    assert enabled(panel) == {"start"}
    with qtbot.waitSignal(panel.state_changed, timeout=5000):
        panel.controls.buttons["start"].click()
    assert panel.state in ("starting", "running")
    assert "stop" in enabled(panel) and "start" not in enabled(panel)
    assert not panel.form.isEnabled()  # settings are frozen while a run trains

    qtbot.waitUntil(lambda: curve_len(panel) > 20, timeout=30000)
    qtbot.waitUntil(lambda: curve_len(panel, "val_loss") >= 2, timeout=30000)
    assert panel.state == "running" and enabled(panel) == {"pause", "stop"}
    for key in ("lr", "grad_norm", "train_metric", "val_metric", "samples_per_s"):
        assert curve_len(panel, key) > 0, key
    assert panel.controls.progress.value() > 0
    assert "samples/s" in panel.controls.detail.text()

    panel.controls.buttons["pause"].click()
    assert panel.state == "paused" and enabled(panel) == {"resume", "stop"}
    qtbot.wait(400)  # the batch in flight and the events already queued arrive
    steps = len(panel.curves.current.steps)
    qtbot.wait(700)
    assert len(panel.curves.current.steps) == steps, "steps arrived while paused"

    panel.controls.buttons["resume"].click()
    assert panel.state == "running"
    qtbot.waitUntil(lambda: len(panel.curves.current.steps) > steps + 5, timeout=15000)

    with qtbot.waitSignal(panel.session.finished, timeout=30000):
        panel.controls.buttons["stop"].click()
    assert panel.state == "stopped" and enabled(panel) == {"start"}
    assert panel.session.thread is None
    summary = json.loads((Path(panel.run_dir) / "summary.json").read_text())
    assert summary["status"] == "stopped"
    assert Path(panel.run_dir).parent == Path(panel.document.path).parent / "runs" / "p"


def test_closing_the_panel_mid_run_stops_cleanly(qtbot, make_panel):
    panel = make_panel(**LONG)
    panel.start()
    qtbot.waitUntil(lambda: len(panel.curves.current.steps) > 5, timeout=30000)
    thread = panel.session.thread
    panel.close()
    assert not thread.isRunning()
    assert panel.session.thread is None and panel.state == "stopped"
    summary = json.loads((Path(panel.run_dir) / "summary.json").read_text())
    assert summary["status"] == "stopped"


def test_shutdown_while_loading_data(qtbot, make_panel):
    panel = make_panel(**LONG)
    panel.start()
    assert panel.state == "starting"
    panel.shutdown()  # the worker may still be loading data: it must end anyway
    assert panel.session.thread is None and panel.state == "stopped"


def test_each_epochs_statistics_are_announced_for_the_inspection_dock(qtbot, make_panel):
    # The statistics pass runs beside training; the panel forwards its event so that a following
    # Inspection dock reloads once the epoch's stats/epoch_NNN.npz exists, not only on checkpoints.
    panel = make_panel(epochs=3, stats_budget=1.0)  # every epoch, however short
    written: list[tuple[str, str]] = []
    panel.checkpoint_written.connect(lambda run_dir, kind: written.append((run_dir, kind)))
    with qtbot.waitSignal(panel.session.finished, timeout=60000):
        panel.start()
    qtbot.waitUntil(lambda: panel.state == "finished", timeout=10000)
    kinds = [kind for _, kind in written]
    assert kinds.count("stats") == 3 and kinds[0] == "initial" and "last" in kinds
    assert {run_dir for run_dir, _ in written} == {str(panel.run_dir)}
    assert sorted(p.name for p in (Path(panel.run_dir) / "stats").iterdir()) == [
        "epoch_001.npz",
        "epoch_002.npz",
        "epoch_003.npz",
    ]


def test_a_training_process_that_dies_is_reported_and_the_window_trains_again(qtbot, make_panel):
    # The run trains in a child process: native code that crashes there (a plugin layer, the
    # system's out-of-memory killer) ends the run with a message, never the window.
    panel = make_panel(**LONG)
    panel.start()
    qtbot.waitUntil(lambda: len(panel.curves.current.steps) > 5, timeout=30000)
    child = panel.session.worker.process.process
    with qtbot.waitSignal(panel.session.finished, timeout=30000):
        os.kill(child.pid, signal.SIGSEGV)
    assert child.exitcode == -signal.SIGSEGV
    assert panel.state == "failed" and panel.banner.isVisible()
    assert "ended unexpectedly" in panel.banner.text() and "SIGSEGV" in panel.banner.text()
    assert enabled(panel) == {"start"}
    with qtbot.waitSignal(panel.session.finished, timeout=30000):
        panel.start()
        qtbot.waitUntil(lambda: len(panel.curves.current.steps) > 5, timeout=30000)
        panel.controls.buttons["stop"].click()
    assert panel.state == "stopped"
