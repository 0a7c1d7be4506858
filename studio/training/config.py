"""The project's ``training`` section as a typed, validated :class:`TrainConfig`.

``TrainConfig.from_dict`` reads the section saved in the project file (flat
keys, plus the nested ``early_stopping``, ``grad_clip`` and ``outputs``),
checks every value and raises :class:`ConfigError` naming the key at fault.
Keys it does not know are kept in ``extra`` and written back by ``to_dict``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

TASKS = (  # built in; studio.training.tasks.register_task adds more
    "classification",
    "regression",
    "segmentation",
    "reconstruction",
)
LOSSES = (
    "cross_entropy",
    "bce_with_logits",
    "nll",
    "mse",
    "l1",
    "huber",
    "multi_margin",
    "soft_dice",
    "triplet_margin",
)
OPTIMIZERS = ("sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw")
SCHEDULES = ("none", "step", "exponential", "cosine", "one_cycle", "reduce_on_plateau")
INITS = (
    "default",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "normal",
    "uniform",
)
DEVICES = ("auto", "cpu", "cuda", "mps")
CLIP_MODES = ("none", "norm", "value")


class ConfigError(ValueError):
    """An invalid training setting; the message starts with the key (``training.lr: ...``)."""


@dataclass
class OutputSpec:
    """Loss, target and weight of one output node (multi-task training).

    Attributes
    ----------
    loss
        Loss name (one of ``LOSSES``); empty = the task's default.
    target
        Index into the target tuple ``y`` that this output learns.
    weight
        Factor of this output's loss in the total loss.
    """

    loss: str = ""
    target: int = 0
    weight: float = 1.0


@dataclass
class TrainConfig:
    """Every training setting, with defaults that train classifiers well (Adam, lr 1e-3).

    See the module docstring for the file format; the comments beside the
    fields say what the less obvious keys mean. Epochs are counted from 1.
    """

    task: str = "classification"
    loss: str = ""  # "" = the task's default loss
    label_smoothing: float = 0.0
    class_weights: list[float] | None = None
    huber_delta: float = 1.0
    margin: float = 1.0  # multi_margin and triplet_margin
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.9  # sgd, rmsprop
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    schedule: str = "none"
    step_size: int = 10  # epochs, schedule "step"
    gamma: float = 0.1  # step and exponential
    min_lr: float = 0.0  # cosine floor
    max_lr: float = 0.0  # one_cycle peak; 0 = 10 x lr
    pct_start: float = 0.3  # one_cycle
    plateau_factor: float = 0.1
    plateau_patience: int = 5
    warmup_epochs: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    early_stopping: dict[str, Any] = field(default_factory=lambda: {"patience": 0, "restore_best": True})
    grad_clip: dict[str, Any] = field(default_factory=lambda: {"mode": "none", "max": 1.0})
    init: str = "default"
    seed: int = 0
    device: str = "auto"
    amp: bool = False
    checkpoint_every: int = 0
    checkpoint_interval: float = 2.0  # seconds between "last" checkpoints at least (0 = every epoch)
    stats_every: int = 1  # write stats/epoch_NNN.npz every k epochs (0 = off)
    stats_budget: float = 0.02  # share of the run's time the statistics may take (1 = every k-th epoch)
    outputs: dict[str, OutputSpec] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> TrainConfig:
        """Validate the project's ``training`` section; unknown keys go to ``extra``."""
        if raw is not None and not isinstance(raw, dict):
            raise ConfigError("training: must be an object")
        raw = dict(raw or {})
        names = {f.name for f in fields(cls)} - {"extra"}
        cfg = cls()
        for key, value in raw.items():
            if key in names:
                setattr(cfg, key, value)
            else:
                cfg.extra[key] = value
        cfg.early_stopping = {**cls().early_stopping, **_obj("early_stopping", cfg.early_stopping)}
        cfg.grad_clip = {**cls().grad_clip, **_obj("grad_clip", cfg.grad_clip)}
        cfg.outputs = {str(name): _output(name, spec) for name, spec in _obj("outputs", cfg.outputs).items()}
        cfg.validate()
        return cfg

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data for the project file (``extra`` keys written back)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name != "extra":
                out[f.name] = getattr(self, f.name)
        out["betas"] = list(self.betas)
        out["outputs"] = {k: vars(v).copy() for k, v in self.outputs.items()}
        out["early_stopping"] = dict(self.early_stopping)
        out["grad_clip"] = dict(self.grad_clip)
        out.update(self.extra)
        return out

    def validate(self) -> None:
        """Check types and ranges; raise :class:`ConfigError` naming the first bad key."""
        if not isinstance(self.task, str) or not self.task:
            raise ConfigError(f"training.task: must be a task name such as {', '.join(TASKS)}")
        if self.loss:
            _choice("loss", self.loss, LOSSES)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("init", self.init, INITS)
        _choice("device", self.device, DEVICES)
        _choice("grad_clip.mode", self.grad_clip.get("mode"), CLIP_MODES)
        self.lr = _num("lr", self.lr, lo=0.0, open_lo=True)
        for key in ("weight_decay", "min_lr", "max_lr", "label_smoothing", "eps", "warmup_epochs"):
            setattr(self, key, _num(key, getattr(self, key), lo=0.0))
        self.label_smoothing = _num("label_smoothing", self.label_smoothing, lo=0.0, hi=1.0)
        self.momentum = _num("momentum", self.momentum, lo=0.0, hi=1.0)
        self.gamma = _num("gamma", self.gamma, lo=0.0, open_lo=True)
        self.pct_start = _num("pct_start", self.pct_start, lo=0.0, hi=1.0, open_lo=True)
        self.plateau_factor = _num("plateau_factor", self.plateau_factor, lo=0.0, hi=1.0, open_lo=True)
        self.huber_delta = _num("huber_delta", self.huber_delta, lo=0.0, open_lo=True)
        self.margin = _num("margin", self.margin, lo=0.0)
        self.checkpoint_interval = _num("checkpoint_interval", self.checkpoint_interval, lo=0.0)
        self.stats_budget = _num("stats_budget", self.stats_budget, lo=0.0, hi=1.0, open_lo=True)
        self.grad_clip["max"] = _num("grad_clip.max", self.grad_clip.get("max"), lo=0.0, open_lo=True)
        for key, lo in (("batch_size", 1), ("epochs", 1), ("step_size", 1), ("plateau_patience", 0)):
            setattr(self, key, _int(key, getattr(self, key), lo))
        for key in ("checkpoint_every", "stats_every", "seed"):
            setattr(self, key, _int(key, getattr(self, key), 0))
        self.early_stopping["patience"] = _int("early_stopping.patience", self.early_stopping["patience"], 0)
        for key, obj, name in (
            ("nesterov", self, "nesterov"),
            ("amp", self, "amp"),
            ("early_stopping.restore_best", self.early_stopping, "restore_best"),
        ):
            value = obj[name] if isinstance(obj, dict) else getattr(obj, name)
            if not isinstance(value, bool):
                raise ConfigError(f"training.{key}: must be true or false, not {value!r}")
        if not isinstance(self.betas, (list, tuple)) or len(self.betas) != 2:
            raise ConfigError(f"training.betas: must be two numbers in [0, 1), not {self.betas!r}")
        self.betas = tuple(_num("betas", b, lo=0.0, hi=0.999999) for b in self.betas)
        if self.class_weights is not None:
            if not isinstance(self.class_weights, list) or not self.class_weights:
                raise ConfigError("training.class_weights: must be a non-empty list of numbers or null")
            self.class_weights = [_num("class_weights", w, lo=0.0) for w in self.class_weights]
        if self.nesterov and self.optimizer == "sgd" and self.momentum <= 0:
            raise ConfigError("training.nesterov: Nesterov momentum needs momentum > 0")


def _obj(key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"training.{key}: must be an object, not {value!r}")
    return value


def _output(name: Any, raw: Any) -> OutputSpec:
    key = f"outputs.{name}"
    if isinstance(raw, OutputSpec):
        raw = vars(raw)
    raw = _obj(key, raw)
    spec = OutputSpec(loss=raw.get("loss", ""), target=raw.get("target", 0), weight=raw.get("weight", 1.0))
    if spec.loss:
        _choice(f"{key}.loss", spec.loss, LOSSES)
    spec.target = _int(f"{key}.target", spec.target, 0)
    spec.weight = _num(f"{key}.weight", spec.weight, lo=0.0)
    return spec


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"training.{key}: {value!r} is not one of {', '.join(allowed)}")


def _num(key: str, value: Any, lo: float, hi: float = math.inf, open_lo: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"training.{key}: must be a finite number, not {value!r}")
    if value < lo or (open_lo and value == lo) or value > hi:
        low = f"> {lo:g}" if open_lo else f">= {lo:g}"
        high = f" and <= {hi:g}" if math.isfinite(hi) else ""
        raise ConfigError(f"training.{key}: must be {low}{high}, not {value!r}")
    return float(value)


def _int(key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(f"training.{key}: must be an integer >= {lo}, not {value!r}")
    return value
