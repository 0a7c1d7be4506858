"""Where a project's runs go, and the previous runs offered for comparison."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunInfo:
    """A run directory on disk, as listed in the compare menu.

    Attributes
    ----------
    path
        The run directory.
    status
        summary.json's status (``finished``, ``stopped``, ``failed``) or ``"?"`` while unknown.
    summary
        summary.json's content (empty while the run is incomplete).
    """

    path: Path
    status: str
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        """The directory name (a timestamp for default run directories)."""
        return self.path.name

    def label(self) -> str:
        """``20250101-120000 · finished · val acc 0.93`` (what the menu shows)."""
        parts = [self.name, self.status]
        val = (self.summary.get("metrics") or {}).get("val") or {}
        if isinstance(val.get("accuracy"), (int, float)):
            parts.append(f"val acc {val['accuracy']:.3f}")
        elif isinstance(val.get("loss"), (int, float)):
            parts.append(f"val loss {val['loss']:.4g}")
        return " · ".join(parts)


def run_label(name: str) -> str:
    """``20250101-114527`` -> ``run 11:45:27``; other directory names are kept."""
    match = re.fullmatch(r"\d{8}-(\d\d)(\d\d)(\d\d)(-\d+)?", name)
    return f"run {':'.join(match.groups()[:3])}{match.group(4) or ''}" if match else name


def runs_folder(project_path: Path | None) -> Path:
    """``runs/<stem>/`` beside a saved project; under the app's data folder for an untitled one.

    Parameters
    ----------
    project_path
        The project file, or None when the project was never saved.

    Returns
    -------
    pathlib.Path
        The folder that holds one directory per run (it may not exist yet).
    """
    from studio.training.rundir import default_run_dir

    if project_path is None:
        from studio.ui.files import data_dir

        return data_dir() / "runs" / "untitled"
    return default_run_dir(project_path).parent


def list_runs(folder: Path) -> list[RunInfo]:
    """The run directories in ``folder`` that have metrics, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if not (path / "metrics.jsonl").is_file():
            continue
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        found.append(RunInfo(path, str(summary.get("status", "?")), summary))
    return sorted(found, key=lambda run: run.path.name, reverse=True)
