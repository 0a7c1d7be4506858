"""One self-contained HTML page summarising a training run (``studio report RUN_DIR -o REPORT.html``).

The page holds the run's key facts, its metrics, learning curves, the
evaluation views (confusion matrix, per-class scores, ROC/PR for binary tasks,
the most confident mistakes), Grad-CAM examples, an embedding map of the
penultimate features and the training doctor's findings. Figures are inline
SVG (:mod:`.svg`) and PNG data URIs (:mod:`.images`): no display, no Qt, no
files beside the page, no network.

A section that does not apply (no spatial layers for Grad-CAM, a regression
task for the confusion matrix, no checkpoint yet) shows one line saying why.
An unexpected failure in one section is shown in that section and listed in
:attr:`Report.failures`; the rest of the page is still written.

Examples
--------
>>> build_report("runs/lenet5/20250101-120000", "report.html")  # doctest: +SKIP
PosixPath('report.html')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.serialize import ProjectError, atomic_write_text
from studio.inspection.hooks import InspectionError
from studio.inspection.report import embedding_map, model_sections, sections
from studio.inspection.report.context import NotApplicable, ReportContext
from studio.inspection.report.html import Section, page
from studio.inspection.run import RunError, list_checkpoints, open_run
from studio.layers.registry import LayerRegistry
from studio.training.rundir import PROJECT_FILE

__all__ = ["Report", "RunError", "build_report", "render_report", "write_report"]

# (anchor, heading, body builder), in page order.
SECTIONS: tuple[tuple[str, str, Callable[[ReportContext], str]], ...] = (
    ("overview", "Overview", sections.overview),
    ("metrics", "Metrics", sections.metrics_table),
    ("curves", "Learning curves", sections.curves),
    ("confusion", "Confusion matrix", model_sections.confusion),
    ("per-class", "Per-class precision, recall and F1", model_sections.per_class),
    ("roc-pr", "ROC and precision-recall", model_sections.roc_pr),
    ("mistakes", "Most confident mistakes", model_sections.mistakes),
    ("gradcam", "Grad-CAM", model_sections.gradcam),
    ("embedding", "Embedding of the penultimate features", embedding_map.embedding),
    ("doctor", "Training doctor", sections.doctor),
)


@dataclass
class Report:
    """A rendered report: the page and what happened to each section."""

    html: str
    sections: list[Section]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[Section]:
        """Sections emptied by an unexpected error (shown on the page as such)."""
        return [s for s in self.sections if s.error]

    def section(self, key: str) -> Section:
        """The section with anchor ``key``."""
        return next(s for s in self.sections if s.key == key)


def _open(run_dir: Path, checkpoint: str | Path, registry: LayerRegistry) -> ReportContext:
    """Open the run; a run without any checkpoint yet still gets the sections read from files."""
    from studio.layers.validation import open_project

    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: no such run directory")
    snapshot = run_dir / PROJECT_FILE
    try:  # checked here too, for a one-line message that names the file once
        project = open_project(snapshot, registry)
    except ProjectError as exc:
        raise RunError(str(exc)) from None
    except OSError as exc:
        raise RunError(f"{snapshot}: cannot read the project snapshot ({exc.strerror or exc})") from None
    if str(checkpoint) in ("best", "last") and not list_checkpoints(run_dir):
        reason = "the run has no checkpoint yet: the views that run the model need trained weights"
        return ReportContext(run_dir, project, registry, None, no_model=reason)
    run = open_run(run_dir, checkpoint, registry)
    return ReportContext(run_dir, run.project, registry, run)


def render_report(
    run_dir: str | Path,
    checkpoint: str | Path = "best",
    split: str = "test",
    tsne: bool | None = None,
    registry: LayerRegistry | None = None,
    strict: bool = False,
) -> Report:
    """Build the report page of ``run_dir`` in memory.

    Parameters
    ----------
    run_dir
        A run directory written by ``studio train`` (finished, stopped, failed or still running).
    checkpoint
        Weights to evaluate: ``"best"`` (falls back to ``"last"``), ``"last"``,
        ``"epoch_003"`` or a safetensors path.
    split
        ``"test"`` (falls back to ``"val"`` when the data has none), ``"val"`` or ``"train"``.
    tsne
        True: always draw a t-SNE map; False: never; None: when it has at most
        2,000 points (a few seconds; see :mod:`.model_sections`).
    registry
        Layer catalog (pass the one with plugins); built-ins by default.
    strict
        Raise unexpected section errors instead of showing them (for tests).

    Raises
    ------
    RunError
        The run directory, its project snapshot or the checkpoint cannot be read (one line).
    """
    path = Path(run_dir)
    ctx = _open(path, checkpoint, registry or LayerRegistry.with_builtins())
    ctx.split, ctx.tsne = split, tsne
    built, seconds = [], {}
    for key, title, build in SECTIONS:
        start = time.perf_counter()
        section = Section(key, title)
        try:
            section.body = build(ctx)
        except (NotApplicable, InspectionError, RunError) as exc:
            section.note = str(exc)
        except Exception as exc:  # noqa: BLE001 - one broken view must not cost the whole page
            if strict:
                raise
            section.error = f"{type(exc).__name__}: {exc}"
        seconds[key] = time.perf_counter() - start
        built.append(section)
    from studio import __version__

    name = sections.project_name(ctx)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    html = page(
        f"{name} — training report",
        str(path.resolve()),
        built,
        f"Generated by NetStudio {__version__} on {stamp}.",
    )
    return Report(html, built, seconds)


def build_report(
    run_dir: str | Path,
    out: str | Path,
    checkpoint: str | Path = "best",
    split: str = "test",
    tsne: bool | None = None,
    registry: LayerRegistry | None = None,
    strict: bool = False,
) -> Path:
    """Write the report page of ``run_dir`` to ``out`` atomically and return ``out``'s path.

    Parameters are those of :func:`render_report`; ``out``'s folder is created
    when missing. The page is written to a temporary file and renamed, so
    ``out`` never holds half a report.

    Raises
    ------
    RunError
        The run cannot be read.
    OSError
        ``out`` cannot be written.
    """
    return write_report(render_report(run_dir, checkpoint, split, tsne, registry, strict), out)


def write_report(report: Report, out: str | Path) -> Path:
    """Write ``report``'s page to ``out`` (temporary file, then rename); create the folder if needed."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, report.html)
    return target
