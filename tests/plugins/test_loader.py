"""Tolerant plugin loading: faults are reported and isolated, good plugins still load."""

from __future__ import annotations

import inspect
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studio.layers.registry import LayerRegistry
from studio.plugin_host import default_registry, gui_files, load_plugins, repo_plugin_dir

REPO = Path(__file__).resolve().parents[2]


def layer_source(*type_ids: str, extra: str = "") -> str:
    """A layers file declaring an identity layer per type id."""
    classes = "".join(
        f"""
@register_layer
class L{i}(LayerSpec):
    type_id = "{tid}"
    title = "L{i}"
    description = "identity"

    def shape(self, p, x):
        return x
"""
        for i, tid in enumerate(type_ids)
    )
    return "from studio.layers.api import LayerSpec, register_layer\n" + extra + classes


def make_plugin(
    root: Path, pid: str, files: dict[str, str], layers: list[str] | None = None, gui=None
) -> Path:
    folder = root / pid
    folder.mkdir(parents=True)
    names = layers if layers is not None else [n for n in files if n.startswith("layers")]
    toml = f'id = "{pid}"\nname = "{pid}"\nversion = "1.0"\nstudio_api = 1\nlayers = {names!r}\n'
    if gui:
        toml += f"gui = {gui!r}\n"
    (folder / "plugin.toml").write_text(toml.replace("'", '"'))
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def registry() -> LayerRegistry:
    return LayerRegistry.with_builtins()


def test_good_plugin_loads_under_private_module_name(tmp_path, registry) -> None:
    make_plugin(tmp_path, "good", {"layers.py": layer_source("good.a", "good.b")})
    path_before = list(sys.path)
    report = load_plugins(registry, [tmp_path])
    assert report.ok and [m.id for m in report.loaded] == ["good"]
    assert report.types == {"good": ["good.a", "good.b"]}
    assert type(registry.get("good.a")).__module__ == "studio_plugins.good.layers"
    assert sys.path == path_before  # plugins/ folders never go on sys.path


@pytest.mark.parametrize("bad_id", ["core.x", "other.x", "nonamespace"])
def test_type_outside_namespace_is_refused_and_rolled_back(tmp_path, registry, bad_id) -> None:
    # The first class registers fine; the second breaks the rule: neither may remain.
    make_plugin(tmp_path, "bad", {"layers.py": layer_source("bad.fine", bad_id)})
    make_plugin(tmp_path, "good", {"layers.py": layer_source("good.a")})
    report = load_plugins(registry, [tmp_path])
    assert [m.id for m in report.loaded] == ["good"]
    (error,) = report.errors
    assert error.plugin_id == "bad" and error.path.name == "layers.py"
    assert "RegistryError" in error.message and bad_id in error.message
    assert "bad.fine" not in registry and bad_id not in registry
    assert "good.a" in registry and len(registry.get("core.linear").type_id) > 0


def test_syntax_error_is_reported_and_others_still_load(tmp_path, registry) -> None:
    make_plugin(tmp_path, "broken", {"layers.py": "def oops(:\n    pass\n"})
    make_plugin(tmp_path, "good", {"layers.py": layer_source("good.a")})
    report = load_plugins(registry, [tmp_path])
    assert [m.id for m in report.loaded] == ["good"]
    (error,) = report.errors
    assert error.plugin_id == "broken" and error.message.startswith("SyntaxError")
    assert "layers.py" in error.message and "Traceback" in error.traceback_text
    assert "studio_plugins.broken.layers" not in sys.modules
    assert "plugin 'broken'" in str(error)


def test_import_error_in_second_file_rolls_back_the_first(tmp_path, registry) -> None:
    files = {"layers.py": layer_source("half.a"), "layers_more.py": "import no_such_module_xyz\n"}
    make_plugin(tmp_path, "half", files)
    report = load_plugins(registry, [tmp_path])
    (error,) = report.errors
    assert error.path.name == "layers_more.py" and "no_such_module_xyz" in error.message
    assert "half.a" not in registry and not report.loaded


def test_duplicate_type_id_is_reported(tmp_path, registry) -> None:
    files = {"layers.py": layer_source("dup.x"), "layers_two.py": layer_source("dup.x")}
    make_plugin(tmp_path, "dup", files)
    report = load_plugins(registry, [tmp_path])
    (error,) = report.errors
    assert "'dup.x' is already registered" in error.message
    assert "dup.x" not in registry


def test_duplicate_plugin_id_first_source_wins(tmp_path, registry) -> None:
    first = make_plugin(tmp_path / "one", "same", {"layers.py": layer_source("same.first")})
    second = make_plugin(tmp_path / "two", "same", {"layers.py": layer_source("same.second")})
    report = load_plugins(registry, [tmp_path / "one", tmp_path / "two"])
    assert [m.folder for m in report.loaded] == [first.resolve()]
    (error,) = report.errors
    assert "duplicate plugin id" in error.message
    assert str(first.resolve()) in error.message and str(second.resolve()) in error.message
    assert "same.first" in registry and "same.second" not in registry


def test_loading_twice_into_one_registry_keeps_the_first(tmp_path, registry) -> None:
    make_plugin(tmp_path, "once", {"layers.py": layer_source("once.a")})
    assert load_plugins(registry, [tmp_path]).ok
    again = load_plugins(registry, [tmp_path])
    assert "duplicate plugin id" in again.errors[0].message
    assert "once.a" in registry  # the failed second load must not unregister the first


def test_manifest_errors_are_reported_not_raised(tmp_path, registry) -> None:
    folder = make_plugin(tmp_path, "future", {"layers.py": layer_source("future.a")})
    toml = folder / "plugin.toml"
    toml.write_text(toml.read_text().replace("studio_api = 1", "studio_api = 7"))
    report = load_plugins(registry, [tmp_path])
    (error,) = report.errors
    assert error.path == toml.resolve() and "studio_api" in error.message and "API 7" in error.message
    assert "future.a" not in registry


def test_file_without_layers_is_an_error(tmp_path, registry) -> None:
    make_plugin(tmp_path, "empty", {"layers.py": "X = 1\n"})
    (error,) = load_plugins(registry, [tmp_path]).errors
    assert "declares no layers" in error.message


def test_register_function_gets_the_plugins_origin(tmp_path, registry) -> None:
    text = layer_source() + textwrap.dedent(
        """
        class Late(LayerSpec):
            type_id = "fn.late"
            title = "Late"
            description = "registered by a function"

        def register(registry):
            registry.register(Late)
        """
    )
    make_plugin(tmp_path, "fn", {"layers.py": text})
    assert load_plugins(registry, [tmp_path]).ok
    assert registry.get("fn.late").origin == "fn"


def test_gui_files_are_listed_but_not_imported(tmp_path, registry) -> None:
    files = {"layers.py": layer_source("g.a"), "gui.py": "raise RuntimeError('gui imported')\n"}
    folder = make_plugin(tmp_path, "g", files, layers=["layers.py"], gui=["gui.py"])
    report = load_plugins(registry, [tmp_path])
    assert report.ok
    assert gui_files(report.loaded[0]) == ((folder / "gui.py").resolve(),)


def test_reload_picks_up_edited_runtime_module(tmp_path) -> None:
    runtime = "VALUE = {}\n"
    spec = layer_source("rt.a") + "\n\ndef value():\n    from .runtime import VALUE\n    return VALUE\n"
    folder = make_plugin(tmp_path, "rt", {"layers.py": spec, "runtime.py": runtime.format(1)})
    first = LayerRegistry.with_builtins()
    load_plugins(first, [tmp_path])
    assert sys.modules[type(first.get("rt.a")).__module__].value() == 1
    (folder / "runtime.py").write_text(runtime.format(2))
    second = LayerRegistry.with_builtins()
    load_plugins(second, [tmp_path])
    assert sys.modules[type(second.get("rt.a")).__module__].value() == 2


def test_entry_points_module_and_function(tmp_path, monkeypatch, registry) -> None:
    (tmp_path / "ep_layers.py").write_text(layer_source("epmod.a"))
    fn = layer_source().replace("@register_layer", "") + textwrap.dedent(
        """
        class B(LayerSpec):
            type_id = "epfn.b"
            title = "B"
            description = "b"

        def setup(registry):
            registry.register(B)
        """
    )
    (tmp_path / "ep_func.py").write_text(fn)
    dist = tmp_path / "netstudio_demo-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: netstudio-demo\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text(
        "[netstudio.plugins]\nepmod = ep_layers\nepfn = ep_func:setup\n"
        "core = ep_layers\nepbroken = nope_xyz\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    report = load_plugins(registry, [], use_entry_points=True)
    assert sorted(m.id for m in report.loaded) == ["epfn", "epmod"]
    assert registry.get("epmod.a").origin == "epmod" and registry.get("epfn.b").origin == "epfn"
    assert {m.version for m in report.loaded} == {"0.3"}
    errors = {e.plugin_id: e.message for e in report.errors}
    assert "reserved" in errors["core"] and "nope_xyz" in errors["epbroken"]


# ---------------------------------------------------------------- the example plugin


def test_example_se_plugin_builds_trains_and_exports() -> None:
    registry, report = default_registry(sources=[repo_plugin_dir()])
    assert report.ok and [m.id for m in report.loaded] == ["example_se"]
    spec = registry.get("example_se.se_block")
    assert spec.origin == "example_se" and spec.category and spec.params[0].help
    p = spec.resolve_params({"reduction": 4})
    shapes = {"x": (None, 32, 6, 5)}
    assert spec.infer(p, shapes) == {"y": (None, 32, 6, 5)}
    assert spec.param_count(p, shapes) == 32 * 8 + 8 + 8 * 32 + 32
    assert spec.macs(p, shapes, {}) == 2 * 32 * 8 + 32 * 6 * 5

    torch.manual_seed(0)
    module = spec.build(p, shapes)
    x = torch.randn(3, 32, 6, 5, requires_grad=True)
    y = module(x)
    assert y.shape == x.shape
    assert sum(t.numel() for t in module.parameters()) == spec.param_count(p, shapes)
    y.square().mean().backward()
    assert all(t.grad is not None and torch.isfinite(t.grad).all() for t in module.parameters())
    gate = module.fc2(F.relu(module.fc1(x.mean((2, 3))))).sigmoid()
    assert torch.allclose(y, x * gate[:, :, None, None])

    # The export copies the support class's source into a file that has only torch.
    (cls,) = spec.support_classes()
    namespace = {"torch": torch, "nn": nn, "F": F, "math": math}
    exec(inspect.getsource(cls), namespace)  # noqa: S102
    exported = eval(spec.ctor_source(p, shapes), namespace)  # noqa: S307
    exported.load_state_dict(module.state_dict())
    assert torch.equal(exported(x), y)


def test_example_se_tiny_channels_and_shape_errors() -> None:
    registry, _ = default_registry(sources=[repo_plugin_dir()])
    spec = registry.get("example_se.se_block")
    p = spec.resolve_params({})
    assert spec.build(p, {"x": (None, 3, 4, 4)}).fc1.out_features == 1  # max(1, 3 // 16)
    with pytest.raises(Exception, match=r"4-D input .* \(N, 10\)"):
        spec.infer(p, {"x": (None, 10)})


def test_loading_imports_neither_qt_nor_torch(tmp_path) -> None:
    code = (
        "import sys\n"
        "from studio.plugin_host import default_registry\n"
        "registry, report = default_registry()\n"
        "assert report.ok, report.errors\n"
        "assert 'example_se.se_block' in registry\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'studio_ui')]\n"
        "bad += [m for m in sys.modules if m.startswith('studio.ui')]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "NETSTUDIO_PLUGIN_PATH": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
