"""HTML that shows SVG drawings inline in Jupyter, also in a notebook that is not trusted.

An untrusted notebook (any notebook opened fresh, and notebook viewers) sanitises HTML output:
an inline `<svg>`, `<style>` and `<script>` are removed and the drawing's text is left as a wall of
words. An `<img>` whose source is the SVG as a data URL survives, so each drawing is one. With no
`<style>` to rely on, the layout is in `style` attributes only: a drawing is fitted to the column
when its text stays readable (at least 9 px), else shown at 100% in a frame that scrolls; a
second view of the same graph is behind a `<details>` switch.
"""

from __future__ import annotations

import base64
import itertools
import re

_ids = itertools.count(1)

COLUMN = 850  # px: about the width of a notebook's output column
READABLE = 0.75  # smallest scale of a fitted drawing: its 12 px text stays 9 px
FRAME_HEIGHT = 760  # px: a taller drawing scrolls inside its frame


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) of an SVG made by Graphviz, in CSS pixels at 100% (its own width attribute)."""
    found = re.search(r'<svg[^>]*?width="([\d.]+)(pt|px)?"[^>]*?height="([\d.]+)(pt|px)?"', svg)
    if not found:
        raise ValueError("not an SVG document with a width and a height")
    scale = 4 / 3 if found.group(2) == "pt" else 1.0
    return float(found.group(1)) * scale, float(found.group(3)) * scale


def data_url(svg: str) -> str:
    """The SVG document as a `data:image/svg+xml;base64,...` URL."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def image(svg: str, alt: str = "computation graph") -> str:
    """An `<img>` of the SVG: fitted to the column when its text stays readable, else at 100%."""
    width, height = svg_size(svg)
    fits = width * READABLE <= COLUMN
    style = "max-width:100%;height:auto;display:block" if fits else "max-width:none;display:block"
    return (
        f'<img src="{data_url(svg)}" width="{width:.0f}" height="{height:.0f}" '
        f'alt="{_html_text(alt).replace(chr(34), "&quot;")}" style="{style}">'
    )


def framed(views: list[tuple[str, str]], hint: str = "") -> str:
    """HTML showing the first of the (title, SVG) views as an image in a frame that scrolls, and
    the others each behind a `<details>` switch. No script and no `<style>`: it shows the same in
    a trusted and in an untrusted notebook."""
    key = f"chainrule-graph-{next(_ids)}"
    parts = [f'<div style="color:#57534e">{_html_text(hint)}</div>'] if hint else []
    for n, (title, svg) in enumerate(views):
        width, height = svg_size(svg)
        size = f"{width:.0f} x {height:.0f} px"
        caption = f"{_html_text(title)} ({size})" if title else size
        frame = (
            f'<div class="chainrule-view" style="overflow:auto;max-width:100%;max-height:{FRAME_HEIGHT}px;'
            f'border:1px solid #e7e5e4">{image(svg, title or "computation graph")}</div>'
        )
        if n == 0:
            parts.append(f'<div style="color:#57534e">{caption}</div>{frame}')
        else:
            parts.append(f'<details style="margin-top:4px"><summary>{caption}</summary>{frame}</details>')
    return f'<div id="{key}" style="font:12px sans-serif;max-width:100%">{"".join(parts)}</div>'


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
