"""The command line as a user runs it: templates, new, check, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from studio.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lenet(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "lenet.nsproj.json"
    assert run(capsys, "new", "--template", "lenet5", "-o", str(path))[0] == 0
    return path


def test_templates_json_follows_contract(capsys) -> None:
    code, out, _ = run(capsys, "templates", "--json")
    rows = json.loads(out)
    assert code == 0
    lenet = next(r for r in rows if r["name"] == "lenet5")
    assert set(lenet) == {"name", "title", "task", "dataset", "total_params", "description"}
    assert (lenet["title"], lenet["task"], lenet["dataset"], lenet["total_params"]) == (
        "LeNet-5",
        "classification",
        "digits",
        61706,
    )
    assert {r["name"] for r in rows} >= {"logreg", "mlp", "lenet5"}


def test_check_lenet5_reports_published_counts(lenet: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", str(lenet), "--json")
    data = json.loads(out)
    assert code == 0 and data["format"] == 1 and data["errors"] == []
    assert data["total_params"] == 61706 and data["trainable_params"] == 61706
    assert data["total_macs"] == 416520
    conv = next(n for n in data["nodes"] if n["name"] == "conv2d_1")
    assert conv["type"] == "core.conv2d" and conv["output_shapes"] == [[None, 6, 28, 28]]
    assert conv["params"] == 156 and conv["macs"] == 117600 and conv["activation_bytes"] == 6 * 28 * 28 * 4
    code, out, _ = run(capsys, "check", str(lenet))
    assert "Total params: 61,706" in out and "(N, 16, 5, 5)" in out


def test_check_graph_errors_exit_1_and_name_the_node(lenet: Path, capsys) -> None:
    raw = json.loads(lenet.read_text())
    flatten = next(n for n in raw["graph"]["nodes"] if n["type"] == "core.flatten")
    raw["graph"]["edges"] = [
        e for e in raw["graph"]["edges"] if flatten["id"] not in (e["src"][0], e["dst"][0])
    ]
    raw["graph"]["nodes"].remove(flatten)
    pool = next(n for n in raw["graph"]["nodes"] if n["name"] == "maxpool2d_2")
    lin = next(n for n in raw["graph"]["nodes"] if n["name"] == "linear_1")
    raw["graph"]["edges"].append({"src": [pool["id"], "y"], "dst": [lin["id"], "x"]})
    lenet.write_text(json.dumps(raw))
    code, out, _ = run(capsys, "check", str(lenet), "--json")
    data = json.loads(out)
    assert code == 1
    [error] = data["errors"]
    assert error["node"] == lin["id"] and error["port"] == "x"
    assert "(N, 16, 5, 5)" in error["message"] and "insert Flatten" in error["message"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"format_version": 1, "graph": {"nodes": 3}}', "'nodes' must be a list"),
        (
            '{"format_version": 1, "graph": {"nodes": [{"id": "a", "type": "core.linear", "name": "l", '
            '"params": {"out_features": -3}}]}}',
            "node 'a' (l): 'out_features' must be >= 1",
        ),
    ],
)
def test_malformed_files_exit_2_with_one_line(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.nsproj.json"
    path.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "check", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio: error: ") and str(path) in lines[0]
    assert problem in lines[0] and "Traceback" not in proc.stderr


def test_export_py_with_weights_reproduces_model(lenet: Path, tmp_path: Path, capsys) -> None:
    from safetensors.torch import save_file

    from studio.compiler.lower import compile_graph
    from studio.layers.registry import LayerRegistry
    from studio.layers.validation import open_project

    registry = LayerRegistry.with_builtins()
    model = compile_graph(open_project(lenet, registry).graph, registry).eval()
    weights = tmp_path / "trained.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    out = tmp_path / "lenet_export.py"
    code, _, err = run(
        capsys, "export", str(lenet), "--format", "py", "-o", str(out), "--weights", str(weights)
    )
    assert code == 0, err
    assert out.with_suffix(".safetensors").is_file()
    namespace: dict = {"__name__": "exported"}
    exec(compile(out.read_text(), str(out), "exec"), namespace)  # noqa: S102
    net = namespace["Net"]().eval()
    namespace["load_weights"](net, out.with_suffix(".safetensors"))
    x = torch.randn(4, 1, 32, 32)
    with torch.no_grad():
        assert torch.equal(net(x), model(x))


def test_export_refuses_weights_that_do_not_fit(lenet: Path, tmp_path: Path, capsys) -> None:
    from safetensors.torch import save_file

    weights = tmp_path / "other.safetensors"
    save_file({"conv2d_1.weight": torch.zeros(3, 1, 5, 5)}, str(weights))
    code, _, err = run(
        capsys,
        "export",
        str(lenet),
        "--format",
        "py",
        "-o",
        str(tmp_path / "x.py"),
        "--weights",
        str(weights),
    )
    assert code == 2 and "weights do not fit this graph" in err and "missing" in err
    assert not (tmp_path / "x.py").exists()


def test_new_refuses_unknown_template_and_overwrite(lenet: Path, capsys) -> None:
    code, _, err = run(capsys, "new", "--template", "resnet9000", "-o", str(lenet.with_name("x.json")))
    assert code == 2 and "unknown template 'resnet9000'" in err and "lenet5" in err
    code, _, err = run(capsys, "new", "--template", "mlp", "-o", str(lenet))
    assert code == 2 and "already exists" in err
