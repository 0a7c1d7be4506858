"""How a palette row is painted: icon, title and a muted one-line description."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1
_ROW_H, _GROUP_H, _ICON = 42, 30, 22


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` towards ``b``."""
    return QColor.fromRgbF(*(x + (y - x) * t for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True)))


class PaletteDelegate(QStyledItemDelegate):
    """Two-line layer rows and small-caps category headers, coloured from the widget's palette."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        """Category rows are compact; layer rows have room for the description."""
        height = _GROUP_H if not index.parent().isValid() else _ROW_H
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        """Draw one row."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = option.palette
        text = pal.color(QPalette.ColorRole.Text)
        muted = _mix(text, pal.color(QPalette.ColorRole.Base), 0.45)
        rect = option.rect
        if not index.parent().isValid():
            self._paint_group(painter, rect, index, muted)
        else:
            self._paint_layer(painter, option, index, text, muted)
        painter.restore()

    def _paint_group(self, painter: QPainter, rect: QRect, index: QModelIndex, muted: QColor) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() * 0.82)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(rect.adjusted(8, 6, -8, 0), Qt.AlignmentFlag.AlignVCenter, index.data())

    def _paint_layer(self, painter, option, index, text: QColor, muted: QColor) -> None:
        rect = option.rect.adjusted(2, 1, -2, -1)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        accent = option.palette.color(QPalette.ColorRole.Highlight)
        if selected or hovered:
            fill = QColor(accent)
            fill.setAlphaF(0.16 if selected else 0.07)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 6, 6)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        icon_rect = QRect(rect.left() + 8, rect.center().y() - _ICON // 2, _ICON, _ICON)
        if icon is not None:
            icon.paint(painter, icon_rect)
        left = icon_rect.right() + 10
        title_font = QFont(painter.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(text)
        top = QRect(left, rect.top() + 4, rect.right() - left - 6, rect.height() // 2 - 2)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, index.data())
        small = QFont(painter.font())
        small.setWeight(QFont.Weight.Normal)
        small.setPointSizeF(small.pointSizeF() * 0.86)
        painter.setFont(small)
        painter.setPen(muted)
        bottom = QRect(left, rect.center().y() + 2, top.width(), rect.height() // 2 - 4)
        desc = painter.fontMetrics().elidedText(
            index.data(DESCRIPTION_ROLE) or "", Qt.TextElideMode.ElideRight, bottom.width()
        )
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, desc)
