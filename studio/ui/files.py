"""Where the app keeps its own files: recent projects, autosave and crash recovery.

- Recent files live in :class:`~PySide6.QtCore.QSettings` under the
  application's organisation/name (tests isolate them by setting another
  ``QCoreApplication.organizationName`` or ``NETSTUDIO_DATA_DIR``).
- Every :data:`AUTOSAVE_MS` the open project, when it has unsaved edits, is
  written atomically to ``<data dir>/recovery/autosave.nsproj.json`` with a small
  ``autosave.json`` note saying which file it belongs to. A clean close or a
  save deletes both, so a recovery file found at start-up means the last
  session ended without saving: the window offers to restore it.
- The data dir is ``$NETSTUDIO_DATA_DIR`` or Qt's per-user app-data location.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer

from studio.core.serialize import Project, atomic_write_text, project_to_dict

AUTOSAVE_MS = 60_000
MAX_RECENT = 10
_RECENT_KEY = "files/recent"


def data_dir() -> Path:
    """The per-user folder for NetStudio's own files (``$NETSTUDIO_DATA_DIR`` overrides it)."""
    override = os.environ.get("NETSTUDIO_DATA_DIR")
    if override:
        return Path(override)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location or Path.home() / ".netstudio")


def settings() -> QSettings:
    """The app's settings; under ``$NETSTUDIO_DATA_DIR`` as an INI file when that is set (tests)."""
    override = os.environ.get("NETSTUDIO_DATA_DIR")
    if override:
        return QSettings(str(Path(override) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings()


class RecentFiles:
    """Most-recently-used project paths, newest first, persisted in :func:`settings`."""

    def paths(self) -> list[Path]:
        """The remembered paths that still exist."""
        raw = settings().value(_RECENT_KEY, []) or []
        if isinstance(raw, str):  # QSettings returns a lone string for a one-item list
            raw = [raw]
        return [Path(p) for p in raw if Path(p).is_file()]

    def add(self, path: Path) -> None:
        """Put ``path`` first (once)."""
        path = Path(path).resolve()
        kept = [p for p in self.paths() if p.resolve() != path]
        self._store([path, *kept][:MAX_RECENT])

    def clear(self) -> None:
        """Forget every recent file."""
        self._store([])

    @staticmethod
    def _store(paths: list[Path]) -> None:
        store = settings()
        store.setValue(_RECENT_KEY, [str(p) for p in paths])
        store.sync()


@dataclass
class Recovery:
    """An autosave left by a session that did not end cleanly."""

    path: Path  # the autosaved project
    original: Path | None  # the file it was an edit of (None: untitled)
    title: str


class Autosaver(QObject):
    """Writes the open project to the recovery file every minute while it has unsaved edits.

    Parameters
    ----------
    snapshot
        Returns ``(project, original_path, title, dirty)`` for the open project,
        or None when nothing is open.
    interval_ms
        How often to write.
    """

    def __init__(
        self,
        snapshot: Callable[[], tuple[Project, Path | None, str, bool] | None],
        interval_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._snapshot = snapshot
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()

    @staticmethod
    def folder() -> Path:
        """``<data dir>/recovery``."""
        return data_dir() / "recovery"

    @classmethod
    def project_file(cls) -> Path:
        """The autosaved project."""
        return cls.folder() / "autosave.nsproj.json"

    @classmethod
    def note_file(cls) -> Path:
        """Which file the autosave belongs to."""
        return cls.folder() / "autosave.json"

    def autosave(self) -> bool:
        """Write the recovery file now if the open project has unsaved edits; True if written."""
        state = self._snapshot()
        if state is None or not state[3]:
            return False
        project, original, title, _ = state
        self.folder().mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.project_file(), json.dumps(project_to_dict(project), indent=1))
        note = {"original": str(original) if original else None, "title": title}
        atomic_write_text(self.note_file(), json.dumps(note))
        return True

    @classmethod
    def discard(cls) -> None:
        """Delete the recovery files (after a save, a clean close or a declined recovery)."""
        for path in (cls.project_file(), cls.note_file()):
            path.unlink(missing_ok=True)

    @classmethod
    def pending(cls) -> Recovery | None:
        """The recovery left by a crashed session, or None."""
        if not cls.project_file().is_file():
            return None
        try:
            note = json.loads(cls.note_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note = {}
        original = note.get("original") if isinstance(note, dict) else None
        title = note.get("title") if isinstance(note, dict) else None
        return Recovery(cls.project_file(), Path(original) if original else None, title or "Untitled")

    def stop(self) -> None:
        """Stop the timer (the window is closing)."""
        self.timer.stop()
