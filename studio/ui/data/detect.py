"""What a dropped or chosen path holds: which file loader reads it, and the facts its options need.

Pure Python (no Qt) so the rules are easy to test: :func:`detect` maps a path to
a dataset id of :mod:`studio.data.registry` (``image_folder``, ``csv``, ``npz``,
``idx``, ``cifar10``) with a one-line description; :func:`table_columns` and
:func:`npz_arrays` read just enough of a file (a header and some rows, the
array headers) to fill the wizard's option editors without loading the data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
KINDS = {
    "image_folder": "Image folder (one sub-folder per class)",
    "csv": "CSV / TSV table",
    "npz": "NumPy arrays (.npz / .npy)",
    "idx": "MNIST / Fashion-MNIST (IDX files)",
    "cifar10": "CIFAR-10 (binary batches)",
}
SAMPLE_ROWS = 1000  # rows read to tell numeric from categorical columns


@dataclass
class Source:
    """A detected data source.

    Attributes
    ----------
    kind
        A dataset id of :data:`KINDS`, or "" when nothing fits.
    path
        The path the loader is given (a folder or a file), absolute.
    message
        One line for the user: what was found, or why nothing fits.
    facts
        Kind-specific details (``classes``, ``labels``, ``fashion`` ...).
    """

    kind: str
    path: str
    message: str
    facts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when a loader was found."""
        return bool(self.kind)


def detect(path: str | Path) -> Source:
    """The loader for ``path`` (a file or folder), judged from names and a folder listing.

    Parameters
    ----------
    path
        What the user picked or dropped (``~`` is expanded).

    Returns
    -------
    Source
        ``kind`` is "" with an explanation when no loader fits.
    """
    text = str(path).strip()
    if not text:
        return Source("", "", "Choose a file or folder, or drop one here.")
    p = Path(text).expanduser()
    try:
        p = p.resolve()
        if not p.exists():
            return Source("", str(p), f"{p}: no such file or folder")
        return _folder(p) if p.is_dir() else _file(p)
    except OSError as exc:  # permission denied, broken link...
        return Source("", str(p), f"{p}: cannot read ({exc.strerror or exc})")


def _fashion(p: Path) -> bool:
    return "fashion" in str(p).lower()


def _folder(p: Path) -> Source:
    entries = [e for e in p.iterdir() if not e.name.startswith(".")]
    names = [e.name for e in entries if e.is_file()]
    batches = sorted(n for n in names if n.startswith("data_batch_") and n.endswith(".bin"))
    if batches:
        test = "test_batch.bin" in names
        more = " and test_batch.bin" if test else ""
        return Source("cifar10", str(p), f"CIFAR-10 binary batches: {len(batches)} data_batch files{more}")
    if any(n.startswith("data_batch_") for n in names):
        return Source(
            "",
            str(p),
            f"{p}: these look like CIFAR-10 Python (pickle) batches; NetStudio reads the binary "
            "version (cifar-10-binary.tar.gz: data_batch_*.bin) and never unpickles files",
        )
    if any("idx3-ubyte" in n for n in names):
        test = any(n.startswith("t10k") and "idx3-ubyte" in n for n in names)
        note = " with the t10k test files" if test else ""
        return Source(
            "idx", str(p), f"IDX image and label files{note}", {"fashion": _fashion(p), "test": test}
        )
    classes = {}
    for sub in sorted(e for e in entries if e.is_dir()):
        count = sum(1 for f in sub.iterdir() if f.suffix.lower() in IMAGE_EXTENSIONS)
        classes[sub.name] = count
    if any(classes.values()):
        total = sum(classes.values())
        return Source(
            "image_folder",
            str(p),
            f"Image folder: {len(classes)} class folders, {total} images",
            {"classes": classes},
        )
    tables = [n for n in names if n.lower().endswith(TABLE_SUFFIXES[:2]) or n.lower().endswith(".npz")]
    hint = f" (it holds {', '.join(sorted(tables)[:3])}: choose the file itself)" if tables else ""
    return Source(
        "",
        str(p),
        f"{p}: no class sub-folders with images, IDX files or CIFAR-10 batches{hint}",
    )


def _file(p: Path) -> Source:
    name, suffix = p.name.lower(), p.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return Source("csv", str(p), f"Table: {p.name}")
    if suffix in (".npz", ".npy"):
        return Source("npz", str(p), f"NumPy {'archive' if suffix == '.npz' else 'array'}: {p.name}")
    if "idx3-ubyte" in name:
        labels = p.with_name(p.name.replace("images", "labels").replace("idx3", "idx1"))
        facts = {"fashion": _fashion(p), "labels": str(labels) if labels.is_file() else ""}
        found = f"labels {labels.name}" if labels.is_file() else "no matching labels file beside it"
        return Source("idx", str(p), f"IDX images {p.name} ({found})", facts)
    if "idx1-ubyte" in name:
        return detect(p.parent)  # a labels file: its folder holds the pair
    if suffix == ".bin" and (name.startswith("data_batch_") or name.startswith("test_batch")):
        return Source("cifar10", str(p), f"One CIFAR-10 binary batch: {p.name}")
    if suffix in IMAGE_EXTENSIONS and p.parent.parent != p.parent:
        return detect(p.parent.parent)  # an image inside a class folder: the folder above holds them all
    return Source(
        "",
        str(p),
        f"{p.name}: not a format NetStudio reads (image folders, .csv/.tsv, .npy/.npz, "
        "IDX files, CIFAR-10 .bin batches)",
    )


def sniff_delimiter(path: Path, first_line: str) -> str:
    r"""The loader's rule: tab for ``.tsv``/``.tab``, else the most frequent of ``,;\t`` in the header."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    return max(",;\t", key=first_line.count) if first_line else ","


def table_columns(path: str | Path, delimiter: str = "auto") -> tuple[list[str], list[str], str]:
    """Header, column types and delimiter of a table, from its first :data:`SAMPLE_ROWS` rows.

    Parameters
    ----------
    path
        The .csv / .tsv file.
    delimiter
        As the loader's option (``"auto"`` sniffs).

    Returns
    -------
    tuple
        ``(header, types, delimiter)``; a type is ``"numeric"`` (every non-empty
        cell of the sample is a number) or ``"categorical"``. Empty lists when the
        file cannot be read (the preview then shows the loader's message).
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            head = list(islice(f, SAMPLE_ROWS + 1))
    except (OSError, UnicodeDecodeError):
        return [], [], delimiter
    if not head:
        return [], [], delimiter
    if delimiter == "auto":
        delimiter = sniff_delimiter(p, head[0])
    rows = [
        r for r in csv.reader(io.StringIO("".join(head)), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    if not rows:
        return [], [], delimiter
    header = [h.strip() for h in rows[0]]
    types = []
    for i in range(len(header)):
        cells = [r[i].strip() for r in rows[1:] if i < len(r) and r[i].strip()]
        types.append("numeric" if cells and all(_is_number(c) for c in cells) else "categorical")
    return header, types, delimiter


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def npz_arrays(path: str | Path) -> list[tuple[str, tuple[int, ...], str]]:
    """``(name, shape, dtype)`` of every array in an ``.npz`` (or the one in an ``.npy``).

    Only the array headers are read. Unreadable files give an empty list (the
    preview then shows the loader's message).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    list of tuple
        One entry per array, in archive order.
    """
    p = Path(path)
    fmt = np.lib.format
    try:
        if p.suffix.lower() == ".npy":
            with p.open("rb") as f:
                return [("", *_header(fmt, f))]
        out = []
        with zipfile.ZipFile(p) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".npy"):
                    with archive.open(info) as f:
                        out.append((info.filename[: -len(".npy")], *_header(fmt, f)))
        return out
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return []


def _header(fmt, f) -> tuple[tuple[int, ...], str]:
    version = fmt.read_magic(f)
    reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, _fortran, dtype = reader(f)
    return tuple(int(s) for s in shape), str(dtype)
