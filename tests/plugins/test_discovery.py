"""Plugin discovery and manifests: where plugins are found and what a manifest must say."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import studio
from studio.layers.registry import LayerRegistry
from studio.plugin_host import (
    ManifestError,
    default_sources,
    find_manifests,
    load_plugins,
    read_manifest,
    repo_plugin_dir,
    user_plugin_dirs,
)

GOOD = """\
id = "demo"
name = "Demo"
version = "0.1"
studio_api = 1
layers = ["layers.py"]
"""

LAYER = """\
from studio.layers.api import LayerSpec, register_layer

@register_layer
class Identity(LayerSpec):
    type_id = "{pid}.identity"
    title = "Identity"
    description = "x -> x"

    def shape(self, p, x):
        return x
"""


def make_plugin(root: Path, pid: str, manifest: str | None = None, files: dict | None = None) -> Path:
    folder = root / pid
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text(manifest if manifest is not None else GOOD.replace("demo", pid))
    for name, text in (files if files is not None else {"layers.py": LAYER.format(pid=pid)}).items():
        (folder / name).write_text(text)
    return folder


# ---------------------------------------------------------------- sources


def test_repo_plugin_dir_is_beside_the_studio_package() -> None:
    expected = Path(studio.__file__).resolve().parents[1] / "plugins"
    assert repo_plugin_dir() == expected
    assert (expected / "example_se" / "plugin.toml").is_file()


def test_env_var_lists_user_dirs_in_order(tmp_path, monkeypatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("NETSTUDIO_PLUGIN_PATH", os.pathsep.join([str(a), "", str(b)]))
    assert user_plugin_dirs() == [a, b]
    assert default_sources() == [repo_plugin_dir(), a, b]


def test_empty_env_var_means_no_user_plugins(monkeypatch) -> None:
    monkeypatch.setenv("NETSTUDIO_PLUGIN_PATH", "")
    assert user_plugin_dirs() == []


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG applies to Linux and other Unixes")
def test_xdg_default_location(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("NETSTUDIO_PLUGIN_PATH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert user_plugin_dirs() == [tmp_path / "xdg" / "netstudio" / "plugins"]
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_plugin_dirs() == [tmp_path / "home" / ".local" / "share" / "netstudio" / "plugins"]


def test_find_manifests_sorted_and_tolerant(tmp_path) -> None:
    make_plugin(tmp_path, "zeta")
    make_plugin(tmp_path, "alpha")
    (tmp_path / "not_a_plugin").mkdir()
    (tmp_path / "stray.txt").write_text("x")
    assert [p.parent.name for p in find_manifests(tmp_path)] == ["alpha", "zeta"]
    # A path entry may name one plugin folder directly; a missing folder is no error.
    assert find_manifests(tmp_path / "alpha") == [tmp_path / "alpha" / "plugin.toml"]
    assert find_manifests(tmp_path / "missing") == []


def test_discovery_through_env_var_loads_repo_and_user_plugins(tmp_path, monkeypatch) -> None:
    make_plugin(tmp_path, "user_demo")
    monkeypatch.setenv("NETSTUDIO_PLUGIN_PATH", str(tmp_path))
    registry = LayerRegistry.with_builtins()
    report = load_plugins(registry)
    assert report.ok, report.errors
    ids = [m.id for m in report.loaded]
    assert ids.index("example_se") < ids.index("user_demo")  # repo plugins/ before the user folder
    assert "user_demo.identity" in registry and "example_se.se_block" in registry
    assert registry.get("user_demo.identity").origin == "user_demo"


# ---------------------------------------------------------------- manifests


def test_valid_manifest(tmp_path) -> None:
    text = GOOD.replace('["layers.py"]', '["layers.py"]\ngui = ["gui.py"]\nfuture_key = 3')
    folder = make_plugin(tmp_path, "demo", text, {"layers.py": "", "gui.py": ""})
    m = read_manifest(folder / "plugin.toml")
    assert (m.id, m.name, m.version, m.studio_api) == ("demo", "Demo", "0.1", 1)
    assert m.layers == ((folder / "layers.py").resolve(),)
    assert m.gui == ((folder / "gui.py").resolve(),)
    assert m.folder == folder.resolve() and m.extra == {"future_key": 3}


@pytest.mark.parametrize("key", ["id", "name", "version", "studio_api", "layers"])
def test_missing_key_names_file_and_key(tmp_path, key) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(key + " "))
    folder = make_plugin(tmp_path, "demo", text)
    with pytest.raises(ManifestError) as info:
        read_manifest(folder / "plugin.toml")
    assert info.value.key == key
    assert str((folder / "plugin.toml").resolve()) in str(info.value) and f"'{key}'" in str(info.value)
    assert "missing" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("studio_api = 1", "studio_api = 2", "studio_api", "update NetStudio"),
        ("studio_api = 1", "studio_api = 0", "studio_api", "must be 1"),
        ("studio_api = 1", 'studio_api = "1"', "studio_api", "integer"),
        ('["layers.py"]', '["layers.py", "missing.py"]', "layers", "'missing.py' does not exist"),
        ('["layers.py"]', '["../outside.py"]', "layers", "inside the plugin folder"),
        ('["layers.py"]', '"layers.py"', "layers", "list"),
        ('["layers.py"]', '["layers.py", "sub/layers.py"]', "layers", "two files are named 'layers.py'"),
        ('["layers.py"]', '["layers.py"]\ngui = ["nogui.py"]', "gui", "does not exist"),
        ('id = "demo"', 'id = "core"', "id", "reserved"),
        ('id = "demo"', 'id = "builtin"', "id", "reserved"),
        ('id = "demo"', 'id = "my-plugin"', "id", "identifier"),
        ('name = "Demo"', 'name = ""', "name", "non-empty"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, old, new, key, words) -> None:
    (tmp_path / "outside.py").write_text("")
    folder = make_plugin(tmp_path, "demo", GOOD.replace(old, new))
    (folder / "sub").mkdir()
    (folder / "sub" / "layers.py").write_text("")
    with pytest.raises(ManifestError) as info:
        read_manifest(folder / "plugin.toml")
    assert info.value.key == key
    assert str(info.value).startswith(f"{(folder / 'plugin.toml').resolve()}: key '{key}'")
    assert words in str(info.value)


def test_toml_syntax_error_names_file(tmp_path) -> None:
    folder = make_plugin(tmp_path, "demo", 'id = "demo\n')
    with pytest.raises(ManifestError, match="invalid TOML") as info:
        read_manifest(folder / "plugin.toml")
    assert str((folder / "plugin.toml").resolve()) in str(info.value)
