"""Imports a training process needs, done once by the forkserver its runs are forked from.

Importing these takes about 4 s on a laptop-class CPU (torch 1.5 s, the parts
of ``torch._dynamo`` that optimizers and ``torch.fx`` load on first use 1.5 s,
scikit-learn's datasets 1 s). Done in the forkserver, every run starts with
them loaded; nothing here starts a thread or touches a device, so forking
afterwards is safe.
"""

from __future__ import annotations

import sklearn.datasets  # noqa: F401 - the built-in digits
import torch  # noqa: F401
import torch._dynamo  # noqa: F401 - imported lazily by the first optimizer step and fx tracing

import studio.data  # noqa: F401
import studio.plugin_host.recipe  # noqa: F401
import studio.training.loop  # noqa: F401
import studio.training.runner  # noqa: F401
from studio.layers.registry import builtin_modules

for _name in builtin_modules():
    __import__(_name)
