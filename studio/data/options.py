"""Declared dataset options: defaults, types and checks with one-line messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.data.bundle import DataError


@dataclass(frozen=True)
class Option:
    """One dataset option.

    Attributes
    ----------
    default
        Value when the config leaves it out.
    kind
        ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ``"path"`` or ``"list"``
        (a list of strings); describes data, the GUI picks the widget.
    help
        One sentence for the wizard.
    choices
        Allowed values of a ``"str"`` option (empty: any).
    minimum
        Smallest allowed value of a number.
    optional
        Whether None is allowed.
    """

    default: Any
    kind: str
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    optional: bool = False

    def describe(self) -> dict[str, Any]:
        """JSON-ready description for the GUI.

        Returns
        -------
        dict
            ``default``, ``type``, ``help`` and, where set, ``choices`` / ``minimum``.
        """
        out: dict[str, Any] = {"default": self.default, "type": self.kind, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        return out

    def check(self, dataset: str, name: str, value: Any) -> Any:
        """The value, validated and converted.

        Parameters
        ----------
        dataset, name
            For the message.
        value
            The configured value.

        Returns
        -------
        Any
            The converted value.
        """
        where = f"dataset {dataset!r} option {name!r}"
        if value is None and (self.optional or self.default is None):
            return None
        kind = self.kind
        if kind == "bool":
            if not isinstance(value, bool):
                raise DataError(f"{where} must be true or false, got {value!r}")
            return value
        if kind in ("int", "float"):
            number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number_ok or (kind == "int" and value != int(value)):
                raise DataError(
                    f"{where} must be {'an integer' if kind == 'int' else 'a number'}, got {value!r}"
                )
            value = int(value) if kind == "int" else float(value)
            if self.minimum is not None and value < self.minimum:
                raise DataError(f"{where} must be >= {self.minimum:g}, got {value!r}")
            return value
        if kind == "list":
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise DataError(f"{where} must be a list of names, got {value!r}")
            return list(value)
        if not isinstance(value, str) or (kind == "path" and not value):
            raise DataError(f"{where} must be a {'file path' if kind == 'path' else 'string'}, got {value!r}")
        if self.choices and value not in self.choices:
            raise DataError(f"{where} must be one of {', '.join(self.choices)}, got {value!r}")
        return value


def resolve(dataset: str, options: dict[str, Option], given: dict[str, Any]) -> dict[str, Any]:
    """Dataset options with defaults filled in; unknown names are an error.

    Parameters
    ----------
    dataset
        Dataset id, for messages.
    options
        The declared options.
    given
        The dataset-specific keys of the config.

    Returns
    -------
    dict
        Every declared option's value.
    """
    unknown = sorted(set(given) - set(options))
    if unknown:
        known = ", ".join(sorted(options)) or "none"
        raise DataError(f"unknown option {unknown[0]!r} for dataset {dataset!r} (known: {known})")
    out = {}
    for name, opt in options.items():
        value = given.get(name, opt.default)
        if opt.kind == "path" and value is None and not opt.optional:
            raise DataError(f"dataset {dataset!r} needs a {name!r} (a file or folder)")
        out[name] = opt.check(dataset, name, value)
    return out


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset the registry can load.

    Attributes
    ----------
    id
        Config name (``"digits"``).
    title, task, description
        For the wizard; ``task`` is the default task type.
    options
        The dataset-specific options.
    load
        ``load(options, seed) -> RawData``.
    source
        ``"builtin"`` (generated or shipped with a package) or ``"file"``.
    """

    id: str
    title: str
    task: str
    description: str
    options: dict[str, Option]
    load: Any
    source: str = "builtin"
