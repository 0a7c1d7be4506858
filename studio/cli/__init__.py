"""The ``studio`` command: subcommands, or the desktop app when none is named.

Each subcommand is one module of this package exposing ``add_parser(subparsers)``
(which calls ``subparsers.add_parser(NAME, ...)``, adds its arguments and
returns the parser) and ``run(args) -> int``. :data:`COMMANDS` lists them in
help order; a name whose module has not landed yet is simply absent, so no
command is ever a placeholder.

Only the chosen subcommand's module is imported, and none for ``studio
--help``: the CLI starts fast and imports Qt or torch only when the command
itself needs them (the GUI, ``--screenshot``, ``train`` ...).
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from studio import __version__
from studio.cli.common import EXIT_USAGE, PROG, CliError, Parser, fail

# Help order. Modules are studio/cli/<name>.py (a trailing "_" for keywords: import_.py).
COMMANDS: tuple[str, ...] = ("templates", "new", "check", "export", "import", "train", "report")


def _module_name(command: str) -> str:
    suffix = "_" if keyword.iskeyword(command) else ""
    return f"{__name__}.{command}{suffix}"


def available_commands() -> list[str]:
    """The subcommands whose module exists, in help order (nothing is imported)."""
    return [name for name in COMMANDS if importlib.util.find_spec(_module_name(name)) is not None]


def _gui_parser(commands: Sequence[str]) -> Parser:
    listed = ", ".join(commands) if commands else "(none yet)"
    parser = Parser(
        prog=PROG,
        description="NetStudio: design, train and understand neural networks.",
        epilog=f"commands: {listed}. Run '{PROG} COMMAND --help' for the options of one.",
    )
    parser.add_argument("project", nargs="?", metavar="PROJECT", help="a *.nsproj.json project to open")
    parser.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the main window offscreen at 1600x1000 into OUT.png and exit",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _run_command(command: str, argv: list[str]) -> int:
    module = importlib.import_module(_module_name(command))
    parser = Parser(prog=PROG)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    module.add_parser(subparsers)
    args = parser.parse_args(argv)
    return int(module.run(args))


def _run_gui(argv: list[str]) -> int:
    commands = available_commands()
    args = _gui_parser(commands).parse_args(argv)
    if args.project and not Path(args.project).exists():
        # Checked before Qt starts; also catches a mistyped command ("studio chek").
        known = f" (and not a command: {', '.join(commands)})" if commands and "." not in args.project else ""
        raise CliError(f"{args.project}: no such file{known}")
    # Imported here: Qt loads only when the app itself is wanted.
    from studio.app import run_app

    return run_app(project=args.project, screenshot=args.screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``studio`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit status.

    Parameters
    ----------
    argv
        Command-line arguments without the program name.

    Returns
    -------
    int
        0 success, 1 the graph or run has errors, 2 unreadable input or bad usage.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in available_commands():
            return _run_command(argv[0], argv)
        return _run_gui(argv)
    except CliError as exc:
        return fail(str(exc), exc.code)
    except SystemExit as exc:
        # argparse exits for --help/--version (0) and usage errors (2, already printed).
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        return fail(str(exc.code), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `studio templates | head`: the reader left, which is not an error of ours.
        # Point stdout at devnull so the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
