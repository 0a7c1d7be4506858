"""The training doctor's findings on the cards of the nodes they concern.

A :class:`DoctorMark` is a child item of a node card: an amber (warning) or
red (error) disc with "!" at the card's top-left corner whose tooltip lists
the findings and their fixes. Like the heat badges it is a view only; the
findings come from the training panel.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

SEVERITY_COLORS = {"error": "#d92d20", "warning": "#f79009", "info": "#2e90fa"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
RADIUS = 8.0


def worst_severity(findings: list[dict]) -> str:
    """The most serious severity among ``findings`` (error > warning > info)."""
    return min((str(f.get("severity", "info")) for f in findings), key=lambda s: SEVERITY_RANK.get(s, 3))


def findings_tooltip(findings: list[dict]) -> str:
    """Rich-text tooltip: one line per finding with its fix."""
    lines = ["<b>Training doctor</b>"]
    for finding in findings:
        color = SEVERITY_COLORS.get(str(finding.get("severity")), "#667085")
        message = html.escape(str(finding.get("message", "")))
        fix = html.escape(str(finding.get("fix", "")))
        lines.append(
            f"<span style='color:{color}'>●</span> {message}" + (f"<br>&nbsp;&nbsp;→ {fix}" if fix else "")
        )
    return "<br>".join(lines)


class DoctorMark(QGraphicsItem):
    """A severity disc on a card; hover it for the findings."""

    def __init__(self, parent: QGraphicsItem, findings: list[dict]) -> None:
        super().__init__(parent)
        self.findings = list(findings)
        self.severity = worst_severity(findings)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(findings_tooltip(findings))
        self.setPos(QPointF(0, 0))
        self.setZValue(2)
        self._brush = QBrush(QColor(SEVERITY_COLORS.get(self.severity, "#667085")))
        self._pen = QPen(QColor("white"), 1.5)
        self._font = QFont()
        self._font.setBold(True)
        self._font.setPointSizeF(8.0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        """The disc."""
        return QRectF(-RADIUS - 1, -RADIUS - 1, 2 * RADIUS + 2, 2 * RADIUS + 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        """A filled disc with a white "!"."""
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawEllipse(QPointF(0, 0), RADIUS, RADIUS)
        painter.setFont(self._font)
        painter.drawText(QRectF(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS), Qt.AlignmentFlag.AlignCenter, "!")
