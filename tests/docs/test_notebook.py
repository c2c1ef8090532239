"""The documentation notebook runs top to bottom, so it never goes stale.

``docs/notebooks/spread-west-midlands.ipynb`` is stored without outputs; this test
executes it in a fresh ``python3`` kernel (nbclient) and checks what it shows.
"""

from __future__ import annotations

import base64
import json
import re
import tempfile
from io import BytesIO
from pathlib import Path

import matplotlib.image
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import safety_collab

DOCS = Path(__file__).resolve().parents[2] / "docs"
NOTEBOOK = DOCS / "notebooks" / "spread-west-midlands.ipynb"
PAGE = DOCS / "notebook.md"
IMAGES = DOCS / "images"
PIXEL_TOLERANCE = 0.005  # mean absolute difference of RGBA values in [0, 1]; the shaded
# baseline and a moved title alone differ by 0.047
CELL_TIMEOUT = 120  # seconds per cell; the whole notebook takes a few seconds
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def stored() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_stored_without_outputs(stored: nbformat.NotebookNode) -> None:
    nbformat.validate(stored)
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert len(code) >= 8
    assert [(c.outputs, c.execution_count) for c in code] == [([], None)] * len(code)
    assert stored.metadata.kernelspec.name == "python3"


def execute(stored: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """A copy of the notebook run top to bottom in a fresh kernel started in ``folder``.

    A first cell prints which package the kernel imports (it must be this very
    one); a last cell prints, as JSON, the axes titles and labels of every figure
    a cell returned, by execution count.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(stored)))  # a copy to execute
    probe = nbformat.v4.new_code_cell("import safety_collab; print(safety_collab.__file__)")
    nb.cells.insert(0, probe)
    nb.cells.append(nbformat.v4.new_code_cell(DESCRIBE_FIGURES))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    return nb


DESCRIBE_FIGURES = """\
import json as _json
from matplotlib.figure import Figure as _Figure
print(_json.dumps({n: [[ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
                       for ax in v.axes] for n, v in Out.items() if isinstance(v, _Figure)}))
"""


@pytest.fixture(scope="module")
def executed(
    stored: nbformat.NotebookNode, tmp_path_factory: pytest.TempPathFactory
) -> tuple[nbformat.NotebookNode, Path]:
    folder = tmp_path_factory.mktemp("notebook")
    return execute(stored, folder), folder


def png_of(cell: nbformat.NotebookNode) -> bytes:
    """The one PNG figure a code cell displayed."""
    (data,) = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
    return base64.b64decode(data)


def page_images(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """docs/images file name -> the cell whose figure the notebook page shows there."""
    return {c.metadata["docs_image"]: c for c in nb.cells if "docs_image" in c.get("metadata", {})}


def render_docs_images(folder: Path = IMAGES) -> list[Path]:
    """Run the notebook and write the figures its page shows (the files are committed)."""
    stored = nbformat.read(NOTEBOOK, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        nb = execute(stored, Path(tmp))
    written = []
    for name, cell in page_images(nb).items():
        (folder / name).write_bytes(png_of(cell))
        written.append(folder / name)
    return written


def test_notebook_runs_top_to_bottom(
    executed: tuple[nbformat.NotebookNode, Path],
) -> None:
    nb, tmp_path = executed
    assert nb.cells[0].outputs[0].text.strip() == safety_collab.__file__
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [
        base64.b64decode(o.data["image/png"]) for o in outputs if "image/png" in o.get("data", {})
    ]
    # the network by tier, two adoption-curve figures, adoption on the network, the SPC chart,
    # observed uptake against the target with the forecast
    assert len(images) == 6
    for data in images:
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000  # a drawn figure, not an empty canvas
    text = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "West Midlands Patient Safety Collaborative" in text
    assert "degree_discount" in text
    assert "degree + facilitation" in text
    assert "Variation.IMPROVEMENT_LOW" in text
    assert "observed vs forecast: P(target by 2027-03-31)" in text
    assert list(tmp_path.iterdir()) == []  # the notebook writes no files


def test_the_page_shows_what_the_notebook_draws(
    executed: tuple[nbformat.NotebookNode, Path],
) -> None:
    """Each picture on docs/notebook.md is the figure of a notebook cell, as that cell draws it.

    The cell is marked in its metadata (``docs_image``); the page's alt text is the
    figure's title, and the committed PNG matches the cell's output pixel for pixel
    within a small tolerance (font rendering differs a little between
    matplotlib/FreeType builds). Re-render with ``python tests/docs/test_notebook.py``.
    """
    nb, _ = executed
    shown = page_images(nb)
    page = PAGE.read_text(encoding="utf-8")
    on_page = {name: alt for alt, name in re.findall(r"!\[([^\]]*)\]\(images/([^)]+)\)", page)}
    assert sorted(on_page) == sorted(shown), "every picture on the page comes from a cell"
    figures = json.loads(nb.cells[-1].outputs[0].text)
    for name, cell in shown.items():
        ((title, xlabel, ylabel), *_) = figures[str(cell.execution_count)]
        assert on_page[name] == title
        assert xlabel, f"{name}: the figure's x axis is labelled"
        assert ylabel, f"{name}: the figure's y axis is labelled"
        drawn = matplotlib.image.imread(BytesIO(png_of(cell)), format="png")
        path = IMAGES / name
        assert path.is_file(), f"{path} is missing; run `python tests/docs/test_notebook.py`"
        committed = matplotlib.image.imread(path, format="png")
        stale = f"{path} is not what the notebook draws; run `python tests/docs/test_notebook.py`"
        assert drawn.shape == committed.shape, stale
        assert float(np.abs(drawn - committed).mean()) < PIXEL_TOLERANCE, stale


if __name__ == "__main__":
    for written in render_docs_images():
        print(written)
