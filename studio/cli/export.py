"""``studio export PROJECT --format py|onnx|pt2 -o OUT [--weights RUN_DIR|FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.cli.common import EXIT_ERRORS, EXIT_OK, CliError, load_registry, open_project_file

FORMATS = ("py", "onnx", "pt2")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``export`` subcommand."""
    parser = subparsers.add_parser("export", help="export a project as PyTorch code, ONNX or torch.export")
    parser.add_argument("project", metavar="PROJECT", help="a *.nsproj.json project file")
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="py: readable nn.Module source; onnx: ONNX model; pt2: torch.export program",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="file to write")
    parser.add_argument(
        "--weights",
        metavar="RUN_DIR|FILE",
        help="a run directory (its best checkpoint) or a .safetensors file",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Compile the project and write the chosen format."""
    from studio.compiler.export import write_python
    from studio.compiler.lower import CompileError, compile_graph
    from studio.compiler.weights import WeightsError, apply_state, load_state

    registry = load_registry()
    project = open_project_file(args.project, registry)
    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"{out}: folder '{out.parent}' does not exist")
    try:
        module = compile_graph(project.graph, registry)
    except CompileError as exc:
        raise CliError(f"{args.project}: {exc}", EXIT_ERRORS) from None
    try:
        if args.weights:
            apply_state(module, load_state(args.weights), args.weights)
    except WeightsError as exc:
        raise CliError(str(exc)) from None
    module.eval()
    try:
        if args.format == "py":
            write_python(project.graph, registry, out, module.state_dict() if args.weights else None)
        else:
            from studio.compiler.formats import export_onnx, export_pt2

            (export_onnx if args.format == "onnx" else export_pt2)(project.graph, registry, module, out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(
        f"wrote {out}"
        + (f" and {out.with_suffix('.safetensors')}" if args.weights and args.format == "py" else "")
    )
    return EXIT_OK
