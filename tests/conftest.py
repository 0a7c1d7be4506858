"""Shared test setup: headless Qt, Hypothesis profiles, a fresh catalog, thread hygiene."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time

# Before pytest-qt creates the QApplication: no display is needed anywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from studio.layers.registry import LayerRegistry  # noqa: E402

settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# A test that uses any of these (or lives in tests/gui, tests/e2e) may start Qt threads.
_QT_FIXTURES = {"qtbot", "qapp", "qtmodeltester"}
_THREAD_GRACE_S = 1.0


@pytest.fixture
def registry() -> LayerRegistry:
    """A fresh catalog with every built-in layer (never shared between tests)."""
    return LayerRegistry.with_builtins()


def _running_qthreads() -> list:
    """Running ``QThread`` wrappers other than the main thread (a gc scan, ~50 ms)."""
    from PySide6.QtCore import QThread

    main = QThread.currentThread()
    found = []
    for obj in gc.get_objects():
        try:
            # type(), not isinstance(): isinstance reads __class__, which fires lazy
            # module attributes (torch.distributed.reduce_op warns when touched).
            if issubclass(type(obj), QThread) and obj is not main and obj.isRunning():
                found.append(obj)
        except RuntimeError:  # the C++ object is already deleted: not running
            continue
    return found


def _uses_qt(request: pytest.FixtureRequest) -> bool:
    parts = set(request.node.path.parts)
    return bool(_QT_FIXTURES & set(request.fixturenames)) or bool({"gui", "e2e"} & parts)


@pytest.fixture(autouse=True)
def _dangling_threads(request: pytest.FixtureRequest):
    """Fail a test that leaves a ``QThread``, a non-daemon Python thread or a child process running.

    Threads that outlive their test crash later tests at random (napari's
    ``_dangling_qthreads``). The gc scan for QThreads runs only for Qt tests,
    because it costs ~50 ms once torch is imported.
    """
    check_qt = "PySide6.QtCore" in sys.modules and _uses_qt(request)
    qt_before = {id(t) for t in _running_qthreads()} if check_qt else set()
    py_before = set(threading.enumerate())
    children_before = set(multiprocessing.active_children())
    yield
    deadline = time.monotonic() + _THREAD_GRACE_S
    leaked_py = [t for t in threading.enumerate() if t not in py_before and not t.daemon]
    for thread in leaked_py:
        thread.join(max(0.0, deadline - time.monotonic()))
    leaked_py = [t.name for t in leaked_py if t.is_alive()]
    leaked_qt = []
    if check_qt:
        for thread in _running_qthreads():
            if id(thread) not in qt_before and not thread.wait(
                max(0, int(1000 * (deadline - time.monotonic())))
            ):
                leaked_qt.append(type(thread).__name__)
    leaked_children = [p for p in multiprocessing.active_children() if p not in children_before]
    for child in leaked_children:  # training processes (the forkserver is not a child here)
        child.join(max(0.0, deadline - time.monotonic()))
    leaked_children = [p.name for p in leaked_children if p.is_alive()]
    if leaked_py or leaked_qt or leaked_children:
        pytest.fail(
            f"test left threads running: QThreads {leaked_qt}, Python threads {leaked_py}, "
            f"processes {leaked_children}; stop and join them "
            "(worker.request_stop(); thread.quit(); thread.wait())",
            pytrace=False,
        )


def pytest_sessionfinish(session, exitstatus):
    """Release the clipboard before interpreter exit destroys the QApplication.

    pytest-qt never quits the application, so ``aboutToQuit`` (where the app
    releases it) does not fire; a QMimeData left on the clipboard then crashes
    PySide6 at exit.
    """
    import sys

    if "studio.ui.canvas.clipboard" in sys.modules:
        sys.modules["studio.ui.canvas.clipboard"].release_clipboard()
