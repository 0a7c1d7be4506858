"""The layer palette: the catalog by category, with icons, descriptions and fuzzy search.

Built once from a :class:`~studio.layers.registry.LayerRegistry`; every entry
reads the spec's ``title``, ``description``, ``icon`` and ``type_id`` (the one
declaration rule), so the palette never keeps its own list of layers. Entries
are a drag source (:data:`LAYER_MIME` carries the type id) and double-click or
Enter asks to add the layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from studio.ui.palette_delegate import DESCRIPTION_ROLE, PaletteDelegate
from studio.ui.resources import icon

if TYPE_CHECKING:
    from studio.layers.registry import LayerRegistry
    from studio.layers.spec import LayerSpec

TYPE_ID_ROLE = Qt.ItemDataRole.UserRole
LAYER_MIME = "application/x-netstudio-layer"  # payload: the type id, UTF-8


def fuzzy_score(query: str, spec: LayerSpec) -> int:
    """How well ``query`` matches ``spec`` (0 = no match; higher is better).

    Every word must match: as a prefix of the title (best), a substring of the
    title or type id, a substring of the category or description, or - for
    typos and abbreviations such as ``"bnorm"`` or ``"cnv2"`` - as a subsequence
    of the title or type id.
    """
    title = spec.title.lower()
    name = spec.type_id.split(".", 1)[-1].lower()
    text = f"{spec.category} {spec.description}".lower()
    score = 0
    for word in query.lower().split():
        if title.startswith(word) or name.startswith(word):
            score += 100
        elif word in title or word in name:
            score += 60
        elif word in text:
            score += 30
        elif _subsequence(word, title) or _subsequence(word, name):
            score += 10
        else:
            return 0
    return max(score, 1)


def _subsequence(needle: str, haystack: str) -> bool:
    letters = iter(haystack)
    return all(ch in letters for ch in needle)


class PaletteTree(QTreeWidget):
    """Categories as top-level items, one child per layer type (``UserRole`` = type id).

    Signals
    -------
    add_requested(str)
        Double-click or Enter on a layer: add one of this type.
    """

    add_requested = Signal(str)

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paletteTree")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setIconSize(QSize(22, 22))
        self.setItemDelegate(PaletteDelegate(self))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setMouseTracking(True)
        self._specs: dict[str, LayerSpec] = {}
        for category, specs in registry.categories().items():
            group = QTreeWidgetItem(self, [category.upper()])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setToolTip(0, f"{len(specs)} layer types")
            for spec in specs:
                item = QTreeWidgetItem(group, [spec.title])
                tip = f"<b>{spec.title}</b><br>{spec.description}<br><code>{spec.type_id}</code>"
                item.setToolTip(0, tip)
                item.setData(0, TYPE_ID_ROLE, spec.type_id)
                item.setData(0, DESCRIPTION_ROLE, spec.description)
                item.setIcon(0, icon(spec.icon, "layer"))
                flags = (
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                )
                item.setFlags(flags)
                self._specs[spec.type_id] = spec
        self.expandAll()
        self.itemDoubleClicked.connect(self._activate)

    # ------------------------------------------------------------ queries
    def _layer_items(self):
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            for row in range(group.childCount()):
                yield group, group.child(row)

    def item_for(self, type_id: str) -> QTreeWidgetItem | None:
        """The entry of ``type_id``, or None when the catalog has no such type."""
        return next((item for _, item in self._layer_items() if item.data(0, TYPE_ID_ROLE) == type_id), None)

    def visible_type_ids(self) -> list[str]:
        """Type ids of the entries the current filter shows, in palette order."""
        return [
            item.data(0, TYPE_ID_ROLE)
            for group, item in self._layer_items()
            if not group.isHidden() and not item.isHidden()
        ]

    # ------------------------------------------------------------ filter
    def apply_filter(self, text: str) -> int:
        """Show only entries that fuzzy-match every word of ``text``; select the best match.

        Returns
        -------
        int
            How many layer types remain visible.
        """
        best, best_score, visible = None, 0, 0
        shown_in: dict[int, int] = {}
        for group, item in self._layer_items():
            score = fuzzy_score(text, self._specs[item.data(0, TYPE_ID_ROLE)]) if text.strip() else 1
            item.setHidden(score == 0)
            shown_in[id(group)] = shown_in.get(id(group), 0) + (score > 0)
            visible += score > 0
            if score > best_score:
                best, best_score = item, score
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            group.setHidden(shown_in.get(id(group), 0) == 0)
        self.expandAll()
        if text.strip() and best is not None:
            self.setCurrentItem(best)
            self.scrollToItem(best)
        else:
            self.clearSelection()
        return visible

    # ------------------------------------------------------------- events
    def _activate(self, item: QTreeWidgetItem) -> None:
        type_id = item.data(0, TYPE_ID_ROLE) if item is not None else None
        if type_id:
            self.add_requested.emit(type_id)

    def activate_current(self) -> None:
        """Ask to add the selected layer (Enter in the search box)."""
        self._activate(self.currentItem())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Enter adds the current layer."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate_current()
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt override)
        """The palette drags layer type ids."""
        return [LAYER_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 (Qt override)
        """Drag payload: :data:`LAYER_MIME` with the type id (and plain text for other targets)."""
        data = QMimeData()
        ids = [i.data(0, TYPE_ID_ROLE) for i in items if i.data(0, TYPE_ID_ROLE)]
        if ids:
            data.setData(LAYER_MIME, ids[0].encode("utf-8"))
            data.setText(ids[0])
        return data


class PalettePanel(QWidget):
    """The search box above the :class:`PaletteTree`; the content of the "Layers" dock."""

    def __init__(self, registry: LayerRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palettePanel")
        self.search = QLineEdit(self)
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Search layers…  (e.g. conv, lstm, bnorm)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.tree = PaletteTree(registry, self)
        self.add_requested = self.tree.add_requested
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.tree.apply_filter)
        self.search.returnPressed.connect(self.tree.activate_current)
