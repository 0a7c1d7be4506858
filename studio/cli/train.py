"""``studio train PROJECT [--epochs N] [--device D] [--seed S] [--out RUN_DIR] [--resume RUN_DIR]``."""

from __future__ import annotations

import argparse
import io
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from studio.cli.common import EXIT_ERRORS, EXIT_OK, CliError, load_registry, open_project_file


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``train`` subcommand."""
    parser = subparsers.add_parser("train", help="train a project headless and write a run directory")
    parser.add_argument("project", metavar="PROJECT", nargs="?", help="a *.nsproj.json project file")
    parser.add_argument("--epochs", type=int, metavar="N", help="override the project's epoch count")
    parser.add_argument(
        "--device", choices=("auto", "cpu", "cuda", "mps"), help="where to train (default auto)"
    )
    parser.add_argument("--seed", type=int, metavar="S", help="override the project's seed")
    parser.add_argument("--out", metavar="RUN_DIR", help="run directory (default runs/<project>/<time>/)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped run exactly where it stopped")
    parser.add_argument(
        "--nproc",
        type=int,
        metavar="N",
        default=1,
        help="train data-parallel on N processes through torchrun (gloo on CPU, NCCL on CUDA)",
    )
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    values = {"epochs": args.epochs, "device": args.device, "seed": args.seed}
    return {k: v for k, v in values.items() if v is not None}


def _load_data(project: Any, seed: int) -> Any:
    from studio.data import DataError, load_dataset

    try:
        return load_dataset(dict(project.data), seed=seed)
    except DataError as exc:
        raise CliError(f"data: {exc}") from None


def _launch_torchrun(args: argparse.Namespace) -> int:
    """Relaunch this command on ``--nproc`` processes with torchrun; its exit status is ours."""
    from studio.training.rundir import default_run_dir

    out = args.out or (None if args.resume else str(default_run_dir(args.project)))
    argv = [args.project] if args.project and not args.resume else []
    for flag, value in (
        ("--epochs", args.epochs),
        ("--device", args.device),
        ("--seed", args.seed),
        ("--out", out),
        ("--resume", args.resume),
    ):
        if value is not None:
            argv += [flag, str(value)]
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={args.nproc}",
        "-m",
        "studio",
        "train",
        *argv,
    ]
    return subprocess.run(cmd, check=False).returncode


def _trainer(args: argparse.Namespace, registry: Any, distributed: Any) -> Any:
    from studio.compiler.infer import infer_graph
    from studio.training.config import ConfigError, TrainConfig
    from studio.training.loop import Trainer

    try:
        if args.resume:
            run = Path(args.resume)
            project = open_project_file(run / "project.nsproj.json", registry)
            seed = TrainConfig.from_dict(project.training).seed
            data = _load_data(project, seed)
            return Trainer.resume_from(
                run, data, registry=registry, distributed=distributed, **_overrides(args)
            )
        if not args.project:
            raise CliError("give a PROJECT to train, or --resume RUN_DIR")
        project = open_project_file(args.project, registry)
        report = infer_graph(project.graph, registry)
        if report.errors:
            lines = [f"{project.graph.nodes[n].name}{'.' + p if p else ''}: {m}" for n, p, m in report.errors]
            raise CliError(f"{args.project}: the graph has errors: {'; '.join(lines)}", EXIT_ERRORS)
        config = TrainConfig.from_dict({**project.training, **_overrides(args)})
        data = _load_data(project, config.seed)
        return Trainer(
            project,
            data,
            config,
            args.out,
            registry=registry,
            project_path=args.project,
            distributed=distributed,
        )
    except (ConfigError, FileNotFoundError) as exc:
        raise CliError(f"{args.resume or args.project}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Train with terminal progress; Ctrl+C stops cleanly (resumable with --resume)."""
    from studio.training.distributed import DistContext

    if args.nproc < 1:
        raise CliError("--nproc must be at least 1")
    distributed = DistContext.from_env()
    if args.nproc > 1 and not distributed.active:
        return _launch_torchrun(args)
    registry = load_registry()
    trainer = _trainer(args, registry, distributed)
    try:
        return _train(trainer, quiet=not distributed.is_main)
    finally:
        distributed.close()


def _train(trainer: Any, quiet: bool) -> int:
    """Iterate the run, showing progress and doctor findings (rank 0 only when distributed)."""
    from studio.cli.progress import Progress
    from studio.training.events import RunFailed, RunFinished

    progress = Progress(io.StringIO() if quiet else None)
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum: int, frame: Any) -> None:
        progress.line("stopping after this batch (Ctrl+C again to abort) ...")
        trainer.request_stop()
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, stop)
    seen, last = 0, None
    try:
        for event in trainer.iter_fit():
            progress(event)
            for finding in trainer.doctor.findings[seen:]:
                progress.finding(finding)
            seen = len(trainer.doctor.findings)
            last = event
    finally:
        signal.signal(signal.SIGINT, previous)
    summary = last.summary if isinstance(last, (RunFinished, RunFailed)) else {}
    if quiet:
        return EXIT_ERRORS if isinstance(last, RunFailed) else EXIT_OK
    for split, metrics in (summary.get("metrics") or {}).items():
        if metrics:
            print(f"{split:>5}: {_scalars(metrics)}")
    print(f"run directory: {trainer.run.path} (summary.json, metrics.csv, checkpoints/)")
    return EXIT_ERRORS if isinstance(last, RunFailed) else EXIT_OK


def _scalars(metrics: dict[str, Any]) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, (int, float)))
