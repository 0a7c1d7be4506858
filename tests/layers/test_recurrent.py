"""Recurrent specs: PyTorch parameter counts, output modes, MACs and errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from studio.layers.builtin import recurrent as rec
from studio.layers.spec import ParamError, ShapeError

SEQ = {"x": (None, 5, 10)}  # T = 5 steps of I = 10 features


def _count(module) -> int:
    return sum(t.numel() for t in module.parameters() if t.requires_grad)


@pytest.mark.parametrize(
    ("spec", "params", "expected"),
    [
        (rec.RNN(), {}, 640),
        (rec.GRU(), {}, 1920),
        (rec.LSTM(), {}, 2560),
        (rec.LSTM(), {"bidirectional": True}, 5120),
        (rec.LSTM(), {"num_layers": 2}, 2560 + 4 * (20 * 20 + 20 * 20 + 40)),
        (rec.GRU(), {"bias": False}, 3 * (20 * 10 + 20 * 20)),
    ],
)
def test_param_counts_match_testcases_and_torch(spec, params, expected) -> None:
    p = spec.resolve_params({"hidden_size": 20, **params})
    assert spec.param_count(p, SEQ) == expected
    assert _count(spec.build(p, SEQ)) == expected


def test_embedding_word2vec_size() -> None:
    spec = rec.Embedding()
    p = spec.resolve_params({"num_embeddings": 10000, "embedding_dim": 300})
    assert spec.param_count(p, {"x": (None, 7)}) == 3_000_000
    assert spec.infer(p, {"x": (None, 7)}) == {"y": (None, 7, 300)}
    assert spec.inputs[0].dtype == "long"


def test_embedding_errors() -> None:
    spec = rec.Embedding()
    with pytest.raises(ShapeError, match="Token Sequence Input"):
        spec.infer(spec.resolve_params({}), {"x": (None, 7, 3)})
    with pytest.raises(ParamError, match="padding_idx=100 must be < num_embeddings=100"):
        spec.check_params(spec.resolve_params({"padding_idx": 100}))


def test_output_shapes() -> None:
    spec = rec.LSTM()
    seq = spec.resolve_params({"hidden_size": 20, "bidirectional": True})
    last = spec.resolve_params({"hidden_size": 20, "bidirectional": True, "output": "last"})
    assert spec.infer(seq, SEQ) == {"y": (None, 5, 40)}  # bidirectional width 2H = 40
    assert spec.infer(last, SEQ) == {"y": (None, 40)}


@pytest.mark.parametrize("spec", [rec.RNN(), rec.LSTM(), rec.GRU()])
def test_last_output_is_the_final_hidden_state(spec) -> None:
    torch.manual_seed(0)
    p = spec.resolve_params({"hidden_size": 6, "num_layers": 2, "bidirectional": True, "output": "last"})
    module = spec.build(p, SEQ).eval()
    x = torch.randn(3, 5, 10)
    ref = getattr(nn, spec.title)(10, 6, num_layers=2, bidirectional=True, batch_first=True)
    ref.load_state_dict(module.state_dict())  # natural keys: weight_ih_l0, ..._reverse
    _, h_n = ref.eval()(x)
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n
    # Top layer: forward final state h_n[-2], backward final state h_n[-1].
    assert torch.allclose(module(x), torch.cat((h_n[-2], h_n[-1]), dim=-1), atol=1e-6)


def test_sequence_output_is_batch_first_and_tensor_only() -> None:
    spec = rec.GRU()
    module = spec.build(spec.resolve_params({"hidden_size": 4}), SEQ)
    assert module.batch_first
    y = module(torch.randn(2, 5, 10))
    assert isinstance(y, torch.Tensor) and y.shape == (2, 5, 4)


def test_macs() -> None:
    spec = rec.LSTM()
    p = spec.resolve_params({"hidden_size": 20})
    assert spec.macs(p, SEQ, {}) == 5 * 4 * 20 * (10 + 20)
    bi2 = spec.resolve_params({"hidden_size": 20, "bidirectional": True, "num_layers": 2})
    assert spec.macs(bi2, SEQ, {}) == 5 * 4 * 20 * ((10 + 20) + (40 + 20)) * 2
    rnn = rec.RNN()
    assert rnn.macs(rnn.resolve_params({"hidden_size": 20}), SEQ, {}) == 5 * 20 * 30


def test_errors() -> None:
    spec = rec.LSTM()
    with pytest.raises(ShapeError, match=r"\(N, T, F\)"):
        spec.infer(spec.resolve_params({}), {"x": (None, 10)})
    with pytest.raises(ParamError, match="num_layers >= 2"):
        spec.check_params(spec.resolve_params({"dropout": 0.2}))
    spec.check_params(spec.resolve_params({"dropout": 0.2, "num_layers": 2}))


def test_ctor_source_names_runtime_class() -> None:
    spec = rec.RNN()
    p = spec.resolve_params({"hidden_size": 20, "nonlinearity": "relu"})
    src = spec.ctor_source(p, SEQ)
    assert src.startswith("RNNLayer(10, 20, nonlinearity='relu'")
    assert "output='sequence'" in src
