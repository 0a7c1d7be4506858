"""Checks before a run: graph, settings and data (DIAGNOSTICS.md, static rows)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from studio.core.graph import GraphModel, Node
from studio.doctor.findings import Finding

BATCHNORMS = {"core.batchnorm1d", "core.batchnorm2d", "core.batchnorm3d"}
WEIGHTED = {"core.conv1d", "core.conv2d", "core.conv3d", "core.linear", "core.convtranspose2d"}
LOGITS_LOSSES = {"cross_entropy", "bce_with_logits", "multi_margin"}
SQUASHING = {"core.sigmoid", "core.tanh"}


@dataclass
class RunFacts:
    """What the doctor knows about a planned run besides the graph."""

    loss: str = "cross_entropy"
    batch_size: int = 64
    num_classes: int | None = None
    class_counts: Sequence[int] = ()
    normalized: bool = True
    input_mean: float | None = None
    input_std: float | None = None
    n_train: int | None = None
    output_shapes: dict[str, tuple] = field(default_factory=dict)  # output node name -> shape
    total_params: int = 0


def _consumers(graph: GraphModel, node: Node) -> list[Node]:
    return [graph.nodes[nid] for nid in graph.successors(node.id)]


def _producer(graph: GraphModel, node: Node) -> Node | None:
    edges = graph.in_edges(node.id)
    return graph.nodes[edges[0].src[0]] if edges else None


def _graph_checks(graph: GraphModel, facts: RunFacts) -> list[Finding]:
    found = []
    for node in graph.nodes.values():
        after = _consumers(graph, node)
        if node.type in BATCHNORMS and facts.batch_size < 8:
            found.append(
                Finding(
                    "bn_small_batch",
                    "warning",
                    f"{node.name} is BatchNorm but the batch size is {facts.batch_size}: batch statistics of "
                    "so few samples are noisy and differ from the running statistics used at test time.",
                    "Use GroupNorm, LayerNorm or InstanceNorm, or a batch size of 8 or more.",
                    node.name,
                )
            )
        if (
            node.type in WEIGHTED
            and node.params.get("bias", True)
            and after
            and all(n.type in BATCHNORMS for n in after)
        ):
            found.append(
                Finding(
                    "bias_before_bn",
                    "info",
                    f"{node.name} has a bias but feeds BatchNorm, which subtracts the mean "
                    "and so cancels it.",
                    f"Set bias = false on {node.name}: same model, fewer parameters.",
                    node.name,
                )
            )
        if node.type == "core.dropout":
            src = _producer(graph, node)
            if src is not None and src.type in {
                "core.conv2d",
                "core.relu",
                "core.batchnorm2d",
                "core.maxpool2d",
            }:
                found.append(
                    Finding(
                        "dropout_on_feature_maps",
                        "info",
                        f"{node.name} drops single pixels of feature maps; neighbouring pixels are strongly "
                        "correlated, so this regularises little.",
                        "Use Dropout2d (spatial dropout), which drops whole channels.",
                        node.name,
                    )
                )
        if any(n.type == "core.output" for n in after):
            found += _head_checks(node, facts)
    return found


def _head_checks(node: Node, facts: RunFacts) -> list[Finding]:
    """The layer right before an Output, against the loss."""
    if node.type == "core.softmax" and facts.loss in LOGITS_LOSSES | {"nll"}:
        fix = (
            "Remove the Softmax: CrossEntropyLoss applies log-softmax itself and expects raw logits."
            if facts.loss != "nll"
            else "Use LogSoftmax before NLLLoss (it expects log-probabilities)."
        )
        return [
            Finding(
                "softmax_before_loss",
                "error",
                f"{node.name} applies Softmax before the {facts.loss} loss: gradients vanish as the "
                "probabilities saturate, and the loss is computed on the wrong quantity.",
                fix,
                node.name,
            )
        ]
    if node.type == "core.sigmoid" and facts.loss == "bce_with_logits":
        return [
            Finding(
                "sigmoid_before_logits_loss",
                "error",
                f"{node.name} applies Sigmoid before BCEWithLogitsLoss, which applies it again.",
                "Remove the Sigmoid; use it only to display probabilities.",
                node.name,
            )
        ]
    return []


def _output_checks(facts: RunFacts) -> list[Finding]:
    found = []
    if facts.num_classes and facts.loss in {"cross_entropy", "nll", "multi_margin"}:
        for name, shape in facts.output_shapes.items():
            if len(shape) >= 2 and shape[1] != facts.num_classes:
                found.append(
                    Finding(
                        "output_size_mismatch",
                        "error",
                        f"output '{name}' has {shape[1]} values per sample but the data has "
                        f"{facts.num_classes} classes.",
                        f"Set the last layer's width to {facts.num_classes}.",
                        name,
                    )
                )
    return found


def _data_checks(facts: RunFacts) -> list[Finding]:
    found = []
    if not facts.normalized and facts.input_mean is not None and facts.input_std is not None:
        if abs(facts.input_mean) > 2 or facts.input_std > 5 or facts.input_std < 0.05:
            found.append(
                Finding(
                    "unnormalised_input",
                    "warning",
                    f"inputs have mean {facts.input_mean:.3g} and standard deviation {facts.input_std:.3g}, "
                    "far from 0 and 1: the first layer's pre-activations are badly scaled.",
                    "Turn on normalisation (per-channel mean/std of the training split).",
                )
            )
    counts = [c for c in facts.class_counts if c >= 0]
    if len(counts) >= 2 and min(counts) > 0 and max(counts) / min(counts) >= 3:
        found.append(
            Finding(
                "class_imbalance",
                "warning",
                f"the largest class has {max(counts)} samples, the smallest {min(counts)} "
                f"({max(counts) / min(counts):.1f}×): accuracy rewards predicting the big classes.",
                "Watch balanced accuracy and per-class recall; use class weights or resampling.",
            )
        )
    elif any(c == 0 for c in counts):
        found.append(
            Finding(
                "empty_class", "warning", "a class has no training samples.", "Check the labels or the split."
            )
        )
    if facts.n_train and facts.total_params > 50 * facts.n_train:
        found.append(
            Finding(
                "capacity_vs_data",
                "info",
                f"{facts.total_params:,} parameters for {facts.n_train:,} training samples: "
                "expect overfitting.",
                "Use augmentation, weight decay or dropout, a smaller model, or transfer learning.",
            )
        )
    return found


def static_findings(graph: GraphModel, facts: RunFacts) -> list[Finding]:
    """Every static finding for this graph and run, most severe first."""
    found = _graph_checks(graph, facts) + _output_checks(facts) + _data_checks(facts)
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: rank[f.severity])


def expected_initial_loss(loss: str, num_classes: int | None) -> float | None:
    """The loss of an untrained classifier: ln(C) for softmax CE, ln 2 per output for BCE."""
    if loss in {"cross_entropy", "nll"} and num_classes and num_classes > 1:
        return math.log(num_classes)
    if loss == "bce_with_logits":
        return math.log(2)
    return None
