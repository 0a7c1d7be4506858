"""``studio new --template NAME -o FILE``: write a project from a template."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.cli.common import EXIT_OK, CliError


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``new`` subcommand."""
    parser = subparsers.add_parser("new", help="write a project file from a template")
    parser.add_argument(
        "--template", required=True, metavar="NAME", help="template slug (see 'studio templates')"
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="project file to write")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    return parser


def run(args: argparse.Namespace) -> int:
    """Build the template and save it atomically; never overwrite without --force."""
    from studio.core.serialize import save_project
    from studio.templates import TEMPLATES, get_template

    template = get_template(args.template)
    if template is None:
        names = ", ".join(t.name for t in TEMPLATES)
        raise CliError(f"unknown template '{args.template}' (choose from: {names})")
    out = Path(args.output)
    if out.exists() and not args.force:
        raise CliError(f"{out}: already exists (use --force to overwrite)")
    if not out.parent.is_dir():
        raise CliError(f"{out}: folder '{out.parent}' does not exist")
    try:
        save_project(template.build(), out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {out} ({template.title})")
    return EXIT_OK
