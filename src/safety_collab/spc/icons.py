"""The Making Data Count icons: variation and assurance, as SVG for reports.

NHS England's Making Data Count guidance summarises a chart with two icons: one for
the variation of the latest point (grey for common cause; blue for special-cause
improvement and orange for concern, marked **H** or **L** for a high or low point;
purple for special cause with no direction) and one for assurance against a target
(blue **P**, consistently passes; orange **F**, consistently fails; grey **?**, hit
and miss). :func:`icon_spec` gives what an icon shows; :func:`variation_icon` and
:func:`assurance_icon` draw it as a self-contained SVG; :mod:`safety_collab.plot`
draws the same icons on its figures.

Examples
--------
>>> from safety_collab.spc import Variation
>>> svg = variation_icon(Variation.IMPROVEMENT_LOW)
>>> svg.startswith("<svg") and ">L</text>" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import attrs

from safety_collab.errors import MissingDependencyError, SPCError
from safety_collab.spc._kinds import Assurance, Variation

__all__ = [
    "ASSURANCE_TEXT",
    "ICON_COLOURS",
    "VARIATION_TEXT",
    "IconSpec",
    "assurance_icon",
    "html_card",
    "icon_artist",
    "icon_spec",
    "variation_icon",
]

#: How figures name each variation class.
VARIATION_TEXT = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT_HIGH: "Special cause improvement (high)",
    Variation.IMPROVEMENT_LOW: "Special cause improvement (low)",
    Variation.CONCERN_HIGH: "Special cause concern (high)",
    Variation.CONCERN_LOW: "Special cause concern (low)",
    Variation.NEUTRAL_HIGH: "Special cause variation (high)",
    Variation.NEUTRAL_LOW: "Special cause variation (low)",
}
#: How figures name each assurance class.
ASSURANCE_TEXT = {
    Assurance.CONSISTENTLY_PASSES: "Assurance: consistently passes the target",
    Assurance.CONSISTENTLY_FAILS: "Assurance: consistently fails the target",
    Assurance.HIT_AND_MISS: "Assurance: hit and miss against the target",
}

#: Making Data Count icon colours.
ICON_COLOURS = {
    "common_cause": "#A6A6A6",
    "improvement": "#00B0F0",
    "concern": "#E46C0A",
    "neutral": "#490092",
}


@attrs.frozen
class IconSpec:
    """What an icon shows: its colour, its letter, and the run of dots it sketches.

    ``dots`` are heights (0 low, 1 high) of the sketched points, left to right; the
    last ``highlight`` of them are drawn in the icon's colour.

    Examples
    --------
    >>> icon_spec(Assurance.CONSISTENTLY_FAILS).letter
    'F'
    """

    kind: str
    title: str
    colour: str
    letter: str
    dots: tuple[float, ...]
    highlight: int


_FLAT = (0.5, 0.45, 0.55, 0.5, 0.45, 0.55, 0.5)
_HIGH = (0.35, 0.4, 0.35, 0.4, 0.75, 0.8, 0.85)
_LOW = (0.65, 0.6, 0.65, 0.6, 0.25, 0.2, 0.15)


def icon_spec(value: Variation | Assurance) -> IconSpec:
    """The icon of a variation or an assurance class.

    Raises
    ------
    SPCError
        For anything else.

    Examples
    --------
    >>> s = icon_spec(Variation.CONCERN_HIGH)
    >>> s.colour, s.letter
    ('#E46C0A', 'H')
    """
    if isinstance(value, Variation):
        title = VARIATION_TEXT[value]
        if value is Variation.COMMON_CAUSE:
            return IconSpec("variation", title, ICON_COLOURS["common_cause"], "", _FLAT, 0)
        high = value.value.endswith("_high")
        family = ("improvement" if value.is_improvement
                  else "concern" if value.is_concern else "neutral")  # fmt: skip
        return IconSpec("variation", title, ICON_COLOURS[family], "H" if high else "L",
                        _HIGH if high else _LOW, 3)  # fmt: skip
    given: object = value  # checked at run time too: callers may not be typed
    if not isinstance(given, Assurance):
        msg = f"value: expected a Variation or an Assurance, got {type(given).__name__}"
        raise SPCError(msg)
    colour, letter = {
        Assurance.CONSISTENTLY_PASSES: (ICON_COLOURS["improvement"], "P"),
        Assurance.CONSISTENTLY_FAILS: (ICON_COLOURS["concern"], "F"),
        Assurance.HIT_AND_MISS: (ICON_COLOURS["common_cause"], "?"),
    }[given]
    title = ASSURANCE_TEXT[given].removeprefix("Assurance: ").capitalize()
    return IconSpec("assurance", title, colour, letter, _FLAT, 0)


def _svg(spec: IconSpec, size: int) -> str:
    s = size
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" '
            f'viewBox="0 0 100 100" role="img" aria-label="{spec.title}">'
        ),
        f"<title>{spec.title}</title>",
        f'<circle cx="50" cy="50" r="45" fill="white" stroke="{spec.colour}" stroke-width="8"/>',
    ]
    if spec.kind == "variation":
        n = len(spec.dots)
        pts = [(22 + 56 * i / (n - 1), 78 - 50 * h) for i, h in enumerate(spec.dots)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#A6A6A6" stroke-width="3"/>')
        for i, (x, y) in enumerate(pts):
            colour = spec.colour if i >= n - spec.highlight else "#A6A6A6"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
        if spec.letter:
            y = 40 if spec.letter == "H" else 88
            parts.append(
                f'<text x="50" y="{y}" font-family="Arial, sans-serif" font-size="26" '
                f'font-weight="bold" text-anchor="middle" fill="{spec.colour}">{spec.letter}</text>'
            )
    else:
        parts.append(
            f'<text x="50" y="66" font-family="Arial, sans-serif" font-size="48" '
            f'font-weight="bold" text-anchor="middle" fill="{spec.colour}">{spec.letter}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _checked_svg(name: str, value: object, kind: type, size: int) -> str:
    if not isinstance(value, kind):
        msg = f"{name}: expected {'an' if name[0] in 'aeiou' else 'a'} {kind.__name__}, got "
        raise SPCError(msg + type(value).__name__)
    return _svg(icon_spec(value), size)  # type: ignore[arg-type]  # checked just above


def variation_icon(variation: Variation, *, size: int = 64) -> str:
    """The variation icon as an SVG document of ``size`` pixels.

    Examples
    --------
    >>> 'stroke="#A6A6A6"' in variation_icon(Variation.COMMON_CAUSE)
    True
    """
    return _checked_svg("variation", variation, Variation, size)


def assurance_icon(assurance: Assurance, *, size: int = 64) -> str:
    """The assurance icon as an SVG document of ``size`` pixels.

    Examples
    --------
    >>> ">P</text>" in assurance_icon(Assurance.CONSISTENTLY_PASSES)
    True
    """
    return _checked_svg("assurance", assurance, Assurance, size)


def icon_artist(spec: IconSpec, *, size: float = 24.0) -> Any:
    """The icon as a matplotlib :class:`~matplotlib.offsetbox.DrawingArea` (``size`` points).

    For :mod:`safety_collab.plot`, which places it on a figure; needs matplotlib.

    Examples
    --------
    >>> box = icon_artist(icon_spec(Variation.CONCERN_LOW))
    >>> len(box.get_children()) > 3
    True
    """
    try:
        from matplotlib.font_manager import FontProperties  # noqa: PLC0415 - optional
        from matplotlib.offsetbox import DrawingArea  # noqa: PLC0415
        from matplotlib.patches import Circle, PathPatch  # noqa: PLC0415
        from matplotlib.textpath import TextPath  # noqa: PLC0415
        from matplotlib.transforms import Affine2D  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError("plot", "matplotlib") from None
    s = size
    area = DrawingArea(s, s)
    area.add_artist(Circle((s / 2, s / 2), s * 0.45, facecolor="white",
                           edgecolor=spec.colour, linewidth=max(1.0, s / 12)))  # fmt: skip
    if spec.kind == "variation":
        n = len(spec.dots)
        for i, h in enumerate(spec.dots):
            colour = spec.colour if i >= n - spec.highlight else ICON_COLOURS["common_cause"]
            xy = (s * (0.22 + 0.56 * i / (n - 1)), s * (0.22 + 0.5 * h))
            area.add_artist(Circle(xy, s * 0.045, color=colour))
    if spec.letter:
        height = s * (0.26 if spec.kind == "variation" else 0.48)
        path = TextPath((0, 0), spec.letter, size=height, prop=FontProperties(weight="bold"))
        box = path.get_extents()
        y = {"H": 0.6, "L": 0.08}.get(spec.letter, 0.28) if spec.kind == "variation" else 0.28
        shifted = path.transformed(
            Affine2D().translate(s / 2 - (box.x0 + box.width / 2), s * y - box.y0)
        )
        area.add_artist(PathPatch(shifted, color=spec.colour, linewidth=0))
    return area


def html_card(title: str, fields: Sequence[tuple[str, str]], icons: Sequence[str] = ()) -> str:
    """A small HTML summary: a title, icons (SVG) and a table of fields (escaped).

    What the charts' ``_repr_html_`` shows in a notebook.

    Examples
    --------
    >>> html_card("xmr chart", [("points", "19")]).count("<tr>")
    1
    """
    rows = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in fields
    )
    return (
        f"<div><strong>{escape(title)}</strong><div>{''.join(icons)}</div>"
        f"<table>{rows}</table></div>"
    )
