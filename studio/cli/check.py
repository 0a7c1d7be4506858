"""``studio check PROJECT [--json]``: the shape-inference report of a project."""

from __future__ import annotations

import argparse
import json

from studio.cli.common import EXIT_ERRORS, EXIT_OK, load_registry, open_project_file


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``check`` subcommand."""
    parser = subparsers.add_parser("check", help="shape-inference report (shapes, params, MACs, errors)")
    parser.add_argument("project", metavar="PROJECT", help="a *.nsproj.json project file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (schema in the README)")
    return parser


def _shapes(shapes: list) -> str:
    return ", ".join("(" + ", ".join("N" if d is None else str(d) for d in s) + ")" for s in shapes) or "—"


def format_table(data: dict) -> str:
    """The human-readable report: one row per node, totals, then errors."""
    rows = [("Layer", "Type", "Output shape", "Params", "MACs")]
    for node in data["nodes"]:
        rows.append(
            (
                node["name"],
                node["type"],
                _shapes(node["output_shapes"]),
                f"{node['params']:,}",
                f"{node['macs']:,}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, row in enumerate(rows):
        cells = [
            c.ljust(w) if j < 3 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"Total params: {data['total_params']:,} (trainable {data['trainable_params']:,})")
    lines.append(f"MACs per sample: {data['total_macs']:,} (FLOPs ≈ 2 × MACs = {2 * data['total_macs']:,})")
    lines.append(f"Activation memory per sample: {data['activation_bytes'] / 1024:,.1f} KiB (float32)")
    names = {n["id"]: n["name"] for n in data["nodes"]}
    for err in data["errors"]:
        where = names.get(err["node"], err["node"]) + (f".{err['port']}" if err["port"] else "")
        lines.append(f"error: {where}: {err['message']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 when the graph has errors."""
    from studio.compiler.report import check_report

    registry = load_registry()
    project = open_project_file(args.project, registry)
    data = check_report(project.graph, registry)
    print(json.dumps(data, indent=2) if args.json else format_table(data))
    return EXIT_ERRORS if data["errors"] else EXIT_OK
