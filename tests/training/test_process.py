"""Training in a child process: events, control, failures and the plugin catalog (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.core.serialize import Project, project_to_dict
from studio.layers.registry import LayerRegistry
from studio.plugin_host import default_registry, repo_plugin_dir
from studio.templates.builder import ChainBuilder
from studio.training.events import RunFinished, RunStarted, StepEnd
from studio.training.process import TrainingJob, TrainingProcess
from tests.training.helpers import mlp_project

WAIT_S = 120  # generous: a first run starts the forkserver, which imports torch


def moons_job(run_dir, registry=None, **config) -> TrainingJob:
    project = mlp_project()
    settings = {**project.training, "epochs": 2, "batch_size": 16, "device": "cpu", **config}
    return TrainingJob(
        project_to_dict(project), settings, {"dataset": "moons", "seed": 0}, str(run_dir), registry
    )


def collect(process: TrainingProcess, until=None) -> list[tuple[str, object]]:
    """Every message up to ``done``; ``until(kind, payload)`` is called on each as it arrives."""
    messages = []
    deadline = time.monotonic() + WAIT_S
    for kind, payload in process.messages():
        messages.append((kind, payload))
        if until is not None:
            until(kind, payload)
        assert time.monotonic() < deadline, "the training process did not finish"
    return messages


def events_of(messages) -> list:
    return [e for kind, payload in messages if kind == "events" for e in payload]


@pytest.fixture
def registry() -> LayerRegistry:
    return LayerRegistry.with_builtins()


def test_a_run_sends_its_events_in_order_and_ends_with_done(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry))
    process.start()
    messages = collect(process)
    assert messages[-1] == ("done", None)
    events = events_of(messages)
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert events[-1].summary["status"] == "finished"
    steps = [e.step for e in events if isinstance(e, StepEnd)]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) > 10
    assert not [m for m in messages if m[0] == "failed"]
    assert process.join(10) and process.process.exitcode == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["epochs"] == 2


def test_stop_mid_run_is_honoured_between_batches(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry, epochs=500))
    process.start()

    def stop_after_steps(kind, payload):
        if kind == "events" and any(isinstance(e, StepEnd) for e in payload):
            process.request_stop()

    events = events_of(collect(process, stop_after_steps))
    assert events[-1].summary["status"] == "stopped"
    assert events[-1].summary["epochs"] < 500
    assert (tmp_path / "run" / "checkpoints" / "last.safetensors").is_file()
    assert (tmp_path / "run" / "checkpoints" / "state.pt").is_file()  # resumable


def test_pause_holds_the_run_until_resumed(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry))
    process.set_paused(True)  # asked before the child exists: replayed when it starts
    assert process.paused
    process.start()
    seen_steps = []
    resumed = []

    def watch(kind, payload):
        if kind == "events":
            seen_steps.extend(e.step for e in payload if isinstance(e, StepEnd))
            if not resumed and any(isinstance(e, RunStarted) for e in payload):
                time.sleep(1.0)  # a paused run trains no step meanwhile
                resumed.append(len(seen_steps))
                process.set_paused(False)

    events = events_of(collect(process, watch))
    assert resumed == [0] and not process.paused
    assert events[-1].summary["status"] == "finished" and seen_steps


def test_a_killed_child_is_reported_and_the_parent_carries_on(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry, epochs=500))
    process.start()

    def kill_after_steps(kind, payload):
        if kind == "events" and any(isinstance(e, StepEnd) for e in payload) and process.process.is_alive():
            os.kill(process.process.pid, signal.SIGKILL)  # what the system does when memory runs out

    messages = collect(process, kill_after_steps)
    failures = [payload for kind, payload in messages if kind == "failed"]
    assert len(failures) == 1 and "killed by SIGKILL" in failures[0]
    assert messages[-1] == ("done", None)
    assert process.join(10) and process.process.exitcode == -signal.SIGKILL


def test_a_bad_configuration_fails_with_its_message(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry, optimizer="nonsense"))
    process.start()
    messages = collect(process)
    failures = [payload for kind, payload in messages if kind == "failed"]
    assert len(failures) == 1 and "nonsense" in failures[0]
    assert messages[-1] == ("done", None) and not events_of(messages)


def test_a_parent_that_goes_away_stops_the_run(tmp_path, registry):
    process = TrainingProcess(moons_job(tmp_path / "run", registry, epochs=500))
    process.start()

    def hang_up(kind, payload):
        if kind == "events" and any(isinstance(e, StepEnd) for e in payload) and process._control:
            process._control.close()  # as when the parent process dies
            process._control = None

    events = events_of(collect(process, hang_up))
    assert events[-1].summary["status"] == "stopped"


def se_project() -> Project:
    """A small CNN on the 8x8 digits with the example plugin's Squeeze-and-Excitation block."""
    b = ChainBuilder()
    b.add("core.input_image", "image", channels=1, height=8, width=8)
    b.add("core.conv2d", out_channels=8, kernel_size=3, padding=1)
    b.add("example_se.se_block", reduction=2)
    b.add("core.flatten")
    b.add("core.linear", "logits", out_features=10)
    b.add("core.output", "output")
    return Project(b.graph)


def test_a_folder_plugins_layer_trains_in_the_child(tmp_path):
    registry, report = default_registry(sources=[repo_plugin_dir()])
    assert report.ok and registry.sources["example_se"][0] == "folder"
    project = se_project()
    config = {
        "task": "classification",
        "loss": "cross_entropy",
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 64,
        "epochs": 1,
        "seed": 0,
        "device": "cpu",
    }
    job = TrainingJob(
        project_to_dict(project), config, {"dataset": "digits", "seed": 0}, str(tmp_path / "run"), registry
    )
    process = TrainingProcess(job)
    process.start()
    messages = collect(process)
    assert not [m for m in messages if m[0] == "failed"], messages
    assert events_of(messages)[-1].summary["status"] == "finished"


UNGUARDED_SCRIPT = """
import os, sys, tempfile
sys.path.insert(0, {repo!r})
from studio.training.events import StepEnd
from tests.training.test_process import collect, moons_job
from studio.training.process import TrainingProcess
print("top level ran", flush=True)
process = TrainingProcess(moons_job(tempfile.mkdtemp(), epochs=1))
process.start()
messages = collect(process)
assert process.join(10) and messages[-1] == ("done", None), messages
print("trained", messages[-2][1][-1].summary["status"], flush=True)
orphan = TrainingProcess(moons_job({orphan_dir!r}, epochs=500))
orphan.start()
for kind, payload in orphan.messages():
    if kind == "events" and any(isinstance(e, StepEnd) for e in payload):
        os._exit(0)  # the parent dies without a word (a crash, a kill)
"""


def test_a_driving_script_is_not_run_again_and_its_death_stops_its_run(tmp_path):
    # multiprocessing runs the parent's __main__ again in a child unless told otherwise; a
    # script driving a run (no `if __name__ == "__main__":`) would start a second run there.
    script = tmp_path / "drive.py"
    orphan = tmp_path / "orphan"
    repo = str(Path(__file__).resolve().parents[2])
    script.write_text(UNGUARDED_SCRIPT.format(repo=repo, orphan_dir=str(orphan)))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["top level ran", "trained finished"]
    # The orphaned child notices the closed pipe, stops between batches and still writes its run.
    deadline = time.monotonic() + WAIT_S
    while not (orphan / "summary.json").is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert json.loads((orphan / "summary.json").read_text())["status"] == "stopped"
    assert (orphan / "checkpoints" / "state.pt").is_file()
