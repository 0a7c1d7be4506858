"""What the inspection views look at: a run's model, a node, a sample and a class.

The context is the one place the views read their subject from; they never
hold a model of their own. A selection change emits :attr:`changed` with what
changed, and each visible view recomputes what depends on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.ui.inspect.jobs import JobRunner

SPLITS = ("val", "test", "train")


class InspectionContext(QObject):
    """The inspected run plus the current node, sample and class.

    Signals
    -------
    changed(str)
        ``"run"`` (a new model or weights: everything is stale), ``"node"``,
        ``"sample"`` or ``"class"``.
    failed(str)
        Opening a run failed (one line for the user).
    """

    changed = Signal(str)
    failed = Signal(str)

    def __init__(self, registry: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.jobs = JobRunner(self)
        self.run: Any = None  # studio.inspection.run.InspectedRun
        self.run_dir: Path | None = None
        self.checkpoint = "best"
        self.node: str | None = None
        self.split = "val"
        self.sample = 0
        self.class_idx: int | None = None  # None: the predicted class
        self.opening = False

    # ------------------------------------------------------------ run
    def open(self, run_dir: str | Path, checkpoint: str = "best") -> None:
        """Open ``run_dir`` at ``checkpoint`` in the background; :attr:`changed` ("run") follows."""
        from studio.inspection.run import open_run

        run_dir = Path(run_dir)
        # The dataset is reused when the same run is reopened at another checkpoint.
        data = self.run.loaded_data() if self.run is not None and self.run_dir == run_dir else None
        registry = self.registry
        self.opening = True

        def work(_cancel):
            run = open_run(run_dir, checkpoint, registry, data=data)
            run.data  # noqa: B018 - load the splits here, off the GUI thread
            return run

        def done(run) -> None:
            self.opening = False
            self.run, self.run_dir, self.checkpoint = run, run_dir, checkpoint
            count = self.sample_count()
            self.sample = min(self.sample, max(0, count - 1))
            if self.node is not None and not self.has_node(self.node):
                self.node = None
            self.changed.emit("run")

        def failed(message: str) -> None:
            self.opening = False
            self.failed.emit(message)

        self.jobs.submit("open-run", work, done, failed)

    def close_run(self) -> None:
        """Forget the run (the project changed)."""
        self.jobs.cancel("open-run")
        self.run, self.run_dir = None, None
        self.changed.emit("run")

    # ------------------------------------------------------------ selection
    def set_node(self, name: str | None) -> None:
        """Look at node ``name`` (a node of the run's graph)."""
        if name != self.node:
            self.node = name
            self.changed.emit("node")

    def set_sample(self, index: int, split: str | None = None) -> None:
        """Look at sample ``index`` of ``split`` (clamped to the split's size)."""
        split = split or self.split
        count = self.sample_count(split)
        index = max(0, min(int(index), count - 1)) if count else 0
        if (index, split) != (self.sample, self.split):
            self.sample, self.split = index, split
            self.class_idx = None
            self.changed.emit("sample")

    def set_class(self, class_idx: int | None) -> None:
        """Explain ``class_idx`` (None: whatever the model predicts)."""
        if class_idx != self.class_idx:
            self.class_idx = class_idx
            self.changed.emit("class")

    # ------------------------------------------------------------ reading
    def dataset(self, split: str | None = None) -> Any:
        """The current split's dataset (None without a run)."""
        if self.run is None:
            return None
        return self.run.split(split or self.split)

    def sample_count(self, split: str | None = None) -> int:
        """Number of samples in ``split`` (0 without a run)."""
        dataset = self.dataset(split)
        return 0 if dataset is None else len(dataset)

    def sample_tensors(self) -> tuple[Any, Any]:
        """``(x, y)`` of the current sample, ``x`` with a batch dimension of 1."""
        x, y = self.dataset()[self.sample]
        if isinstance(x, tuple):
            return tuple(t.unsqueeze(0) for t in x), y
        return x.unsqueeze(0), y

    def node_names(self) -> list[str]:
        """The run graph's node names, in graph order."""
        if self.run is None:
            return []
        return [node.name for node in self.run.project.graph.nodes.values()]

    def has_node(self, name: str) -> bool:
        """True if the run's model has a submodule for node ``name``."""
        return self.run is not None and name in dict(self.run.model.named_children())

    def class_names(self) -> list[str]:
        """The dataset's class names ([] for non-classification data)."""
        return [] if self.run is None else self.run.class_names
