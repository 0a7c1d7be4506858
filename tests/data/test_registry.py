"""The registry: listing, option checks and one-line errors."""

from __future__ import annotations

import pytest

from studio.data import DataBundle, DataError, list_datasets, load_dataset


def test_list_datasets_describes_every_dataset():
    entries = {d["id"]: d for d in list_datasets()}
    builtin = {
        "digits",
        "xor",
        "moons",
        "circles",
        "spirals",
        "blobs",
        "shapes",
        "sine",
        "parity",
        "toy_text",
        "karate",
    }
    files = {"image_folder", "csv", "npz", "idx", "cifar10"}
    assert builtin | files == set(entries)
    for d in entries.values():
        assert {"id", "title", "task", "description", "options", "option_info", "source"} <= set(d)
        assert set(d["options"]) == set(d["option_info"])
    assert entries["digits"]["options"] == {"image_size": 8}
    assert entries["shapes"]["option_info"]["task"]["choices"] == ["classification", "segmentation"]
    assert {d["source"] for d in entries.values() if d["id"] in files} == {"file"}


def test_every_builtin_loads_with_defaults():
    for d in list_datasets():
        if d["source"] == "builtin":
            b = load_dataset({"dataset": d["id"]})
            assert isinstance(b, DataBundle) and b.task == d["task"] and len(b.train) > 0


@pytest.mark.parametrize(
    "config, message",
    [
        ({"dataset": "mnist3d"}, r"unknown dataset 'mnist3d' \(known: digits, "),
        ({}, "needs a 'dataset'"),
        ([], "must be an object"),
        (
            {"dataset": "digits", "imagesize": 32},
            r"unknown option 'imagesize' for dataset 'digits' \(known: image_size\)",
        ),
        ({"dataset": "digits", "image_size": "big"}, "option 'image_size' must be an integer"),
        ({"dataset": "digits", "image_size": 0}, "must be >= 1"),
        ({"dataset": "moons", "n_samples": True}, "must be an integer"),
        ({"dataset": "shapes", "color": "blue"}, "must be one of grey, rgb"),
        ({"dataset": "digits", "normalize": "yes"}, "normalize must be true or false"),
        ({"dataset": "digits", "seed": 1.5}, "data seed must be an integer"),
        ({"dataset": "csv"}, "dataset 'csv' needs a 'path'"),
        ({"dataset": "circles", "factor": 1.5}, "'factor' must be below 1"),
        ({"dataset": "csv", "path": 3}, "must be a file path"),
        ({"dataset": "idx", "path": "x", "use_test": 1}, "must be true or false"),
    ],
)
def test_bad_configs_give_one_line_errors(config, message):
    with pytest.raises(DataError, match=message) as info:
        load_dataset(config)
    assert "\n" not in str(info.value)
