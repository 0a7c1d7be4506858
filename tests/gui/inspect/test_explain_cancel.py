"""The explain view's job flag reaches the attribution methods that run in chunks."""

from __future__ import annotations

import pytest
import torch

from studio.inspection.hooks import Cancelled
from tests.inspection.test_attribution_cancel import SetAfter


@pytest.mark.parametrize("method", ["integrated_gradients", "smoothgrad", "occlusion"])
def test_the_explain_views_work_passes_its_job_flag_down(method, registry):
    """A newer request in the Inspection dock sets the running job's flag: the long methods stop."""
    from studio.compiler.lower import compile_graph
    from studio.templates import get_template
    from studio.ui.inspect import explain_work

    project = get_template("lenet5").build()
    model = compile_graph(project.graph, registry).eval()
    x = torch.randn(1, 1, 32, 32)
    targets = explain_work.find_targets(project.graph, registry)
    settings = explain_work.Settings(method=method, ig_steps=256, sg_samples=256, occ_stride=1)
    flag = SetAfter(1)
    with pytest.raises(Cancelled):
        explain_work.explain(model, x, settings, targets, [str(i) for i in range(10)], cancel=flag)
    assert flag.seen == 2  # looked at before the first chunk and the second, then stopped
    quick = explain_work.Settings(method=method, ig_steps=8)
    found = explain_work.explain(model, x, quick, targets, [], cancel=None)
    assert found.error is None and found.raw is not None
