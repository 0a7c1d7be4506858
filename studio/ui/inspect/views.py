"""The inspection views, in tab order (each lives in its own module)."""

from __future__ import annotations

from studio.ui.inspect.activations_view import ActivationsView
from studio.ui.inspect.embedding_view import EmbeddingView
from studio.ui.inspect.evaluation_view import EvaluationView
from studio.ui.inspect.explain_view import ExplainView
from studio.ui.inspect.filters_view import FiltersView

VIEWS: list = [FiltersView, ActivationsView, ExplainView, EmbeddingView, EvaluationView]
