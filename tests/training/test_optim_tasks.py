import math

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from studio.compiler.lower import compile_graph
from studio.data.bundle import DataBundle
from studio.layers.registry import LayerRegistry
from studio.training import Callback, EpochEnd, RunFinished, Trainer
from studio.training.config import OPTIMIZERS, SCHEDULES, TrainConfig
from studio.training.losses import make_loss
from studio.training.optim import LRSchedule, make_optimizer
from studio.training.tasks import TASK_TYPES, Classification, make_task, register_task
from tests.compiler.graphs import two_in_two_out
from tests.training.helpers import FAST, blobs, mlp_project


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_constructs_and_steps(name):
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    cfg = TrainConfig.from_dict({"optimizer": name, "lr": 0.1, "weight_decay": 1e-4})
    opt = make_optimizer(model.parameters(), cfg)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    before = nn.functional.mse_loss(model(x), y).item()
    for _ in range(20):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    assert nn.functional.mse_loss(model(x), y).item() < before


@pytest.mark.parametrize("name", SCHEDULES)
def test_each_schedule_constructs_steps_and_trains(tmp_path, name):
    cfg = {**FAST, "epochs": 3, "schedule": name, "step_size": 1, "gamma": 0.5, "plateau_patience": 0}
    events = list(Trainer(mlp_project(), blobs(64), cfg, tmp_path).iter_fit())
    assert isinstance(events[-1], RunFinished)
    lrs = [e.lr for e in events if type(e).__name__ == "StepEnd"]
    assert all(lr > 0 for lr in lrs)
    if name == "step":
        assert lrs[::3] == pytest.approx([0.01, 0.005, 0.0025])


def test_schedule_shapes():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    def lrs(**kw):
        cfg = TrainConfig.from_dict({"lr": 1.0, "epochs": 10, **kw})
        s = LRSchedule(opt, cfg, steps_per_epoch=10)
        return [s.apply(e, i) for e in range(1, 11) for i in range(10)]

    warm = lrs(warmup_epochs=2)
    assert warm[0] == pytest.approx(0.05) and warm[19] == pytest.approx(1.0) and warm[-1] == 1.0
    cos = lrs(schedule="cosine", min_lr=0.1)
    assert cos[0] == 1.0 and cos[-1] == pytest.approx(0.1, abs=0.01) and cos == sorted(cos, reverse=True)
    one = lrs(schedule="one_cycle", max_lr=2.0)
    peak = max(one)
    assert peak == pytest.approx(2.0, rel=1e-3) and one.index(peak) == 30
    assert one[0] == pytest.approx(2.0 / 25) and one[-1] < one[0] / 50
    assert lrs(schedule="exponential", gamma=0.5)[10::10][:3] == [0.5, 0.25, 0.125]


def test_reduce_on_plateau_reduces_after_patience():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    cfg = TrainConfig.from_dict({"lr": 1.0, "schedule": "reduce_on_plateau", "plateau_patience": 1})
    s = LRSchedule(opt, cfg, 1)
    for value in (1.0, 0.5, 0.6, 0.7):
        s.epoch_end(value)
    assert s.apply(5, 0) == pytest.approx(0.1)
    t = LRSchedule(opt, cfg, 1)
    t.load_state_dict(s.state_dict())
    assert t.apply(5, 0) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("name", "out", "y"),
    [
        ("cross_entropy", torch.randn(4, 3), torch.tensor([0, 1, 2, 1])),
        ("nll", torch.randn(4, 3).log_softmax(1), torch.tensor([0, 1, 2, 1])),
        ("multi_margin", torch.randn(4, 3), torch.tensor([0, 1, 2, 1])),
        ("bce_with_logits", torch.randn(4, 3), torch.tensor([0, 1, 2, 1])),
        ("bce_with_logits", torch.randn(4, 1), torch.tensor([0, 1, 1, 0])),
        ("mse", torch.randn(4, 2), torch.randn(4, 2)),
        ("l1", torch.randn(4, 1), torch.randn(4)),
        ("huber", torch.randn(4, 2), torch.randn(4, 2)),
        ("soft_dice", torch.randn(2, 3, 5, 5), torch.randint(0, 3, (2, 5, 5))),
        ("triplet_margin", torch.randn(6, 4), torch.tensor([0, 0, 1, 1, 2, 2])),
    ],
)
def test_every_loss_gives_a_differentiable_scalar(name, out, y):
    cfg = TrainConfig.from_dict({"label_smoothing": 0.1, "class_weights": [1.0, 2.0, 1.0]})
    out = out.clone().requires_grad_(True)
    value = make_loss(name, cfg)(out, y)
    assert value.dim() == 0 and math.isfinite(value.item())
    value.backward()
    assert out.grad is not None


def test_perfect_dice_and_triplet_are_zero():
    mask = torch.randint(0, 3, (2, 5, 5))
    logits = nn.functional.one_hot(mask, 3).movedim(-1, 1).float() * 100
    cfg = TrainConfig()
    assert make_loss("soft_dice", cfg)(logits, mask).item() < 1e-3
    emb = torch.tensor([[0.0, 0], [0, 0.1], [10, 10], [10, 10.1]])
    assert make_loss("triplet_margin", cfg)(emb, torch.tensor([0, 0, 1, 1])).item() == 0.0


def test_multi_output_training_uses_per_output_losses_and_weights(tmp_path, registry):
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(128, 5, generator=g), torch.randn(128, 3, generator=g)
    score = torch.stack([a[:, 0] + b[:, 1], a[:, 2]], 1)
    label = (a[:, :3].sum(1) > 0).long() + 2 * (b[:, 0] > 0).long()  # 4 of 7 classes used
    ds = TensorDataset(a, b, score, label)

    class Pairs(torch.utils.data.Dataset):
        def __len__(self):
            return len(ds)

        def __getitem__(self, i):
            x1, x2, s, c = ds[i]
            return (x1, x2), (s, c)

    data = DataBundle("multi", "classification", Pairs(), Pairs(), None, [(5,), (3,)], (), 7)
    outputs = {
        "score": {"loss": "mse", "target": 0, "weight": 0.5},
        "logits": {"loss": "cross_entropy", "target": 1, "weight": 2.0},
    }
    cfg = {"epochs": 4, "batch_size": 16, "lr": 0.01, "outputs": outputs}
    trainer = Trainer(two_in_two_out(registry), data, cfg, tmp_path, registry=registry)
    events = list(trainer.iter_fit())
    assert isinstance(events[-1], RunFinished), events[-1]
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    val = epochs[-1].metrics["val"]
    assert {"loss", "score.mae", "score.r2", "logits.accuracy", "logits.macro_f1"} <= set(val)
    assert val["loss"] < epochs[0].metrics["val"]["loss"]
    # the total is the weighted sum of the heads' own losses
    batch = ((a[:8], b[:8]), (score[:8], label[:8]))
    trainer.model.eval()
    result = trainer.task.training_step(trainer.model, batch)
    s_out, c_out = trainer.model(a[:8], b[:8])
    expected = 0.5 * nn.functional.mse_loss(s_out, score[:8]) + 2.0 * nn.functional.cross_entropy(
        c_out, label[:8]
    )
    assert result.loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_unknown_output_name_is_a_config_error(tmp_path, registry):
    cfg = TrainConfig.from_dict({"outputs": {"nope": {}}})
    with pytest.raises(ValueError, match="training.outputs.nope: no output node"):
        make_task(cfg, ["score", "logits"], 7)


def test_regression_and_reconstruction_tasks_train(tmp_path):
    torch.manual_seed(0)
    x = torch.randn(128, 4)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]])
    reg = DataBundle(
        "lin", "regression", TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]), None, [(4,)], (1,)
    )
    events = list(
        Trainer(
            nn.Linear(4, 1),
            reg,
            {"task": "regression", "epochs": 20, "lr": 0.05, "batch_size": 16},
            tmp_path / "r",
        ).iter_fit()
    )
    val = events[-1].summary["metrics"]["val"]
    assert val["r2"] > 0.95 and val["mae"] < 0.3
    auto = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 4))
    rec = DataBundle(
        "auto",
        "reconstruction",
        TensorDataset(x[:96], y[:96]),
        TensorDataset(x[96:], y[96:]),
        None,
        [(4,)],
        (4,),
    )
    events = list(
        Trainer(
            auto, rec, {"task": "reconstruction", "epochs": 2, "batch_size": 16}, tmp_path / "a"
        ).iter_fit()
    )
    assert isinstance(events[-1], RunFinished) and "r2" in events[-1].summary["metrics"]["val"]


def test_a_new_task_type_plugs_in_without_touching_the_loop(tmp_path):
    @register_task
    class L2Penalised(Classification):
        name = "test_l2_penalised"

        def training_step(self, model, batch):
            result = super().training_step(model, batch)
            penalty = sum((p**2).sum() for p in model.parameters())
            result.loss = result.loss + 1e-3 * penalty
            return result

    try:
        events = list(
            Trainer(mlp_project(), blobs(64), {**FAST, "task": "test_l2_penalised"}, tmp_path).iter_fit()
        )
        assert isinstance(events[-1], RunFinished)
        assert "accuracy" in events[-1].summary["metrics"]["val"]
    finally:
        TASK_TYPES.pop("test_l2_penalised")


@pytest.mark.parametrize(
    "scheme",
    [
        "xavier_uniform",
        "xavier_normal",
        "kaiming_uniform",
        "kaiming_normal",
        "orthogonal",
        "normal",
        "uniform",
    ],
)
def test_init_schemes(tmp_path, scheme):
    from studio.training.setup import apply_init

    model = nn.Sequential(nn.Linear(64, 32), nn.Conv2d(3, 8, 3))
    apply_init(model, scheme)
    assert torch.count_nonzero(model[0].bias) == 0 and torch.count_nonzero(model[1].bias) == 0
    if scheme == "orthogonal":
        w = model[0].weight
        assert torch.allclose(w @ w.T, torch.eye(32), atol=1e-5)
    if scheme == "normal":
        assert model[0].weight.std().item() == pytest.approx(0.02, rel=0.1)


@pytest.mark.parametrize("mode", ["norm", "value"])
def test_gradient_clipping_matches_torch(tmp_path, mode):
    # One full-batch SGD step with a clip small enough to bite, against torch's own clip functions.
    data = blobs(32)
    start = {}

    class Snapshot(Callback):
        def on_fit_start(self, trainer, event):
            start.update({k: v.clone() for k, v in trainer.model.state_dict().items()})

    config = {"epochs": 1, "batch_size": 24, "optimizer": "sgd", "momentum": 0.0, "lr": 0.5}
    config["grad_clip"] = {"mode": mode, "max": 0.01}
    trainer = Trainer(mlp_project(), data, config, tmp_path, [Snapshot()])
    list(trainer.iter_fit())
    model = compile_graph(mlp_project().graph, LayerRegistry.with_builtins())
    model.load_state_dict(start)
    x, y = data.train.tensors
    torch.nn.functional.cross_entropy(model(x), y).backward()
    assert torch.nn.utils.get_total_norm([p.grad for p in model.parameters()]) > 0.1  # so the clip bites
    if mode == "norm":
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.01)
    else:
        torch.nn.utils.clip_grad_value_(model.parameters(), 0.01)
    with torch.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
    for key, value in model.state_dict().items():
        torch.testing.assert_close(trainer.model.state_dict()[key], value, rtol=1e-5, atol=1e-6)
