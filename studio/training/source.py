"""What a run trains: a frozen snapshot of the project's graph, or a ready module.

The graph is serialised to plain data and rebuilt, so edits made in the editor
while the run goes on never reach the model being trained.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from torch import nn

from studio.compiler.lower import compile_graph
from studio.core.graph import GraphModel
from studio.core.serialize import Project, project_from_dict, project_to_dict
from studio.layers.ports import port_resolver
from studio.layers.registry import LayerRegistry


@dataclass
class ModelSource:
    """A snapshot that builds fresh models.

    Attributes
    ----------
    project
        The snapshot project (None when a module was given).
    module
        A private copy of the given module (None for a project).
    """

    project: Project | None
    module: nn.Module | None
    registry: LayerRegistry

    def build(self) -> nn.Module:
        """A new model (draws its initial weights from torch's global RNG)."""
        if self.module is not None:
            return copy.deepcopy(self.module)
        return compile_graph(self.project.graph, self.registry)

    def output_names(self) -> list[str]:
        """Names of the outputs, in the order forward returns them."""
        if self.project is None:
            return ["output"]
        names = []
        for node in self.project.graph.nodes.values():
            spec = self.registry.get(node.type)
            if spec is not None and spec.is_output:
                names.append(node.name)
        return names or ["output"]

    def project_dict(self, training: dict[str, Any]) -> dict[str, Any] | None:
        """The snapshot as project-file data, with the ``training`` section actually used."""
        if self.project is None:
            return None
        raw = project_to_dict(self.project)
        raw["training"] = training
        return raw


def snapshot(source: Any, registry: LayerRegistry) -> ModelSource:
    """Freeze ``source``: a :class:`Project`, a :class:`GraphModel`, project-file data or a module."""
    if isinstance(source, nn.Module):
        return ModelSource(None, copy.deepcopy(source), registry)
    if isinstance(source, GraphModel):
        source = Project(source)
    if isinstance(source, Project):
        source = project_to_dict(source)
    if not isinstance(source, dict):
        raise TypeError(f"cannot train a {type(source).__name__}: give a project, graph or nn.Module")
    raw = json.loads(json.dumps(source))  # a deep, plain copy
    return ModelSource(project_from_dict(raw, port_resolver(registry)), None, registry)
