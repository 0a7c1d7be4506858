"""The layer palette: the catalog by category, with icons, descriptions and fuzzy search.

Built once from a :class:`~studio.layers.registry.LayerRegistry`; every entry
reads the spec's ``title``, ``description``, ``icon`` and ``type_id`` (the one
declaration rule), so the palette never keeps its own list of layers. Entries
are a drag source (:data:`LAYER_MIME` carries the type id) and double-click or
Enter asks to add the layer. The blocks defined in the open project are listed
first, under "Project blocks" (:meth:`PaletteTree.set_blocks`), and drag as
:data:`BLOCK_MIME` with the block id.
"""

from __future__ import annotations

from dataclasses import dataclass
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
BLOCK_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # (UserRole + 1 is the delegate's description)
LAYER_MIME = "application/x-netstudio-layer"  # payload: the type id, UTF-8
BLOCK_MIME = "application/x-netstudio-block"  # payload: the block id, UTF-8
PROJECT_BLOCKS = "Project blocks"


@dataclass(frozen=True)
class BlockEntry:
    """A block of the open project as the palette lists it (fuzzy search reads the same fields as a spec)."""

    block_id: str
    title: str
    description: str
    tooltip: str = ""
    category: str = PROJECT_BLOCKS

    @property
    def type_id(self) -> str:
        """Searchable like a layer type id (``block.<id>``)."""
        return f"block.{self.block_id}"


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
    block_requested(str)
        Double-click or Enter on a project block: add an instance of this block id.
    """

    add_requested = Signal(str)
    block_requested = Signal(str)

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
        self._blocks: dict[str, BlockEntry] = {}
        self._filter = ""
        self._blocks_group = QTreeWidgetItem(self, [PROJECT_BLOCKS.upper()])
        self._blocks_group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self._blocks_group.setHidden(True)
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

    def block_item(self, block_id: str) -> QTreeWidgetItem | None:
        """The "Project blocks" entry of ``block_id``, or None."""
        group = self._blocks_group
        items = (group.child(row) for row in range(group.childCount()))
        return next((item for item in items if item.data(0, BLOCK_ID_ROLE) == block_id), None)

    def visible_type_ids(self) -> list[str]:
        """Type ids of the layer entries the current filter shows, in palette order."""
        return [
            item.data(0, TYPE_ID_ROLE)
            for group, item in self._layer_items()
            if not group.isHidden() and not item.isHidden() and group is not self._blocks_group
        ]

    def visible_block_ids(self) -> list[str]:
        """Ids of the project blocks the current filter shows."""
        group = self._blocks_group
        items = (group.child(row) for row in range(group.childCount()))
        return [i.data(0, BLOCK_ID_ROLE) for i in items if not group.isHidden() and not i.isHidden()]

    # ------------------------------------------------------------ project blocks
    def set_blocks(self, entries: list[BlockEntry]) -> None:
        """List ``entries`` under "Project blocks" (hidden when there are none); keeps the filter."""
        group = self._blocks_group
        current = self.currentItem()
        current_block = current.data(0, BLOCK_ID_ROLE) if current is not None else None
        group.takeChildren()
        self._blocks = {e.block_id: e for e in entries}
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        for entry in entries:
            item = QTreeWidgetItem(group, [entry.title])
            item.setToolTip(0, entry.tooltip or entry.description)
            item.setData(0, BLOCK_ID_ROLE, entry.block_id)
            item.setData(0, DESCRIPTION_ROLE, entry.description)
            item.setIcon(0, icon("block", "layer"))
            item.setFlags(flags)
            if entry.block_id == current_block:
                self.setCurrentItem(item)
        group.setToolTip(0, f"{len(entries)} block(s) defined in this project")
        self.apply_filter(self._filter, select=False)

    # ------------------------------------------------------------ filter
    def apply_filter(self, text: str, select: bool = True) -> int:
        """Show only entries that fuzzy-match every word of ``text``; select the best match.

        Returns
        -------
        int
            How many entries (layer types and project blocks) remain visible.
        """
        self._filter = text
        best, best_score, visible = None, 0, 0
        shown_in: dict[int, int] = {}
        for group, item in self._layer_items():
            block_id = item.data(0, BLOCK_ID_ROLE)
            spec = self._blocks[block_id] if block_id else self._specs[item.data(0, TYPE_ID_ROLE)]
            score = fuzzy_score(text, spec) if text.strip() else 1
            item.setHidden(score == 0)
            shown_in[id(group)] = shown_in.get(id(group), 0) + (score > 0)
            visible += score > 0
            if score > best_score:
                best, best_score = item, score
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            group.setHidden(shown_in.get(id(group), 0) == 0)
        self.expandAll()
        if not select:
            return visible
        if text.strip() and best is not None:
            self.setCurrentItem(best)
            self.scrollToItem(best)
        else:
            self.clearSelection()
        return visible

    # ------------------------------------------------------------- events
    def _activate(self, item: QTreeWidgetItem) -> None:
        if item is None:
            return
        block_id, type_id = item.data(0, BLOCK_ID_ROLE), item.data(0, TYPE_ID_ROLE)
        if block_id:
            self.block_requested.emit(block_id)
        elif type_id:
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
        """The palette drags layer type ids and project block ids."""
        return [LAYER_MIME, BLOCK_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 (Qt override)
        """Drag payload: the type id (:data:`LAYER_MIME`) or block id (:data:`BLOCK_MIME`), and plain text."""
        data = QMimeData()
        for role, mime in ((TYPE_ID_ROLE, LAYER_MIME), (BLOCK_ID_ROLE, BLOCK_MIME)):
            ids = [i.data(0, role) for i in items if i.data(0, role)]
            if ids:
                data.setData(mime, ids[0].encode("utf-8"))
                data.setText(ids[0])
                break
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
        self.block_requested = self.tree.block_requested
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.tree.apply_filter)
        self.search.returnPressed.connect(self.tree.activate_current)
