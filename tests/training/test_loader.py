"""Batches for the loop: gathered whole from tensor splits, equal to what a DataLoader gives."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset, Subset

from studio.data import load_dataset
from studio.data.augment import AugmentedSplit
from studio.templates import get_template
from studio.training import Trainer
from studio.training.loader import BatchReader, make_loader

ORDER = [[5, 1, 9], [0, 2], [7, 7, 3]]


def _same(ours, theirs) -> None:
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (x, y), (xd, yd) in zip(ours, theirs, strict=True):
        assert torch.equal(x, xd) and torch.equal(y, yd) and x.is_contiguous()


def test_tensor_splits_are_read_a_batch_at_a_time_with_the_dataloaders_values():
    split = load_dataset({"dataset": "digits"}).train
    loader = make_loader(split, batch_sampler=ORDER)
    assert isinstance(loader, BatchReader) and len(loader) == 3
    _same(loader, DataLoader(split, batch_sampler=ORDER))
    _same(make_loader(split, 64), DataLoader(split, batch_size=64))  # consecutive, last one short


def test_subsets_map_their_rows_and_keep_the_fast_path():
    split = load_dataset({"dataset": "digits"}).train
    inner = Subset(Subset(split, torch.arange(100, 0, -1)), range(0, 50, 2))  # index kinds vary
    loader = make_loader(inner, batch_sampler=ORDER)
    assert isinstance(loader, BatchReader)
    _same(loader, DataLoader(inner, batch_sampler=ORDER))


def test_augmented_splits_go_through_their_own_batch():
    split = load_dataset({"dataset": "digits", "augment": {"noise": 0.1}}, seed=0).train
    assert isinstance(split, AugmentedSplit)
    _same(make_loader(split, batch_sampler=ORDER), DataLoader(split, batch_sampler=ORDER))


class Squares(Dataset):
    """A dataset without ``batch``: read through a DataLoader."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int):
        return torch.tensor([float(i)]), torch.tensor(i * i)


def test_other_datasets_go_through_a_dataloader():
    loader = make_loader(Squares(), batch_sampler=ORDER)
    assert isinstance(loader, DataLoader)
    x, y = next(iter(loader))
    assert x.flatten().tolist() == [5.0, 1.0, 9.0] and y.tolist() == [25, 1, 81]


def test_each_epoch_trains_on_its_own_augmentation(tmp_path, monkeypatch):
    """The loop draws every epoch's augmentation (it used to keep epoch 0's for the whole run)."""
    project = get_template("logreg").build()
    data = load_dataset({**project.data, "augment": {"noise": 0.2}}, seed=0)
    seen: list[tuple[int, torch.Tensor]] = []
    batch = AugmentedSplit.batch

    def spy(self, index):
        x, y = batch(self, index)
        seen.append((self.epoch, x[index == 0]))  # sample 0, wherever it falls
        return x, y

    monkeypatch.setattr(AugmentedSplit, "batch", spy)
    config = {**project.training, "epochs": 3, "batch_size": 256}
    list(Trainer(project, data, config, tmp_path).iter_fit())
    sample0 = [(epoch, x[0]) for epoch, x in seen if len(x)]
    assert [epoch for epoch, _ in sample0] == [0, 1, 2]  # set before each epoch's batches, from 0
    assert not torch.equal(sample0[0][1], sample0[1][1]) and not torch.equal(sample0[1][1], sample0[2][1])
    data.train.set_epoch(1)
    assert torch.equal(batch(data.train, torch.tensor([0]))[0][0], sample0[1][1])  # a function of the epoch
