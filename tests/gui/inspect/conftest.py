"""Fixtures: real trained runs to inspect (trained once per session, read-only afterwards)."""

from __future__ import annotations

import pytest

from tests.gui.conftest import show_panel


def train_run(template: str, out, **training):
    """Train ``template`` with ``training`` overrides into ``out``; return the run directory."""
    from studio.data import load_dataset
    from studio.templates.catalog import get_template
    from studio.training.loop import Trainer

    project = get_template(template).build()
    project.training = {**project.training, **training}
    data = load_dataset(dict(project.data), seed=0)
    Trainer(project, data, project.training, out).fit()
    return out


@pytest.fixture(scope="session")
def mlp_run_dir(tmp_path_factory):
    """The MLP template on the moons data, 2 epochs (no spatial layers)."""
    return train_run("mlp", tmp_path_factory.mktemp("mlp-run"), epochs=2)


@pytest.fixture(scope="session")
def lenet_run_dir(tmp_path_factory):
    """LeNet-5 on the digits, 1 epoch (enough to have learned something)."""
    return train_run("lenet5", tmp_path_factory.mktemp("lenet-run"), epochs=1, checkpoint_every=1)


@pytest.fixture
def make_inspection_panel(qtbot, registry):
    """Factory: a shown InspectionPanel (shut down after the test)."""
    from studio.ui.inspect import InspectionPanel

    panels = []

    def make():
        panels.append(show_panel(qtbot, InspectionPanel(registry), (1200, 700)))
        return panels[-1]

    yield make
    for panel in panels:
        panel.shutdown()


def open_and_wait(qtbot, panel, run_dir, checkpoint="best"):
    """Open ``run_dir`` in ``panel`` and wait until the views have a model."""
    panel.open_run(run_dir, checkpoint)
    qtbot.waitUntil(lambda: panel.context.run is not None and not panel.context.opening, timeout=60000)
