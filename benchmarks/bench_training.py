"""Training benchmarks: NetStudio's loop vs a plain PyTorch loop, DDP scaling, curve redraw.

(a) Throughput of LeNet-5 on the built-in digits (32x32, batch 64, Adam) inside
    NetStudio's :class:`~studio.training.loop.Trainer` -- training doctor,
    per-layer statistics (sampled within their default time budget), metrics
    files and checkpoints included, as a user runs it -- against a plain
    PyTorch loop on the same compiled model, data, batch and optimizer.
    Blocks of epochs are interleaved: NetStudio epochs 4k+1..4k+4,
    plain epochs 4k+1..4k+4, ... (the Trainer's event generator is simply not
    advanced while the plain loop runs). A NetStudio block ends when its
    background jobs (checkpoint and statistics files) have finished, so that
    work is charged to it and never runs beside the plain loop. Both validate after every epoch.
(b) GUI event-loop lateness while LeNet-5 trains in the training panel's
    training process (``TrainingSession``) and its live curves (``CurvesView``)
    redraw: a 1 ms ``PreciseTimer`` on the GUI thread, p99 of how late it fires.
(c) Redraw of a pyqtgraph curve of 10^6 points with peak downsampling and clip
    to view (standalone ``PlotWidget``), and the training slowdown caused by the
    live curves: samples/s with ``CurvesView`` fed vs with events dropped,
    interleaved runs. (b) and (c) are skipped while ``studio.ui.training`` is absent.
(d) ``studio train --nproc 2`` vs ``--nproc 1`` on CPU (gloo), as subprocesses;
    the tiny size trains one epoch in-process through the same CLI code instead.

``run("full")`` is what ``make bench`` records; ``run("tiny")`` is the test
suite's smoke run.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import functools  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.data import DataLoader, Subset  # noqa: E402

from benchmarks._harness import median_spread, result  # noqa: E402
from studio.compiler.lower import compile_graph  # noqa: E402
from studio.core.serialize import project_to_dict  # noqa: E402
from studio.layers.registry import LayerRegistry  # noqa: E402
from studio.templates import get_template  # noqa: E402
from studio.training.events import Checkpointed, EpochEnd, RunFailed  # noqa: E402
from studio.training.loop import Trainer  # noqa: E402

SIZES = {
    # timed epochs per side (plus one warm-up) in interleaved blocks of ``block`` epochs,
    # training samples (None = all 1,257),
    # redraws timed, DDP repetitions per process count and epochs per DDP run
    "tiny": {
        "epochs": 2,
        "block": 1,
        "train": 128,
        "redraws": 3,
        "ddp_reps": 0,
        "ddp_epochs": 1,
        "gui_reps": 1,
        "gui_seconds": 0.5,
        "gui_model": "mlp",
    },
    "full": {
        "epochs": 48,
        "block": 4,
        "train": None,
        "redraws": 30,
        "ddp_reps": 3,
        "ddp_epochs": 2,
        "gui_reps": 8,
        "gui_seconds": 5.0,
        "gui_model": "lenet5",
    },
}
THROUGHPUT_GOAL = 0.95  # NetStudio / plain
REDRAW_GOAL = 20.0  # ms
CURVE_POINTS = 1_000_000
REPO = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=4)
def _template_data(template: str):
    from studio.data import load_dataset

    project = get_template(template).build()
    return load_dataset(dict(project.data), seed=project.training.get("seed", 0))


def _data(train: int | None):
    data = _template_data("lenet5")  # {"dataset": "digits", "image_size": 32, "seed": 0}
    if train is not None:
        data = dataclasses.replace(
            data, train=Subset(data.train, range(train)), val=Subset(data.val, range(train // 2)), test=None
        )
    return data


# ------------------------------------------------------------------ (a) throughput
class PlainLoop:
    """The loop one writes by hand: shuffled batches, Adam, cross-entropy, validate each epoch.

    ``gather=False`` reads through a ``DataLoader`` (``shuffle=True``), as almost every
    PyTorch loop does; ``gather=True`` indexes the tensors with each batch's rows, as
    NetStudio's loop reads its tensor splits, so that the ratio to it is the loop's own cost.
    """

    def __init__(self, model: torch.nn.Module, data, batch_size: int, lr: float, gather: bool = False):
        self.model = model
        # The same Adam as NetStudio's (multi-tensor form, equal results on CPU), so that the
        # ratio measures the loop's overhead, not the choice of optimizer implementation.
        self.opt = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)
        self.gen = torch.Generator().manual_seed(0)
        self.data, self.batch_size, self.gather = data, batch_size, gather
        self.train = DataLoader(data.train, batch_size=batch_size, shuffle=True, generator=self.gen)
        self.val = DataLoader(data.val, batch_size=2 * batch_size)

    def _batches(self, split, shuffle: bool):
        if not self.gather:
            yield from (self.train if shuffle else self.val)
            return
        n, size = len(split), self.batch_size if shuffle else 2 * self.batch_size
        order = torch.randperm(n, generator=self.gen) if shuffle else torch.arange(n)
        if isinstance(split, Subset):  # the tiny size's: rows of the split underneath
            order, split = torch.as_tensor(split.indices)[order], split.dataset
        for rows in order.split(size):
            yield split.batch(rows)

    def epoch(self) -> float:
        """One epoch; returns the validation accuracy."""
        self.model.train()
        for x, y in self._batches(self.data.train, shuffle=True):
            self.opt.zero_grad(set_to_none=True)
            F.cross_entropy(self.model(x), y).backward()
            self.opt.step()
        self.model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in self._batches(self.data.val, shuffle=False):
                correct += int((self.model(x).argmax(1) == y).sum())
        return correct / len(self.data.val)


def bench_throughput(epochs: int, train: int | None, block: int) -> list[dict]:
    """NetStudio's Trainer vs two :class:`PlainLoop` forms in interleaved blocks of epochs.

    Returns two rows: the ratio of samples/s to the usual ``DataLoader`` loop (the issue's
    figure) and to the loop that reads batches as NetStudio does (the loop's own overhead).
    """
    registry = LayerRegistry.with_builtins()
    project = get_template("lenet5").build()
    data = _data(train)
    cfg = {**project.training, "epochs": epochs + 1, "device": "cpu"}
    batch, n = cfg["batch_size"], len(data.train)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        trainer = Trainer(project, data, cfg, Path(tmp) / "run", registry=registry)
        events = trainer.iter_fit()
        plains = {}
        for gather in (False, True):
            torch.manual_seed(0)
            plains[gather] = PlainLoop(compile_graph(project.graph, registry), data, batch, cfg["lr"], gather)

        lasts: list[int] = []  # epochs after which "last" + state.pt were written

        def studio_block(count: int) -> float:
            """Advance the run by ``count`` EpochEnds, then let its background jobs finish.

            Checkpoint and statistics files are written on a background thread beside
            the next epoch, as in a real run; the wait at the end charges the block's
            last ones to NetStudio instead of letting them run beside a plain loop.
            """
            start = time.perf_counter()
            for _ in range(count):
                for event in events:
                    if isinstance(event, RunFailed):
                        raise RuntimeError(event.message)
                    if isinstance(event, Checkpointed) and event.kind == "last":
                        lasts.append(event.epoch)
                    if isinstance(event, EpochEnd):
                        break
                else:
                    raise RuntimeError("the run ended early")
            trainer.background.settle()
            return time.perf_counter() - start

        def plain_block(gather: bool, count: int) -> float:
            start = time.perf_counter()
            for _ in range(count):
                plains[gather].epoch()
            return time.perf_counter() - start

        studio_block(1), plain_block(False, 1), plain_block(True, 1)  # warm-up: set-up, allocator
        lasts.clear()
        a, b, c = [], [], []
        for _ in range(epochs // block):
            a.append(studio_block(block))
            b.append(plain_block(False, block))
            c.append(plain_block(True, block))
        for _ in events:  # finish the run: last checkpoints, test split, summary.json
            pass
        findings = len(trainer.doctor.findings)
        stats_files = len(list((Path(tmp) / "run" / "stats").glob("*.npz")))
    # Each NetStudio block is paired with the plain blocks run right after it: the median of the
    # pairs' ratios cancels the slow drifts of a shared machine that a ratio of medians keeps.
    ratio, spread = median_spread([bb / aa for aa, bb in zip(a, b, strict=True)])
    own, own_spread = median_spread([cc / aa for aa, cc in zip(a, c, strict=True)])
    setting = (
        f"LeNet-5 1x32x32 on digits ({n} training samples/epoch), batch {batch}, Adam lr {cfg['lr']} "
        f"(multi-tensor form everywhere), CPU, {torch.get_num_threads()} thread(s); NetStudio "
        f"{block * n / statistics.median(a):.0f} samples/s (doctor: {findings} finding(s); per-layer "
        f"statistics of {stats_files} of {cfg['epochs']} epochs within the default budget of "
        f"{trainer.cfg.stats_budget:.0%} of the run's time, on the training thread; 'last' checkpoint + "
        f"state.pt after {len(lasts)} of the timed epochs (default interval "
        f"{trainer.cfg.checkpoint_interval:g} s, files written on a background thread); metrics files "
        "every epoch); all loops validate each epoch; "
        f"{len(a)} interleaved rounds of {block} epochs per loop after a warm-up epoch, NetStudio's "
        "background work finished within its block; value = median of the per-round ratios"
    )
    usual = (
        f"{setting} (ratio of the medians: {statistics.median(b) / statistics.median(a):.3f}); plain loop "
        f"with a shuffling DataLoader: {block * n / statistics.median(b):.0f} samples/s. NetStudio reads "
        "each batch of its tensor splits with one gather, a DataLoader splits it into samples and "
        "stacks them again: see the next row for the loop's own overhead"
    )
    alike = (
        f"{setting} (ratio of the medians: {statistics.median(c) / statistics.median(a):.3f}); plain loop "
        f"reading each batch with one gather as NetStudio does: {block * n / statistics.median(c):.0f} "
        "samples/s; what is left is NetStudio's own cost: metrics, doctor, statistics, checkpoints"
    )
    return [
        result(
            "training throughput, NetStudio vs plain PyTorch (LeNet-5, ratio)",
            round(ratio, 4),
            "x",
            THROUGHPUT_GOAL,
            ratio >= THROUGHPUT_GOAL,
            len(a),
            spread,
            note=usual,
        ),
        result(
            "training loop overhead, NetStudio vs plain PyTorch reading batches alike (LeNet-5, ratio)",
            round(own, 4),
            "x",
            None,
            True,
            len(a),
            own_spread,
            note=alike,
        ),
    ]


# ------------------------------------------------------------------ (c) curve redraw
def bench_curve_redraw(redraws: int) -> dict:
    """setData of a 10^6-point curve + one render of the plot (peak downsampling, clip to view)."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    plot.resize(900, 400)
    plot.show()
    curve = plot.plot(pen=pg.mkPen("#2f6fed", width=1))
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    rng = np.random.default_rng(0)
    x = np.arange(CURVE_POINTS, dtype=np.float64)
    y = np.cumsum(rng.standard_normal(CURVE_POINTS)).astype(np.float64)
    port = plot.viewport()
    image = QImage(port.size(), QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    try:
        for i in range(redraws + 2):  # two warm-ups: the first auto-range, caches
            y[-1] += 1.0  # new data each time, as a live curve gets
            start = time.perf_counter()
            curve.setData(x, y)
            port.render(image)
            elapsed = (time.perf_counter() - start) * 1e3
            if i >= 2:
                times.append(elapsed)
    finally:
        plot.close()
        plot.deleteLater()
    value, spread = median_spread(times)
    note = (
        f"pyqtgraph {pg.__version__} PlotWidget 900x400 offscreen, one PlotDataItem of {CURVE_POINTS:,} "
        "points (random walk), setDownsampling(auto, 'peak') + setClipToView; setData + viewport "
        f"render, median of {len(times)} (max {max(times):.1f} ms); GUI thread; one standalone plot "
        "(the panel's six-plot CurvesView is measured by the event-loop rows)"
    )
    name = "curve redraw, 10^6 points (pyqtgraph, peak downsampling)"
    meets = value <= REDRAW_GOAL
    return result(name, round(value, 3), "ms", REDRAW_GOAL, meets, len(times), spread, note=note)


# ------------------------------------------------------------------ (d) DDP
def _project_file(folder: Path, template: str) -> Path:
    path = folder / f"{template}.nsproj.json"
    path.write_text(json.dumps(project_to_dict(get_template(template).build())), encoding="utf-8")
    return path


def _summary_throughput(run_dir: Path, n_train: int) -> float:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    if summary["status"] != "finished":
        raise RuntimeError(f"{run_dir}: run {summary['status']}")
    return summary["epochs"] * n_train / summary["seconds"]


DDP_RUNS = {  # label -> (--nproc, OMP_NUM_THREADS or None for the default)
    "1p": (1, None),  # torch's default: one thread per core
    "1p1t": (1, "1"),
    "2p": (2, None),  # torchrun sets OMP_NUM_THREADS=1 per process
}


def bench_ddp(reps: int, epochs: int) -> list[dict]:
    """``studio train --nproc 2`` vs ``--nproc 1`` on LeNet-5/digits, interleaved subprocesses."""
    n_train = len(_data(None).train)
    samples: dict[str, list[float]] = {k: [] for k in DDP_RUNS}
    walls: dict[str, list[float]] = {k: [] for k in DDP_RUNS}
    base = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    base["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="bench-ddp-") as tmp:
        project = _project_file(Path(tmp), "lenet5")
        for rep in range(reps):
            for label, (nproc, threads) in DDP_RUNS.items():
                out = Path(tmp) / f"run-{label}-{rep}"
                cmd = [sys.executable, "-m", "studio", "train", str(project), "--epochs", str(epochs)]
                cmd += ["--device", "cpu", "--out", str(out), "--nproc", str(nproc)]
                env = base if threads is None else {**base, "OMP_NUM_THREADS": threads}
                start = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, check=False)
                walls[label].append(time.perf_counter() - start)
                if done.returncode != 0:
                    raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
                samples[label].append(_summary_throughput(out, n_train))
    med = {k: statistics.median(v) for k, v in samples.items()}
    wall = {k: statistics.median(v) for k, v in walls.items()}
    common = (
        f"LeNet-5 on digits ({n_train} samples/epoch), global batch 64, Adam, {epochs} epochs per run, "
        f"CPU gloo, {os.cpu_count()} cores; samples/s = epochs x samples / summary.json seconds (no "
        f"process start-up); {reps} interleaved runs per configuration; informational"
    )
    rows = []
    for one, threads_text in (("1p", f"torch default, {os.cpu_count()} threads"), ("1p1t", "1 thread")):
        ratio = med["2p"] / med[one]
        _, spread = median_spread([b / a for a, b in zip(samples[one], samples["2p"], strict=True)])
        note = (
            f"--nproc 2 (torchrun: 1 thread per process) {med['2p']:.0f} samples/s, wall {wall['2p']:.1f} s "
            f"vs --nproc 1 ({threads_text}) {med[one]:.0f} samples/s, wall {wall[one]:.1f} s; {common}"
        )
        name = "DDP 2-process vs 1-process training throughput (CPU, ratio)"
        if one == "1p1t":
            name = "DDP 2-process vs 1-process with 1 thread (CPU, ratio)"
        rows.append(result(name, round(ratio, 4), "x", None, True, reps, spread, note=note))
    return rows


def bench_ddp_tiny(epochs: int) -> dict:
    """The tiny stand-in for :func:`bench_ddp`: ``studio train`` on the MLP template, in-process."""
    from studio.cli import main

    with tempfile.TemporaryDirectory(prefix="bench-ddp-") as tmp:
        project = _project_file(Path(tmp), "mlp")
        out = Path(tmp) / "run"
        argv = ["train", str(project), "--epochs", str(epochs), "--device", "cpu", "--out", str(out)]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(argv + ["--nproc", "1"])
        if code != 0:
            raise RuntimeError(f"studio {' '.join(argv)} exited {code}")
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        n_train = len(_template_data("mlp").train)
        value = summary["epochs"] * n_train / summary["seconds"]
    note = (
        f"tiny size: one process only (no torchrun), MLP on moons, {epochs} epoch(s), CPU, "
        f"{torch.get_num_threads()} thread(s); the full size compares --nproc 2 with --nproc 1"
    )
    name = "DDP training throughput (tiny: 1 process, MLP)"
    return result(name, round(value, 2), "samples/s", None, True, 1, 0.0, note=note)


# ------------------------------------------------------------------ (b), (c) GUI while training
def _panel_exists() -> bool:
    return importlib.util.find_spec("studio.ui.training") is not None


def _gui_run(
    seconds: float,
    plotting: bool,
    registry: LayerRegistry,
    run_dir: Path,
    template: str = "lenet5",
    history: int = 0,
) -> tuple[list, float, float]:
    """Train ``template`` (LeNet-5) in the panel's training process for ``seconds`` while a 1 ms timer ticks.

    With ``plotting`` the events feed the panel's live curves (``CurvesView``,
    redrawn by its own timer) as the panel does; without, they are dropped.
    ``history`` steps of a synthetic earlier stretch of the run (values spanning
    the live ones) are in the curves first, as in a run that has trained a while.
    Returns the timer's lateness samples (ms), the training samples/s seen and
    how many frames per second redrew the step curves.
    """
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.training.events import EpochEnd, StepEnd
    from studio.ui.training import TrainingJob, TrainingSession
    from studio.ui.training.plots import CurvesView

    qapp = QApplication.instance() or QApplication([])
    project = get_template(template).build()
    config = {**project.training, "epochs": 1000, "device": "cpu"}
    job = TrainingJob(project_to_dict(project), config, dict(project.data), str(run_dir), registry)
    view = None
    if plotting:
        view = CurvesView()
        view.resize(900, 600)
        view.show()
        _fill_history(view, history, config["lr"])
    steps: list[tuple[float, int]] = []
    frames = 0

    def on_events(events: list) -> None:
        now = time.perf_counter()
        for event in events:
            if isinstance(event, StepEnd):
                steps.append((now, event.step))
                if view is not None:
                    view.current.add_step(history + event.step, vars(event))
            elif isinstance(event, EpochEnd) and view is not None:
                view.current.add_epoch(event.epoch, event.metrics)
        if view is not None:
            view.mark_dirty()

    session = TrainingSession()
    session.progressed.connect(on_events)
    clock = QElapsedTimer()
    ticks: list[int] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(clock.nsecsElapsed()))
    session.start(job)
    try:
        deadline = time.perf_counter() + 120
        while not steps and time.perf_counter() < deadline:  # data loading, first step
            qapp.processEvents()
            time.sleep(0.001)
        warm = time.perf_counter() + min(1.0, seconds / 4)
        while time.perf_counter() < warm:
            qapp.processEvents()
        clock.start()
        timer.start()
        first = len(steps)
        frames = view.step_frames if view is not None else 0
        loop = QEventLoop()  # the GUI thread's event loop, as the app's exec() runs it
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        timer.stop()
        frames = (view.step_frames - frames) / seconds if view is not None else 0.0
    finally:
        session.request_stop()
        session.shutdown()
        qapp.processEvents()
        if view is not None:
            view.timer.stop()
            view.close()
            view.deleteLater()
        session.deleteLater()
    late = [max(0.0, (b - a) / 1e6 - 1.0) for a, b in zip(ticks, ticks[1:], strict=False)]
    window = steps[first:]
    if len(window) < 2 or not late:
        raise RuntimeError("the training run produced too few steps to measure")
    (t0, s0), (t1, s1) = window[0], window[-1]
    return late, (s1 - s0) * config["batch_size"] / (t1 - t0), frames


def _fill_history(view, steps: int, lr: float) -> None:
    """``steps`` earlier steps in ``view``: a decaying loss from 2.6, gradient norms 0.1-10, ``lr``."""
    rng = np.random.default_rng(0)
    for step in range(1, steps + 1):
        loss = 0.05 + 2.55 * np.exp(-step / 4000) * (0.8 + 0.2 * rng.random())
        record = {"loss": loss, "lr": lr, "grad_norm": 0.1 + 9.9 * rng.random(), "samples_per_s": 3000.0}
        view.current.add_step(step, record)


def bench_gui_training(reps: int, seconds: float, template: str) -> list[dict]:
    """(b) p99 event-loop lateness while training + live curves; (c) slowdown caused by the curves."""
    from studio.ui.training.plots import REDRAW_HZ

    registry = LayerRegistry.with_builtins()
    late: list[float] = []
    speeds: dict[str, list[float]] = {"plot": [], "bare": [], "long": []}
    rates: dict[str, list[float]] = {"plot": [], "long": []}
    history = 20_000
    with tempfile.TemporaryDirectory(prefix="bench-gui-train-") as tmp:
        # Warm-up, not measured: the first run waits for the forkserver to import torch, and its
        # first frames for pyqtgraph's lazy set-up, which would be charged to whichever arm came first.
        _gui_run(min(seconds, 2.0), False, registry, Path(tmp) / "warm-up", template)
        for rep in range(reps):
            for arm in ("plot", "bare", "long"):
                lat, speed, rate = _gui_run(
                    seconds,
                    arm != "bare",
                    registry,
                    Path(tmp) / f"{arm}-{rep}",
                    template,
                    history if arm == "long" else 0,
                )
                speeds[arm].append(speed)
                if arm == "plot":
                    late += lat
                if arm in rates:
                    rates[arm].append(rate)
    p99 = statistics.quantiles(late, n=100, method="inclusive")[98]
    _, late_spread = median_spread(late)
    # Each plotting run is paired with the run without plots of the same repetition.
    ratio, slow_spread = median_spread([a / b for a, b in zip(speeds["plot"], speeds["bare"], strict=True)])
    long_ratio, long_spread = median_spread(
        [a / b for a, b in zip(speeds["long"], speeds["bare"], strict=True)]
    )
    slowdown, long_slowdown = 100 * (1 - ratio), 100 * (1 - long_ratio)
    with_plots, without = speeds["plot"], speeds["bare"]
    cores = os.cpu_count()
    model = {"lenet5": "LeNet-5 on digits", "mlp": "MLP on moons (tiny size)"}.get(template, template)
    context = (
        f"{model}, batch 64, Adam, CPU, {cores} cores; TrainingSession training process "
        f"(torch threads = cores - 1 = {max(1, (cores or 2) - 1)}); {reps} run(s) of {seconds:g} s"
    )
    return [
        result(
            "GUI event-loop lateness while training, p99 (1 ms timer)",
            round(p99, 3),
            "ms",
            16.0,
            p99 <= 16.0,
            len(late),
            late_spread,
            note=(
                f"{context}; live CurvesView redrawn at {REDRAW_HZ} Hz; lateness of a 1 ms PreciseTimer "
                f"on the GUI thread: median {statistics.median(late):.2f} ms, max {max(late):.1f} ms"
            ),
        ),
        result(
            "training slowdown from live plotting",
            round(slowdown, 2),
            "%",
            5.0,
            slowdown < 5.0,
            reps,
            slow_spread,
            note=(
                f"{context}; a fresh run (its first steps: every frame adds pixels, so the step curves "
                f"redraw {statistics.median(rates['plot']):.1f} times/s at the {REDRAW_HZ} Hz timer); "
                f"samples/s with the live CurvesView {statistics.median(with_plots):.0f} vs events dropped "
                f"{statistics.median(without):.0f}; median of the paired ratios of interleaved runs"
            ),
        ),
        result(
            f"training slowdown from live plotting, a run past {history:,} steps",
            round(long_slowdown, 2),
            "%",
            None,
            True,
            reps,
            long_spread,
            note=(
                f"{context}; the curves hold {history:,} earlier steps (synthetic, spanning the live "
                "values), so a frame's new steps mostly fall in the last pixel column and wait for the "
                f"next: the step curves redraw {statistics.median(rates['long']):.1f} times/s; samples/s "
                f"{statistics.median(speeds['long']):.0f} vs events dropped "
                f"{statistics.median(without):.0f}; informational"
            ),
        ),
    ]


def run(size: str = "full") -> list[dict]:
    """Run every training benchmark at ``size`` ("tiny" or "full")."""
    cfg = SIZES[size]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # (a): one thread for comparable timings
    try:
        rows = bench_throughput(cfg["epochs"], cfg["train"], cfg["block"])
    finally:
        torch.set_num_threads(threads)
    rows.append(bench_curve_redraw(cfg["redraws"]))
    if cfg["ddp_reps"]:
        rows += bench_ddp(cfg["ddp_reps"], cfg["ddp_epochs"])
    else:
        rows.append(bench_ddp_tiny(cfg["ddp_epochs"]))
    if _panel_exists():
        rows += bench_gui_training(cfg["gui_reps"], cfg["gui_seconds"], cfg["gui_model"])
    else:
        print(
            "# bench_training: (b) event-loop lateness and (c) live-plotting slowdown need "
            "studio.ui.training (the training panel): not measured",
            file=sys.stderr,
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
