"""The inspection panel's frame: runs, checkpoints, samples, background jobs, errors as messages."""

from __future__ import annotations

import threading

from studio.inspection.hooks import InspectionError
from studio.ui.inspect.view import InspectView
from tests.gui.inspect.conftest import open_and_wait


class ProbeView(InspectView):
    """A view that records what it computed (in the worker thread) and shows."""

    title = "Probe"
    depends_on = frozenset({"sample", "node"})

    def __init__(self, context, fail: bool = False):
        super().__init__(context)
        self.fail = fail
        self.shown: list = []
        self.threads: list = []

    def compute(self):
        sample, node = self.context.sample, self.context.node

        def work(_cancel):
            self.threads.append(threading.current_thread().name)
            if self.fail:
                raise InspectionError("this model has no spatial layers")
            return (sample, node)

        self.submit(work, self._show)

    def _show(self, value):
        self.show_body()
        self.shown.append(value)


def test_panel_opens_a_run_lists_checkpoints_and_follows_samples(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    probe = ProbeView(panel.context)
    panel.add_view(probe)
    panel.tabs.setCurrentWidget(probe)
    assert "Nothing to inspect yet" in probe.note.text()
    open_and_wait(qtbot, panel, lenet_run_dir)
    labels = [panel.checkpoints.itemText(i) for i in range(panel.checkpoints.count())]
    assert labels[:2] == ["best", "last"] and "epoch 1" in labels
    assert panel.sample.maximum() == len(panel.context.dataset()) - 1
    assert "label:" in panel.sample_info.text()
    qtbot.waitUntil(lambda: bool(probe.shown), timeout=10000)
    assert probe.threads[0].startswith("inspection")  # computed off the GUI thread
    panel.sample.setValue(7)
    qtbot.waitUntil(lambda: probe.shown[-1] == (7, None), timeout=10000)
    panel.select_nodes(["no_such_node", "conv2d_1"])
    qtbot.waitUntil(lambda: probe.shown[-1] == (7, "conv2d_1"), timeout=10000)


def test_hidden_views_do_not_compute_until_shown(qtbot, make_inspection_panel, lenet_run_dir):
    panel = make_inspection_panel()
    first, second = ProbeView(panel.context), ProbeView(panel.context)
    panel.add_view(first)
    panel.add_view(second)
    panel.tabs.setCurrentWidget(first)
    open_and_wait(qtbot, panel, lenet_run_dir)
    qtbot.waitUntil(lambda: bool(first.shown), timeout=10000)
    panel.context.jobs.wait()
    assert second.shown == [] and second.stale
    panel.tabs.setCurrentWidget(second)
    qtbot.waitUntil(lambda: bool(second.shown), timeout=10000)


def test_errors_are_messages_in_the_view(qtbot, make_inspection_panel, lenet_run_dir, tmp_path):
    panel = make_inspection_panel()
    probe = ProbeView(panel.context, fail=True)
    panel.add_view(probe)
    panel.tabs.setCurrentWidget(probe)
    open_and_wait(qtbot, panel, lenet_run_dir)
    qtbot.waitUntil(lambda: "no spatial layers" in probe.note.text(), timeout=10000)
    assert probe.stack.currentWidget() is probe.note
    messages = []
    panel.message.connect(messages.append)
    panel.open_run(tmp_path / "not-a-run")
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert "no such run directory" in messages[-1]
    assert panel.context.run is not None  # the previous run stays open


def test_newer_job_replaces_older_one(qtbot, make_inspection_panel):
    panel = make_inspection_panel()
    jobs, results = panel.context.jobs, []
    gate = threading.Event()
    first = jobs.submit("k", lambda cancel: gate.wait(5) and "old", results.append)
    jobs.submit("k", lambda cancel: "new", results.append)
    assert first.cancelled
    gate.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    qtbot.wait(50)
    assert results == ["new"]
    progress = []
    jobs.submit("g", lambda cancel: (i for i in range(3)), results.append, on_progress=progress.append)
    qtbot.waitUntil(lambda: results[-1] == 2, timeout=5000)
    assert progress == [0, 1, 2]


def test_export_png_writes_the_current_view(qtbot, make_inspection_panel, lenet_run_dir, tmp_path):
    panel = make_inspection_panel()
    probe = ProbeView(panel.context)
    panel.add_view(probe)
    panel.tabs.setCurrentWidget(probe)
    open_and_wait(qtbot, panel, lenet_run_dir)
    path = tmp_path / "view.png"
    assert panel.export_png(str(path))
    assert path.stat().st_size > 100
