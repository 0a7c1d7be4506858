"""The list of built-in templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from studio.core.serialize import Project
from studio.templates.builder import ChainBuilder

_CLASSIFY = {
    "task": "classification",
    "loss": "cross_entropy",
    "optimizer": "adam",
    "lr": 0.001,
    "batch_size": 64,
    "epochs": 10,
    "seed": 0,
}


@dataclass(frozen=True)
class Template:
    """A ready-to-train example project."""

    name: str
    title: str
    task: str
    dataset: str
    description: str
    build: Callable[[], Project]


def _logreg() -> Project:
    b = ChainBuilder()
    b.add("core.input_image", "image", channels=1, height=8, width=8)
    b.add("core.flatten")
    b.add("core.linear", "logits", out_features=10)
    b.add("core.output", "output")
    return Project(b.graph, data={"dataset": "digits", "seed": 0}, training=dict(_CLASSIFY, lr=0.01))


def _mlp() -> Project:
    b = ChainBuilder()
    b.add("core.input_vector", "features", features=2)
    for _ in range(2):
        b.add("core.linear", out_features=16)
        b.add("core.relu")
    b.add("core.linear", "logits", out_features=2)
    b.add("core.output", "output")
    return Project(
        b.graph, data={"dataset": "moons", "seed": 0}, training=dict(_CLASSIFY, lr=0.01, epochs=30)
    )


def _lenet5() -> Project:
    b = ChainBuilder()
    b.add("core.input_image", "image", channels=1, height=32, width=32)
    for channels in (6, 16):
        b.add("core.conv2d", out_channels=channels, kernel_size=5)
        b.add("core.relu")
        b.add("core.maxpool2d", kernel_size=2)
    b.add("core.flatten")
    for units in (120, 84):
        b.add("core.linear", out_features=units)
        b.add("core.relu")
    b.add("core.linear", "logits", out_features=10)
    b.add("core.output", "output")
    return Project(
        b.graph,
        data={"dataset": "digits", "image_size": 32, "seed": 0},
        training=dict(_CLASSIFY, epochs=15, schedule="cosine", lr=0.002),
    )


TEMPLATES: tuple[Template, ...] = (
    Template(
        "logreg",
        "Logistic Regression",
        "classification",
        "digits",
        "Multinomial logistic regression on 8×8 digits: Flatten → Linear(64, 10)",
        _logreg,
    ),
    Template(
        "mlp",
        "Multi-Layer Perceptron",
        "classification",
        "moons",
        "Two hidden ReLU layers of 16 units on the two-moons toy set",
        _mlp,
    ),
    Template(
        "lenet5",
        "LeNet-5",
        "classification",
        "digits",
        "LeCun et al. 1998 in its modern form (ReLU, max-pool) on 32×32 digits: 61,706 parameters",
        _lenet5,
    ),
)


def get_template(name: str) -> Template | None:
    """The template called ``name`` (its slug), or None."""
    return next((t for t in TEMPLATES if t.name == name), None)
