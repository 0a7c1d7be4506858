"""``studio report RUN_DIR -o REPORT.html`` as a user runs it: the page, exit codes, one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli import main
from tests.gui.inspect.conftest import train_run


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory) -> Path:
    return train_run("mlp", tmp_path_factory.mktemp("cli-report") / "run", epochs=1)


def one_line_error(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio: error: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0]


def test_report_writes_the_page(mlp_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(mlp_run), "-o", str(out), "--no-tsne"]) == 0
    stdout, stderr = capsys.readouterr()
    assert f"wrote {out}" in stdout and stderr == ""
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<section id="confusion">' in html
    assert "t-SNE switched off" in html


def test_report_checkpoint_and_split_options(mlp_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(mlp_run), "-o", str(out), "--checkpoint", "last", "--split", "val"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "last (epoch 1)" in html and "of the val split" in html
    assert main(["report", str(mlp_run), "-o", str(out), "--checkpoint", "epoch_007"]) == 2
    one_line_error(capsys.readouterr().err, str(mlp_run), "epoch_007")


def test_missing_run_directory_exits_2(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope"
    assert main(["report", str(missing), "-o", str(tmp_path / "r.html")]) == 2
    one_line_error(capsys.readouterr().err, str(missing), "no such run directory")
    assert not (tmp_path / "r.html").exists()


def test_corrupt_project_snapshot_exits_2(mlp_run: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    (run / "project.nsproj.json").write_text('{"graph": [', encoding="utf-8")
    assert main(["report", str(run), "-o", str(tmp_path / "r.html")]) == 2
    one_line_error(capsys.readouterr().err, "project.nsproj.json", "not valid JSON")


def test_corrupt_checkpoint_exits_2(mlp_run: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    for name in ("best", "last"):
        path = run / "checkpoints" / f"{name}.safetensors"
        path.unlink()  # best may be a hard link to last: replace, never write through it
        path.write_bytes(b"\x00garbage")
    assert main(["report", str(run), "-o", str(tmp_path / "r.html")]) == 2
    one_line_error(capsys.readouterr().err, "best.safetensors")


def test_missing_output_folder_exits_2(mlp_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "no" / "such" / "r.html"
    assert main(["report", str(mlp_run), "-o", str(out)]) == 2
    one_line_error(capsys.readouterr().err, str(out), "does not exist")


def test_process_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio", "report", str(tmp_path / "missing"), "-o", str(tmp_path / "r.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    one_line_error(result.stderr, "missing", "no such run directory")
    assert (
        "report"
        in subprocess.run(
            [sys.executable, "-m", "studio", "--help"], capture_output=True, text=True, timeout=120
        ).stdout
    )
