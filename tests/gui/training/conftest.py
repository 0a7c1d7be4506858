"""Fixtures: a shown training panel on a small template project, saved under tmp_path."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_panel(qtbot, registry, tmp_path):
    """Factory: ``make_panel(template="mlp", **training)`` -> a shown TrainingPanel.

    The project path is ``tmp_path/p.nsproj.json``, so runs go to ``tmp_path/runs/p/``.
    """
    from studio.templates.catalog import get_template
    from studio.ui.document import Document
    from studio.ui.training import TrainingPanel

    panels = []

    def make(template: str = "mlp", **training):
        project = get_template(template).build()
        project.training.update(training)
        document = Document(registry, project, path=tmp_path / "p.nsproj.json")
        panel = TrainingPanel(document, registry)
        qtbot.addWidget(panel, before_close_func=lambda w: w.shutdown())
        panel.resize(1200, 760)
        panel.show()
        qtbot.waitExposed(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()  # never leave a training thread behind, even when a test fails


def curve_len(panel, key: str = "loss") -> int:
    """Number of points the PlotDataItem ``key`` currently draws data for."""
    x, _ = panel.curves.items[key].getData()
    return 0 if x is None else len(x)
