"""Helpers of the training panel tests (the make_panel fixture is in tests/gui/conftest.py)."""

from __future__ import annotations


def curve_len(panel, key: str = "loss") -> int:
    """Number of points the PlotDataItem ``key`` currently draws data for."""
    x, _ = panel.curves.items[key].getData()
    return 0 if x is None else len(x)
