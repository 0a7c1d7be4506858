"""Format detection and the quick file facts the wizard's editors use (no Qt)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from studio.ui.data.detect import detect, npz_arrays, table_columns
from tests.gui.data.files import write_cifar, write_csv, write_idx, write_image_folder, write_npz


def test_each_format_is_detected_from_its_path(tmp_path):
    folder = write_image_folder(tmp_path / "pets")
    table = write_csv(tmp_path / "t.csv")
    arrays = write_npz(tmp_path / "a.npz")
    np.save(tmp_path / "x.npy", np.zeros((3, 2)))
    mnist = write_idx(tmp_path / "fashion-mnist")
    cifar = write_cifar(tmp_path / "cifar")
    found = {
        "folder": detect(folder),
        "image": detect(folder / "cross" / "000.png"),
        "csv": detect(table),
        "npz": detect(arrays),
        "npy": detect(tmp_path / "x.npy"),
        "idx": detect(mnist),
        "idx_images": detect(mnist / "train-images-idx3-ubyte.gz"),
        "idx_labels": detect(mnist / "train-labels-idx1-ubyte.gz"),
        "cifar": detect(cifar),
        "cifar_batch": detect(cifar / "data_batch_1.bin"),
    }
    kinds = {k: s.kind for k, s in found.items()}
    assert kinds == {
        "folder": "image_folder",
        "image": "image_folder",
        "csv": "csv",
        "npz": "npz",
        "npy": "npz",
        "idx": "idx",
        "idx_images": "idx",
        "idx_labels": "idx",
        "cifar": "cifar10",
        "cifar_batch": "cifar10",
    }
    assert found["folder"].facts["classes"] == {"circle": 5, "cross": 4, "square": 3}
    assert found["folder"].message == "Image folder: 3 class folders, 12 images"
    assert found["image"].path == str(folder.resolve())  # an image inside a class folder: its root
    assert found["idx_labels"].path == str(mnist.resolve())
    assert found["idx"].facts == {"fashion": True, "test": True}
    assert found["idx_images"].facts["labels"].endswith("train-labels-idx1-ubyte.gz")


def test_unreadable_choices_explain_themselves(tmp_path):
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "data_batch_1").write_bytes(pickle.dumps({"data": [], "labels": []}))
    (tmp_path / "notes.docx").write_text("hello")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not detect("").ok and "Choose" in detect("").message
    missing = detect(tmp_path / "nope")
    assert not missing.ok and missing.message.endswith("no such file or folder")
    pickled = detect(tmp_path / "py")
    assert not pickled.ok and "binary version" in pickled.message and "unpickles" in pickled.message
    other = detect(tmp_path / "notes.docx")
    assert not other.ok and other.message.startswith("notes.docx: not a format")
    assert "no class sub-folders" in detect(empty).message


def test_table_columns_reads_header_and_types(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\tc\n1\tx\t\n2.5\ty\t3\n")
    header, types, delimiter = table_columns(path)
    assert (header, types, delimiter) == (["a", "b", "c"], ["numeric", "categorical", "numeric"], "\t")
    semicolons = tmp_path / "s.csv"
    semicolons.write_text("p;q\n1;2\n")
    assert table_columns(semicolons)[2] == ";"
    assert table_columns(tmp_path / "missing.csv") == ([], [], "auto")


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_arrays_reads_only_headers(tmp_path, compressed):
    path = tmp_path / "a.npz"
    save = np.savez_compressed if compressed else np.savez
    save(path, images=np.zeros((5, 4, 3), np.uint8), y=np.arange(5))
    assert npz_arrays(path) == [("images", (5, 4, 3), "uint8"), ("y", (5,), "int64")]
    np.save(tmp_path / "x.npy", np.zeros((2, 7), np.float32))
    assert npz_arrays(tmp_path / "x.npy") == [("", (2, 7), "float32")]
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert npz_arrays(tmp_path / "bad.npz") == []
