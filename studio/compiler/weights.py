"""Weights on disk: safetensors files and run directories (see Contracts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class WeightsError(ValueError):
    """Weights that cannot be read or do not fit the model; one line for the user."""


def weights_path(source: str | Path) -> Path:
    """A safetensors file, or a run directory's best (else last) checkpoint."""
    path = Path(source)
    if path.is_dir():
        for name in ("best.safetensors", "last.safetensors"):
            candidate = path / "checkpoints" / name
            if candidate.is_file():
                return candidate
        raise WeightsError(
            f"{path}: no checkpoints/best.safetensors or last.safetensors in this run directory"
        )
    if not path.is_file():
        raise WeightsError(f"{path}: no such file or run directory")
    return path


def load_state(source: str | Path) -> dict[str, Any]:
    """Read the tensors of a safetensors file or run directory."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = weights_path(source)
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"{path}: not a readable safetensors file ({exc})") from None


def apply_state(module: Any, state: dict[str, Any], source: str | Path = "weights") -> None:
    """Load ``state`` into ``module``, naming missing, unexpected and mis-shaped tensors."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = sorted(k for k in set(own) & set(state) if tuple(own[k].shape) != tuple(state[k].shape))
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}")
    if unexpected:
        problems.append(f"unexpected {', '.join(unexpected[:4])}{' ...' if len(unexpected) > 4 else ''}")
    if wrong:
        k = wrong[0]
        problems.append(f"{k} has shape {tuple(state[k].shape)} but the model needs {tuple(own[k].shape)}")
    if problems:
        raise WeightsError(f"{source}: weights do not fit this graph: {'; '.join(problems)}")
    module.load_state_dict(state)


def save_state(module: Any, path: str | Path) -> None:
    """Write ``module``'s state as safetensors (contiguous CPU tensors, no aliases)."""
    save_tensors({k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}, path)


def save_tensors(tensors: dict[str, Any], path: str | Path) -> None:
    """Write named contiguous CPU tensors (e.g. a copy of a state dict) as safetensors."""
    from safetensors.torch import save_file

    save_file(tensors, str(path))
