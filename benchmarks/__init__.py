"""Performance benchmarks: ``make bench`` runs every ``bench_*.py`` module via :mod:`benchmarks.run`."""
