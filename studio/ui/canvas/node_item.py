"""Node cards and their ports: dumb views with setters, no model inside.

A :class:`NodeItem` is built from display data only (:class:`NodeLook`) and
changed through setters (``set_title``, ``set_info``, ``set_errors``). The
scene owns the mapping from node ids to items and calls the setters when the
document reports a change. Painting uses cached :class:`QStaticText` and,
when zoomed out, a single filled rect, so large graphs stay fluid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from studio.ui.canvas import style


@dataclass(frozen=True)
class PortLook:
    """One port as the card shows it: name, dtype (``float``/``long``), label."""

    name: str
    dtype: str = "float"
    label: str = ""
    optional: bool = False


@dataclass(frozen=True)
class NodeLook:
    """What a card displays that comes from the catalog, not from inference."""

    node_id: str
    title: str
    type_title: str
    category: str
    inputs: tuple[PortLook, ...] = ()
    outputs: tuple[PortLook, ...] = ()
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False)
    badge: str = ""  # block instances: "BLOCK" or "SHARED", drawn as a pill and a stacked card


class PortItem(QGraphicsItem):
    """A hit-test area for one port; its parent card paints the dot.

    ``ItemHasNoContents`` keeps ports out of the paint pass entirely.
    """

    def __init__(self, parent: NodeItem, look: PortLook, is_output: bool, center: QPointF) -> None:
        super().__init__(parent)
        self.look = look
        self.name = look.name
        self.is_output = is_output
        self.highlight = ""  # "", "valid" or "invalid"
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setPos(center)
        self.setAcceptHoverEvents(False)
        kind = "output" if is_output else "input"
        optional = " (optional)" if look.optional else ""
        self.setToolTip(f"{kind} '{look.name}'{optional}: {look.dtype}")

    @property
    def node_id(self) -> str:
        """The id of the node this port belongs to."""
        return self.parentItem().node_id

    @property
    def ref(self) -> tuple[str, str]:
        """``(node_id, port)`` as the document's connect() takes it."""
        return (self.node_id, self.name)

    def boundingRect(self) -> QRectF:
        """Area the item paints in (local coordinates)."""
        r = style.PORT_RADIUS + 5
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None):
        """Never called (no contents)."""

    def set_highlight(self, state: str) -> None:
        """Mark as a valid/invalid wiring target while a wire is dragged."""
        if state != self.highlight:
            self.highlight = state
            self.parentItem().update()

    def scene_center(self) -> QPointF:
        """The wire attachment point in scene coordinates."""
        return self.scenePos()


class NodeItem(QGraphicsItem):
    """A node card: coloured header with the name, then type, output shape and params."""

    def __init__(self, look: NodeLook) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1.0)
        self.ports_in: dict[str, PortItem] = {}
        self.ports_out: dict[str, PortItem] = {}
        self.errors: list[tuple[str, str]] = []
        self._shape_text = ""
        self._params_text = ""
        self._note: QStaticText | None = None
        self._shape: QStaticText | None = None
        self._params: QStaticText | None = None
        self._tip_stale = False
        self._look = look
        self.set_look(look)

    # ------------------------------------------------------------ setters
    @property
    def node_id(self) -> str:
        """The id of the node shown."""
        return self._look.node_id

    @property
    def look(self) -> NodeLook:
        """The catalog data shown."""
        return self._look

    def set_look(self, look: NodeLook) -> None:
        """Show new catalog data (ports may change with params, e.g. Concat inputs)."""
        self.prepareGeometryChange()
        self._look = look
        self._height = self.height = style.node_height(len(look.inputs), len(look.outputs))
        r = style.PORT_RADIUS
        self._rect = QRectF(-r - 2, -2, style.NODE_WIDTH + 2 * r + 4, self._height + 5)
        self._card = QRectF(0, 0, style.NODE_WIDTH, self._height)
        self._badge = _badge(look.badge) if look.badge else None
        self._stacked: tuple = ()
        if self._badge is not None:  # room for the cards stacked behind, laid out once
            self._rect.adjust(0, 0, _STACK, _STACK)
            self._stacked = tuple((self._card.translated(d, d), fill) for d, fill in _STACKED)
        self._outline = QPainterPath()
        self._outline.addRect(self._card)
        self._color = style.category_color(look.category)
        self.color_name = self._color.name()
        self._title = QStaticText(look.title)
        self._big_title: QStaticText | None = None
        self._type = style.static_text(look.type_title, "small")
        for port in [*self.ports_in.values(), *self.ports_out.values()]:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.ports_in = self._make_ports(look.inputs, False)
        self.ports_out = self._make_ports(look.outputs, True)
        self._dots = [
            (port, port.pos(), *_port_paint(port.look.dtype, port.look.optional))
            for port in (*self.ports_in.values(), *self.ports_out.values())
        ]
        self._update_tooltip()
        self.update()

    def _make_ports(self, looks: tuple[PortLook, ...], is_output: bool) -> dict[str, PortItem]:
        x = style.NODE_WIDTH if is_output else 0.0
        return {
            p.name: PortItem(self, p, is_output, QPointF(x, style.port_y(i, len(looks), self._height)))
            for i, p in enumerate(looks)
        }

    def big_title(self) -> QStaticText:
        """The name as the zoomed-out overview prints it (elided to the card)."""
        if self._big_title is None:
            metrics = QFontMetricsF(style.font(20, bold=True))
            text = metrics.elidedText(self._look.title, Qt.TextElideMode.ElideRight, style.NODE_WIDTH - 20)
            self._big_title = QStaticText(text)
        return self._big_title

    def set_title(self, title: str) -> None:
        """Show a new node name."""
        self._look = NodeLook(**{**self._look.__dict__, "title": title})
        self._title = QStaticText(title)
        self._big_title = None
        self._update_tooltip()
        self.update()

    def set_info(self, shape_text: str, params_text: str, errors: list[tuple[str, str]]) -> None:
        """Show inference results: output shape, parameter count and errors."""
        if (shape_text, params_text, errors) == (self._shape_text, self._params_text, self.errors):
            return
        self._shape = style.static_text(shape_text, "mono")
        self._params = style.static_text(params_text, "small")
        self._shape_text, self._params_text, self.errors = shape_text, params_text, list(errors)
        if errors:
            port, message = errors[0]
            first = f"{port}: {message}" if port else message
            elided = QFontMetricsF(_FONTS["small"]).elidedText(
                first, Qt.TextElideMode.ElideRight, style.NODE_WIDTH - 24
            )
            self._note = QStaticText(elided)
        else:
            self._note = _FONTS["waiting"]
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        """Mark the tooltip stale; it is built when asked for (hover), not on every edit."""
        self._tip_stale = True

    def sync_tooltip(self) -> None:
        """Bring the tooltip up to date (the scene calls this before showing tips)."""
        if not self._tip_stale:
            return
        self._tip_stale = False
        look = self._look
        lines = [f"<b>{look.title}</b> — {look.type_title}"]
        if look.description:
            lines.append(f"<i>{look.description}</i>")
        if self._shape_text:
            lines.append(f"output {self._shape_text}, {self._params_text}")
        for port, message in self.errors:
            where = f"{port}: " if port else ""
            lines.append(f"<span style='color:#d92d20'>⚠ {where}{message}</span>")
        self.setToolTip("<br>".join(lines))

    def toolTip(self) -> str:
        """Name, type, description, output shape, parameter count and errors (rich text)."""
        self.sync_tooltip()
        return super().toolTip()

    # ------------------------------------------------------------ geometry
    def size(self) -> tuple[float, float]:
        """Width and height of the card."""
        return style.NODE_WIDTH, self._height

    def port(self, name: str, output: bool) -> PortItem | None:
        """The port item called ``name`` on the output or input side."""
        return (self.ports_out if output else self.ports_in).get(name)

    def boundingRect(self) -> QRectF:
        """Area the item paints in (local coordinates); cached, Qt asks for it every frame."""
        return self._rect

    def shape(self) -> QPainterPath:
        """Hit-test outline."""
        return self._outline

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None):
        """Draw the card; a plain rect when zoomed out (level of detail)."""
        lod = painter.worldTransform().m11()
        rect = self._card
        selected = self.isSelected()
        if lod < style.OVERVIEW_ZOOM:
            color = style.ERROR if self.errors else self._color
            painter.fillRect(rect, style.SELECTION if selected else color)
            return
        self._paint_card(painter, rect, selected)
        if lod >= 0.25:
            self._paint_text(painter)
        self._paint_ports(painter)

    def _paint_card(self, painter: QPainter, rect: QRectF, selected: bool) -> None:
        if self._badge is not None:  # a block: two cards peek out behind it
            painter.setPen(_PENS["border"])
            for behind, fill in self._stacked:
                painter.setBrush(fill)
                painter.drawRoundedRect(behind, 7, 7)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_GLOW)
            painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 10, 10)
        painter.setBrush(style.ERROR_FILL if self.errors else style.CARD_FILL)
        if self.errors:
            painter.setPen(_PENS["error"])
        else:
            painter.setPen(_PENS["selected"] if selected else _PENS["border"])
        painter.drawRoundedRect(rect, 7, 7)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._color)
        painter.drawPath(_header_path())
        if self.errors:
            x, y = style.NODE_WIDTH - 13, style.HEADER_HEIGHT / 2
            painter.setBrush(style.ERROR)
            painter.drawEllipse(QPointF(x, y), 7, 7)
            painter.setPen(_PENS["white2"])
            painter.drawLine(QPointF(x, y - 3.5), QPointF(x, y + 1))
            painter.drawPoint(QPointF(x, y + 3.5))
        if self._badge is not None:
            text, pill, at = self._badge[1 if self.errors else 0]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_BADGE_FILL)
            painter.drawRoundedRect(pill, 6, 6)
            painter.setPen(_WHITE)
            painter.setFont(_FONTS["badge"])
            painter.drawStaticText(at, text)

    def _paint_text(self, painter: QPainter) -> None:
        painter.setPen(_WHITE)
        painter.setFont(_FONTS["title"])
        painter.drawStaticText(_AT_TITLE, self._title)
        painter.setPen(style.TEXT_MUTED)
        painter.setFont(_FONTS["small"])
        painter.drawStaticText(_AT_ROWS[0], self._type)
        if self._shape_text:
            painter.setPen(style.TEXT)
            painter.setFont(_FONTS["mono"])
            painter.drawStaticText(_AT_ROWS[1], self._shape)
            painter.setPen(style.TEXT_MUTED)
            painter.setFont(_FONTS["small"])
            painter.drawStaticText(_AT_ROWS[2], self._params)
        elif self._note is not None:
            painter.setPen(style.ERROR if self.errors else style.TEXT_MUTED)
            painter.setFont(_FONTS["small"])
            painter.drawStaticText(_AT_ROWS[1], self._note)
            if self.errors:
                painter.drawStaticText(_AT_ROWS[2], _FONTS["hover"])

    def _paint_ports(self, painter: QPainter) -> None:
        radius = style.PORT_RADIUS
        for port, center, pen, brush in self._dots:
            if port.highlight:
                painter.setPen(_PENS["valid" if port.highlight == "valid" else "invalid"])
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(center, radius + 3.5, radius + 3.5)
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawEllipse(center, radius, radius)


_PORT_PAINT: dict[tuple[str, bool], tuple[QPen, QBrush]] = {}


def _port_paint(dtype: str, optional: bool) -> tuple[QPen, QBrush]:
    """Pen and brush of a port dot: filled with the dtype colour, hollow when optional."""
    key = (dtype, optional)
    if key not in _PORT_PAINT:
        color = QColor(style.DTYPE_COLORS.get(dtype, style.DTYPE_COLORS["float"]))
        if optional:
            _PORT_PAINT[key] = (QPen(color, 1.5), QBrush(QColor("white")))
        else:
            _PORT_PAINT[key] = (QPen(QColor("white"), 1.5), QBrush(color))
    return _PORT_PAINT[key]


_BADGES: dict[str, tuple] = {}
_STACK = 6.0  # offset of the last card stacked behind a block instance
_BADGE_FILL = QColor(255, 255, 255, 60)
_STACKED = ((_STACK, style.STACK_BACK), (_STACK / 2, style.STACK_MID))  # back to front


def _badge(label: str) -> tuple:
    """The badge of ``label``, laid out once: (text, pill, text origin), without and with an error icon."""
    if label not in _BADGES:
        text = QStaticText(label)
        width = QFontMetricsF(_FONTS["badge"]).horizontalAdvance(label) + 12
        placed = []
        for right in (style.NODE_WIDTH - 7, style.NODE_WIDTH - 27):  # left of the error icon when shown
            pill = QRectF(right - width, 5, width, style.HEADER_HEIGHT - 10)
            placed.append((text, pill, QPointF(pill.left() + 6, pill.top() + 1)))
        _BADGES[label] = tuple(placed)
    return _BADGES[label]


_GLOW = QColor(37, 99, 235, 60)
_WHITE = QColor("white")
_AT_TITLE = QPointF(10, 4)
_BODY_TOP = style.HEADER_HEIGHT + 5
_AT_ROWS = tuple(QPointF(12, _BODY_TOP + i * style.ROW_HEIGHT) for i in range(3))  # type, shape, params
_PENS = {
    "error": QPen(style.ERROR, 2.0),
    "selected": QPen(style.SELECTION, 2.0),
    "border": QPen(style.CARD_BORDER, 1.0),
    "white2": QPen(QColor("white"), 2.0),
    "valid": QPen(style.VALID_TARGET, 2.5),
    "invalid": QPen(style.INVALID_TARGET, 2.5),
}
_HEADER: list[QPainterPath] = []


def _rebuild_border() -> None:
    _PENS["border"] = QPen(style.CARD_BORDER, 1.0)  # a pen copies its colour: follow the theme


style.THEME_LISTENERS.append(_rebuild_border)


def _header_path() -> QPainterPath:
    """The card's coloured title band (rounded top corners), built once."""
    if not _HEADER:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        top = QRectF(0.5, 0.5, style.NODE_WIDTH - 1, style.HEADER_HEIGHT)
        path.addRoundedRect(top, 6.5, 6.5)
        path.addRect(top.adjusted(0, style.HEADER_HEIGHT / 2, 0, 0))
        _HEADER.append(path.simplified())
    return _HEADER[0]


class _Fonts(dict):
    """Fonts built on first use (a QFont needs the QGuiApplication)."""

    def __missing__(self, key: str):
        value = {
            "title": lambda: style.font(8.5, bold=True),
            "small": lambda: style.font(7.5),
            "mono": lambda: style.font(7.5, mono=True),
            "badge": lambda: style.font(6.5, bold=True),
            "waiting": lambda: QStaticText("waiting for inputs"),
            "hover": lambda: QStaticText("hover for details"),
        }[key]()
        self[key] = value
        return value


_FONTS = _Fonts()
