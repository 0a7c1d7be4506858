"""The layer catalog: every layer type declared once (see :mod:`studio.layers.spec`).

Importing this package does not import torch; ``build()`` methods do, lazily.
"""
