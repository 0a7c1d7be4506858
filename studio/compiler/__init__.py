"""From graph to PyTorch: shape inference, fx lowering and Python export.

:mod:`~studio.compiler.infer` computes every node's output shapes, parameter
count and MACs (incrementally while the user edits); :mod:`~studio.compiler.report`
turns that into the ``studio check --json`` document; :mod:`~studio.compiler.lower`
builds a ``torch.fx.GraphModule``; :mod:`~studio.compiler.export` writes a
standalone, readable ``nn.Module`` source file.
"""
