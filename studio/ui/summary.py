"""The model summary: one row per layer with its output shape, params and MACs.

Rows come from shape inference (:func:`studio.compiler.infer.infer_graph`),
which is derived state: it is recomputed from the graph, never stored in it.
When the compiler is unavailable the table still lists the layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from studio.compiler.infer import GraphReport
    from studio.core.graph import GraphModel
    from studio.layers.registry import LayerRegistry

COLUMNS = ("Layer", "Type", "Output shape", "Params", "MACs", "Memory")
NODE_ID_ROLE = Qt.ItemDataRole.UserRole
_ERROR_BG = QColor("#fdecec")
_ERROR_FG = QColor("#b42318")


@dataclass
class SummaryRow:
    """What one table row shows; ``errors`` are ``(port, message)`` pairs."""

    node_id: str
    name: str
    type_title: str
    type_id: str
    shapes: str = "—"
    params: int | None = None
    macs: int | None = None
    activation_bytes: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Summary:
    """All rows plus totals (None when inference did not run)."""

    rows: list[SummaryRow]
    total_params: int | None = None
    total_macs: int | None = None
    activation_bytes: int | None = None
    inferred: bool = False
    problem: str = ""  # why inference did not run, when it crashed


def format_shape(shape: tuple | None) -> str:
    """``(None, 6, 28, 28)`` -> ``"(N, 6, 28, 28)"``; None (unknown) -> ``"?"``."""
    if shape is None:
        return "?"
    return "(" + ", ".join("N" if dim is None else str(dim) for dim in shape) + ")"


def human(count: int) -> str:
    """``61706`` -> ``"61.7 K"``, ``4.2e8`` -> ``"420 M"`` (three significant digits)."""
    for scale, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(count) >= scale:
            return f"{count / scale:.3g} {unit}"
    return str(count)


def human_bytes(count: int) -> str:
    """``3136`` -> ``"3.1 KB"`` (decimal units, like torchinfo)."""
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} B"


def _order(graph: GraphModel) -> list[str]:
    try:
        return graph.topological_order()
    except Exception:  # a cycle: list the nodes as stored, inference reports the cycle
        return list(graph.nodes)


def build_summary(graph: GraphModel, registry: LayerRegistry, report: GraphReport | None = None) -> Summary:
    """Rows for ``graph`` in topological order, filled from shape inference when available.

    Parameters
    ----------
    graph, registry
        The graph and the catalog that describes its layer types.
    report
        A ready inference report (the document keeps one up to date); computed
        here when None.
    """
    rows = {}
    for node_id in _order(graph):
        node = graph.nodes[node_id]
        spec = registry.get(node.type)
        title = spec.title if spec is not None else f"{node.type} (unknown type)"
        rows[node_id] = SummaryRow(node_id, node.name, title, node.type)
    if report is None:
        try:
            from studio.compiler.infer import infer_graph
        except ImportError:  # compiler not installed or not landed: layers without shapes
            return Summary(list(rows.values()))
        try:
            report = infer_graph(graph, registry)
        except Exception as exc:  # a bug in a shape rule must not take the window down
            return Summary(list(rows.values()), problem=f"shape inference failed: {exc}")
    for node_id, result in report.nodes.items():
        row = rows.get(node_id)
        if row is None:
            continue
        shapes = list(result.output_shapes.items())
        if len(shapes) == 1:
            row.shapes = format_shape(shapes[0][1])
        elif shapes:
            row.shapes = "; ".join(f"{port}: {format_shape(shape)}" for port, shape in shapes)
        row.params, row.macs, row.errors = result.params, result.macs, list(result.errors)
        row.activation_bytes = result.activation_bytes
        if row.errors:  # the message is what the user needs; the tooltip has them all
            port, message = row.errors[0]
            row.shapes = f"⚠ {port}: {message}" if port else f"⚠ {message}"
    # Inference order first; nodes it skipped (none, normally) keep the graph's order.
    ordered = [rows[n] for n in report.nodes if n in rows]
    ordered += [row for n, row in rows.items() if n not in report.nodes]
    return Summary(ordered, report.total_params, report.total_macs, report.activation_bytes, inferred=True)


class SummaryTable(QTableWidget):
    """A read-only table of :class:`SummaryRow`; rows with errors are tinted, the message is the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("summaryTable")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        modes = (QHeaderView.ResizeMode.Stretch,) * 3 + (QHeaderView.ResizeMode.Fixed,) * 3
        for column, mode in enumerate(modes):
            header.setSectionResizeMode(column, mode)
        for column in (3, 4, 5):  # numbers: right-aligned like their cells
            self.horizontalHeaderItem(column).setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        self.setColumnWidth(3, 110)
        self.setColumnWidth(4, 120)
        self.setColumnWidth(5, 100)

    def set_rows(self, rows: list[SummaryRow]) -> None:
        """Replace the table's content with ``rows``."""
        self.setRowCount(len(rows))
        for index, row in enumerate(rows):
            numbers = tuple("—" if n is None else f"{n:,}" for n in (row.params, row.macs))
            memory = "—" if row.activation_bytes is None else human_bytes(row.activation_bytes)
            texts = (row.name, row.type_title, row.shapes, *numbers, memory)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(row.type_id if column == 1 else text)
                item.setData(NODE_ID_ROLE, row.node_id)
                if row.errors:
                    item.setBackground(QBrush(_ERROR_BG))
                    item.setForeground(QBrush(_ERROR_FG))
                    item.setToolTip("\n".join(f"{port}: {msg}" if port else msg for port, msg in row.errors))
                self.setItem(index, column, item)


class SummaryPanel(QWidget):
    """Title, the :class:`SummaryTable` and a totals line, for one loaded project.

    Signals
    -------
    node_activated(str)
        A row was clicked: the id of its node (the window selects it).
    """

    node_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryPanel")
        self.title = QLabel(self)
        self.title.setObjectName("summaryTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("summarySubtitle")
        self.table = SummaryTable(self)
        self.table.itemClicked.connect(lambda item: self.node_activated.emit(item.data(NODE_ID_ROLE)))
        self.totals = QLabel(self)
        self.totals.setObjectName("summaryTotals")
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def set_compact(self, compact: bool) -> None:
        """In a dock: no heading (the window title names the project) and tight margins."""
        self.title.setVisible(not compact)
        margins = (10, 6, 10, 6) if compact else (24, 20, 24, 16)
        self.layout().setContentsMargins(*margins)

    def show_summary(self, title: str, summary: Summary) -> None:
        """Fill the panel from ``summary`` under the heading ``title``."""
        self.title.setText(title)
        errors = sum(len(row.errors) for row in summary.rows)
        status = summary.problem or "shapes not inferred (compiler unavailable)"
        if summary.inferred:
            status = f"{errors} error{'s' * (errors != 1)}" if errors else "all shapes valid"
        count = len(summary.rows)
        self.subtitle.setText(f"{count} layer{'s' * (count != 1)} · {status}")
        self.subtitle.setProperty("state", "error" if errors else "ok")
        self.subtitle.style().unpolish(self.subtitle)
        self.subtitle.style().polish(self.subtitle)
        self.table.set_rows(summary.rows)
        if summary.total_params is None or summary.total_macs is None:
            self.totals.setText("")
            return
        self.totals.setText(
            f"<b>{summary.total_params:,}</b> parameters ({human(summary.total_params)}) · "
            f"<b>{human(summary.total_macs)}</b> MACs per sample "
            f"≈ {human(2 * summary.total_macs)} FLOPs (FLOPs = 2 × MACs)"
            + (f" · {human_bytes(summary.activation_bytes)} activations" if summary.activation_bytes else "")
        )

    def select_nodes(self, node_ids: list[str]) -> None:
        """Highlight the rows of ``node_ids`` (follows the document's selection)."""
        wanted = set(node_ids)
        self.table.blockSignals(True)
        self.table.clearSelection()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(NODE_ID_ROLE) in wanted:
                self.table.selectRow(row)
        self.table.blockSignals(False)
