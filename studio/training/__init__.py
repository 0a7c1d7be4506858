"""Training engine (no Qt): configuration, task types, the event loop and the run directory.

``Trainer(project, data, config).iter_fit()`` yields events; see
:mod:`studio.training.loop`.
"""

from studio.training.callbacks import Callback, DoctorLog, EarlyStopping, MetricsWriter, StatsRecorder
from studio.training.config import ConfigError, OutputSpec, TrainConfig
from studio.training.events import (
    Checkpointed,
    EpochEnd,
    Event,
    RunFailed,
    RunFinished,
    RunStarted,
    StatsRecorded,
    StepEnd,
    Validated,
)
from studio.training.loop import Trainer
from studio.training.rundir import RunDir, default_run_dir
from studio.training.tasks import TASK_TYPES, TaskType, register_task

__all__ = [
    "Callback",
    "Checkpointed",
    "ConfigError",
    "DoctorLog",
    "EarlyStopping",
    "EpochEnd",
    "Event",
    "MetricsWriter",
    "OutputSpec",
    "RunDir",
    "RunFailed",
    "RunFinished",
    "RunStarted",
    "StatsRecorded",
    "StatsRecorder",
    "StepEnd",
    "TASK_TYPES",
    "TaskType",
    "TrainConfig",
    "Trainer",
    "Validated",
    "default_run_dir",
    "register_task",
]
