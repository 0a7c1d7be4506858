"""A doctor finding: what is wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """One diagnosis, written for a student.

    Attributes
    ----------
    code
        Stable id (``"lr_too_high"``), used to avoid repeating a finding.
    severity
        ``"error"`` (the run cannot work), ``"warning"`` or ``"info"``.
    message
        What the doctor sees, with the numbers.
    fix
        What to change.
    node
        The node name concerned, when there is one (the canvas marks it).
    epoch, step
        When it was found (None for static checks).
    """

    code: str
    severity: str
    message: str
    fix: str
    node: str | None = None
    epoch: int | None = None
    step: int | None = None

    def to_dict(self) -> dict:
        """Plain JSON data (one line of ``doctor.jsonl``)."""
        return asdict(self)
