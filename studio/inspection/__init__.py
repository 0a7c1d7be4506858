"""What a trained network learned and why it decides: computation only (torch/numpy, no Qt).

Every function takes an ``nn.Module`` (a compiled graph, whose submodules are
named after the graph's nodes, or any module), an input batch and a *target*:
a node name (``"conv2"``), a dotted submodule path or the module itself (see
:func:`studio.inspection.hooks.resolve_module`). Results are numpy arrays or
small dataclasses, so views, the report and tests read them alike.

Modules: :mod:`hooks` (forward hooks, activations), :mod:`run` (a run directory
or checkpoint opened for inspection), :mod:`attribution` (Grad-CAM and other
explanations), :mod:`filters`, :mod:`activations`, :mod:`embedding`,
:mod:`evaluation`, :mod:`report`.
"""
