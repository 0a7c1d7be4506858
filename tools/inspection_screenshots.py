"""Render the README's inspection screenshots from a properly trained LeNet-5.

Usage: ``QT_QPA_PLATFORM=offscreen python tools/inspection_screenshots.py [OUT_DIR]``
(``make screenshots`` runs it). Trains the LeNet-5 template on the built-in
digits (8 epochs, a checkpoint each epoch) into a temporary run directory,
opens it in the Inspection panel and saves one PNG per tab.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

TABS = {
    "Filters": "inspect-filters.png",
    "Feature maps": "inspect-feature-maps.png",
    "Explain": "inspect-explain.png",
    "Embedding": "inspect-embedding.png",
    "Evaluation": "inspect-evaluation.png",
}


def train(out: Path) -> Path:
    """LeNet-5 on the digits with the template's settings, fewer epochs, every epoch kept."""
    from studio.data import load_dataset
    from studio.templates.catalog import get_template
    from studio.training.loop import Trainer

    project = get_template("lenet5").build()
    project.training = {**project.training, "epochs": 8, "checkpoint_every": 1}
    data = load_dataset(dict(project.data), seed=0)
    summary = Trainer(project, data, project.training, out).fit()
    print(f"trained: test accuracy {summary['metrics']['test']['accuracy']:.3f}")
    return out


def settle(app, panel, seconds: float = 120.0) -> None:
    """Process events until the panel's jobs are done (t-SNE included)."""
    deadline = time.monotonic() + seconds
    idle_since = None
    while time.monotonic() < deadline:
        app.processEvents()
        if panel.context.jobs.busy or panel.context.opening:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > 0.5:
            return
        time.sleep(0.02)


def main(out_dir: str = "docs/screenshots") -> int:
    """Train, open the run in the Inspection panel, save one PNG per tab into ``out_dir``."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from studio.plugin_host import default_registry
    from studio.ui.inspect import InspectionPanel

    registry, _ = default_registry()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run = train(Path(tmp) / "lenet5")
        panel = InspectionPanel(registry)
        panel.resize(1400, 800)
        panel.show()
        panel.open_run(run, "best")
        settle(app, panel)
        panel.show_sample(11, "test")
        for index in range(panel.tabs.count()):
            title = panel.tabs.tabText(index)
            panel.tabs.setCurrentIndex(index)
            settle(app, panel)
            if title in TABS:
                path = out / TABS[title]
                panel.grab().save(str(path))
                print(f"wrote {path}")
        panel.shutdown()
        panel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
