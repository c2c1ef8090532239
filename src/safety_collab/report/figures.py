"""Figures for a report as inline SVG: titled, described, with nothing fetched from anywhere.

Matplotlib's SVG is cut down to the ``<svg>`` element: no XML prolog, no DOCTYPE
(it names a URL), no metadata block and no namespace attributes (HTML parses inline
SVG without them), so the page holds no URL of any kind. Each figure gets
``role="img"``, a ``<title>`` and a ``<desc>``, and its own id salt so that ids of
several figures on one page never collide. Large collections (the thousands of
edges of a national network map) are rasterised inside the SVG to keep it small.
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

from safety_collab import spc
from safety_collab.spc.icons import icon_spec

__all__ = ["figure_svg", "icon_sprite", "icon_use"]

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
#: Collections with more items than this are rasterised in the SVG.
RASTER_OVER = 2000


def figure_svg(fig: Any, *, title: str, desc: str, key: str) -> str:
    """``fig`` as an inline ``<svg>`` element with a title and a description.

    Parameters
    ----------
    fig
        A matplotlib figure (from :mod:`safety_collab.plot`).
    title, desc
        The text alternatives: a short title and what the figure shows.
    key
        Unique on the page: the element ids and the id salt derive from it.

    Examples
    --------
    >>> from safety_collab import plot, spc
    >>> svg = figure_svg(plot.spc_chart(spc.xmr([3, 4, 3, 5, 4])), title="A", desc="B", key="f1")
    >>> svg.startswith('<svg role="img"'), "http" in svg
    (True, False)
    """
    from matplotlib import rc_context  # noqa: PLC0415 - optional extra (matplotlib)

    for ax in fig.axes:
        for coll in ax.collections:
            if len(coll.get_paths()) > RASTER_OVER or len(coll.get_offsets()) > RASTER_OVER:
                coll.set_rasterized(True)
    buf = io.StringIO()
    with rc_context({"svg.hashsalt": f"safety_collab-{key}"}):
        fig.savefig(buf, format="svg", dpi=110, metadata={"Date": None, "Creator": None})
    text = _METADATA.sub("", _PROLOG.sub("", buf.getvalue()))
    text = _XMLNS.sub("", text)
    head, sep, rest = text.partition(">")
    head = _SIZE.sub("", head)
    tid, did = f"{key}-title", f"{key}-desc"
    opening = head.replace(
        "<svg", f'<svg role="img" aria-labelledby="{tid} {did}" class="figure"', 1
    )
    return (
        f'{opening}{sep}<title id="{tid}">{escape(title)}</title>'
        f'<desc id="{did}">{escape(desc)}</desc>{rest.strip()}'
    )


def _symbol_id(value: spc.Variation | spc.Assurance) -> str:
    kind = "v" if isinstance(value, spc.Variation) else "a"
    return f"icon-{kind}-{value.value}"


def icon_sprite() -> str:
    """Every Making Data Count icon once, as ``<symbol>`` elements in one hidden ``<svg>``.

    A table of thousands of rows refers to them with :func:`icon_use` rather than
    repeating each icon's drawing.

    Examples
    --------
    >>> icon_sprite().count("<symbol")
    10
    """
    symbols = []
    for value in (*spc.Variation, *spc.Assurance):
        svg = (spc.variation_icon(value) if isinstance(value, spc.Variation)
               else spc.assurance_icon(value))  # fmt: skip
        inner = svg[svg.index("</title>") + len("</title>") : svg.rindex("</svg>")]
        symbols.append(f'<symbol id="{_symbol_id(value)}" viewBox="0 0 100 100">{inner}</symbol>')
    return f'<svg class="sprite" aria-hidden="true" focusable="false">{"".join(symbols)}</svg>'


def icon_use(value: spc.Variation | spc.Assurance, size: int = 28) -> str:
    """A small icon drawn from the sprite, labelled for screen readers.

    Examples
    --------
    >>> icon_use(spc.Variation.COMMON_CAUSE)[:40]
    '<svg class="icon" width="28" height="28"'
    """
    title = escape(icon_spec(value).title)
    return (
        f'<svg class="icon" width="{size}" height="{size}" viewBox="0 0 100 100" role="img" '
        f'aria-label="{title}"><title>{title}</title><use href="#{_symbol_id(value)}"/></svg>'
    )
