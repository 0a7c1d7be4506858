"""Keep Python's garbage collector in the GUI thread while worker threads run.

A collection runs in whichever thread happens to allocate when a threshold is
reached. If a worker thread (training, t-SNE) triggers it, cyclic garbage that
holds Qt widgets or graphics items is destroyed outside the GUI thread and
PySide6 crashes. While any worker runs, automatic collection is therefore
off and a GUI-thread timer collects instead (the pattern of pyqtgraph's
``GarbageCollector``). Holds are counted, so several workers can overlap.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class _Collector(QObject):
    """The GUI-thread timer and the hold count."""

    def __init__(self) -> None:
        super().__init__()
        self.holds = 0
        self.was_enabled = True
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.thresholds = gc.get_threshold()

    def collect(self) -> None:
        """Collect the generations whose thresholds were passed (cheap when idle)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


_collector: _Collector | None = None


def hold() -> None:
    """A worker thread starts: collect only in the GUI thread until :func:`release`."""
    global _collector
    if _collector is None:
        _collector = _Collector()
    if _collector.holds == 0:
        gc.collect()  # leave no garbage from before for the worker to stumble on
        _collector.was_enabled = gc.isenabled()
        gc.disable()
        _collector.timer.start()
    _collector.holds += 1


def release() -> None:
    """A worker thread has finished; the last release restores automatic collection."""
    if _collector is None or _collector.holds == 0:
        return
    _collector.holds -= 1
    if _collector.holds == 0:
        _collector.timer.stop()
        if _collector.was_enabled:
            gc.enable()
        gc.collect()
