"""The GUI training panel: settings, a supervised training process, live curves and the training doctor.

``TrainingPanel(document, registry)`` is what the main window docks.
"""

from studio.ui.training.panel import TrainingPanel
from studio.ui.training.session import TrainingSession
from studio.ui.training.worker import TrainingJob, TrainingWorker

__all__ = ["TrainingJob", "TrainingPanel", "TrainingSession", "TrainingWorker"]
