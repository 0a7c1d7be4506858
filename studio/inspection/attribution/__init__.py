"""Explanations for a chosen sample and class: Grad-CAM and input attributions.

Every method takes ``(model, x, ...)`` with an ``(N, ...)`` input batch, runs the
model in eval mode (modes restored afterwards), leaves no hook behind and no
``.grad`` on parameters, and returns numpy results with the prediction they
explain. ``class_idx=None`` explains each sample's predicted class.

- :func:`grad_cam`, :func:`grad_cam_pp` -> :class:`CamResult` (maps at the layer
  and upsampled to the input); the target layer comes from
  :func:`propose_gradcam_target` (graph) or :func:`propose_module_target` (any
  module), with :func:`spatial_nodes` listing the alternatives.
- :func:`saliency`, :func:`smoothgrad`, :func:`guided_backprop`,
  :func:`integrated_gradients`, :func:`occlusion` -> :class:`Attribution`
  (values of the input's shape).
- :func:`top_k` (class chooser) and :func:`overlay` (heat colours on the image)
  for the GUI and the report.

Conventions match captum (``LayerGradCam(relu_attributions=True)``,
``Saliency(abs=True)``, ``IntegratedGradients``, ``Occlusion``), which the
tests use as the reference.
"""

from studio.inspection.attribution._common import Attribution
from studio.inspection.attribution.display import (
    Prediction,
    colorize,
    normalize_map,
    overlay,
    to_heatmap,
    top_k,
)
from studio.inspection.attribution.gradcam import CamResult, grad_cam, grad_cam_pp
from studio.inspection.attribution.gradients import (
    guided_backprop,
    integrated_gradients,
    saliency,
    smoothgrad,
)
from studio.inspection.attribution.occlusion import occlusion
from studio.inspection.attribution.target import (
    NO_SPATIAL,
    is_spatial,
    propose_gradcam_target,
    propose_module_target,
    spatial_nodes,
)

__all__ = [
    "NO_SPATIAL",
    "Attribution",
    "CamResult",
    "Prediction",
    "colorize",
    "grad_cam",
    "grad_cam_pp",
    "guided_backprop",
    "integrated_gradients",
    "is_spatial",
    "normalize_map",
    "occlusion",
    "overlay",
    "propose_gradcam_target",
    "propose_module_target",
    "saliency",
    "smoothgrad",
    "spatial_nodes",
    "to_heatmap",
    "top_k",
]
