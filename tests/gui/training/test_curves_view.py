"""The live curves draw new steps once they show: a new pixel column, a value off the range, or age."""

from __future__ import annotations

import numpy as np
import pytest

from studio.ui.training import plots
from studio.ui.training.plots import CurvesView


def shown_view(qtbot) -> CurvesView:
    view = CurvesView()
    qtbot.addWidget(view, before_close_func=lambda w: w.stop())
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.timer.stop()  # frames are driven by the test
    return view


def add_steps(view: CurvesView, start: int, count: int, loss: float = 1.0) -> None:
    for step in range(start, start + count):
        record = {"loss": loss + 0.01 * np.sin(step), "lr": 1e-3, "grad_norm": 0.5, "samples_per_s": 900.0}
        view.current.add_step(step, record)
    view.mark_dirty()


def drawn_steps(view: CurvesView) -> int:
    """The last step the loss curve was given (its full data, not the downsampled display)."""
    x = view.items["loss"].xData
    return 0 if x is None or not len(x) else int(x[-1])


@pytest.fixture
def long_run(qtbot):
    """A view showing 20,000 steps: one pixel column of the step plots holds dozens of steps."""
    view = shown_view(qtbot)
    add_steps(view, 1, 20_000)
    view.redraw()
    assert drawn_steps(view) == 20_000
    return view


def steps_per_pixel(view: CurvesView) -> float:
    box = view.plots["step_loss"].getViewBox()
    (x0, x1), _ = box.viewRange()
    return (x1 - x0) / box.width()


def test_steps_within_one_pixel_column_wait_for_the_next(long_run, monkeypatch):
    monkeypatch.setattr(plots, "STEP_STALE_S", 60.0)
    per_pixel = steps_per_pixel(long_run)
    assert per_pixel > 10
    add_steps(long_run, 20_001, 3)
    long_run.redraw_if_dirty()
    assert drawn_steps(long_run) == 20_000  # a sub-pixel change: nothing repainted
    assert long_run._dirty and long_run.timer.isActive()  # ... but the steps are still due
    add_steps(long_run, 20_004, int(per_pixel) + 1)
    long_run.redraw_if_dirty()
    assert drawn_steps(long_run) == 20_004 + int(per_pixel)  # a pixel's worth: every step drawn


def test_a_value_off_the_range_is_drawn_at_once(long_run, monkeypatch):
    monkeypatch.setattr(plots, "STEP_STALE_S", 60.0)
    add_steps(long_run, 20_001, 1, loss=50.0)  # a spike far above the loss plot's range
    long_run.redraw_if_dirty()
    assert drawn_steps(long_run) == 20_001
    _, (y0, y1) = long_run.plots["step_loss"].getViewBox().viewRange()
    assert y1 >= 50.0


def test_waiting_steps_are_drawn_when_stale(long_run, monkeypatch):
    monkeypatch.setattr(plots, "STEP_STALE_S", 0.0)
    add_steps(long_run, 20_001, 1)
    long_run.redraw_if_dirty()
    assert drawn_steps(long_run) == 20_001


def test_a_short_run_draws_every_frame(qtbot):
    view = shown_view(qtbot)
    add_steps(view, 1, 50)
    view.redraw_if_dirty()
    for start in range(51, 71, 2):  # two steps per frame are several pixels early in a run
        add_steps(view, start, 2)
        view.redraw_if_dirty()
        assert drawn_steps(view) == start + 1


@pytest.mark.parametrize("smoothing", [0.0, 0.6])
def test_gradient_norms_measured_at_some_steps_draw_a_line_through_them(qtbot, smoothing):
    """The loop measures the gradient norm at some steps only (NaN at the others)."""
    view = shown_view(qtbot)
    view.set_smoothing(smoothing)
    for step in range(1, 41):
        grad = 1.0 / step if step % 4 == 1 else float("nan")
        view.current.add_step(step, {"loss": 1.0, "lr": 1e-3, "grad_norm": grad, "samples_per_s": 900.0})
    view.mark_dirty()
    view.redraw()
    item = view.items["grad_norm"]
    assert list(item.xData) == list(range(1, 41, 4))  # only the measured steps, so the line is unbroken
    assert np.isfinite(item.yData).all()
    if smoothing == 0:
        assert np.allclose(item.yData, [1.0 / s for s in range(1, 41, 4)])
    else:
        raw = view.items["grad_raw"]
        measured = [1.0 / s for s in range(1, 41, 4)]
        assert list(raw.xData) == list(item.xData) and np.allclose(raw.yData, measured)
        assert item.yData[-1] > raw.yData[-1]  # an average of larger earlier values, measured points only
    y0, y1 = view.plots["grad"].getViewBox().viewRange()[1]
    assert y0 <= 1.0 / 37 and y1 >= 1.0  # the range follows the measured values


def test_epoch_legends_fit_inside_short_plots(qtbot):
    """In a low training dock each epoch plot is ~60 px tall: the train/validation legend must fit."""
    view = shown_view(qtbot)
    view.resize(1100, 280)
    qtbot.wait(50)
    for epoch in range(1, 6):
        train, val = {"loss": 1.0 / epoch, "accuracy": 0.5}, {"loss": 1.2 / epoch, "accuracy": 0.4}
        metrics = {"train": train, "val": val}
        view.current.add_epoch(epoch, metrics)
    view.mark_dirty()
    view.redraw()
    qtbot.wait(50)
    for key, legend in zip(("epoch_loss", "metric"), view.legends, strict=True):
        box = view.plots[key].getViewBox().sceneBoundingRect()
        assert len(legend.items) == 2  # train and validation
        assert box.contains(legend.sceneBoundingRect()), (key, box, legend.sceneBoundingRect())
