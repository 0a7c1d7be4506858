"""The report's embedding section: the penultimate node's features mapped to 2-D (PCA, t-SNE).

The penultimate node is the input of the network's head: walking upstream from
the (first) output node, the first node with parameters is the head (the
classifier's last ``Linear``, past any Softmax or reshaping), and what feeds
it is the representation the head separates. See
:mod:`studio.inspection.report.model_sections` for the t-SNE policy.
"""

from __future__ import annotations

from html import escape

import numpy as np

from studio.inspection.hooks import InspectionError
from studio.inspection.report import svg
from studio.inspection.report.context import NotApplicable, ReportContext
from studio.inspection.report.model_sections import MAX_POINTS, TSNE_AUTO_MAX


def penultimate_node(ctx: ReportContext) -> str:
    """Name of the node whose output feeds the network's head (see the module docstring)."""
    from studio.inspection.embedding import penultimate_node as find

    run = ctx.model_run()
    try:
        return find(run.project.graph, run.registry, run.model)[0]
    except InspectionError as exc:
        raise NotApplicable(str(exc)) from None


def _groups(feats, names: list[str]) -> tuple[np.ndarray, list[str], str]:
    if feats.labels is not None:
        return feats.labels, names, "true class"
    if feats.predictions is not None:
        return feats.predictions, names, "predicted class"
    return np.zeros(len(feats.features), dtype=np.int64), ["sample"], ""


def embedding(ctx: ReportContext) -> str:
    """PCA (always) and t-SNE (by policy) maps of the penultimate features, coloured by class."""
    from studio.inspection.embedding import embed_2d, extract_features, pca_2d

    run = ctx.model_run()
    node = penultimate_node(ctx)
    feats = extract_features(run.model, ctx.dataset, node, limit=MAX_POINTS)
    n, dims = feats.features.shape
    if n < 5:
        raise NotApplicable(f"the {ctx.split_label} split has only {n} samples: too few for a map")
    names = run.class_names if run.class_names else []
    if feats.probabilities is not None and len(names) < feats.probabilities.shape[1]:
        names = [names[i] if i < len(names) else f"class {i}" for i in range(feats.probabilities.shape[1])]
    groups, legend, coloured_by = _groups(feats, names)
    wrong = None if feats.correct is None else ~feats.correct
    ring = "misclassified" if wrong is not None else ""
    maps = [("PCA", pca_2d(feats.features), "PC 1", "PC 2")]
    use_tsne = ctx.tsne if ctx.tsne is not None else n <= TSNE_AUTO_MAX
    notes = []
    if use_tsne:
        try:
            maps.append(("t-SNE", embed_2d(feats.features, "tsne", seed=run.seed), "t-SNE 1", "t-SNE 2"))
        except InspectionError as exc:
            notes.append(f"t-SNE could not be computed: {exc}")
    elif ctx.tsne is None:
        notes.append(f"t-SNE skipped: {n:,} points > {TSNE_AUTO_MAX:,} (ask for it with --tsne).")
    else:
        notes.append("t-SNE switched off (--no-tsne).")
    charts = [
        svg.scatter(coords, groups, legend, title, x_label, y_label, wrong, ring, legend_title=coloured_by)
        for title, coords, x_label, y_label in maps
    ]
    split = ctx.split_label
    sample_text = f"all {n:,}" if n == len(ctx.dataset) else f"the first {n:,}"
    caption = (
        f"Output of <b>{escape(node)}</b> ({dims:,} values per sample, the input of the network's head) "
        f"for {sample_text} samples of the {escape(split)} split"
        + (f", coloured by {coloured_by}" if coloured_by else "")
        + ("; ringed points are misclassified." if ring else ".")
    )
    note_html = "".join(f'<p class="note">{escape(t)}</p>' for t in notes)
    return f'<div class="figures">{"".join(charts)}</div><p class="caption">{caption}</p>{note_html}'
