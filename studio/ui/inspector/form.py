"""The inspector form of one node: name, then one editor per param of its layer type.

The form only *reads* the model and emits intents to the
:class:`~studio.ui.document.Document` (``set_param``, ``rename``); it follows
the model through ``graph_changed``, so undo, redo and edits from elsewhere
show up here too. Values are pushed into editors with signals blocked
(DESIGN.md pitfall 3), so nothing loops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from studio.ui.inspector.editors import ParamEditor, make_editor
from studio.ui.resources import icon

if TYPE_CHECKING:
    from studio.ui.document import Document

BATCH_FIRST_CATEGORIES = ("Recurrent", "Attention")
BATCH_FIRST_NOTE = (
    "Sequences are batch-first, (N, T, F): NetStudio always sets <code>batch_first=True</code> "
    "on recurrent and attention layers."
)


def _label(text: str, name: str, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    return label


class InspectorForm(QWidget):
    """Editors for the node ``node_id`` of ``document``.

    Attributes
    ----------
    editors : dict[str, ParamEditor]
        The editor of each param, by param name.
    message : QLabel
        The last refusal ("" when the last edit was accepted).
    """

    def __init__(self, document: Document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorForm")
        self.document, self.node_id = document, node_id
        node = document.graph.node(node_id)
        self.spec = document.registry.get(node.type)
        self.editors: dict[str, ParamEditor] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(8)
        outer.addWidget(self._header(node.type))
        self.message = _label("", "inspectorMessage")
        self.message.hide()
        outer.addWidget(self.message)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        self.name_edit = QLineEdit(node.name)
        self.name_edit.setObjectName("nodeName")
        self.name_edit.setToolTip("The submodule name in the exported code (a Python identifier).")
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow("Name", self.name_edit)
        for param in self.spec.params if self.spec is not None else ():
            self._add_param_row(form, param)
        outer.addLayout(form)
        if self.spec is not None and self.spec.category in BATCH_FIRST_CATEGORIES:
            outer.addWidget(_label(BATCH_FIRST_NOTE, "inspectorNote", rich=True))
        self.shape_info = _label("", "inspectorShape")
        outer.addWidget(self.shape_info)
        outer.addStretch(1)
        self.refresh()
        self.show_report()
        document.graph_changed.connect(self._on_graph_changed)
        document.report_changed.connect(self.show_report)

    def _header(self, type_id: str) -> QWidget:
        header = QWidget()
        header.setObjectName("inspectorHeader")
        row = QFormLayout(header)
        row.setContentsMargins(0, 0, 0, 4)
        title = self.spec.title if self.spec is not None else f"{type_id} (missing plugin)"
        badge = QLabel()
        badge.setPixmap(icon(self.spec.icon if self.spec else "", "layer").pixmap(28, 28))
        heading = _label(
            f"<b>{title}</b><br><span style='font-size:8.5pt; font-weight:400'>{type_id}</span>",
            "inspectorTitle",
            rich=True,
        )
        row.addRow(badge, heading)
        if self.spec is not None and self.spec.description:
            row.addRow(_label(self.spec.description, "inspectorDescription"))
        return header

    def _add_param_row(self, form: QFormLayout, param: Any) -> None:
        editor = make_editor(param)
        editor.setObjectName(f"param_{param.name}")
        editor.setToolTip(param.help)
        editor.edited.connect(lambda value, finished, key=param.name: self.commit(key, value, finished))
        editor.invalid.connect(self.show_message)
        self.editors[param.name] = editor
        label = QLabel(param.label or param.name)
        label.setToolTip(param.help)
        form.addRow(label, editor)
        if param.help:
            form.addRow("", _label(param.help, "paramHelp"))

    # ------------------------------------------------------------ intents
    def commit(self, key: str, value: Any, finished: bool = True) -> str:
        """Ask the document to set ``key``; show and return the refusal, if any."""
        node = self.document.graph.nodes.get(self.node_id)
        if node is None:
            return ""
        if node.params.get(key, self._default(key)) == value:
            if finished:
                self.document.history.seal()  # end a spin-box run; nothing new to record
            return ""
        error = self.document.set_param(self.node_id, key, value, finished=finished)
        self.show_message(error)
        if error:
            self.refresh()
        return error

    def _rename(self) -> None:
        node = self.document.graph.nodes.get(self.node_id)
        name = self.name_edit.text().strip()
        if node is None or name == node.name:
            return
        error = self.document.rename(self.node_id, name)
        self.show_message(error)
        if error:
            self.name_edit.setText(node.name)

    def show_message(self, text: str) -> None:
        """Show why an edit was refused (``""`` hides it)."""
        self.message.setText(f"⚠ {text}" if text else "")
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------- model
    def _default(self, key: str) -> Any:
        known = {p.name: p.default for p in self.spec.params} if self.spec else {}
        return known.get(key)

    def refresh(self) -> None:
        """Show the node's current name and values."""
        node = self.document.graph.nodes.get(self.node_id)
        if node is None:
            return
        if not self.name_edit.hasFocus() or not self.name_edit.isModified():
            self.name_edit.setText(node.name)
        for key, editor in self.editors.items():
            editor.set_value(node.params.get(key, self._default(key)))

    def _on_graph_changed(self, name: str, args: tuple) -> None:
        if name in ("param_changed", "renamed") and args and args[0] == self.node_id:
            self.refresh()

    def show_report(self, *_: Any) -> None:
        """Output shapes, params and errors of this node from the latest inference."""
        result = self.document.report.nodes.get(self.node_id)
        if result is None:
            self.shape_info.setText("")
            return
        from studio.ui.summary import format_shape

        lines = [f"<b>out</b> {port}: {format_shape(s)}" for port, s in result.output_shapes.items()]
        lines.append(f"<b>params</b> {result.params:,} · <b>MACs</b> {result.macs:,}")
        lines += [f"<span style='color:#dc2626'>⚠ {msg}</span>" for _, msg in result.errors]
        self.shape_info.setText("<br>".join(lines))
        self.shape_info.setTextFormat(Qt.TextFormat.RichText)

    def detach(self) -> None:
        """Stop following the document (the form is being replaced)."""
        self.document.graph_changed.disconnect(self._on_graph_changed)
        self.document.report_changed.disconnect(self.show_report)
