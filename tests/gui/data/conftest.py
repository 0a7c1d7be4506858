"""Fixtures of the data wizard tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_wizard(qtbot):
    """Factory: a shown :class:`~studio.ui.data.DataWizard` (closed, and its job joined, at teardown)."""
    from studio.ui.data import DataWizard

    made = []

    def make(initial: dict | None = None) -> DataWizard:
        wizard = DataWizard(initial=initial)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.runner.shutdown()


@pytest.fixture
def make_panel(qtbot, registry, tmp_path):
    """Factory: a shown TrainingPanel on the MLP template (its run thread and dialogs closed at teardown)."""
    from studio.templates.catalog import get_template
    from studio.ui.document import Document
    from studio.ui.training import TrainingPanel

    panels = []

    def make(template: str = "mlp"):
        document = Document(registry, get_template(template).build(), path=tmp_path / "p.nsproj.json")
        panel = TrainingPanel(document, registry)
        qtbot.addWidget(panel, before_close_func=lambda w: w.shutdown())
        panel.resize(1200, 760)
        panel.show()
        qtbot.waitExposed(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        chooser = panel.form.dataset
        for dialog in (chooser.wizard, chooser.augment_dialog):
            if dialog is not None:
                dialog.runner.shutdown()
        panel.shutdown()
