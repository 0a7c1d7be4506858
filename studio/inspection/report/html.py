"""The report page: one HTML file with its CSS embedded, and small helpers for its parts.

Nothing on the page refers to another file or the network: figures are
inline SVG or PNG data URIs and the style sheet is in ``<style>``, so the file
can be mailed, archived or opened offline and still shows everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

CSS = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 16px 0 8px; color: var(--muted); font-weight: 600; }
.subtitle { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px;
  margin: 16px 0; }
nav { margin: 8px 0 0; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px 18px;
  margin: 0; }
.facts div { border-left: 3px solid var(--line); padding-left: 10px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: right; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
th:first-child, td:first-child, td.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.bar { background-image: linear-gradient(90deg, #dbe7f3 var(--v), transparent var(--v));
  background-repeat: no-repeat; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.figures svg { max-width: 100%; height: auto; }
.gallery { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; text-align: center; font-size: 12px; }
figure img { display: block; image-rendering: pixelated; border: 1px solid var(--line); border-radius: 4px; }
figcaption { margin-top: 4px; color: var(--ink); }
.pair { display: flex; gap: 4px; }
.wrong { color: #c0392b; font-weight: 600; }
.note { color: var(--muted); margin: 0; font-style: italic; }
.error { color: #c0392b; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.error { background: #fdecea; color: #b42318; }
.badge.warning { background: #fff4e5; color: #b54708; }
.badge.info { background: #eef4fb; color: #175cd3; }
.status-finished { color: #2e7d32; } .status-failed { color: #c0392b; } .status-stopped { color: #b54708; }
.caption { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
"""


@dataclass
class Section:
    """One part of the page.

    Attributes
    ----------
    key
        Anchor id (``"confusion"``) and what tests look for.
    title
        Heading.
    body
        HTML content (empty when the section does not apply).
    note
        One line saying why the section is empty or partial ("no spatial layers ...").
    error
        The unexpected failure that emptied the section, if any (reported, never raised).
    """

    key: str
    title: str
    body: str = ""
    note: str = ""
    error: str = ""

    def html(self) -> str:
        """The ``<section>`` element."""
        parts = [f'<section id="{escape(self.key)}"><h2>{escape(self.title)}</h2>']
        if self.error:
            parts.append(f'<p class="note error">This section could not be drawn: {escape(self.error)}</p>')
        elif self.note:
            parts.append(f'<p class="note">{escape(sentence(self.note))}</p>')
        parts.append(self.body)
        parts.append("</section>")
        return "".join(parts)


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a final full stop (notes come from many modules)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?)" else text + "."


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], text_cols: Sequence[int] = ()) -> str:
    """A table; cells are HTML already (escape text with :func:`html.escape` first)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="text"' if i in text_cols else ""
            cells.append(cell if cell.startswith("<td") else f"<td{cls}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def facts(items: Sequence[tuple[str, str]]) -> str:
    """Key facts as a grid of label/value pairs (values are HTML)."""
    cells = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in items)
    return f'<dl class="facts">{cells}</dl>'


def figure(src: str, caption_html: str, alt: str, width: int | None = None) -> str:
    """An ``<img>`` (a data URI) with its caption."""
    size = f' width="{width}"' if width else ""
    return (
        f'<figure><img src="{src}" alt="{escape(alt)}"{size}><figcaption>{caption_html}</figcaption></figure>'
    )


def page(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """The whole document."""
    nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in sections)
    body = "".join(s.html() for s in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{escape(title)}</h1><p class="subtitle">{escape(subtitle)}</p><nav>{nav}</nav>'
        f"{body}<footer>{escape(footer)}</footer></main></body></html>\n"
    )
