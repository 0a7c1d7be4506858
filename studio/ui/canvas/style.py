"""Colours, sizes and text formats shared by the canvas items (no behaviour).

Node cards have a fixed width and a height that depends only on their port
count, so the scene never runs a text layout to place anything: painting is
cheap and a 5,000-node graph needs no per-frame layout.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QStaticText

NODE_WIDTH = 176.0
HEADER_HEIGHT = 24.0
ROW_HEIGHT = 16.0
BODY_ROWS = 3  # type, output shape, params
PORT_RADIUS = 5.0
PORT_SPACING = 18.0
GRID = 20.0  # snapping step; the background draws a line every GRID and a bold one every 5
OVERVIEW_ZOOM = 0.4  # below this zoom level nodes are plain rects and wires straight lines
LABEL_ZOOM = 0.6  # below this zoom level wire labels are not drawn

CATEGORY_COLORS = {
    "Input / Output": "#2e7d5b",
    "Dense": "#2f6fed",
    "Convolution": "#7c3aed",
    "Pooling": "#0e8a9a",
    "Reshape": "#8a6d3b",
    "Normalization": "#d97706",
    "Regularization": "#64748b",
    "Activation": "#db2777",
    "Recurrent": "#4338ca",
    "Attention": "#0f766e",
    "Merge": "#b45309",
    "Graph": "#65a30d",
    "Generative": "#9333ea",
    "Blocks": "#334155",
}
UNKNOWN_COLOR = "#94a3b8"
DTYPE_COLORS = {"float": "#3b82f6", "long": "#f59e0b"}

CARD_FILL = QColor("#ffffff")
CARD_BORDER = QColor("#cbd2dc")
CARD_SHADOW = QColor(15, 23, 42, 28)
TEXT = QColor("#1f2937")
TEXT_MUTED = QColor("#6b7280")
ERROR = QColor("#d92d20")
ERROR_FILL = QColor("#fff4f3")
SELECTION = QColor("#2563eb")
WIRE = QColor("#8792a6")
WIRE_ERROR = QColor("#e5484d")
VALID_TARGET = QColor("#16a34a")
INVALID_TARGET = QColor("#dc2626")
BACKGROUND = QColor("#f4f6f9")
GRID_MINOR = QColor("#eaedf2")
GRID_MAJOR = QColor("#dadfe7")
LABEL_FILL = QColor("#ffffff")  # the shape pill on a wire
STACK_BACK = QColor("#e4e8ee")  # the cards peeking out behind a block instance
STACK_MID = QColor("#f1f3f6")

# The surface colours per theme; accents (categories, errors, selection) are the same in both.
CANVAS_THEMES = {
    "light": {
        "CARD_FILL": "#ffffff", "CARD_BORDER": "#cbd2dc", "TEXT": "#1f2937", "TEXT_MUTED": "#6b7280",
        "ERROR_FILL": "#fff4f3", "WIRE": "#8792a6", "BACKGROUND": "#f4f6f9", "GRID_MINOR": "#eaedf2",
        "GRID_MAJOR": "#dadfe7", "LABEL_FILL": "#ffffff", "STACK_BACK": "#e4e8ee", "STACK_MID": "#f1f3f6",
    },
    "dark": {
        "CARD_FILL": "#232936", "CARD_BORDER": "#3b4353", "TEXT": "#e5e7eb", "TEXT_MUTED": "#9ca3af",
        "ERROR_FILL": "#3b2226", "WIRE": "#7f8aa0", "BACKGROUND": "#161a22", "GRID_MINOR": "#1c212b",
        "GRID_MAJOR": "#262c38", "LABEL_FILL": "#232936", "STACK_BACK": "#2c3340", "STACK_MID": "#343c4b",
    },
}
THEME_LISTENERS: list = []  # called after a theme change (modules that cache pens rebuild them)


def apply_canvas_theme(name: str) -> None:
    """Recolour the canvas surfaces for the ``light`` or ``dark`` theme.

    The colour objects are changed in place, so every item that paints with
    them follows without being rebuilt; views must still be repainted.
    """
    for attr, value in CANVAS_THEMES.get(name, CANVAS_THEMES["light"]).items():
        globals()[attr].setRgba(QColor(value).rgba())
    for listener in THEME_LISTENERS:
        listener()


def category_color(category: str) -> QColor:
    """The accent colour of a palette category (grey for unknown types)."""
    return QColor(CATEGORY_COLORS.get(category, UNKNOWN_COLOR))


def node_height(n_inputs: int, n_outputs: int) -> float:
    """Card height: the header, three body rows, and room for the ports."""
    body = max(BODY_ROWS * ROW_HEIGHT + 10.0, max(n_inputs, n_outputs, 1) * PORT_SPACING + 8.0)
    return HEADER_HEIGHT + body


def port_y(index: int, count: int, height: float) -> float:
    """Vertical position of port ``index`` of ``count``, centred in the card body."""
    body_top = HEADER_HEIGHT
    body = height - HEADER_HEIGHT
    return body_top + body / 2 + (index - (count - 1) / 2) * PORT_SPACING


def font(size: float, bold: bool = False, mono: bool = False) -> QFont:
    """A UI font of ``size`` points."""
    f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    if mono:
        f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def format_shape(shape: tuple | None) -> str:
    """``(None, 6, 28, 28)`` -> ``"(N, 6, 28, 28)"``; None -> ``"?"``."""
    if shape is None:
        return "?"
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"


def compact_shape(shape: tuple | None) -> str:
    """Wire label form: ``(None, 6, 28, 28)`` -> ``"N×6×28×28"``."""
    if shape is None:
        return ""
    return "×".join("N" if d is None else str(d) for d in shape)


def format_count(count: int) -> str:
    """``61706`` -> ``"61.7K"``; small counts stay exact (``"156"``)."""
    for scale, unit in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(count) >= scale * 10:
            return f"{count / scale:.3g}{unit}"
    return f"{count:,}"


_STATIC_TEXTS: dict[tuple[str, str], QStaticText] = {}
_STATIC_TEXTS_MAX = 4096


def static_text(text: str, role: str) -> QStaticText:
    """A :class:`QStaticText` for ``text``, shared by every item that draws it in the font of ``role``.

    Shapes and parameter counts repeat across a graph (every ReLU after a Linear
    shows the same shape), so the text is laid out once, not once per card or wire.
    """
    key = (role, text)
    static = _STATIC_TEXTS.get(key)
    if static is None:
        if len(_STATIC_TEXTS) >= _STATIC_TEXTS_MAX:
            _STATIC_TEXTS.clear()
        static = _STATIC_TEXTS[key] = QStaticText(text)
    return static
