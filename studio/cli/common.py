"""Helpers shared by the subcommands: one-line failures and project loading.

The Contracts promise that bad input never produces a traceback: the user
sees ``studio: error: <file>: <problem>`` on stderr and exit status 2.
Subcommands raise :class:`CliError`; :func:`studio.cli.main` turns it into
that line.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from studio.core.serialize import Project
    from studio.layers.registry import LayerRegistry

PROG = "studio"

EXIT_OK = 0
EXIT_ERRORS = 1  # valid input whose graph or run has errors (reported)
EXIT_USAGE = 2  # unreadable input or bad usage


class CliError(Exception):
    """A failure to report as one line, with the exit status to return.

    Parameters
    ----------
    message
        The text after ``studio: error: ``; name the file first when there is
        one (``"net.json: not valid JSON (line 3 column 1: ...)"``).
    code
        The exit status, :data:`EXIT_USAGE` unless stated otherwise.
    """

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print ``studio: error: <message>`` on stderr as one line and return ``code``.

    Parameters
    ----------
    message
        What went wrong; newlines are folded so the report stays one line.
    code
        Exit status to hand back to :func:`studio.cli.main`.

    Returns
    -------
    int
        ``code``, so callers can write ``return fail(...)``.
    """
    line = " ".join(str(message).split())
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return code


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line and exit status 2.

    argparse already exits with 2 but prints the whole usage block first; a
    single line is easier to read in scripts and is what the Contracts promise.
    """

    def error(self, message: str) -> NoReturn:
        """Report a usage error on one line and exit with status 2."""
        fail(f"{message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_USAGE)


def open_project_file(path: str | os.PathLike, registry: LayerRegistry) -> Project:
    """Load a project file with the catalog's ports, param checks and legacy ids.

    Parameters
    ----------
    path
        A ``*.nsproj.json`` file.
    registry
        The layer catalog used to resolve ports and validate params.

    Returns
    -------
    Project
        The loaded project; ``project.graph`` is the graph model.

    Raises
    ------
    CliError
        One line naming the file and the problem, exit status 2.
    """
    from studio.core.serialize import ProjectError
    from studio.layers.validation import open_project

    try:
        return open_project(path, registry)
    except ProjectError as exc:
        raise CliError(str(exc)) from None


def load_registry() -> LayerRegistry:
    """Built-in layers plus every plugin that loads; plugin failures go to stderr.

    A broken plugin is reported (one line each) and skipped, never fatal.
    """
    from studio.plugin_host import default_registry

    registry, report = default_registry()
    for error in report.errors:
        print(f"{PROG}: warning: plugin skipped: {' '.join(str(error).split())}", file=sys.stderr)
    return registry
