"""Built-in datasets: shapes, values, splits, masks and boxes."""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from torch.utils.data import DataLoader

from studio.data import load_dataset
from studio.data.builtin.shapes import SHAPES


def test_digits_default_split_and_values():
    b = load_dataset({"dataset": "digits", "normalize": False})
    assert (len(b.train), len(b.val), len(b.test)) == (1257, 180, 360)
    assert b.input_shapes == [(1, 8, 8)] and b.num_classes == 10 and b.target_shape == ()
    x = b.train.x
    assert x.dtype == torch.float32 and x.min() == 0.0 and x.max() == 1.0
    # values are the 0..16 grey levels divided by 16
    assert torch.allclose(x * 16, (x * 16).round())
    assert sum(b.extra["class_counts"]["test"]) == 360
    # stratified: every class has 35..37 test images (178-183 per class * 0.2)
    assert all(35 <= c <= 37 for c in b.extra["class_counts"]["test"])


def test_digits_resized_to_32_bilinear():
    b = load_dataset({"dataset": "digits", "image_size": 32, "normalize": False})
    assert b.input_shapes == [(1, 32, 32)]
    x, y = b.test[0]
    assert x.shape == (1, 32, 32) and y.dtype == torch.long and y.dim() == 0
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0


def test_split_fixed_for_seed_and_data_seed_overrides_run_seed():
    a = load_dataset({"dataset": "digits"}, seed=3).extra["split_indices"]["test"]
    b = load_dataset({"dataset": "digits"}, seed=3).extra["split_indices"]["test"]
    c = load_dataset({"dataset": "digits"}, seed=4).extra["split_indices"]["test"]
    assert torch.equal(a, b) and not torch.equal(a, c)
    fixed = [
        load_dataset({"dataset": "digits", "seed": 0}, seed=s).extra["split_indices"]["test"] for s in (1, 2)
    ]
    assert torch.equal(fixed[0], fixed[1])


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals", "blobs"])
def test_toy_2d_sets(name):
    b = load_dataset({"dataset": name, "n_samples": 200, "normalize": False}, seed=1)
    assert b.input_shapes == [(2,)] and b.task == "classification"
    assert len(b.train) + len(b.val) + len(b.test) == 200
    x, y = next(iter(DataLoader(b.train, batch_size=16, shuffle=True)))
    assert x.shape == (16, 2) and y.shape == (16,) and int(y.max()) < b.num_classes


def test_xor_labels_follow_the_quadrants():
    b = load_dataset({"dataset": "xor", "noise": 0.0, "normalize": False})
    x, y = b.train.x, b.train.y
    assert torch.equal(y, ((x[:, 0] > 0) != (x[:, 1] > 0)).long())


def test_normalised_toy_features_have_unit_training_statistics():
    b = load_dataset({"dataset": "blobs"})
    x = b.train.x
    assert torch.allclose(x.mean(0), torch.zeros(2), atol=1e-5)
    assert torch.allclose(x.std(0, unbiased=False), torch.ones(2), atol=1e-4)
    assert len(b.mean) == len(b.std) == 2


def test_shapes_masks_and_boxes_agree():
    b = load_dataset({"dataset": "shapes", "n_samples": 80, "size": 24, "normalize": False})
    masks, boxes = b.extra["masks"]["test"], b.extra["boxes"]["test"]
    assert masks.shape == (len(b.test), 24, 24) and boxes.shape == (len(b.test), 4)
    for i in range(len(b.test)):
        _, label = b.test[i]
        m = masks[i]
        assert set(m.unique().tolist()) == {0, int(label) + 1}
        ys, xs = torch.nonzero(m, as_tuple=True)
        assert boxes[i].tolist() == [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]
    assert b.class_names == list(SHAPES)


def test_shapes_objects_stand_out_from_the_background():
    b = load_dataset({"dataset": "shapes", "n_samples": 40, "noise": 0.0, "normalize": False})
    x, m = b.train.x[:, 0], b.extra["masks"]["train"] > 0
    for img, mask in zip(x, m, strict=True):
        assert img[mask].mean() - img[~mask].mean() >= 0.2


def test_shapes_segmentation_targets_are_masks():
    b = load_dataset({"dataset": "shapes", "n_samples": 40, "task": "segmentation", "color": "rgb"})
    x, y = b.train[0]
    assert b.task == "segmentation" and b.num_classes == 5 and b.class_names[0] == "background"
    assert x.shape == (3, 32, 32) and y.shape == (32, 32) and y.dtype == torch.long
    assert torch.equal(b.train.y, b.extra["masks"]["train"])


def test_sine_forecast_shapes_and_target_continues_the_wave():
    b = load_dataset({"dataset": "sine", "n_samples": 50, "length": 10, "noise": 0.0})
    x, y = b.train[0]
    assert b.task == "regression" and x.shape == (10, 1) and y.shape == (1,) and b.mean == []
    # a sampled sinusoid obeys s[t+1] = 2 cos(w) s[t] - s[t-1]; recover 2cos(w) from the inputs
    s = torch.cat([b.train.x[:, :, 0], b.train.y], 1).double()
    ok = s[:, 1].abs() > 0.2
    k = (s[ok, 2] + s[ok, 0]) / s[ok, 1]
    assert ok.sum() > 20
    assert torch.allclose(s[ok, -1], k * s[ok, -2] - s[ok, -3], atol=1e-4)


def test_parity_and_count_targets():
    b = load_dataset({"dataset": "parity", "n_samples": 100, "length": 6})
    assert torch.equal(b.train.y, b.train.x.sum((1, 2)).long() % 2) and b.num_classes == 2
    c = load_dataset({"dataset": "parity", "n_samples": 100, "length": 6, "target": "count"})
    assert torch.equal(c.train.y, c.train.x.sum((1, 2)).long()) and c.num_classes == 7


def test_toy_text_token_ids():
    b = load_dataset({"dataset": "toy_text", "n_samples": 120, "length": 9})
    x, _ = b.train[0]
    assert x.dtype == torch.long and x.shape == (9,)
    vocab = b.extra["vocab"]
    assert b.extra["vocab_size"] == len(vocab) and vocab[0] == "<pad>"
    assert int(b.train.x.max()) < len(vocab) and (b.train.x[:, -2:] == 0).all()
    sentence = [vocab[i] for i in b.train.x[0].tolist() if i]
    assert sentence and all(w not in ("<pad>", "<unk>") for w in sentence)


def test_karate_node_classification_masks():
    b = load_dataset({"dataset": "karate", "split": {"val": 0.2, "test": 0.2}})
    g = nx.karate_club_graph()
    assert b.input_shapes == [(34, 34), (34, 34)] and b.target_shape == (34,)
    masks = [b.extra[f"{p}_mask"] for p in ("train", "val", "test")]
    assert (torch.stack(masks).long().sum(0) == 1).all()
    (feat, adj), y = b.train[0]
    assert torch.equal(feat, torch.eye(34)) and adj.sum() == 2 * g.number_of_edges()
    truth = torch.tensor([0 if g.nodes[v]["club"] == "Mr. Hi" else 1 for v in range(34)])
    for part, mask in zip((b.train, b.val, b.test), masks, strict=True):
        _, target = part[0]
        assert torch.equal(target[mask], truth[mask]) and (target[~mask] == -100).all()
    (fb, ab), yb = next(iter(DataLoader(b.train, batch_size=1)))
    assert fb.shape == (1, 34, 34) and ab.shape == (1, 34, 34) and yb.shape == (1, 34)
    loss = torch.nn.functional.cross_entropy(torch.zeros(34, 2), yb[0])
    assert torch.isclose(loss, torch.log(torch.tensor(2.0)))
