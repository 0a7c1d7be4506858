"""The curve buffers (pure numpy): growth, incremental smoothing, metrics.jsonl and CSV."""

from __future__ import annotations

import json

import numpy as np

from studio.ui.training.buffers import GrowingBuffer, RunCurves, SmoothedSeries, ema


def naive_ema(values, w):
    out, acc, norm = [], 0.0, 0.0
    for v in values:
        if np.isfinite(v):
            acc, norm = w * acc + (1 - w) * v, w * norm + (1 - w)
        else:
            acc, norm = w * acc, w * norm
        out.append(acc / norm if norm else np.nan)
    return np.array(out)


def test_growing_buffer_keeps_every_point():
    buf = GrowingBuffer(2)
    for i in range(1000):
        buf.append(i)
    buf.extend(np.arange(1000, 5000))
    np.testing.assert_array_equal(buf.values, np.arange(5000))


def test_incremental_ema_equals_the_batch_ema():
    rng = np.random.default_rng(0)
    x = rng.normal(size=3000)
    x[[5, 700]] = np.nan
    np.testing.assert_allclose(ema(x, 0.9), naive_ema(x, 0.9))
    smooth = SmoothedSeries(0.9)
    for end in (1, 10, 999, 3000):
        part = smooth.update(x[:end])
    np.testing.assert_allclose(part, naive_ema(x, 0.9))
    smooth.set_weight(0.5)
    np.testing.assert_allclose(smooth.update(x), naive_ema(x, 0.5))


def test_metrics_jsonl_round_trip(tmp_path):
    lines = [
        {"kind": "step", "epoch": 1, "step": 1, "loss": 2.0, "lr": 0.1, "grad_norm": 1.0, "samples_per_s": 9},
        {
            "kind": "step",
            "epoch": 1,
            "step": 2,
            "loss": None,
            "lr": 0.1,
            "grad_norm": 1.0,
            "samples_per_s": 9,
        },
        {"kind": "epoch", "epoch": 1, "step": 2, "train_loss": 1.5, "val_accuracy": 0.5, "metrics": {}},
    ]
    path = tmp_path / "metrics.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    curves = RunCurves.from_metrics_jsonl(path)
    assert list(curves.steps.values) == [1, 2] and np.isnan(curves.step_series["loss"].values[1])
    assert curves.metric_name() == "accuracy"
    assert np.isnan(curves.epoch_values("val_loss")).all()
    curves.write_csv(tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text().splitlines()
    assert text[0].startswith("kind,epoch,step,loss,lr,grad_norm,samples_per_s,train_loss,val_accuracy")
    assert len(text) == 4
