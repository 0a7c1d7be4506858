"""What the Explain tab computes, off the GUI thread: one method's maps for one sample and class.

No Qt here: the view captures its settings and the run's model and sample on
the GUI thread, and :func:`explain` / :func:`compare` run on the inspection
worker and return plain numpy in small dataclasses. Problems a user can fix
(a window larger than the input, a class index the model lacks) come back as
``error`` text, so the view keeps its controls instead of hiding behind a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.inspection import attribution as attr
from studio.inspection.hooks import InspectionError

# (key, label), in the chooser's order
METHODS = (
    ("grad_cam", "Grad-CAM"),
    ("grad_cam_pp", "Grad-CAM++"),
    ("saliency", "Saliency"),
    ("smoothgrad", "SmoothGrad"),
    ("guided_backprop", "Guided backprop"),
    ("integrated_gradients", "Integrated gradients"),
    ("occlusion", "Occlusion"),
)
LABELS = dict(METHODS)
CAM_METHODS = frozenset({"grad_cam", "grad_cam_pp"})
# Shown side by side in "compare methods": one or a few backward passes each.
FAST_METHODS = ("grad_cam", "grad_cam_pp", "saliency", "smoothgrad", "guided_backprop")
# The sign means something (for or against the class): summed over channels, diverging colours.
SIGNED_METHODS = frozenset({"integrated_gradients", "occlusion"})
PROPOSED_NOTE = "proposed: last spatial layer before global pooling/flatten"


@dataclass
class Settings:
    """Everything a computation depends on, captured on the GUI thread."""

    method: str = "grad_cam"
    target: str | None = None  # Grad-CAM layer; None: the proposed one
    class_idx: int | None = None  # None: the predicted class
    ig_steps: int = 50
    sg_samples: int = 25
    sg_noise: float = 0.15
    occ_window: int = 4
    occ_stride: int = 2


@dataclass
class Targets:
    """Grad-CAM's candidate layers of a graph: every spatial node and the proposed one.

    ``error`` is the reason there are none (a model without spatial layers).
    """

    nodes: list[str] = field(default_factory=list)
    shapes: dict[str, tuple] = field(default_factory=dict)
    proposed: str | None = None
    error: str | None = None


@dataclass
class Explanation:
    """One method's result for one sample, ready to draw.

    Attributes
    ----------
    raw
        The map at the method's own resolution: the layer's ``(h, w)`` for
        Grad-CAM, the input's ``(H, W)`` otherwise, ``(F,)`` for a vector input.
    full
        The map at the input's resolution, for the overlay (None for vectors).
    image
        The input as a displayable image in [0, 1] (None for vectors).
    features
        The input's values for a vector input (None otherwise).
    """

    method: str
    raw: np.ndarray | None = None
    full: np.ndarray | None = None
    image: np.ndarray | None = None
    features: np.ndarray | None = None
    signed: bool = False
    target: str | None = None
    layer_shape: tuple | None = None
    class_idx: int | None = None
    class_label: str = ""
    predictions: list = field(default_factory=list)
    error: str | None = None

    @property
    def vector(self) -> bool:
        """True when the input is a feature vector (attributions are bars, not a map)."""
        return self.raw is not None and self.raw.ndim == 1


def find_targets(graph: Any, registry: Any) -> Targets:
    """Grad-CAM's layer choices for ``graph`` (shape inference only, no forward pass)."""
    from studio.compiler.infer import infer_graph

    report = infer_graph(graph, registry)
    nodes = attr.spatial_nodes(graph, registry, report)
    by_name = {node.name: nid for nid, node in graph.nodes.items()}
    shapes = {}
    for name in nodes:
        result = report.nodes.get(by_name[name])
        if result is not None and result.output_shapes:
            shapes[name] = tuple(next(iter(result.output_shapes.values()))[1:])
    try:
        proposed = attr.propose_gradcam_target(graph, registry, report)
    except InspectionError as exc:
        return Targets(nodes, shapes, None, str(exc))
    return Targets(nodes, shapes, proposed, None if nodes else attr.NO_SPATIAL)


def run_method(
    model: Any, x: Any, method: str, settings: Settings, target: str | None, cancel: Any = None
) -> Any:
    """Call the attribution function of ``method`` with the view's settings (long ones stop on ``cancel``)."""
    c = settings.class_idx
    if method == "grad_cam":
        return attr.grad_cam(model, x, target, class_idx=c)
    if method == "grad_cam_pp":
        return attr.grad_cam_pp(model, x, target, class_idx=c)
    if method == "saliency":
        return attr.saliency(model, x, class_idx=c)
    if method == "smoothgrad":
        return attr.smoothgrad(
            model,
            x,
            class_idx=c,
            n_samples=settings.sg_samples,
            noise_level=settings.sg_noise,
            internal_batch_size=64,
            cancel=cancel,
        )
    if method == "guided_backprop":
        return attr.guided_backprop(model, x, class_idx=c)
    if method == "integrated_gradients":
        return attr.integrated_gradients(
            model, x, class_idx=c, steps=settings.ig_steps, internal_batch_size=64, cancel=cancel
        )
    if method == "occlusion":
        window, stride = occlusion_window(tuple(x.shape[1:]), settings.occ_window, settings.occ_stride)
        return attr.occlusion(model, x, window=window, stride=stride, class_idx=c, cancel=cancel)
    raise InspectionError(f"unknown method {method!r}")


def occlusion_window(sample_shape: tuple, window: int, stride: int) -> tuple[int, int]:
    """Window and stride that fit the input: one feature at a time for vectors, at most the image."""
    if len(sample_shape) <= 1:
        return 1, 1
    window = max(1, min(window, *sample_shape[1:]))
    return window, max(1, min(stride, window))


def explain(
    model: Any,
    x: Any,
    settings: Settings,
    targets: Targets,
    class_names: list[str],
    mean: list[float] | None = None,
    std: list[float] | None = None,
    method: str | None = None,
    cancel: Any = None,
) -> Explanation:
    """``method``'s (default ``settings.method``) explanation of the one-sample batch ``x``.

    A set ``cancel`` flag stops the long methods between chunks (:class:`Cancelled` escapes).
    """
    method = method or settings.method
    result = Explanation(method)
    try:
        if method in CAM_METHODS:
            if targets.error:
                raise InspectionError(targets.error)
            target = settings.target if settings.target in targets.nodes else targets.proposed
            cam = run_method(model, x, method, settings, target, cancel)
            result.raw, result.target = cam.layer[0], cam.target
            result.layer_shape = targets.shapes.get(cam.target, (None, *cam.layer.shape[1:]))
            result.full = cam.upsampled[0] if cam.upsampled is not None else None
            found = cam
        else:
            found = run_method(model, x, method, settings, None, cancel)
            signed = method in SIGNED_METHODS
            result.raw = found.heatmap("sum" if signed else "abs_max")[0]
            result.full = result.raw if result.raw.ndim == 2 else None
        result.signed = bool(np.nanmin(result.raw) < 0) if result.raw.size else False
        result.class_idx = int(found.class_idx[0])
        names = list(class_names)
        result.class_label = (
            names[result.class_idx] if result.class_idx < len(names) else (f"class {result.class_idx}")
        )
        result.predictions = attr.top_k(found.logits[0], 5, class_names)[0]
        if result.vector:
            result.features = x[0].detach().cpu().numpy().astype(np.float32)
        else:
            result.image = input_image(x[0], mean, std)
    except InspectionError as exc:
        result.error = str(exc)
    return result


def input_image(x: Any, mean: list[float] | None, std: list[float] | None) -> np.ndarray:
    """The per-sample input as an image in [0, 1] (normalisation undone)."""
    from studio.ui.inspect.image import display_image

    try:
        return display_image(x, mean, std)
    except ValueError as exc:
        raise InspectionError(f"cannot show this input as an image: {exc}") from None


def compare(
    model: Any,
    x: Any,
    settings: Settings,
    targets: Targets,
    class_names: list[str],
    mean: list[float] | None = None,
    std: list[float] | None = None,
    cancel: Any = None,
) -> list[Explanation]:
    """Every fast method's explanation of ``x`` (Grad-CAM left out without spatial layers)."""
    found = []
    for method in FAST_METHODS:
        if cancel:
            break
        if method in CAM_METHODS and targets.error:
            continue
        found.append(explain(model, x, settings, targets, class_names, mean, std, method, cancel))
    return found


def true_label(y: Any, class_names: list[str]) -> tuple[int | None, str]:
    """``(index, name)`` of a class-index target; ``(None, "")`` for any other target."""
    try:
        if getattr(y, "ndim", 0) != 0 or getattr(y, "is_floating_point", lambda: False)():
            return None, ""
        index = int(y)
    except (TypeError, ValueError):
        return None, ""
    return index, class_names[index] if 0 <= index < len(class_names) else f"class {index}"
