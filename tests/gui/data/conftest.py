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
