import pytest

from studio.training.config import ConfigError, OutputSpec, TrainConfig


def test_defaults_are_good_for_classification():
    cfg = TrainConfig.from_dict({})
    assert (cfg.task, cfg.optimizer, cfg.lr, cfg.schedule, cfg.device) == (
        "classification",
        "adam",
        1e-3,
        "none",
        "auto",
    )
    assert cfg.early_stopping == {"patience": 0, "restore_best": True}
    assert cfg.grad_clip == {"mode": "none", "max": 1.0}


def test_round_trip_keeps_unknown_keys_and_nested_sections():
    raw = {
        "optimizer": "sgd",
        "momentum": 0.8,
        "nesterov": True,
        "betas": [0.8, 0.99],
        "early_stopping": {"patience": 3},
        "grad_clip": {"mode": "value", "max": 0.5},
        "outputs": {"head": {"loss": "mse", "target": 1, "weight": 0.25}},
        "future_option": {"x": 1},
    }
    cfg = TrainConfig.from_dict(raw)
    assert cfg.outputs["head"] == OutputSpec("mse", 1, 0.25)
    assert cfg.early_stopping == {"patience": 3, "restore_best": True}
    out = cfg.to_dict()
    assert out["future_option"] == {"x": 1}
    assert out["outputs"] == {"head": {"loss": "mse", "target": 1, "weight": 0.25}}
    assert TrainConfig.from_dict(out).to_dict() == out


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"lr": 0}, "training.lr"),
        ({"lr": "fast"}, "training.lr"),
        ({"optimizer": "lbfgs"}, "training.optimizer"),
        ({"loss": "hinge2"}, "training.loss"),
        ({"schedule": "cyclic"}, "training.schedule"),
        ({"batch_size": 0}, "training.batch_size"),
        ({"epochs": 2.5}, "training.epochs"),
        ({"momentum": 1.5}, "training.momentum"),
        ({"label_smoothing": -0.1}, "training.label_smoothing"),
        ({"init": "he"}, "training.init"),
        ({"device": "tpu"}, "training.device"),
        ({"amp": "yes"}, "training.amp"),
        ({"early_stopping": {"patience": -1}}, "training.early_stopping.patience"),
        ({"grad_clip": {"mode": "both"}}, "training.grad_clip.mode"),
        ({"outputs": {"a": {"weight": -1}}}, "training.outputs.a.weight"),
        ({"outputs": {"a": {"loss": "nope"}}}, "training.outputs.a.loss"),
        ({"class_weights": []}, "training.class_weights"),
        ({"betas": [0.9]}, "training.betas"),
        ({"stats_budget": 0}, "training.stats_budget"),
        ({"stats_budget": 1.5}, "training.stats_budget"),
    ],
)
def test_invalid_values_name_the_key(raw, key):
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        TrainConfig.from_dict(raw)
