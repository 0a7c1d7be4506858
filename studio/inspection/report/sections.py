"""Report sections read from the run's files: overview, metrics, learning curves, doctor findings.

Each function takes the :class:`~studio.inspection.report.context.ReportContext`
and returns the section's HTML body, or raises
:class:`~studio.inspection.report.context.NotApplicable` with the one-line
reason the section is empty.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from studio.inspection.report import svg
from studio.inspection.report.context import NotApplicable, ReportContext
from studio.inspection.report.html import facts, table

SPLITS = ("train", "val", "test")
# The curve drawn beside the loss: the first of these the run recorded.
TASK_METRICS = {
    "accuracy": "Accuracy",
    "mean_iou": "Mean IoU",
    "pixel_accuracy": "Pixel accuracy",
    "r2": "R²",
    "mae": "MAE",
    "rmse": "RMSE",
    "macro_f1": "Macro F1",
}
SEVERITIES = ("error", "warning", "info")


def project_name(ctx: ReportContext) -> str:
    """The project's name: a ``name`` saved in the project, else the folder ``runs/<name>/<stamp>``."""
    for source in (ctx.project.extra, ctx.project.ui):
        name = source.get("name") or source.get("title")
        if isinstance(name, str) and name.strip():
            return name.strip()
    if ctx.run_dir.parent.parent.name == "runs":
        return ctx.run_dir.parent.name  # the default run folder: runs/<project stem>/<timestamp>
    return ctx.run_dir.name


def duration(seconds: Any) -> str:
    """``45.2 s``, ``3 min 05 s``, ``2 h 04 min``; an em dash when unknown."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def number(value: Any, digits: int = 4) -> str:
    """A metric value as shown on the page (the tests read the same format back)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"


def parameter_count(ctx: ReportContext) -> int | None:
    """Trainable parameters of the model (None when it cannot be built)."""
    model = ctx.run.model if ctx.run is not None else None
    if model is None:
        try:
            from studio.inspection.run import build_model

            model = build_model(ctx.project, ctx.registry)
        except Exception:  # noqa: BLE001 - the overview shows "—" and the model sections say why
            return None
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def overview(ctx: ReportContext) -> str:
    """Key facts of the run."""
    s = ctx.summary
    status = s.get("status", "training" if not s else "unknown")
    planned = ctx.project.training.get("epochs")
    epochs = number(s.get("epochs")) if s else (str(len(ctx.epochs)) if ctx.epochs else "—")
    if isinstance(planned, int) and epochs != "—":
        epochs += f" of {planned}"
    params = parameter_count(ctx)
    data = ctx.project.data.get("dataset", "—")
    items = [
        ("Project", escape(project_name(ctx))),
        ("Status", f'<span class="status-{escape(str(status))}">{escape(str(status))}</span>'),
        ("Epochs", epochs),
        ("Best epoch", number(s.get("best_epoch")) if s.get("best_epoch") else "—"),
        ("Device", escape(str(s.get("device", "—")))),
        ("Duration", duration(s.get("seconds"))),
        ("Parameters", number(params) if params is not None else "—"),
        ("Task", escape(ctx.task)),
        ("Dataset", escape(str(data))),
        ("Checkpoint", escape(ctx.checkpoint_label()) if ctx.run is not None else "none"),
    ]
    return facts(items)


def _scalars(metrics: dict[str, Any]) -> list[str]:
    keys: list[str] = []
    for split in SPLITS:
        for key, value in (metrics.get(split) or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in keys:
                keys.append(key)
    return keys


def metrics_table(ctx: ReportContext) -> str:
    """summary.json's scalar metrics per split."""
    metrics = ctx.summary.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        raise NotApplicable("summary.json has no metrics yet (the run is still training or never finished)")
    splits = [s for s in SPLITS if isinstance(metrics.get(s), dict)]
    rows = []
    for key in _scalars(metrics):
        rows.append([escape(key.replace("_", " "))] + [number(metrics[s].get(key)) for s in splits])
    if not rows:
        raise NotApplicable("summary.json holds no scalar metrics")
    caption = (
        '<p class="caption">As recorded by the trainer in summary.json; the test split is scored '
        "once, with the weights the run ended with.</p>"
    )
    return table(["metric", *splits], rows) + caption


def _series(records: list[dict], key: str) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for r in records:
        xs.append(r["epoch"])
        value = r.get(key)
        ys.append(float(value) if isinstance(value, (int, float)) else math.nan)
    return xs, ys


def curves(ctx: ReportContext) -> str:
    """Per-epoch train/val loss and the task's main metric."""
    records = ctx.epochs
    if not records:
        raise NotApplicable("metrics.jsonl has no finished epoch yet")
    best = ctx.summary.get("best_epoch")
    marks = [(float(best), "best")] if isinstance(best, int) and best > 0 else []
    charts = []
    keys = set().union(*records)
    metric = next((m for m in TASK_METRICS if f"val_{m}" in keys or f"train_{m}" in keys), None)
    for name, label in (("loss", "Loss"), (metric, TASK_METRICS.get(metric or ""))):
        if name is None:
            continue
        series = []
        for i, split in enumerate(("train", "val")):
            xs, ys = _series(records, f"{split}_{name}")
            if any(math.isfinite(y) for y in ys):
                series.append(svg.Series(split, xs, ys, svg.colour(i), dashed=split == "val"))
        if series:
            title = f"{label} per epoch"
            charts.append(svg.line_chart(series, "epoch", label, title, vlines=marks, integer_x=True))
    if not charts:
        raise NotApplicable("the epoch records hold no loss or metric values")
    return f'<div class="figures">{"".join(charts)}</div>'


def read_findings(ctx: ReportContext) -> list[dict[str, Any]] | None:
    """The findings of ``doctor.jsonl`` (None when the file does not exist)."""
    path = ctx.run_dir / "doctor.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NotApplicable(f"{path}: cannot be read ({exc.strerror})") from None
    findings = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue  # a torn line of a run still writing
        if isinstance(item, dict) and item.get("message"):
            findings.append(item)
    return findings


def _when(item: dict[str, Any]) -> str:
    epoch, step = item.get("epoch"), item.get("step")
    if epoch is None and step is None:
        return "before training"
    return ", ".join(p for p in (f"epoch {epoch}" if epoch else "", f"step {step}" if step else "") if p)


def doctor(ctx: ReportContext) -> str:
    """The training doctor's findings, most severe first, repeated findings folded into one row."""
    findings = read_findings(ctx)
    if not findings:  # the doctor writes doctor.jsonl with its first finding
        raise NotApplicable("the training doctor recorded no findings for this run")
    folded: dict[tuple, dict[str, Any]] = {}
    for item in findings:
        key = (item.get("code"), item.get("node"), item.get("message"), item.get("fix"))
        folded.setdefault(key, {**item, "count": 0})["count"] += 1
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    rows = []
    for item in sorted(folded.values(), key=lambda f: rank.get(str(f.get("severity")), len(rank))):
        severity = str(item.get("severity", "info"))
        times = f" ×{item['count']}" if item["count"] > 1 else ""
        rows.append(
            [
                f'<td class="text"><span class="badge {escape(severity)}">{escape(severity)}</span></td>',
                escape(_when(item)) + times,
                escape(str(item.get("node") or "—")),
                escape(str(item["message"])),
                escape(str(item.get("fix") or "")),
            ]
        )
    counts = {s: sum(1 for f in folded.values() if f.get("severity") == s) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    return f'<p class="caption">{escape(summary)}</p>' + table(
        ["severity", "when", "node", "finding", "what to do"], rows, text_cols=(1, 2, 3, 4)
    )
