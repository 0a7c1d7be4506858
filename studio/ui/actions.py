"""The window's actions as one table: name, text, shortcut, icon, tip and menu.

The main window builds a ``QAction`` per row and connects it to the method of
the same name (``save`` -> ``MainWindow.save``), so shortcuts and menus are
data that a test or a settings page can read. Canvas actions (copy, paste,
fit...) are routed to the canvas when it exists (see ``MainWindow._route``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from studio.ui.resources import icon

SK = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One row of :data:`ACTIONS`."""

    name: str
    text: str
    shortcut: tuple = ()  # QKeySequence.StandardKey or strings; the first is the primary
    icon: str = ""
    tip: str = ""
    menu: str = ""
    needs_project: bool = True
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "new_project", "&New Project…", (SK.New,), "new", "Start page: blank or a template", "File", False
    ),
    ActionSpec("choose_and_open", "&Open…", (SK.Open,), "open", "Open a project file", "File", False),
    ActionSpec("save", "&Save", (SK.Save,), "save", "Save the project", "File"),
    ActionSpec("save_as", "Save &As…", (SK.SaveAs,), "", "Save under a new name", "File"),
    ActionSpec(
        "export_python", "&Export as PyTorch…", ("Ctrl+E",), "export", "Write readable PyTorch code", "File"
    ),
    ActionSpec(
        "import_data",
        "&Import Data…",
        (),
        "",
        "Use your own files (images, CSV, NumPy, IDX, CIFAR-10) as the project's dataset",
        "File",
    ),
    ActionSpec("close_project", "&Close Project", (SK.Close,), "", "", "File"),
    ActionSpec("quit", "&Quit", (SK.Quit,), "", "", "File", False),
    ActionSpec("undo", "&Undo", (SK.Undo,), "undo", "Undo the last edit", "Edit"),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", SK.Redo), "redo", "Redo", "Edit"),
    ActionSpec("cut", "Cu&t", (SK.Cut,), "", "", "Edit"),
    ActionSpec("copy", "&Copy", (SK.Copy,), "", "", "Edit"),
    ActionSpec("paste", "&Paste", (SK.Paste,), "", "", "Edit"),
    ActionSpec("duplicate", "&Duplicate", ("Ctrl+D",), "", "", "Edit"),
    ActionSpec(
        "delete_selection", "&Delete", (SK.Delete, "Backspace"), "delete", "Delete the selection", "Edit"
    ),
    ActionSpec("select_all", "Select &All", (SK.SelectAll,), "", "", "Edit"),
    ActionSpec(
        "group_block",
        "&Group into Block…",
        ("Ctrl+G",),
        "block",
        "Replace the selected layers by a block",
        "Edit",
    ),
    ActionSpec(
        "expand_block",
        "E&xpand Block",
        ("Ctrl+Shift+G",),
        "",
        "Replace the selected block by its layers",
        "Edit",
    ),
    ActionSpec(
        "edit_block", "Edit Block De&finition", (), "", "Edit the block; every instance follows", "Edit"
    ),
    ActionSpec("rename_block", "Re&name Block…", (), "", "Rename the selected instance's block", "Edit"),
    ActionSpec(
        "share_block_weights",
        "&Share Block Weights",
        (),
        "",
        "Selected instances of a block share one set of weights (Siamese networks)",
        "Edit",
        True,
        True,
    ),
    ActionSpec("fit_view", "&Fit to View", ("F",), "fit", "Show the whole graph", "View"),
    ActionSpec(
        "toggle_theme", "&Dark Theme", ("Ctrl+Shift+T",), "theme", "Switch light/dark", "View", False, True
    ),
    ActionSpec("toggle_full_screen", "&Full Screen", ("F11",), "", "", "View", False, True),
    ActionSpec("show_about", "&About NetStudio", (), "", "", "Help", False),
)


def build_actions(owner: QWidget) -> dict[str, QAction]:
    """One ``QAction`` per :data:`ACTIONS` row, parented to ``owner`` and keyed by name (not connected)."""
    actions = {}
    for spec in ACTIONS:
        action = QAction(icon(spec.icon), spec.text, owner)
        action.setObjectName(spec.name)
        if spec.shortcut:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcut])
        tip = spec.tip or spec.text.replace("&", "").rstrip("…")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
        action.setCheckable(spec.checkable)
        actions[spec.name] = action
    actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
    return actions
