"""Catalog-aware loading: param validation, legacy ids and ports for project files."""

from __future__ import annotations

import os

from studio.core.serialize import ParamValidator, Project, load_project
from studio.layers.ports import port_resolver
from studio.layers.registry import LayerRegistry


def param_validator(registry: LayerRegistry) -> ParamValidator:
    """Validate each saved param against its spec; unknown types pass untouched.

    Only the params present in the file are kept (defaults are not written in),
    so a file saves back as it was. Legacy type ids become current ones.
    """

    def validate(type_id: str, params: dict) -> tuple[str, dict]:
        spec = registry.get(type_id)
        if spec is None:
            return type_id, params  # placeholder: keep everything as written
        resolved = spec.resolve_params(params)
        return spec.type_id, {key: resolved[key] for key in params}

    return validate


def open_project(path: str | os.PathLike, registry: LayerRegistry) -> Project:
    """Load a project with ports, param checks and legacy ids from ``registry``.

    Raises
    ------
    studio.core.serialize.ProjectError
        One line naming the file, node and field at fault.
    """
    return load_project(path, port_resolver(registry), param_validator(registry))
