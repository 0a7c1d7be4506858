"""Regression: copying to the clipboard must not crash the app when it quits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from studio.layers.registry import LayerRegistry
    from studio.templates import get_template
    from studio.ui.canvas import CanvasWidget
    from studio.ui.document import Document
    doc = Document(LayerRegistry.with_builtins(), get_template("lenet5").build())
    canvas = CanvasWidget(doc)
    canvas.show()
    doc.select(list(doc.graph.nodes))
    canvas.ops.copy()
    QTimer.singleShot(50, app.quit)
    app.exec()
    print("clean exit")
    """
)


def test_quitting_after_copy_exits_cleanly() -> None:
    env_run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert env_run.returncode == 0, env_run.stderr[-2000:]
    assert "clean exit" in env_run.stdout
