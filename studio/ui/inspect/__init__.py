"""Inspection views (Qt): filters, feature maps, explanations, embeddings, evaluation.

Computation lives in :mod:`studio.inspection`; these widgets show its arrays
and send requests through :class:`~studio.ui.inspect.jobs.JobRunner`.
"""

from studio.ui.inspect.panel import InspectionPanel

__all__ = ["InspectionPanel"]
