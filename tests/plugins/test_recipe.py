"""A layer catalog rebuilt from its recipe (what a training process receives): same types, clear errors."""

from __future__ import annotations

import pickle
import shutil

import pytest

from studio.layers.api import LayerSpec, register_layer
from studio.layers.registry import LayerRegistry
from studio.plugin_host import default_registry, load_plugins, repo_plugin_dir
from studio.plugin_host.recipe import RecipeError, recipe_of
from tests.plugins.test_loader import layer_source, make_plugin


@register_layer
class Doubler(LayerSpec):
    """A layer type a test registers directly (an importable module, no plugin folder)."""

    type_id = "testing.doubler"
    title = "Doubler"
    description = "x * 2"

    def shape(self, p, x):
        return x


def type_ids(registry: LayerRegistry) -> list[str]:
    return [spec.type_id for spec in registry.all()]


def test_built_ins_and_folder_plugins_come_back_through_a_pickle():
    registry, report = default_registry(sources=[repo_plugin_dir()])
    assert report.ok
    recipe = pickle.loads(pickle.dumps(recipe_of(registry)))
    assert recipe.plugins == {"example_se": ("folder", str(repo_plugin_dir() / "example_se" / "plugin.toml"))}
    rebuilt = recipe.build()
    assert type_ids(rebuilt) == type_ids(registry)
    assert rebuilt.get("example_se.se_block").origin == "example_se"


def test_directly_registered_classes_travel_by_reference():
    registry = LayerRegistry.with_builtins()
    registry.register(Doubler, origin="testing")
    recipe = pickle.loads(pickle.dumps(recipe_of(registry)))
    assert recipe.classes == (("testing", Doubler),)
    assert recipe.build().get("testing.doubler").origin == "testing"


def test_a_plugin_removed_since_loading_is_named(tmp_path):
    make_plugin(tmp_path, "gone", {"layers.py": layer_source("gone.identity")})
    registry = LayerRegistry.with_builtins()
    assert load_plugins(registry, [tmp_path]).ok
    recipe = recipe_of(registry)
    shutil.rmtree(tmp_path / "gone")
    with pytest.raises(RecipeError, match="gone"):
        recipe.build()


def test_a_plugin_whose_code_now_fails_is_reported_with_its_error(tmp_path):
    folder = make_plugin(tmp_path, "edited", {"layers.py": layer_source("edited.identity")})
    registry = LayerRegistry.with_builtins()
    assert load_plugins(registry, [tmp_path]).ok
    recipe = recipe_of(registry)
    (folder / "layers.py").write_text("def broken(:\n")
    with pytest.raises(RecipeError, match="edited.*SyntaxError"):
        recipe.build()
