"""What every figure shares: sizes, colours, axes, titles, argument checks, saving."""

from __future__ import annotations

import io as _io
import math
import os
import pickle
from collections.abc import Hashable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safety_collab._atomic import atomic_write_bytes
from safety_collab._validate import check_instance, check_path
from safety_collab.errors import MissingDependencyError, ParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


__all__ = [
    "COLOURS",
    "CYCLE",
    "FORMATS",
    "SHOW_IDS",
    "SIZES",
    "axes_for",
    "check_type",
    "ids_text",
    "new_figure",
    "require_matplotlib",
    "root_figure",
    "save",
    "set_title",
]


COLOURS: Mapping[str, str] = {
    "common_cause": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "centre": "#231F20",
    "limit": "#7B7D7D",
    "target": "#DE1B1B",
    "phase": "#A6A6A6",
    "edge": "#7B7D7D",
    "node": "#005EB8",
    "no_tier": "#BFBFBF",
}
"""The palette: Making Data Count colours for SPC, NHS blue for plain nodes."""

FORMATS: Mapping[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File suffixes :func:`save` understands, and the format each writes."""

# Scenario and tier colours: matplotlib's tab10, fixed here so the figures do
# not depend on the user's rcParams.
CYCLE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD",
    "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
)  # fmt: skip
SIZES = {"adoption": (7.0, 4.5), "spc": (9.0, 4.5), "network": (7.0, 7.0)}
SHOW_IDS = 10


# ------------------------------------------------------------------ helpers


def new_figure(kind: str) -> Figure:
    """A new figure with an Agg canvas and constrained layout (no pyplot)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError("plot", "matplotlib") from None
    fig = Figure(figsize=SIZES[kind], layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        raise MissingDependencyError("plot", "matplotlib") from None


def axes_for(ax: Axes | None, kind: str) -> tuple[Figure | SubFigure, Axes]:
    require_matplotlib()
    if ax is None:
        fig = new_figure(kind)
        return fig, fig.add_subplot()
    parent = ax.get_figure()
    if parent is None:
        msg = "ax: the axes do not belong to a figure"
        raise ParameterError(msg)
    return parent, ax


def root_figure(fig: Figure | SubFigure) -> Figure:
    """The top-level figure (a subfigure's ``figure`` is its root)."""
    root: Figure = fig.figure
    return root


def set_title(ax: Axes, title: str | None, *, pad: float | None = None) -> None:
    """A bold, left-aligned title; ``pad`` (points) lifts it above what sits on the axes' top."""
    if title is not None:
        ax.set_title(str(title), loc="left", fontweight="bold", pad=pad)


def check_type(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        msg = f"{name}: expected {kind.__name__} (got {type(value).__name__})"
        raise ParameterError(msg)


def ids_text(items: Sequence[Hashable]) -> str:
    shown = ", ".join(repr(i) for i in items[:SHOW_IDS])
    more = f" and {len(items) - SHOW_IDS} more" if len(items) > SHOW_IDS else ""
    return shown + more


# ------------------------------------------------------------------ saving

_METADATA: Mapping[str, dict[str, Any]] = {
    "png": {},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


def save(fig: Figure | SubFigure, path: str | os.PathLike[str], *, dpi: float = 150) -> Path:
    r"""Write ``fig`` to ``path`` atomically: PNG, SVG or PDF by the suffix.

    A failed save leaves any old file untouched. A copy of the figure is drawn,
    never the figure itself (a layout engine would shift it a little on each
    draw), and SVG and PDF files carry no creation date, so saving the same
    figure twice gives the same bytes.

    Parameters
    ----------
    fig
        The figure (a subfigure saves its whole root figure).
    path
        Where to write; the suffix (``.png``, ``.svg``, ``.pdf``) picks the format.
    dpi
        Resolution of a PNG (and of images embedded in SVG and PDF).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For an unknown suffix or a non-positive ``dpi``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from safety_collab import spc
    >>> from safety_collab.plot import spc_chart
    >>> fig = spc_chart(spc.xmr([3, 4, 3, 5, 4, 3, 4]))
    >>> p = save(fig, pathlib.Path(tempfile.mkdtemp()) / "chart.png", dpi=50)
    >>> p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    path = check_path("path", path)
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        msg = f"path: cannot tell the format from the suffix {suffix or '(none)'!r}; use " + (
            ", ".join(FORMATS)
        )
        raise ParameterError(msg)
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not (0 < dpi < math.inf):
        msg = f"dpi: must be a positive number (got {dpi!r})"
        raise ParameterError(msg)
    require_matplotlib()
    from matplotlib import rc_context  # noqa: PLC0415
    from matplotlib.figure import Figure, SubFigure  # noqa: PLC0415

    check_instance("fig", fig, (Figure, SubFigure))

    # Draw a copy: a layout engine moves the axes a little on every draw, so
    # saving the figure itself twice would not give the same bytes.
    copy = pickle.loads(pickle.dumps(root_figure(fig)))
    buf = _io.BytesIO()
    # SVG ids are salted with a random uuid unless a salt is set (only SVG touches rcParams).
    salted = rc_context({"svg.hashsalt": "safety_collab"}) if fmt == "svg" else nullcontext()
    with salted:
        copy.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return atomic_write_bytes(path, buf.getvalue())
