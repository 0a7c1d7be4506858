"""The training doctor: explains in plain words what is going wrong, and the fix.

It follows the checklist the course notes teach (``shared/seeds/DIAGNOSTICS.md``):
static checks of the graph, data and settings before a run
(:mod:`studio.doctor.static`) and checks of the curves and per-layer
statistics while it runs (:mod:`studio.doctor.dynamic`). Pure Python and
numpy; no Qt, no torch.
"""

from studio.doctor.findings import Finding

__all__ = ["Finding"]
