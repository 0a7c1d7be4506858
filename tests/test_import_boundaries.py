"""The dependency rule of DESIGN.md, checked in fresh interpreters.

In-process checks are meaningless under pytest: pytest-qt imports the Qt
binding in ``pytest_configure``. Each case imports some packages in a
subprocess and reports which forbidden top-level modules got loaded.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
TORCH = ("torch",)

PROBE = """
import importlib, json, sys
for name in sys.argv[2].split(","):
    importlib.import_module(name)
exec(sys.argv[3])
print(json.dumps(sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)))
"""


def loaded_forbidden(modules: list[str], forbidden: tuple[str, ...], then: str = "") -> list[str]:
    """Import ``modules`` (and run ``then``) in a new interpreter; return the forbidden ones loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(forbidden), ",".join(modules), then],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def present(*names: str) -> list[str]:
    return [n for n in names if importlib.util.find_spec(n) is not None]


def test_core_imports_neither_torch_nor_qt():
    core = ["studio.core"] + present(
        "studio.core.graph", "studio.core.commands", "studio.core.history", "studio.core.serialize"
    )
    assert loaded_forbidden(core, QT + TORCH) == []


def test_layer_catalog_imports_neither_torch_nor_qt():
    then = "from studio.layers.registry import LayerRegistry; assert LayerRegistry.with_builtins().all()"
    modules = ["studio.layers", "studio.layers.registry", "studio.layers.api"]
    assert loaded_forbidden(modules, QT + TORCH, then) == []


@pytest.mark.parametrize(
    "package", ["studio.compiler", "studio.training", "studio.data", "studio.inspection", "studio.doctor"]
)
def test_compute_packages_import_no_qt(package):
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} has not landed yet")
    import pkgutil

    spec = importlib.util.find_spec(package)
    submodules = [f"{package}.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    assert loaded_forbidden([package, *submodules], QT) == []


def test_cli_commands_import_no_qt():
    then = (
        "from studio.cli import _module_name, available_commands\n"
        "for name in available_commands(): importlib.import_module(_module_name(name))"
    )
    assert loaded_forbidden(["studio.cli", "studio.cli.common"], QT, then) == []


def test_cli_help_loads_neither_qt_nor_torch():
    # `studio --help` and mistyped commands must answer instantly.
    assert loaded_forbidden(["studio.cli"], QT + TORCH, "from studio.cli import main; main(['--help'])") == []


def test_plugin_host_imports_no_qt():
    if importlib.util.find_spec("studio.plugin_host") is None:
        pytest.skip("studio.plugin_host has not landed yet")
    assert loaded_forbidden(["studio.plugin_host"], QT) == []


def test_doctor_imports_neither_torch_nor_qt():
    assert (
        loaded_forbidden(["studio.doctor", "studio.doctor.static", "studio.doctor.dynamic"], QT + TORCH) == []
    )
