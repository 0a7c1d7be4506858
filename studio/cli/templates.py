"""``studio templates [--json]``: list the built-in templates."""

from __future__ import annotations

import argparse
import json

from studio.cli.common import EXIT_OK, load_registry


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``templates`` subcommand."""
    parser = subparsers.add_parser("templates", help="list built-in templates")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def describe_templates() -> list[dict]:
    """One dict per template, in the Contracts' ``templates --json`` form."""
    from studio.compiler.infer import infer_graph
    from studio.templates import TEMPLATES

    registry = load_registry()
    rows = []
    for template in TEMPLATES:
        report = infer_graph(template.build().graph, registry)
        rows.append(
            {
                "name": template.name,
                "title": template.title,
                "task": template.task,
                "dataset": template.dataset,
                "total_params": report.total_params,
                "description": template.description,
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    """Print the templates as a table or as JSON."""
    rows = describe_templates()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(
            f"{r['name']:<{width}}  {r['title']:<24} {r['task']:<15} {r['dataset']:<8} "
            f"{r['total_params']:>10,} params  {r['description']}"
        )
    return EXIT_OK
