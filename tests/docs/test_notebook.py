"""The documentation notebook runs top to bottom, so it never goes stale.

``docs/notebooks/spread-west-midlands.ipynb`` is stored without outputs; this test
executes it in a fresh ``python3`` kernel (nbclient) and checks what it shows.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import safety_collab

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "spread-west-midlands.ipynb"
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


def test_notebook_runs_top_to_bottom(stored: nbformat.NotebookNode, tmp_path: Path) -> None:
    nb = nbformat.from_dict(json.loads(json.dumps(stored)))  # a copy to execute
    # First make sure the kernel imports this very package, not another install of it.
    probe = nbformat.v4.new_code_cell("import safety_collab; print(safety_collab.__file__)")
    nb.cells.insert(0, probe)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails

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
