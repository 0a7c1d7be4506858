"""The inspection views, in tab order (each lives in its own module)."""

from __future__ import annotations

VIEWS: list = []
