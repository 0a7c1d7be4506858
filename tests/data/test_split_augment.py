"""Splits, normalisation from the training split, augmentation and its preview."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader

from studio.data import DataError, load_dataset, preview
from studio.data.augment import Augment, AugmentedSplit
from studio.data.split import channel_stats, parse_split, split_indices


def test_split_sizes_disjoint_and_stratified():
    labels = torch.tensor([0] * 60 + [1] * 30 + [2] * 10)
    tr, va, te = split_indices(100, 0.1, 0.2, seed=5, labels=labels)
    assert (len(tr), len(va), len(te)) == (70, 10, 20)
    everything = torch.cat([tr, va, te])
    assert torch.equal(everything.sort().values, torch.arange(100))
    assert torch.bincount(labels[te]).tolist() == [12, 6, 2]
    assert torch.bincount(labels[va]).tolist() == [6, 3, 1]
    again = split_indices(100, 0.1, 0.2, seed=5, labels=labels)
    assert all(torch.equal(a, b) for a, b in zip((tr, va, te), again, strict=True))


def test_split_without_labels_and_without_test():
    tr, va, te = split_indices(10, 0.3, 0.0, seed=0)
    assert (len(tr), len(va), len(te)) == (7, 3, 0)
    b = load_dataset({"dataset": "moons", "n_samples": 100, "split": {"val": 0.2, "test": 0}})
    assert b.test is None and len(b.val) == 20


@pytest.mark.parametrize(
    "split, message",
    [
        ({"val": 0.6, "test": 0.5}, "below 1"),
        ({"val": -0.1}, "fraction"),
        ({"train": 0.5}, "unknown split option 'train'"),
        ("80/20", "split must be an object"),
    ],
)
def test_bad_split_settings(split, message):
    with pytest.raises(DataError, match=message):
        parse_split(split)


def test_normalisation_uses_training_statistics_only():
    raw = load_dataset({"dataset": "digits", "normalize": False, "seed": 0})
    norm = load_dataset({"dataset": "digits", "seed": 0})
    mean, std = channel_stats(raw.train.x, 0)
    assert norm.mean == pytest.approx(mean.tolist()) and norm.std == pytest.approx(std.tolist())
    assert norm.mean != pytest.approx(channel_stats(raw.test.x, 0)[0].tolist())
    assert float(norm.train.x.mean()) == pytest.approx(0.0, abs=1e-5)
    assert float(norm.train.x.std(unbiased=False)) == pytest.approx(1.0, abs=1e-4)
    expected = (raw.test.x - mean[0]) / std[0]
    assert torch.allclose(norm.test.x, expected, atol=1e-5)


def test_rgb_statistics_are_per_channel():
    b = load_dataset({"dataset": "shapes", "n_samples": 60, "color": "rgb"})
    assert len(b.mean) == 3
    x = b.train.x
    assert torch.allclose(x.mean((0, 2, 3)), torch.zeros(3), atol=1e-5)


def test_loader_batches_match_items():
    b = load_dataset({"dataset": "digits"})
    x, y = next(iter(DataLoader(b.val, batch_size=8)))
    assert x.shape == (8, 1, 8, 8) and y.shape == (8,)
    for i in range(8):
        xi, yi = b.val[i]
        assert torch.equal(x[i], xi) and int(y[i]) == int(yi)
    with pytest.raises(IndexError):
        b.val[len(b.val)]


AUG = {"hflip": True, "crop": 2, "rotation": 10, "noise": 0.05, "color_jitter": 0.2}


def test_augmentation_only_on_training_split_and_seeded():
    cfg = {"dataset": "digits", "image_size": 16, "augment": AUG, "seed": 0}
    a, b = load_dataset(cfg, seed=1), load_dataset(cfg, seed=1)
    plain = load_dataset({"dataset": "digits", "image_size": 16, "seed": 0}, seed=1)
    assert isinstance(a.train, AugmentedSplit) and not isinstance(a.val, AugmentedSplit)
    assert torch.equal(a.val.x, plain.val.x) and torch.equal(a.test.x, plain.test.x)
    xa = torch.stack([a.train[i][0] for i in range(10)])
    xb = torch.stack([b.train[i][0] for i in range(10)])
    assert torch.equal(xa, xb)
    assert not torch.allclose(xa, plain.train.x[:10])
    a.train.set_epoch(1)
    assert not torch.equal(torch.stack([a.train[i][0] for i in range(10)]), xa)
    a.train.set_epoch(0)
    assert torch.equal(torch.stack([a.train[i][0] for i in range(10)]), xa)
    other = load_dataset(cfg, seed=2)
    assert not torch.equal(torch.stack([other.train[i][0] for i in range(10)]), xa)


def test_augmented_batch_independent_of_batch_composition():
    b = load_dataset({"dataset": "digits", "augment": AUG}, seed=0)
    x, _ = next(iter(DataLoader(b.train, batch_size=6)))
    singles = torch.stack([b.train[i][0] for i in range(6)])
    assert torch.allclose(x, singles, atol=1e-6)


def test_flip_only_gives_original_or_mirror():
    b = load_dataset({"dataset": "digits", "augment": {"hflip": True}}, seed=0)
    originals = b.train.x[:40]
    flipped = 0
    for i in range(40):
        x, _ = b.train[i]
        same, mirror = torch.equal(x, originals[i]), torch.equal(x, originals[i].flip(-1))
        assert same or mirror
        flipped += mirror and not same
    assert 5 < flipped < 35


def test_crop_shifts_the_image_with_mean_padding():
    aug = Augment(crop=2)
    x = torch.arange(16.0).view(1, 1, 4, 4) + 1
    p = {"dx": torch.tensor([0]), "dy": torch.tensor([4])}
    out, _ = aug.apply(x, p)
    # offset (dy=4, dx=0) in the padded image: shift up by 2 rows, right by 2 columns
    expected = torch.zeros(4, 4)
    expected[:2, 2:] = x[0, 0, 2:, :2]
    assert torch.equal(out[0, 0], expected)


def test_segmentation_masks_follow_geometric_augmentation():
    cfg = {"dataset": "shapes", "n_samples": 40, "task": "segmentation", "noise": 0.0, "normalize": False}
    b = load_dataset(dict(cfg, augment={"hflip": True, "rotation": 30, "crop": 3}), seed=0)
    for i in range(10):
        x, mask = b.train[i]
        inside = mask > 0
        assert inside.any() and mask.dtype == torch.long
        # the bright object pixels and the mask still coincide after the transform
        assert x[0][inside].mean() > x[0][~inside].mean() + 0.2


def test_augmentation_refused_where_it_makes_no_sense():
    with pytest.raises(DataError, match="need images"):
        load_dataset({"dataset": "moons", "augment": {"hflip": True}})
    with pytest.raises(DataError, match="token ids"):
        load_dataset({"dataset": "toy_text", "augment": {"noise": 0.1}})
    with pytest.raises(DataError, match="unknown augment option 'blur'"):
        load_dataset({"dataset": "digits", "augment": {"blur": 1}})
    with pytest.raises(DataError, match="crop"):
        load_dataset({"dataset": "digits", "augment": {"crop": -1}})
    b = load_dataset({"dataset": "moons", "augment": {"noise": 0.1}})
    assert not torch.equal(b.train[0][0], b.train.x[0])


def test_preview_is_denormalised_augmented_training_data():
    b = load_dataset({"dataset": "digits", "augment": {"hflip": True, "crop": 1}}, seed=0)
    grid = preview(b, 12)
    assert grid.shape == (12, 1, 8, 8)
    assert float(grid.min()) >= -1e-5 and float(grid.max()) <= 1 + 1e-5
    plain = preview(load_dataset({"dataset": "digits"}, seed=0), 12)
    raw = load_dataset({"dataset": "digits", "normalize": False}, seed=0)
    assert torch.allclose(plain, raw.train.x[:12], atol=1e-5)
    assert b.train.epoch == 0 and torch.equal(preview(b, 12, epoch=0), grid)
