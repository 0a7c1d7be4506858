"""Data-parallel training: 2 CPU processes (gloo) through ``studio train --nproc 2``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

TOLERANCE = 1e-5  # float sums in a different order (all-reduce) across 2 epochs


def _train(project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "studio", "train", str(project), "--epochs", "2", "--out", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_two_process_run_matches_single_process_weights(tmp_path: Path) -> None:
    project = tmp_path / "mlp.nsproj.json"
    subprocess.run(
        [sys.executable, "-m", "studio", "new", "--template", "mlp", "-o", str(project)], check=True
    )
    # The MLP has no BatchNorm or dropout; every global batch of the moons split (350 = 5 x 64 + 30)
    # has an even size, so both ranks get equal slices and DDP's averaged gradient is the full batch's.
    single = _train(project, tmp_path / "one")
    double = _train(project, tmp_path / "two", "--nproc", "2")
    assert single.returncode == 0, single.stderr
    assert double.returncode == 0, double.stderr
    a = load_file(str(tmp_path / "one" / "checkpoints" / "last.safetensors"))
    b = load_file(str(tmp_path / "two" / "checkpoints" / "last.safetensors"))
    assert a.keys() == b.keys()
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert worst <= TOLERANCE, worst
    assert not torch.equal(a["logits.weight"], torch.zeros_like(a["logits.weight"]))
    summary = json.loads((tmp_path / "two" / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["epochs"] == 2
    # Only rank 0 writes: no second run directory appears beside the first.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlp.nsproj.json", "one", "two"]
