"""Run every ``benchmarks/bench_*.py``, print a table and write ``benchmarks/results.json``.

Usage: ``python -m benchmarks.run [--size full|tiny] [--only NAME] [--out FILE]``
(``make bench`` runs the full size). Each module's ``run(size)`` returns a list
of dicts from :func:`benchmarks._harness.result`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results.json"
COLUMNS = ("name", "value", "unit", "goal", "meets", "repeats", "spread")


def bench_modules() -> list[str]:
    """Dotted names of the ``bench_*`` modules, alphabetically."""
    return [
        f"benchmarks.{m.name}"
        for m in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name)
        if m.name.startswith("bench_")
    ]


def run_all(size: str = "full", only: str | None = None) -> list[dict]:
    """Results of every benchmark module (or those whose name contains ``only``)."""
    results: list[dict] = []
    for name in bench_modules():
        if only and only not in name:
            continue
        module = importlib.import_module(name)
        start = time.perf_counter()
        rows = module.run(size)
        print(f"# {name}: {len(rows)} results in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        results.extend(rows)
    return results


def _cell(key: str, value) -> str:
    if key in ("value", "goal") and isinstance(value, float):
        return f"{value:.4g}"
    if key == "spread" and isinstance(value, float):
        return f"{100 * value:.1f}%"
    if key == "meets":
        return "yes" if value else "NO"
    return "—" if value is None else str(value)


def format_table(results: list[dict]) -> str:
    """An aligned text table of ``results`` (numbers right-aligned)."""
    rows = [COLUMNS] + [tuple(_cell(k, r.get(k)) for k in COLUMNS) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    numeric = {1, 3, 5, 6}
    lines = []
    for index, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("full", "tiny"), default="full")
    parser.add_argument("--only", metavar="NAME", help="run only modules whose name contains NAME")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON results")
    args = parser.parse_args(argv)
    results = run_all(args.size, args.only)
    print(format_table(results))
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {len(results)} results to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
