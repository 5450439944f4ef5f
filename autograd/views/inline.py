"""HTML that shows SVG drawings inline in Jupyter at 100%, in a frame that scrolls, with a
fit-to-width switch and, for several views of one graph, a switch between them. CSS only: no
script, so it also works where a notebook's output may not run one.
"""

from __future__ import annotations

import itertools
import re

_ids = itertools.count(1)


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) of an SVG made by Graphviz, in CSS pixels at 100% (its own width attribute)."""
    found = re.search(r'<svg[^>]*?width="([\d.]+)(pt|px)?"[^>]*?height="([\d.]+)(pt|px)?"', svg)
    if not found:
        raise ValueError("not an SVG document with a width and a height")
    scale = 4 / 3 if found.group(2) == "pt" else 1.0
    return float(found.group(1)) * scale, float(found.group(3)) * scale


def framed(views: list[tuple[str, str]], hint: str = "") -> str:
    """HTML showing SVGs at 100% in a frame that scrolls, with a fit-to-width switch, and a
    switch between the views when there are several ((title, SVG) pairs). CSS only, no script."""
    key = f"chainrule-graph-{next(_ids)}"
    style = [f"#{key} .view svg{{display:block}}", f"#{key} .fit:checked~.view svg{{width:100%;height:auto}}"]
    switches, panes = [], []
    for n, (title, svg) in enumerate(views):
        width, height = svg_size(svg)
        size = f"{width:.0f} x {height:.0f} px"
        if len(views) > 1:
            checked = " checked" if n == 0 else ""
            switches.append(
                f'<input type="radio" name="{key}" id="{key}-{n}" class="v{n}"{checked}>'
                f'<label for="{key}-{n}">{_html_text(title)} ({size})</label> '
            )
            style += [f"#{key} .p{n}{{display:none}}", f"#{key} .v{n}:checked~.view .p{n}{{display:block}}"]
        else:
            switches.append(f'<span style="color:#57534e">{size}</span> ')
        panes.append(f'<div class="p{n}">{svg[svg.index("<svg") :]}</div>')
    note = f'<div style="color:#57534e">{_html_text(hint)}</div>' if hint else ""
    return (
        f'<div id="{key}" style="font:12px sans-serif;max-width:100%">{note}'
        f"<style>{''.join(style)}</style>{''.join(switches)}"
        f'<input type="checkbox" class="fit" id="{key}-fit"><label for="{key}-fit">fit to width</label>'
        f'<div class="view" style="overflow-x:auto;max-width:100%;'
        f'border:1px solid #e7e5e4">{"".join(panes)}</div></div>'
    )


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
