"""Checks while a run goes: the loss curve, validation and per-layer statistics.

:class:`Watcher` is fed plain numbers (the training loop's events) and
returns new findings; each problem is reported once per node. Thresholds are
deliberately conservative: a false alarm teaches the wrong lesson.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from studio.doctor.findings import Finding
from studio.doctor.static import expected_initial_loss

FLAT_WINDOW = 100  # steps: "no significant drop within 100 iterations" (DIAGNOSTICS.md)
SLOW_STEP_S = 0.5


class Watcher:
    """Follows one run and diagnoses it.

    Parameters
    ----------
    loss
        The loss name (for the initial-loss sanity check).
    num_classes
        Classes of a classification task, else None.
    """

    def __init__(self, loss: str = "cross_entropy", num_classes: int | None = None) -> None:
        self.expected = expected_initial_loss(loss, num_classes)
        self.losses: list[float] = []
        self._min_loss = math.inf  # min(self.losses), kept as it goes: a long run has 10^5 steps
        self.epochs: list[tuple[float, float | None]] = []  # (train loss, val loss)
        self._grad_norms: dict[str, float] = {}
        self._said: set[tuple[str, str | None]] = set()

    def _once(self, finding: Finding) -> list[Finding]:
        key = (finding.code, finding.node)
        if key in self._said:
            return []
        self._said.add(key)
        return [finding]

    # ------------------------------------------------------------------ steps
    def observe_step(self, epoch: int, step: int, loss: float, seconds: float | None = None) -> list[Finding]:
        """One training step's loss (and duration); returns new findings."""
        found: list[Finding] = []
        if not math.isfinite(loss):
            return self._once(
                Finding(
                    "loss_not_finite",
                    "error",
                    f"the loss became {loss} at epoch {epoch}, step {step}.",
                    "Lower the learning rate (÷10), add gradient clipping or a warm-up, and check the inputs "
                    "for NaN/Inf.",
                    epoch=epoch,
                    step=step,
                )
            )
        self.losses.append(loss)
        self._min_loss = min(self._min_loss, loss)
        if len(self.losses) == 1 and self.expected is not None:
            found += self._initial_loss(loss, epoch, step)
        found += self._divergence(epoch, step)
        if len(self.losses) == FLAT_WINDOW:
            found += self._flat(epoch, step)
        if seconds is not None and seconds > SLOW_STEP_S:
            found += self._once(
                Finding(
                    "slow_iteration",
                    "info",
                    f"one step takes {seconds * 1000:.0f} ms.",
                    "Estimate the total time first; find the bottleneck (data loading, model size, device).",
                    epoch=epoch,
                    step=step,
                )
            )
        return found

    def _initial_loss(self, loss: float, epoch: int, step: int) -> list[Finding]:
        expected = self.expected or 0.0
        if abs(loss - expected) <= max(0.5 * expected, 0.3):
            return []
        return self._once(
            Finding(
                "initial_loss",
                "warning",
                f"the first loss is {loss:.3g}; an untrained classifier should give about "
                f"{expected:.3g} (ln C).",
                "Check the last layer (raw logits, right width), the loss and the initialisation.",
                epoch=epoch,
                step=step,
            )
        )

    def _divergence(self, epoch: int, step: int) -> list[Finding]:
        if len(self.losses) < 20:
            return []
        recent = sum(self.losses[-5:]) / 5
        if recent > 3 * self._min_loss and recent > self.losses[0]:
            return self._once(
                Finding(
                    "lr_too_high",
                    "error",
                    f"the loss is rising: {recent:.3g} now against a best of {self._min_loss:.3g}.",
                    "Lower the learning rate (÷10), or add a warm-up and gradient clipping.",
                    epoch=epoch,
                    step=step,
                )
            )
        return []

    def _flat(self, epoch: int, step: int) -> list[Finding]:
        first = sum(self.losses[:10]) / 10
        last = sum(self.losses[-10:]) / 10
        if last < 0.97 * first:
            return []
        return self._once(
            Finding(
                "lr_too_low",
                "warning",
                f"no significant drop in {FLAT_WINDOW} steps ({first:.3g} → {last:.3g}).",
                "Raise the learning rate (try 1e-1 … 1e-4), and check that gradients reach every layer.",
                epoch=epoch,
                step=step,
            )
        )

    # ----------------------------------------------------------------- epochs
    def observe_epoch(
        self,
        epoch: int,
        train_loss: float,
        val_loss: float | None = None,
        layers: Mapping[str, Mapping[str, float]] | None = None,
    ) -> list[Finding]:
        """One epoch's losses and per-layer statistics; returns new findings.

        ``layers`` maps node name -> statistics such as ``grad_norm``,
        ``dead_fraction`` (ReLU outputs that are zero for the whole batch)
        and ``saturated_fraction`` (sigmoid/tanh outputs near their limits).
        """
        self.epochs.append((train_loss, val_loss))
        found = self._overfitting(epoch) + self._val_below_train(epoch)
        return found + self.observe_layers(epoch, layers) if layers else found

    def observe_layers(self, epoch: int, layers: Mapping[str, Mapping[str, float]]) -> list[Finding]:
        """Per-layer statistics of ``epoch`` (keys as in :meth:`observe_epoch`); returns new findings."""
        found: list[Finding] = []
        for name, stats in layers.items():
            found += self._layer(epoch, name, stats)
        return found + self._gradient_flow(epoch, layers)

    def _overfitting(self, epoch: int) -> list[Finding]:
        vals = [v for _, v in self.epochs if v is not None]
        trains = [t for t, _ in self.epochs]
        if len(vals) < 3 or len(vals) != len(trains):
            return []
        best = min(range(len(vals)), key=vals.__getitem__)
        rising = vals[-1] > vals[-2] > vals[-3] and best < len(vals) - 2
        if rising and trains[-1] < trains[-3]:
            return self._once(
                Finding(
                    "overfitting",
                    "warning",
                    f"validation loss has risen for two epochs ({vals[best]:.3g} at epoch {best + 1}, "
                    f"{vals[-1]:.3g} now) while training loss keeps falling.",
                    "Use early stopping (restore the best epoch), more data or augmentation, dropout, weight "
                    "decay, or a smaller model.",
                    epoch=epoch,
                )
            )
        return []

    def _val_below_train(self, epoch: int) -> list[Finding]:
        # The training loss is averaged over an epoch while the model improves,
        # so validation is often lower early on; judge only once training settles.
        last = self.epochs[-2:]
        if len(last) < 2 or any(v is None or v >= 0.8 * t for t, v in last):
            return []
        (t0, _), (t1, _) = last
        if abs(t1 - t0) > 0.05 * t0:
            return []
        return self._once(
            Finding(
                "val_below_train",
                "info",
                "validation loss is well below training loss: the validation set may be too easy or "
                "unrepresentative.",
                "Dropout and augmentation raise the training loss legitimately; compare with the "
                "training loss measured in eval mode before worrying.",
                epoch=epoch,
            )
        )

    def _layer(self, epoch: int, name: str, stats: Mapping[str, float]) -> list[Finding]:
        found = []
        dead = stats.get("dead_fraction")
        if dead is not None and dead > 0.5:
            found += self._once(
                Finding(
                    "dead_relu",
                    "warning",
                    f"{dead:.0%} of the units of {name} output zero for the whole batch.",
                    "Lower the learning rate, use He initialisation, or LeakyReLU/PReLU/ELU.",
                    name,
                    epoch,
                )
            )
        saturated = stats.get("saturated_fraction")
        if saturated is not None and saturated > 0.5:
            found += self._once(
                Finding(
                    "saturation",
                    "warning",
                    f"{saturated:.0%} of the outputs of {name} are saturated near ±1/0/1: "
                    "their gradient is almost zero.",
                    "Use ReLU-family activations, or Xavier initialisation and normalised inputs.",
                    name,
                    epoch,
                )
            )
        return found

    def _gradient_flow(self, epoch: int, layers: Mapping[str, Mapping[str, float]]) -> list[Finding]:
        norms = {n: s["grad_norm"] for n, s in layers.items() if s.get("grad_norm") is not None}
        found = []
        for name, value in norms.items():
            before = self._grad_norms.get(name)
            if not math.isfinite(value) or value > 1e3 or (before and value > 100 * before):
                found += self._once(
                    Finding(
                        "exploding_gradients",
                        "warning",
                        f"the gradient norm of {name} is {value:.3g}.",
                        "Clip gradients (by norm), lower the learning rate, or add normalisation.",
                        name,
                        epoch,
                    )
                )
        positive = [v for v in norms.values() if v > 0 and math.isfinite(v)]
        if len(positive) >= 2:
            first, last = next(iter(norms.values())), list(norms.values())[-1]
            if 0 < first < 1e-4 * last:
                name = next(iter(norms))
                found += self._once(
                    Finding(
                        "vanishing_gradients",
                        "warning",
                        f"gradients reaching {name} are {first / last:.1e} times those of the last layer.",
                        "Use ReLU-family activations, He/Xavier initialisation, BatchNorm or residual "
                        "connections.",
                        name,
                        epoch,
                    )
                )
        self._grad_norms.update(norms)
        return found

    def finish(self, epoch: int) -> list[Finding]:
        """Check, at the end of the run, whether it was stopped too early."""
        trains = [t for t, _ in self.epochs]
        vals = [v for _, v in self.epochs if v is not None]
        if len(trains) < 3:
            return []
        still = trains[-1] < 0.97 * trains[-2] and (len(vals) < 2 or vals[-1] < vals[-2])
        if not still:
            return []
        return self._once(
            Finding(
                "still_improving",
                "info",
                "training and validation losses were still falling at the end.",
                "Train for more epochs; if progress is slow, check the learning rate or add capacity.",
                epoch=epoch,
            )
        )
