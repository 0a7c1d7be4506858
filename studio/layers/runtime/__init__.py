"""Small ``nn.Module`` classes that torch lacks, used by the built-in layers.

Each class must be self-contained (only ``torch``, ``nn``, ``F`` and ``math``
from its module's globals) because the code export copies its source into the
exported file, whose only hard requirement is torch.
"""
