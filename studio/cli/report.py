"""``studio report RUN_DIR -o REPORT.html``: one self-contained HTML page summarising a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.cli.common import EXIT_ERRORS, EXIT_OK, PROG, CliError, load_registry


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a training run",
        description="Write one HTML page (no external files) with the run's metrics, curves, "
        "evaluation, Grad-CAM examples, embedding map and training-doctor findings.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run directory written by 'studio train'")
    parser.add_argument("-o", "--output", required=True, metavar="REPORT.html", help="the page to write")
    parser.add_argument(
        "--checkpoint",
        default="best",
        metavar="NAME|FILE",
        help="weights to evaluate: best (default; last while there is none), last, epoch_NNN or a file",
    )
    parser.add_argument(
        "--split",
        default="test",
        choices=("test", "val", "train"),
        help="split for the evaluation views (default test; val when the data has no test split)",
    )
    parser.add_argument(
        "--tsne",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a t-SNE map beside the PCA map (default: only for at most 2,000 points)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Render the report and write it; exit 1 when a section failed (the page is still written)."""
    from studio.inspection.report import render_report, write_report
    from studio.inspection.run import RunError

    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"{out}: folder '{out.parent}' does not exist")
    registry = load_registry()
    try:
        report = render_report(args.run_dir, args.checkpoint, args.split, args.tsne, registry)
    except RunError as exc:
        raise CliError(str(exc)) from None
    try:
        write_report(report, out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
    for section in report.failures:
        message = " ".join(f"{section.title}: {section.error}".split())
        print(f"{PROG}: warning: report section failed: {message}", file=sys.stderr)
    print(f"wrote {out}")
    return EXIT_ERRORS if report.failures else EXIT_OK
