"""``studio train`` as a user runs it: run directory, stop/resume, errors, LeNet-5 end to end."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli import main


def _new(tmp_path: Path, template: str, capsys) -> Path:
    path = tmp_path / f"{template}.nsproj.json"
    assert main(["new", "--template", template, "-o", str(path)]) == 0
    capsys.readouterr()
    return path


def test_train_writes_the_contract_run_directory(tmp_path: Path, capsys) -> None:
    project = _new(tmp_path, "mlp", capsys)
    out = tmp_path / "run"
    assert main(["train", str(project), "--epochs", "2", "--seed", "3", "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "epoch 2/2" in stderr and "run directory:" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {"status", "epochs", "best_epoch", "seconds", "device", "metrics"}
    assert summary["status"] == "finished" and summary["epochs"] == 2 and summary["device"] == "cpu"
    assert 0.5 < summary["metrics"]["test"]["accuracy"] <= 1
    for name in (
        "project.nsproj.json",
        "metrics.jsonl",
        "metrics.csv",
        "checkpoints/last.safetensors",
        "checkpoints/best.safetensors",
        "checkpoints/state.pt",
        "stats/epoch_001.npz",
    ):
        assert (out / name).is_file(), name
    assert json.loads((out / "project.nsproj.json").read_text())["training"]["seed"] == 3


def test_train_resume_extends_a_finished_run(tmp_path: Path, capsys) -> None:
    project = _new(tmp_path, "mlp", capsys)
    out = tmp_path / "run"
    assert main(["train", str(project), "--epochs", "1", "--out", str(out)]) == 0
    assert main(["train", "--resume", str(out), "--epochs", "3"]) == 0
    capsys.readouterr()
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    epochs = sorted({r["epoch"] for r in lines if r.get("kind", "epoch") == "epoch" and "epoch" in r})
    assert epochs[-1] == 3
    assert json.loads((out / "summary.json").read_text())["epochs"] == 3


def test_train_reports_bad_inputs_in_one_line(tmp_path: Path, capsys) -> None:
    project = _new(tmp_path, "mlp", capsys)
    raw = json.loads(project.read_text())
    raw["data"] = {"dataset": "no_such_set"}
    project.write_text(json.dumps(raw))
    assert main(["train", str(project)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_set" in err[0]
    raw["data"] = {"dataset": "moons"}
    raw["training"]["optimizer"] = "rmsprob"
    project.write_text(json.dumps(raw))
    assert main(["train", str(project)]) == 2
    assert "optimizer" in capsys.readouterr().err


@pytest.mark.slow
def test_lenet5_on_digits_reaches_97_percent_over_three_seeds(tmp_path: Path) -> None:
    """The issue's end-to-end figure: mean test accuracy over seeds 0, 1, 2 with the template defaults."""
    project = tmp_path / "lenet.nsproj.json"
    subprocess.run(
        [sys.executable, "-m", "studio", "new", "--template", "lenet5", "-o", str(project)], check=True
    )
    accuracies = []
    for seed in (0, 1, 2):
        out = tmp_path / f"seed{seed}"
        proc = subprocess.run(
            [sys.executable, "-m", "studio", "train", str(project), "--seed", str(seed), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        accuracies.append(json.loads((out / "summary.json").read_text())["metrics"]["test"]["accuracy"])
    assert statistics.mean(accuracies) >= 0.97, accuracies
