"""What a trained network learned and why it decides: computation only (torch/numpy, no Qt).

Every function takes an ``nn.Module`` (a compiled graph, whose submodules are
named after the graph's nodes, or any module), an input batch and a *target*:
a node name (``"conv2"``), a dotted submodule path or the module itself (see
:func:`studio.inspection.hooks.resolve_module`). Results are numpy arrays or
small dataclasses, so views, the report and tests read them alike.

Modules
-------
:mod:`hooks`
    Node/module resolution and forward-hook capture.
:mod:`run`
    A run directory or checkpoint opened for inspection.
:mod:`batches`
    One pass over a dataset (outputs, class probabilities, a node's features).
:mod:`filters`, :mod:`activations`, :mod:`attention`
    Kernels and weight statistics, feature maps and unit statistics, attention weights.
:mod:`nodestats`
    Per-node statistics (gradient norm, dead units, sparsity) for colouring the canvas.
:mod:`attribution`
    Grad-CAM, Grad-CAM++, saliency, SmoothGrad, guided backprop, integrated gradients, occlusion.
:mod:`embedding`, :mod:`tsne`
    Features, PCA and progressive t-SNE that stays stable across epochs.
:mod:`evaluation`, :mod:`segmentation`, :mod:`reconstruction`
    Confusion, per-class metrics, ROC/PR, mistakes; mask overlays; autoencoder outputs.
:mod:`colormaps`
    Colour tables and legends shared by the views and the report.
:mod:`report`
    The self-contained HTML report of a run (``studio report``).
"""
