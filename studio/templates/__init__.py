"""Built-in project templates (pure: graph + data and training settings).

The full model zoo arrives with its own issue; these three cover the first
lectures: logistic regression, a multi-layer perceptron and LeNet-5.
"""

from __future__ import annotations

from studio.templates.catalog import TEMPLATES, Template, get_template

__all__ = ["TEMPLATES", "Template", "get_template"]
