"""Project files: round trip, validation messages, placeholders, migration, atomic save."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from studio.core.serialize import (
    Project,
    ProjectError,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)
from tests.core.helpers import chain


def _project() -> Project:
    graph, _ = chain(2)
    return Project(graph, data={"dataset": "digits"}, training={"epochs": 3}, ui={"zoom": 1.5})


def test_round_trip_through_file(tmp_path: Path) -> None:
    project = _project()
    path = tmp_path / "net.nsproj.json"
    save_project(project, path)
    loaded = load_project(path)
    assert project_to_dict(loaded) == project_to_dict(project)
    assert json.loads(path.read_text(encoding="utf-8"))["format_version"] == 1


def test_unknown_keys_and_types_survive_save(tmp_path: Path) -> None:
    raw = project_to_dict(_project())
    raw["future_feature"] = {"a": 1}
    raw["graph"]["nodes"][1]["type"] = "someplugin.fancy"
    raw["graph"]["nodes"][1]["params"] = {"whatever": [1, 2, 3]}
    raw["graph"]["nodes"][1]["color"] = "red"
    path = tmp_path / "p.nsproj.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    loaded = load_project(path)
    save_project(loaded, path)
    assert json.loads(path.read_text(encoding="utf-8")) == raw


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(format_version="1"), "'format_version' must be an integer"),
        (lambda r: r.update(format_version=99), "newer NetStudio"),
        (lambda r: r["graph"]["nodes"][1].pop("type"), "node #1: 'type' must be a non-empty string"),
        (
            lambda r: r["graph"]["nodes"][1].update(params=[1]),
            "node 'n2' (linear_1): 'params' must be an object",
        ),
        (lambda r: r["graph"]["nodes"][2].update(name="linear_1"), "name 'linear_1' is already used"),
        (lambda r: r["graph"]["nodes"][2].update(position="left"), "'position' must be [x, y]"),
        (
            lambda r: r["graph"]["edges"][0].update(dst=["n99", "x"]),
            "edge #0 n1.y -> n99.x: no node with id 'n99'",
        ),
        (lambda r: r["graph"]["edges"].append({"src": ["n3", "y"], "dst": ["n2", "x2"]}), "cycle"),
        (lambda r: r.update(training=[]), "'training' must be an object"),
    ],
)
def test_malformed_files_name_the_problem(tmp_path: Path, mutate, message: str) -> None:
    raw = project_to_dict(_project())
    mutate(raw)
    path = tmp_path / "bad.nsproj.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format_version": 1,', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"not valid JSON \(line 1"):
        load_project(path)
    with pytest.raises(ProjectError, match="cannot read"):
        load_project(tmp_path / "missing.json")


def test_migrates_format_0() -> None:
    raw = {
        "format_version": 0,
        "graph": {
            "nodes": [
                {"id": "a", "type": "core.input_vector", "name": "x", "position": {"x": 5, "y": 6}},
                {"id": "b", "type": "core.output", "name": "out"},
            ],
            "links": [{"from": "a:y", "to": "b:x"}],
        },
    }
    project = project_from_dict(raw)
    assert [(e.src, e.dst) for e in project.graph.edges] == [(("a", "y"), ("b", "x"))]
    assert project.graph.node("a").position == (5.0, 6.0)
    assert project_to_dict(project)["format_version"] == 1
    assert raw["format_version"] == 0  # the input is not modified


def test_atomic_save_keeps_old_file_when_write_fails(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "net.nsproj.json"
    save_project(_project(), path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        save_project(Project(chain(5)[0]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.nsproj.json"]  # no temp file left


def test_save_keeps_the_files_permissions(tmp_path: Path) -> None:
    import os
    import stat

    from studio.core.serialize import atomic_write_text

    shared = tmp_path / "shared.nsproj.json"
    shared.write_text("{}", encoding="utf-8")
    shared.chmod(0o664)
    atomic_write_text(shared, "{}\n")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664  # not mkstemp's private 0o600
    fresh = tmp_path / "fresh.json"
    umask = os.umask(0o022)
    try:
        atomic_write_text(fresh, "{}\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
