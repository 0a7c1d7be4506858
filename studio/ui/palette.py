"""The layer palette: the catalog by category, with a search box.

Built once from a :class:`~studio.layers.registry.LayerRegistry`; every entry
reads the spec's ``title``, ``description`` and ``type_id`` (the one
declaration rule), so the palette never keeps its own list of layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from studio.ui.resources import icon

if TYPE_CHECKING:
    from studio.layers.registry import LayerRegistry
    from studio.layers.spec import LayerSpec

TYPE_ID_ROLE = Qt.ItemDataRole.UserRole


def _matches(spec: LayerSpec, words: list[str]) -> bool:
    haystack = f"{spec.title} {spec.type_id} {spec.category} {spec.description}".lower()
    return all(word in haystack for word in words)


class PaletteTree(QTreeWidget):
    """Categories as top-level items, one child per layer type (``UserRole`` = type id)."""

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paletteTree")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setIndentation(14)
        self._specs: dict[str, LayerSpec] = {}
        for category, specs in registry.categories().items():
            group = QTreeWidgetItem(self, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setToolTip(0, f"{len(specs)} layer types")
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setForeground(0, QBrush(QColor("#52606d")))
            for spec in specs:
                item = QTreeWidgetItem(group, [spec.title])
                tip = f"{spec.description}\n{spec.type_id}" if spec.description else spec.type_id
                item.setToolTip(0, tip)
                item.setData(0, TYPE_ID_ROLE, spec.type_id)
                item.setIcon(0, icon(spec.icon))
                self._specs[spec.type_id] = spec
        self.expandAll()

    def item_for(self, type_id: str) -> QTreeWidgetItem | None:
        """The entry of ``type_id``, or None when the catalog has no such type."""
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            for row in range(group.childCount()):
                if group.child(row).data(0, TYPE_ID_ROLE) == type_id:
                    return group.child(row)
        return None

    def visible_type_ids(self) -> list[str]:
        """Type ids of the entries the current filter shows, in palette order."""
        shown = []
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            if group.isHidden():
                continue
            for row in range(group.childCount()):
                if not group.child(row).isHidden():
                    shown.append(group.child(row).data(0, TYPE_ID_ROLE))
        return shown

    def apply_filter(self, text: str) -> int:
        """Show only entries whose title, id, category or description contain every word of ``text``.

        Returns
        -------
        int
            How many layer types remain visible.
        """
        words = text.lower().split()
        visible = 0
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            shown_here = 0
            for row in range(group.childCount()):
                child = group.child(row)
                hit = _matches(self._specs[child.data(0, TYPE_ID_ROLE)], words)
                child.setHidden(not hit)
                shown_here += hit
            group.setHidden(shown_here == 0)
            visible += shown_here
        self.expandAll()
        return visible


class PalettePanel(QWidget):
    """The search box above the :class:`PaletteTree`; the content of the "Layers" dock."""

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palettePanel")
        self.search = QLineEdit(self)
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = PaletteTree(registry, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.tree.apply_filter)
