"""Report sections that run the model: evaluation, mistakes, Grad-CAM and the embedding map.

The numbers come from :mod:`studio.inspection.evaluation`,
:mod:`studio.inspection.embedding` and :mod:`studio.inspection.attribution`;
this module only chooses samples and draws. Like :mod:`.sections`, each
function returns HTML or raises
:class:`~studio.inspection.report.context.NotApplicable`.

t-SNE policy: the map is computed when asked (``tsne=True``), never with
``tsne=False``, and by default only when it has at most :data:`TSNE_AUTO_MAX`
points. openTSNE's default schedule (750 iterations) took 2.2 s for 360
points (the digits test split), 4.9 s for 1,257 and 6.7 s for 2,000 on a busy
2-core machine, so a default report stays within about ten seconds; beyond
that t-SNE grows to minutes and is left to ``--tsne``. PCA is always drawn
(milliseconds).
"""

from __future__ import annotations

from html import escape

import numpy as np

from studio.inspection.hooks import InspectionError
from studio.inspection.report import images, svg
from studio.inspection.report.context import NotApplicable, ReportContext
from studio.inspection.report.html import figure, table
from studio.inspection.report.sections import number

TSNE_AUTO_MAX = 2000  # points: t-SNE by default up to this many (see the module docstring)
MAX_POINTS = 5000  # the embedding uses the first samples of the split, at most this many
MISTAKES = 12
GRADCAM_EXAMPLES = 8


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _label(ctx: ReportContext, true: int, pred: int, confidence: float | None = None) -> str:
    names = ctx.class_names
    cls = "" if true == pred else ' class="wrong"'
    conf = f" ({_pct(confidence)})" if confidence is not None else ""
    return f"true <b>{escape(names[true])}</b> · <span{cls}>pred <b>{escape(names[pred])}</b>{conf}</span>"


def confusion(ctx: ReportContext) -> str:
    """Counts with row-normalised shading, and the accuracy they imply."""
    from studio.inspection.evaluation import confusion_matrix

    preds = ctx.predictions
    counts, normalised = confusion_matrix(preds.targets, preds.predictions, preds.num_classes)
    names = ctx.class_names
    total = int(counts.sum())
    unit = "pixels" if preds.targets.ndim > 1 else "samples"
    accuracy = np.trace(counts) / total if total else float("nan")
    caption = (
        f'<p class="caption">{total:,} {unit} of the {escape(ctx.split_label)} split, '
        f"checkpoint {escape(ctx.checkpoint_label())}: accuracy <b>{number(float(accuracy))}</b>. "
        "Rows are true classes, columns predictions; shading is the share of the row.</p>"
    )
    return svg.heatmap(counts, normalised, names, names) + caption


def per_class(ctx: ReportContext) -> str:
    """Precision, recall, F1 and support of every class, with the macro average."""
    from studio.inspection.evaluation import per_class_metrics

    preds = ctx.predictions
    report = per_class_metrics(preds.targets, preds.predictions, preds.num_classes)
    rows = []
    for i, name in enumerate(ctx.class_names):
        f1 = float(report.f1[i])
        bar = f'<td class="bar" style="--v: {100 * f1:.1f}%">{number(f1)}</td>'
        p, r, n = report.precision[i], report.recall[i], report.support[i]
        rows.append([escape(name), number(float(p)), number(float(r)), bar, f"{int(n):,}"])
    rows.append(
        [
            "<b>macro average</b>",
            number(float(report.precision.mean())),
            number(float(report.recall.mean())),
            f"<b>{number(report.macro_f1)}</b>",
            f"{int(report.support.sum()):,}",
        ]
    )
    return table(["class", "precision", "recall", "F1", "support"], rows)


def roc_pr(ctx: ReportContext) -> str:
    """ROC and precision-recall curves of a binary classifier."""
    from studio.inspection.evaluation import binary_curves

    preds = ctx.predictions
    if preds.num_classes != 2 or preds.targets.ndim != 1:
        raise NotApplicable(
            f"ROC and PR curves are drawn for binary tasks; this one has {preds.num_classes} classes"
        )
    try:
        c = binary_curves(preds)
    except InspectionError as exc:
        raise NotApplicable(str(exc)) from None
    positive = ctx.class_names[1]
    rate = float((preds.targets == 1).mean())
    unit = (0.0, 1.0)
    roc = svg.line_chart(
        [svg.Series(f"ROC (AUC {c.roc_auc:.3f})", c.fpr, c.tpr, svg.colour(0), markers=False)],
        "false positive rate", "true positive rate", "ROC curve",
        width=400, height=340, x_range=unit, y_range=unit, refs=[((0, 1), (0, 1))],
    )  # fmt: skip
    pr_line = svg.Series(
        f"PR (AP {c.average_precision:.3f})", c.recall, c.precision, svg.colour(1), markers=False
    )
    pr = svg.line_chart(
        [pr_line],
        "recall", "precision", "Precision-recall curve",
        width=400, height=340, x_range=unit, y_range=unit, refs=[((0, 1), (rate, rate))],
    )  # fmt: skip
    caption = (
        f'<p class="caption">Positive class: <b>{escape(positive)}</b>. Dashed: chance (the diagonal; '
        f"precision = the positive rate, {rate:.2f}).</p>"
    )
    return f'<div class="figures">{roc}{pr}</div>{caption}'


def mistakes(ctx: ReportContext) -> str:
    """The most confidently wrong predictions: images when the inputs are images, else a table."""
    from studio.inspection.evaluation import most_confident_mistakes

    preds = ctx.predictions
    try:
        wrong = most_confident_mistakes(preds, MISTAKES)
    except InspectionError as exc:
        raise NotApplicable(str(exc)) from None
    if not wrong:
        raise NotApplicable(f"no mistakes on the {ctx.split_label} split")
    dataset = ctx.dataset
    pictures = [images.as_image(dataset[m.index][0]) for m in wrong]
    if all(p is not None for p in pictures):
        cells = [
            figure(
                images.data_uri(images.enlarge(images.to_uint8(p))),
                f"#{m.index}<br>" + _label(ctx, m.target, m.prediction, m.confidence),
                f"sample {m.index}",
            )
            for m, p in zip(wrong, pictures, strict=True)
        ]
        return f'<div class="gallery">{"".join(cells)}</div>'
    rows = []
    for m in wrong:
        x = dataset[m.index][0]
        values = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64).ravel()
        shown = ", ".join(f"{v:.3g}" for v in values[:6]) + (" …" if values.size > 6 else "")
        names = ctx.class_names
        rows.append(
            [str(m.index), escape(names[m.target]), escape(names[m.prediction]), _pct(m.confidence), shown]
        )
    caption = '<p class="caption">Inputs as the model sees them (after the data\'s normalisation).</p>'
    return table(["sample", "true", "predicted", "confidence", "input"], rows, text_cols=(1, 2, 4)) + caption


def _gradcam_samples(ctx: ReportContext) -> list[int]:
    """Rows of the predictions: the first sample of each class, then the two worst mistakes."""
    from studio.inspection.evaluation import most_confident_mistakes

    preds = ctx.predictions
    chosen, seen = [], set()
    for row, t in enumerate(preds.targets):
        if int(t) not in seen:
            seen.add(int(t))
            chosen.append(row)
        if len(chosen) == GRADCAM_EXAMPLES - 2:
            break
    position = {int(index): row for row, index in enumerate(preds.indices)}
    for m in most_confident_mistakes(preds, 2):
        if position[m.index] not in chosen:
            chosen.append(position[m.index])
    return chosen[:GRADCAM_EXAMPLES]


def gradcam(ctx: ReportContext) -> str:
    """Grad-CAM overlays for a handful of samples, at the layer proposed from the graph."""
    import torch

    from studio.inspection.attribution import colorize, grad_cam, overlay, propose_gradcam_target

    run = ctx.model_run()
    try:
        target = propose_gradcam_target(run.project.graph, run.registry)
    except InspectionError as exc:
        raise NotApplicable(str(exc)) from None
    if ctx.task != "classification":
        raise NotApplicable(f"Grad-CAM explains a class score; this run's task is {ctx.task}")
    preds, dataset = ctx.predictions, ctx.dataset
    rows = _gradcam_samples(ctx)
    inputs = [dataset[int(preds.indices[r])][0] for r in rows]
    if any(images.as_image(x) is None for x in inputs):
        raise NotApplicable("Grad-CAM examples are drawn for models whose input is one image")
    cam = grad_cam(run.model, torch.stack(list(inputs)), target)
    if cam.upsampled is None:
        raise NotApplicable(f"the Grad-CAM map of {target} cannot be resized to the input")
    cells = []
    for k, r in enumerate(rows):
        picture = images.as_image(inputs[k])
        plain = images.enlarge(images.to_uint8(picture))
        heat = images.enlarge(overlay(picture, cam.upsampled[k], opacity=0.5, cmap="jet"))
        pred = int(cam.class_idx[k])
        caption = _label(ctx, int(preds.targets[r]), pred, float(cam.probabilities[k].max()))
        pair = (
            f'<div class="pair"><img src="{images.data_uri(plain)}" alt="input {int(preds.indices[r])}">'
            f'<img src="{images.data_uri(heat)}" alt="Grad-CAM {int(preds.indices[r])}"></div>'
        )
        cells.append(f"<figure>{pair}<figcaption>#{int(preds.indices[r])}<br>{caption}</figcaption></figure>")
    scale = colorize(np.tile(np.linspace(0, 1, 160), (10, 1)), "jet")
    legend = (
        f'<p class="caption">Layer <b>{escape(cam.target)}</b> (the last feature map before the spatial '
        "dimensions are removed), explaining each sample's predicted class; input left, overlay right. "
        f'low <img src="{images.data_uri(scale)}" alt="colour scale" height="10"> high evidence</p>'
    )
    return f'<div class="gallery">{"".join(cells)}</div>{legend}'
