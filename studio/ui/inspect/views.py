"""The inspection views, in tab order (each lives in its own module)."""

from __future__ import annotations

import importlib

# module:class, in tab order
VIEW_NAMES = (
    "filters_view:FiltersView",
    "activations_view:ActivationsView",
    "explain_view:ExplainView",
    "embedding_view:EmbeddingView",
    "evaluation_view:EvaluationView",
)


def _load() -> list:
    views = []
    for entry in VIEW_NAMES:
        module_name, class_name = entry.split(":")
        name = f"{__package__}.{module_name}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # TODO(lead): import explicitly once every view has landed
        views.append(getattr(module, class_name))
    return views


VIEWS: list = _load()
