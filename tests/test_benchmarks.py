"""Every benchmark runs at its tiny size and returns rows in the Contracts schema.

No assertion is made on timings: CI does not gate on benchmark figures, this
only keeps the benchmarks from rotting.
"""

from __future__ import annotations

import importlib
import json
import math

import pytest

from benchmarks._harness import CONTRACT_KEYS, interleaved, median_spread, result
from benchmarks.run import bench_modules, format_table, main


@pytest.mark.parametrize("module_name", bench_modules())
def test_benchmark_runs_at_tiny_size(module_name):
    rows = importlib.import_module(module_name).run("tiny")
    assert rows, f"{module_name} returned no results"
    for row in rows:
        assert set(CONTRACT_KEYS) <= set(row), f"missing keys in {row}"
        assert isinstance(row["name"], str) and row["name"]
        assert isinstance(row["meets"], bool)
        assert isinstance(row["repeats"], int) and row["repeats"] >= 1
        assert math.isfinite(row["value"]) and math.isfinite(row["spread"])
        json.dumps(row)  # results.json must be able to hold it
    assert len({row["name"] for row in rows}) == len(rows), "benchmark names must be unique"


def test_interleaved_times_every_function_in_turn():
    calls = []
    samples = interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3, warmup=1
    )
    assert calls == ["a", "b"] * 4
    assert {k: len(v) for k, v in samples.items()} == {"a": 3, "b": 3}
    assert all(t >= 0 for v in samples.values() for t in v)


def test_median_spread_and_result_row():
    assert median_spread([1.0, 2.0, 3.0, 4.0, 5.0]) == (3.0, 2.0 / 3.0)
    assert median_spread([2.0]) == (2.0, 0.0)
    row = result("x", 1.5, "ms", "< 2 ms", True, 5, 0.1, batch=64)
    assert list(row)[:7] == list(CONTRACT_KEYS) and row["batch"] == 64
    with pytest.raises(ValueError):
        result("x", float("nan"), "ms", None, False, 1, 0.0)


def test_runner_writes_results_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["--size", "tiny", "--only", "no_such_benchmark", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == []
    table = format_table([result("infer", 12.3456, "ms", 50.0, True, 31, 0.042)])
    assert "infer" in table and "12.35" in table and "4.2%" in table and "yes" in table
