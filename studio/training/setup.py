"""Run set-up helpers: device choice, seeding, weight initialisation and RNG state."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from torch import nn

from studio.training.config import ConfigError


def pick_device(name: str) -> torch.device:
    """``auto`` = CUDA, else Apple MPS, else CPU; an explicit device must exist."""
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps and mps.is_available())
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("training.device: 'cuda' but no CUDA GPU is available (use 'auto' or 'cpu')")
    if name == "mps" and not has_mps:
        raise ConfigError("training.device: 'mps' but Apple MPS is not available (use 'auto' or 'cpu')")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's (every device's) global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def apply_init(model: nn.Module, scheme: str) -> None:
    """Re-initialise every weight with ≥ 2 dimensions with ``scheme``; their biases to 0.

    ``default`` keeps PyTorch's own initialisation. Fan-in/fan-out are the
    layer's (not the number of samples). ``kaiming_*`` assume ReLU; ``normal``
    is N(0, 0.02²), ``uniform`` U(−0.05, 0.05).
    """
    if scheme == "default":
        return
    init = {
        "xavier_uniform": nn.init.xavier_uniform_,
        "xavier_normal": nn.init.xavier_normal_,
        "kaiming_uniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
        "kaiming_normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
        "orthogonal": nn.init.orthogonal_,
        "normal": lambda w: nn.init.normal_(w, 0.0, 0.02),
        "uniform": lambda w: nn.init.uniform_(w, -0.05, 0.05),
    }[scheme]
    with torch.no_grad():
        for module in model.modules():
            for name, param in module.named_parameters(recurse=False):
                if name.startswith("weight") and param.dim() >= 2:
                    init(param)
                    bias = getattr(module, name.replace("weight", "bias", 1), None)
                    if isinstance(bias, torch.Tensor):
                        bias.zero_()


def rng_state() -> dict[str, Any]:
    """Global RNG states as plain containers (loadable with ``weights_only=True``)."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    py = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(gauss)],
        # One tensor rather than 625 pickled ints: state.pt is written with every "last" checkpoint.
        "python": [py[0], torch.tensor(py[1], dtype=torch.int64), py[2]],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    """Undo :func:`rng_state`."""
    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = state["python"]
    if isinstance(internal, torch.Tensor):  # a list of ints in runs written before 0.2.3
        internal = internal.tolist()
    random.setstate((version, tuple(internal), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
