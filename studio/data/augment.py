"""Training-split augmentation: flip, padded random crop, rotation, noise, colour jitter.

Random parameters are drawn for the whole split at once by :meth:`AugmentedSplit.set_epoch`
from a generator seeded with ``(seed, epoch)``, and noise per sample from a seed drawn
there too. An item's augmentation therefore depends only on the seed, the epoch and its
index: not on batch composition, ``DataLoader`` workers or DDP ranks, and a resumed run
sees the same augmented data as an uninterrupted one. Inputs are stored normalised, so
crop padding and rotation corners are filled with 0 (the training mean), noise and
brightness are in units of the channel's std. Segmentation masks follow the geometric
transforms (nearest neighbour, background 0 outside the image).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F

from studio.data.bundle import DataBundle, DataError
from studio.data.tensors import TensorSplit, _unbatch, take


@dataclass(frozen=True)
class Augment:
    """Augmentation settings (the ``"augment"`` section of a data config).

    Attributes
    ----------
    hflip
        Flip left-right with probability 1/2.
    crop
        Pad by this many pixels and crop back to the original size at a random offset.
    rotation
        Rotate by a uniform angle in ``[-rotation, rotation]`` degrees.
    noise
        Standard deviation of additive Gaussian noise.
    color_jitter
        Brightness shift, contrast (and, for RGB, saturation) factor ``1 ± color_jitter``.
    """

    hflip: bool = False
    crop: int = 0
    rotation: float = 0.0
    noise: float = 0.0
    color_jitter: float = 0.0

    @classmethod
    def from_config(cls, config: Any) -> Augment:
        """Validate an ``"augment"`` section (None or ``{}`` means none).

        Parameters
        ----------
        config
            Dict with any of the attribute names.

        Returns
        -------
        Augment
            The settings.
        """
        if not config:
            return cls()
        if not isinstance(config, dict):
            raise DataError(f"augment must be an object like {{'hflip': true}}, got {config!r}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(config) - set(names))
        if unknown:
            raise DataError(f"unknown augment option {unknown[0]!r} (known: {', '.join(names)})")
        c = dict(config)
        if not isinstance(c.get("hflip", False), bool):
            raise DataError(f"augment hflip must be true or false, got {c['hflip']!r}")
        for key in ("crop", "rotation", "noise", "color_jitter"):
            v = c.get(key, 0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise DataError(f"augment {key} must be a number >= 0, got {v!r}")
            if key == "crop" and v != int(v):
                raise DataError(f"augment crop must be a whole number of pixels, got {v!r}")
        if c.get("color_jitter", 0) >= 1:
            raise DataError(f"augment color_jitter must be below 1, got {c['color_jitter']!r}")
        return cls(
            bool(c.get("hflip", False)),
            int(c.get("crop", 0)),
            float(c.get("rotation", 0)),
            float(c.get("noise", 0)),
            float(c.get("color_jitter", 0)),
        )

    @property
    def active(self) -> bool:
        """Whether any augmentation is switched on."""
        return self.geometric or self.noise > 0 or self.color_jitter > 0

    @property
    def geometric(self) -> bool:
        """Whether a flip, crop or rotation is switched on."""
        return self.hflip or self.crop > 0 or self.rotation > 0

    def draw(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Random parameters for ``n`` samples.

        Parameters
        ----------
        n
            Number of samples.
        generator
            Source of randomness.

        Returns
        -------
        dict of torch.Tensor
            ``flip``, ``dx``, ``dy``, ``angle``, ``brightness``, ``contrast``,
            ``saturation``, ``noise_seed``, each of length ``n``.
        """
        g = generator
        j = self.color_jitter
        return {
            "flip": torch.rand(n, generator=g) < 0.5,
            "dx": torch.randint(0, 2 * self.crop + 1, (n,), generator=g),
            "dy": torch.randint(0, 2 * self.crop + 1, (n,), generator=g),
            "angle": (torch.rand(n, generator=g) * 2 - 1) * self.rotation,
            "brightness": (torch.rand(n, generator=g) * 2 - 1) * j,
            "contrast": 1 + (torch.rand(n, generator=g) * 2 - 1) * j,
            "saturation": 1 + (torch.rand(n, generator=g) * 2 - 1) * j,
            "noise_seed": torch.randint(0, 2**62, (n,), generator=g),
        }

    def apply(
        self, x: torch.Tensor, p: dict[str, torch.Tensor], mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Augment a batch with the parameters ``p`` drawn for its samples.

        Parameters
        ----------
        x
            Float batch; ``(B, C, H, W)`` when anything but noise is on.
        p
            Parameters from :meth:`draw`, indexed to the batch.
        mask
            Segmentation masks ``(B, H, W)`` that follow the geometric transforms.

        Returns
        -------
        tuple
            ``(x, mask)`` augmented.
        """
        x = x.clone()
        if self.hflip:
            x = torch.where(p["flip"].view(-1, 1, 1, 1), x.flip(-1), x)
            if mask is not None:
                mask = torch.where(p["flip"].view(-1, 1, 1), mask.flip(-1), mask)
        if self.crop:
            x = _shift(x, p["dx"], p["dy"], self.crop)
            if mask is not None:
                mask = _shift(mask[:, None], p["dx"], p["dy"], self.crop)[:, 0]
        if self.rotation:
            x, mask = _rotate(x, p["angle"], mask)
        if self.color_jitter:
            b = x.shape[0]
            if x.shape[1] == 3:
                grey = x.mean(1, keepdim=True)
                x = grey + (x - grey) * p["saturation"].view(b, 1, 1, 1)
            m = x.mean(dim=tuple(range(1, x.dim())), keepdim=True)
            shape = (b,) + (1,) * (x.dim() - 1)
            x = (x - m) * p["contrast"].view(shape) + m + p["brightness"].view(shape)
        if self.noise:
            for i, s in enumerate(p["noise_seed"].tolist()):
                g = torch.Generator().manual_seed(s)
                x[i] += torch.randn(x.shape[1:], generator=g) * self.noise
        return x, mask


def _shift(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor, pad: int) -> torch.Tensor:
    """Pad ``(B, C, H, W)`` by ``pad`` zeros and crop ``H x W`` at offsets ``(dy, dx)``."""
    b, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    rows = (dy.view(b, 1) + torch.arange(h)).view(b, h, 1)
    cols = (dx.view(b, 1) + torch.arange(w)).view(b, 1, w)
    out = padded[torch.arange(b).view(b, 1, 1), :, rows, cols]  # (B, H, W, C)
    return out.permute(0, 3, 1, 2).contiguous()


def _rotate(
    x: torch.Tensor, degrees: torch.Tensor, mask: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    b, _, h, w = x.shape
    a = degrees * (math.pi / 180)
    cos, sin = torch.cos(a), torch.sin(a)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin * h / w
    theta[:, 1, 0], theta[:, 1, 1] = sin * w / h, cos
    grid = F.affine_grid(theta, [b, 1, h, w], align_corners=False)
    x = F.grid_sample(x, grid.to(x.dtype), mode="bilinear", padding_mode="zeros", align_corners=False)
    if mask is not None:
        m = F.grid_sample(mask[:, None].float(), grid, mode="nearest", align_corners=False)
        mask = m[:, 0].round().to(mask.dtype)
    return x, mask


class AugmentedSplit(TensorSplit):
    """The training split, augmented on the fly.

    Parameters
    ----------
    x, y
        Inputs and targets (normalised), first dimension = samples.
    augment
        The settings.
    seed
        Base seed; call :meth:`set_epoch` at the start of every epoch.
    mask_target
        True when ``y`` is a segmentation mask that follows geometric transforms.
    """

    def __init__(self, x: Any, y: torch.Tensor, augment: Augment, seed: int, mask_target: bool = False):
        super().__init__(x, y)
        self.augment = augment
        self.seed = int(seed)
        self.mask_target = mask_target
        self.epoch = -1
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw this epoch's random parameters (deterministic in seed and epoch).

        Parameters
        ----------
        epoch
            Epoch number, from 0.
        """
        if epoch == self.epoch:
            return
        self.epoch = int(epoch)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        self.params = self.augment.draw(len(self), g)

    def batch(self, index: torch.Tensor) -> tuple[Any, torch.Tensor]:
        """Augmented inputs (and masks) of the rows ``index``.

        Parameters
        ----------
        index
            Long tensor of row indices.

        Returns
        -------
        tuple
            ``(x, y)`` with a leading batch dimension.
        """
        x, y = take(self.x, index), self.y[index]
        p = {k: v[index] for k, v in self.params.items()}
        x, mask = self.augment.apply(x, p, y if self.mask_target else None)
        return x, (mask if self.mask_target else y)

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[Any, torch.Tensor]]:
        return _unbatch(*self.batch(torch.as_tensor(indices, dtype=torch.long)))


def preview(bundle: DataBundle, n: int = 16, epoch: int = 0) -> torch.Tensor:
    """The first ``n`` training inputs as training sees them, in the original value range.

    Parameters
    ----------
    bundle
        A loaded dataset.
    n
        Number of samples.
    epoch
        Which epoch's augmentation to show.

    Returns
    -------
    torch.Tensor
        ``(n, ...)`` de-normalised inputs (e.g. ``(n, C, H, W)`` images to show in a grid).
    """
    train = bundle.train
    if isinstance(train, AugmentedSplit):
        old = train.epoch
        train.set_epoch(epoch)
        x, _ = train.batch(torch.arange(min(n, len(train))))
        train.set_epoch(old)
    else:
        x, _ = train.batch(torch.arange(min(n, len(train))))
    if isinstance(x, tuple):
        x = x[0]
    channel_dim = bundle.extra.get("channel_dim")
    if bundle.mean and channel_dim is not None:
        shape = [1] * x.dim()
        shape[channel_dim + 1] = -1
        x = x * torch.tensor(bundle.std).view(shape) + torch.tensor(bundle.mean).view(shape)
    return x
