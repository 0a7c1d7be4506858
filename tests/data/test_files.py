"""File loaders on small files written here, and one clear error per kind of corrupt file."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from studio.data import DataError, load_dataset

NO_SPLIT = {"val": 0.0, "test": 0.0}


# ---- image folders ------------------------------------------------------------------------------


def _image_folder(root, color="L", per_class=3):
    for k, name in enumerate(["cat", "dog"]):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            value = 40 + 150 * k + i
            size = (10 + i, 12)  # different sizes: resized to a common size
            Image.new(color, size, value if color == "L" else (value, 0, 255 - value)).save(
                root / name / f"{i}.png"
            )
    return root


def test_image_folder_grey(tmp_path):
    root = _image_folder(tmp_path / "imgs")
    b = load_dataset(
        {"dataset": "image_folder", "path": str(root), "image_size": 8, "normalize": False, "split": NO_SPLIT}
    )
    assert b.class_names == ["cat", "dog"] and b.input_shapes == [(1, 8, 8)] and len(b.train) == 6
    x, y = b.train.x, b.train.y
    assert torch.allclose(x[y == 0][0], torch.full((1, 8, 8), 40 / 255))
    assert torch.allclose(x[y == 1][0], torch.full((1, 8, 8), 190 / 255))
    assert b.extra["class_counts"]["train"] == [3, 3]


def test_image_folder_rgb_detected(tmp_path):
    root = _image_folder(tmp_path / "imgs", color="RGB")
    b = load_dataset({"dataset": "image_folder", "path": str(root), "image_size": 4, "split": NO_SPLIT})
    assert b.input_shapes == [(3, 4, 4)] and len(b.mean) == 3


def test_image_folder_errors(tmp_path):
    cfg = {"dataset": "image_folder", "path": str(tmp_path / "missing")}
    with pytest.raises(DataError, match="no such file or folder"):
        load_dataset(cfg)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no class folders"):
        load_dataset(dict(cfg, path=str(tmp_path / "empty")))
    root = _image_folder(tmp_path / "imgs")
    (root / "bird").mkdir()
    with pytest.raises(DataError, match=r"bird: empty class folder"):
        load_dataset(dict(cfg, path=str(root)))
    (root / "bird" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match=r"broken\.png: unreadable image"):
        load_dataset(dict(cfg, path=str(root)))


# ---- CSV / TSV ----------------------------------------------------------------------------------


def test_csv_numeric_and_categorical_features(tmp_path):
    rows = ["size,color,label"] + [
        f"{i},{'red' if i % 2 else 'blue'},{'yes' if i > 4 else 'no'}" for i in range(10)
    ]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n")
    b = load_dataset(
        {"dataset": "csv", "path": str(path), "target": "label", "normalize": False, "split": NO_SPLIT}
    )
    assert b.task == "classification" and b.class_names == ["no", "yes"]
    assert b.extra["feature_names"] == ["size", "color=blue", "color=red"]
    assert torch.equal(b.train.x[3], torch.tensor([3.0, 0.0, 1.0])) and int(b.train.y[7]) == 1


def test_csv_categories_from_training_rows_only_and_one_hot_not_normalised(tmp_path):
    colors = ["red", "blue"] * 9 + ["green", "green"]
    rows = ["color,x,y"] + [f"{c},{i},{i * 0.5}" for i, c in enumerate(colors)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows))
    b = load_dataset({"dataset": "csv", "path": str(path), "split": {"val": 0.0, "test": 0.5}}, seed=3)
    assert b.task == "regression" and b.target_shape == (1,)
    seen = {n.split("=")[1] for n in b.extra["feature_names"] if n.startswith("color=")}
    train_colors = {colors[i] for i in b.extra["split_indices"]["train"].tolist()}
    assert seen == train_colors
    onehot = [i for i, n in enumerate(b.extra["feature_names"]) if n.startswith("color=")]
    assert all(b.mean[i] == 0.0 and b.std[i] == 1.0 for i in onehot)
    assert set(b.train.x[:, onehot].unique().tolist()) <= {0.0, 1.0}


def test_tsv_and_forced_classification(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\tclass\n1\t2\t0\n3\t4\t1\n5\t6\t2\n7\t\t10\n")
    b = load_dataset(
        {"dataset": "csv", "path": str(path), "task": "classification", "split": NO_SPLIT, "normalize": False}
    )
    assert b.class_names == ["0", "1", "2", "10"]
    assert b.train.x.shape == (4, 2) and float(b.train.x[3, 1]) == pytest.approx(4.0)  # mean fill


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("a,b\n1,2\n3\n", {}, r"t\.csv: row 3 has 1 fields, the header has 2"),
        ("a,b\n1,2\n", {"target": "c"}, r"t\.csv: no column 'c' \(columns: a, b\)"),
        ("a,b\n", {}, "at least one data row"),
        ("a,b\n1,x\n2,\n", {}, "row 3 has no value in the target column 'b'"),
        ("a,b\n1,x\n", {"task": "regression"}, "not numeric"),
        ("a,b\n1,2\n", {"features": ["z"]}, "no column 'z'"),
    ],
)
def test_csv_errors(tmp_path, text, options, message):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        load_dataset(dict({"dataset": "csv", "path": str(path)}, **options))


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(DataError, match="UTF-8"):
        load_dataset({"dataset": "csv", "path": str(path)})


# ---- NumPy --------------------------------------------------------------------------------------


def test_npz_classification_and_custom_keys(tmp_path):
    x = np.random.default_rng(0).random((20, 3)).astype(np.float32)
    y = np.arange(20) % 4
    np.savez(tmp_path / "d.npz", inputs=x, labels=y)
    b = load_dataset(
        {
            "dataset": "npz",
            "path": str(tmp_path / "d.npz"),
            "x_key": "inputs",
            "y_key": "labels",
            "normalize": False,
            "split": NO_SPLIT,
        }
    )
    assert (
        b.task == "classification" and b.num_classes == 4 and torch.allclose(b.train.x, torch.from_numpy(x))
    )


def test_npy_with_targets_and_unsupervised(tmp_path):
    imgs = np.random.default_rng(0).integers(0, 256, (10, 5, 5), dtype=np.uint8)
    np.save(tmp_path / "x.npy", imgs)
    np.save(tmp_path / "y.npy", np.linspace(0, 1, 10))
    b = load_dataset(
        {
            "dataset": "npz",
            "path": str(tmp_path / "x.npy"),
            "targets": str(tmp_path / "y.npy"),
            "split": NO_SPLIT,
            "normalize": False,
        }
    )
    assert b.task == "regression" and b.input_shapes == [(1, 5, 5)] and b.target_shape == (1,)
    assert torch.allclose(b.train.x[0, 0], torch.from_numpy(imgs[0] / 255.0).float())
    u = load_dataset({"dataset": "npz", "path": str(tmp_path / "x.npy"), "split": NO_SPLIT})
    assert u.task == "reconstruction" and torch.equal(u.train.x, u.train.y) and u.target_shape == (1, 5, 5)


def test_numpy_errors(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 2)), z=np.zeros(4))
    with pytest.raises(DataError, match=r"d\.npz: no array 'y' \(arrays: x, z\)"):
        load_dataset({"dataset": "npz", "path": str(tmp_path / "d.npz")})
    np.savez(tmp_path / "m.npz", x=np.zeros((4, 2)), y=np.zeros(3, dtype=int))
    with pytest.raises(DataError, match="3 targets for 4 inputs"):
        load_dataset({"dataset": "npz", "path": str(tmp_path / "m.npz")})
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(DataError, match=r"bad\.npy: "):
        load_dataset({"dataset": "npz", "path": str(tmp_path / "bad.npy")})
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None]), allow_pickle=True)
    with pytest.raises(DataError, match=r"obj\.npy: unsupported array"):
        load_dataset({"dataset": "npz", "path": str(tmp_path / "obj.npy")})


# ---- MNIST IDX ----------------------------------------------------------------------------------


def _idx_images(n, rows=4, cols=4, magic=0x803):
    pixels = (np.arange(n * rows * cols) % 256).astype(np.uint8)
    return struct.pack(">IIII", magic, n, rows, cols) + pixels.tobytes()


def _idx_labels(labels, magic=0x801):
    return struct.pack(">II", magic, len(labels)) + bytes(labels)


def _mnist_folder(root, gz=False):
    root.mkdir()
    files = {
        "train-images-idx3-ubyte": _idx_images(12),
        "train-labels-idx1-ubyte": _idx_labels([i % 3 for i in range(12)]),
        "t10k-images-idx3-ubyte": _idx_images(5),
        "t10k-labels-idx1-ubyte": _idx_labels([1, 2, 0, 1, 2]),
    }
    for name, data in files.items():
        if gz:
            (root / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_with_official_test_split(tmp_path, gz):
    root = _mnist_folder(tmp_path / "mnist", gz)
    b = load_dataset({"dataset": "idx", "path": str(root), "normalize": False, "split": {"val": 0.25}})
    assert (len(b.train), len(b.val), len(b.test)) == (9, 3, 5)
    assert b.input_shapes == [(1, 4, 4)]
    assert torch.equal(b.test.y, torch.tensor([1, 2, 0, 1, 2]))
    assert float(b.test.x[0, 0, 0, 1]) == pytest.approx(1 / 255)


def test_idx_images_file_and_fashion_names(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_images(4))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_labels([9, 0, 1, 2]))
    b = load_dataset(
        {
            "dataset": "idx",
            "path": str(tmp_path / "train-images-idx3-ubyte"),
            "class_names": "fashion",
            "split": NO_SPLIT,
        }
    )
    assert b.class_names[9] == "Ankle boot" and len(b.train) == 4


@pytest.mark.parametrize(
    "images, labels, message",
    [
        (
            _idx_images(4, magic=0x801),
            _idx_labels([0, 1, 2, 3]),
            r"images-idx3-ubyte: bad magic number 0x00000801",
        ),
        (_idx_images(4)[:-5], _idx_labels([0, 1, 2, 3]), r"images-idx3-ubyte: truncated: 75 bytes"),
        (_idx_images(4), _idx_labels([0, 1, 2]), r"labels-idx1-ubyte: 3 labels for 4 images"),
        (_idx_images(4), _idx_labels([0, 1, 2, 30]), r"label 30 out of range"),
        (_idx_images(4)[:10], _idx_labels([0]), r"truncated IDX header"),
        (_idx_images(4), b"\x1f\x8b\x08 broken gzip", r"labels-idx1-ubyte: cannot read"),
    ],
    ids=["magic", "truncated", "count-mismatch", "label-range", "short-header", "bad-gzip"],
)
def test_idx_errors(tmp_path, images, labels, message):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(images)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(labels)
    with pytest.raises(DataError, match=message):
        load_dataset({"dataset": "idx", "path": str(tmp_path)})


def test_idx_folder_without_files(tmp_path):
    with pytest.raises(DataError, match="no train-images-idx3-ubyte"):
        load_dataset({"dataset": "idx", "path": str(tmp_path)})


# ---- CIFAR-10 -----------------------------------------------------------------------------------


def _cifar_batch(labels):
    records = []
    for i, label in enumerate(labels):
        pixels = np.zeros((3, 32, 32), dtype=np.uint8)
        pixels[0], pixels[1], pixels[2] = 10 * i, 100, 255 - i  # R, G, B planes
        records.append(bytes([label]) + pixels.tobytes())
    return b"".join(records)


def test_cifar_batches_and_test_batch(tmp_path):
    (tmp_path / "data_batch_1.bin").write_bytes(_cifar_batch([0, 1, 2, 3, 4]))
    (tmp_path / "data_batch_2.bin").write_bytes(_cifar_batch([5, 6, 7, 8, 9]))
    (tmp_path / "test_batch.bin").write_bytes(_cifar_batch([3, 3]))
    b = load_dataset({"dataset": "cifar10", "path": str(tmp_path), "normalize": False, "split": NO_SPLIT})
    assert len(b.train) == 10 and len(b.test) == 2 and b.input_shapes == [(3, 32, 32)]
    assert b.class_names[3] == "cat"
    x, y = b.train[1]
    assert int(y) == 1 and x[:, 0, 0].tolist() == pytest.approx([10 / 255, 100 / 255, 254 / 255])


def test_cifar_errors(tmp_path):
    with pytest.raises(DataError, match="no data_batch"):
        load_dataset({"dataset": "cifar10", "path": str(tmp_path)})
    (tmp_path / "data_batch_1.bin").write_bytes(_cifar_batch([1, 2])[:-100])
    with pytest.raises(DataError, match=r"data_batch_1\.bin: truncated .* 6046 bytes"):
        load_dataset({"dataset": "cifar10", "path": str(tmp_path)})
    (tmp_path / "data_batch_1.bin").write_bytes(_cifar_batch([1, 200]))
    with pytest.raises(DataError, match="record 1 has label 200"):
        load_dataset({"dataset": "cifar10", "path": str(tmp_path)})
