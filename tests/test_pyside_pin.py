"""Regression test behind the ``PySide6-Essentials<6.12`` pin in pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QImage, QPainter
app = QGuiApplication([])
image = QImage(800, 600, QImage.Format.Format_ARGB32)
painter = QPainter(image)
for i in range(200_000):
    painter.drawRect(i % 700, (i * 7) % 500, 10 + i % 90, 10 + i % 60)
painter.end()
print("OK", flush=True)
"""


def test_many_void_qpainter_calls_do_not_abort():
    """200,000 ``QPainter.drawRect`` calls must not crash the interpreter.

    PySide6 6.12.0 on Python 3.11 aborts with "Fatal Python error:
    none_dealloc" after roughly 100k calls that return ``None`` (a reference
    count leak on ``Py_None``); 6.11.3 passes. That is why pyproject.toml pins
    ``PySide6-Essentials<6.12``. Lift the pin only when a newer release passes
    this test. It runs in a subprocess so that the abort is reported as a
    failure instead of killing pytest.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert "none_dealloc" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "OK" in proc.stdout
