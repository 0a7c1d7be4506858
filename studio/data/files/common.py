"""Shared helpers of the file loaders: paths, reading, messages that name the file."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from studio.data.bundle import DataError


def existing(path: str | Path, kind: str = "any") -> Path:
    """The path, checked to exist (and to be a file or a folder).

    Parameters
    ----------
    path
        As configured (``~`` is expanded).
    kind
        ``"file"``, ``"dir"`` or ``"any"``.

    Returns
    -------
    pathlib.Path
        The expanded path.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    if kind == "file" and not p.is_file():
        raise DataError(f"{p}: is a folder, expected a file")
    if kind == "dir" and not p.is_dir():
        raise DataError(f"{p}: is a file, expected a folder")
    return p


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip-compressed (by content, not name).

    Parameters
    ----------
    path
        A file.

    Returns
    -------
    bytes
        The (decompressed) contents.
    """
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from None
    return data
