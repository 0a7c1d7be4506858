"""Zachary's karate club (networkx): node classification on one graph.

Node classification splits the *nodes*, not samples. Each split is a dataset of
one item: ``x = (features (V, F), adjacency (V, V))`` and ``y`` the per-node
class ``(V,)`` with ``-100`` (``CrossEntropyLoss``'s default ``ignore_index``)
on every node outside that split, so a plain loss trains on the training nodes
only. The boolean node masks are also in ``bundle.extra["train_mask"]``,
``["val_mask"]`` and ``["test_mask"]``.
"""

from __future__ import annotations

from typing import Any

import torch

from studio.data.options import DatasetInfo, Option
from studio.data.raw import RawData

IGNORE_INDEX = -100


def load_karate(opts: dict[str, Any], seed: int) -> RawData:
    """34 members, 78 friendships; classes Mr. Hi (0) and Officer (1).

    Parameters
    ----------
    opts
        ``features``: ``identity`` (one-hot node ids, F = 34) or ``degree`` (F = 1).
    seed
        Unused (the graph is fixed).

    Returns
    -------
    RawData
        A node-level graph: ``x`` is ``(features, adjacency)`` without a sample dimension.
    """
    import networkx as nx

    g = nx.karate_club_graph()
    nodes = sorted(g.nodes)
    adjacency = torch.tensor(nx.to_numpy_array(g, nodelist=nodes, weight=None), dtype=torch.float32)
    if opts["features"] == "identity":
        features = torch.eye(len(nodes))
    else:
        features = adjacency.sum(1, keepdim=True)
    y = torch.tensor([0 if g.nodes[v]["club"] == "Mr. Hi" else 1 for v in nodes], dtype=torch.long)
    extra = {"ignore_index": IGNORE_INDEX, "num_nodes": len(nodes)}
    cd = None if opts["features"] == "identity" else 1
    names = ["Mr. Hi", "Officer"]
    return RawData((features, adjacency), y, "classification", names, cd, node_level=True, extra=extra)


DATASETS = [
    DatasetInfo(
        "karate",
        "Karate club graph",
        "classification",
        "Zachary's karate club: classify each member's faction (node classification on one graph)",
        {"features": Option("identity", "str", "Node features", choices=("identity", "degree"))},
        load_karate,
    )
]
