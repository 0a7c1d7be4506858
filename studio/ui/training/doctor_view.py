"""The training doctor's findings as a list: severity icon, where, what happened, and the fix."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

SEVERITY_COLORS = {"error": "#d64545", "warning": "#e8a317", "info": "#3d7edb"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
NODE_ROLE = Qt.ItemDataRole.UserRole


def severity_icon(severity: str, size: int = 14) -> QIcon:
    """A filled circle with ``!`` or ``i`` in the severity's colour (drawn, so it is crisp anywhere)."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(SEVERITY_COLORS.get(severity, "#7b8794"))))
    painter.drawEllipse(QPointF(size / 2, size / 2), size / 2 - 0.5, size / 2 - 0.5)
    painter.setPen(QColor("white"))
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(int(size * 0.75))
    painter.setFont(font)
    painter.drawText(
        pixmap.rect().adjusted(0, 0, -size, -size),
        Qt.AlignmentFlag.AlignCenter,
        "i" if severity == "info" else "!",
    )
    painter.end()
    return QIcon(pixmap)


class DoctorList(QTreeWidget):
    """Findings of the current run, one row per problem and layer, worst first.

    A finding that recurs (same code and layer) updates its row instead of adding one.

    Signals
    -------
    node_activated(str)
        A row about a layer was clicked: the layer's node id.
    """

    node_activated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingDoctor")
        self.setHeaderLabels(["Layer", "Epoch", "Finding", "Fix"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setIconSize(QSize(14, 14))
        self.setColumnWidth(0, 120)
        self.setColumnWidth(1, 66)
        self.setColumnWidth(2, 440)
        self.header().setStretchLastSection(True)
        self.itemClicked.connect(self._on_click)
        self._rows: dict[tuple, QTreeWidgetItem] = {}

    @property
    def count(self) -> int:
        """Number of rows (distinct problems)."""
        return len(self._rows)

    def clear_findings(self) -> None:
        """Forget every row (a new run starts)."""
        self.clear()
        self._rows.clear()

    def add_findings(self, findings: list[dict]) -> None:
        """Show new findings (dicts with code, severity, message, fix, node, epoch, step)."""
        for finding in findings:
            key = (finding.get("code"), finding.get("node"))
            item = self._rows.get(key)
            if item is None:
                item = self._rows[key] = QTreeWidgetItem(self)
            severity = str(finding.get("severity", "info"))
            epoch = finding.get("epoch")
            message = _sentence(finding.get("message", ""))
            fix = str(finding.get("fix", ""))
            item.setIcon(0, severity_icon(severity))
            item.setText(0, str(finding.get("node") or "—"))
            item.setText(1, str(epoch) if epoch else "")
            item.setText(2, message)
            item.setText(3, fix)
            item.setToolTip(0, f"{severity} · {finding.get('code', '')}")
            item.setToolTip(2, message)
            item.setToolTip(3, fix)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
            item.setData(0, NODE_ROLE, finding.get("node_id") or "")
            item.setData(1, NODE_ROLE, SEVERITY_ORDER.get(severity, 3))
        self._sort()

    def _sort(self) -> None:
        items = [self.takeTopLevelItem(0) for _ in range(self.topLevelItemCount())]
        items.sort(key=lambda it: it.data(1, NODE_ROLE))
        self.addTopLevelItems(items)

    def _on_click(self, item: QTreeWidgetItem) -> None:
        node = item.data(0, NODE_ROLE)
        if node:
            self.node_activated.emit(node)


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:] if text else text
