"""Terminal progress for ``studio train``: one line per epoch, a live bar in between."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from studio.training.events import Checkpointed, EpochEnd, RunFailed, RunFinished, RunStarted, StepEnd

BAR = 24


def _fmt_metrics(metrics: dict[str, Any]) -> str:
    keys = [k for k in ("loss", "accuracy", "mae", "r2", "miou", "dice") if k in metrics]
    return " ".join(f"{k} {metrics[k]:.4g}" for k in keys if isinstance(metrics[k], (int, float)))


class Progress:
    """Prints training events; a redrawn bar when ``stream`` is a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.steps_per_epoch = 1
        self.epochs = 1
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self._epoch_started = 0.0  # EpochEnd.seconds counts from the start of the run

    def __call__(self, event: Any) -> None:
        """Show one training event."""
        if isinstance(event, RunStarted):
            self.steps_per_epoch, self.epochs = max(1, event.steps_per_epoch), event.epochs
            self.line(
                f"training on {event.device}: {event.params:,} parameters, {event.epochs} epochs "
                f"of {event.steps_per_epoch} steps → {event.run_dir}"
            )
        elif isinstance(event, StepEnd) and self.live:
            self._bar(event)
        elif isinstance(event, EpochEnd):
            parts = [f"epoch {event.epoch}/{self.epochs}"]
            for split in ("train", "val"):
                if event.metrics.get(split):
                    parts.append(f"{split}: {_fmt_metrics(event.metrics[split])}")
            parts.append(f"{event.seconds - self._epoch_started:.1f}s")
            self._epoch_started = event.seconds
            self.line("  ".join(parts))
        elif isinstance(event, Checkpointed) and event.kind == "best":
            pass  # one line per epoch is enough; the summary names the best epoch
        elif isinstance(event, RunFinished):
            self.line(
                f"{event.summary.get('status', 'finished')} in {event.summary.get('seconds', 0):.1f}s; "
                f"best epoch {event.summary.get('best_epoch')}"
            )
        elif isinstance(event, RunFailed):
            self.line(f"failed: {event.message}")

    def finding(self, finding: dict) -> None:
        """Show a training-doctor finding."""
        where = f" [{finding['node']}]" if finding.get("node") else ""
        self.line(f"doctor {finding['severity']}{where}: {finding['message']} → {finding['fix']}")

    def _bar(self, event: StepEnd) -> None:
        now = time.perf_counter()
        if now - self._last_draw < 0.1:
            return
        self._last_draw = now
        done = (event.step - 1) % self.steps_per_epoch + 1
        total_steps = self.steps_per_epoch * self.epochs
        eta = (now - self.started) / max(event.step, 1) * max(total_steps - event.step, 0)
        filled = int(BAR * done / self.steps_per_epoch)
        self.stream.write(
            f"\r epoch {event.epoch} [{'#' * filled}{'.' * (BAR - filled)}] {done}/"
            f"{self.steps_per_epoch} loss {event.loss:.4g} {event.samples_per_s:,.0f}/s "
            f"ETA {eta:,.0f}s "
        )
        self.stream.flush()

    def line(self, text: str) -> None:
        """Print one line (clearing the live bar first)."""
        if self.live:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()
