"""Data-parallel training (DDP) under torchrun: process group, sharding, rank-0 writing.

``studio train --nproc N`` relaunches itself through ``torch.distributed.run``
(torchrun); each worker finds ``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` in its
environment. Every rank draws the same global batch order (same seed) and
trains on its slice of each global batch; DDP averages the gradients, so with
equal slices one step equals a single-process step on the whole global batch.
Only rank 0 writes the run directory; the other ranks write to a temporary
folder that is removed at the end.

BatchNorm under DDP on CPU: each rank normalises with the statistics of its
own slice (``SyncBatchNorm`` needs CUDA/NCCL), and rank 0's running statistics
are the ones saved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistContext:
    """Where the current process stands in a distributed run (world 1 = not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that writes the run directory and talks to the user."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        """True when more than one process trains."""
        return self.world_size > 1

    @classmethod
    def from_env(cls) -> DistContext:
        """Read torchrun's environment variables (defaults: a single process)."""
        return cls(
            int(os.environ.get("RANK", 0)),
            int(os.environ.get("WORLD_SIZE", 1)),
            int(os.environ.get("LOCAL_RANK", 0)),
        )

    def init(self, device: torch.device) -> None:
        """Join the process group: NCCL on CUDA, gloo otherwise."""
        if self.active and not dist.is_initialized():
            backend = "nccl" if device.type == "cuda" else "gloo"
            dist.init_process_group(backend, rank=self.rank, world_size=self.world_size)

    def device(self, device: torch.device) -> torch.device:
        """One GPU per local rank on CUDA; the CPU is shared."""
        if self.active and device.type == "cuda":
            torch.cuda.set_device(self.local_rank)
            return torch.device("cuda", self.local_rank)
        return device

    def shard(self, batch: list[int]) -> list[int]:
        """The contiguous slice of a global batch that this rank trains on (sizes differ by at most one)."""
        if not self.active:
            return batch
        n, w = len(batch), self.world_size
        start = self.rank * n // w
        return batch[start : (self.rank + 1) * n // w]

    def check_batch_size(self, batch_size: int) -> None:
        """Refuse a global batch that cannot give every rank at least one sample."""
        if self.active and batch_size < self.world_size:
            raise ValueError(
                f"batch_size {batch_size} is smaller than the {self.world_size} processes: "
                "the batch size is global and is split between them"
            )

    def wrap(self, model: torch.nn.Module) -> Any:
        """The model that training steps call: DDP around ``model`` when distributed."""
        if not self.active:
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.local_rank] if next(model.parameters()).is_cuda else None
        return DistributedDataParallel(model, device_ids=ids)

    def close(self) -> None:
        """Leave the process group."""
        if self.active and dist.is_initialized():
            dist.destroy_process_group()
