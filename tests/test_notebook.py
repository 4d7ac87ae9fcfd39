"""The quickstart notebook runs, shows what it promises, and is committed without outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed: pip install 'gcmgraph[notebook]'")
nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed: pip install 'gcmgraph[notebook]'")
kernelspec = pytest.importorskip("ipykernel.kernelspec",
                                 reason="the notebook extra is not installed: pip install 'gcmgraph[notebook]'")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"
KERNEL = "gcmgraph-test"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def output_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/html", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_without_outputs(path):
    """Outputs are stripped in git: a re-run must not show up as a change."""
    notebook = read(path)
    nbformat.validate(notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {number} keeps its outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {number} keeps its execution count"


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec for *this* interpreter, in a temporary Jupyter path.

    Naming the interpreter avoids a ``python3`` spec elsewhere on the machine (user or system
    Jupyter folders) that would run another Python without gcmgraph; nothing is written outside
    ``tmp_path``.
    """
    jupyter = tmp_path / "jupyter"
    kernelspec.write_kernel_spec(path=jupyter / "kernels" / KERNEL)
    spec = (jupyter / "kernels" / KERNEL / "kernel.json").read_text(encoding="utf-8")
    assert sys.executable in spec or Path(sys.executable).name in spec
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    return KERNEL


def test_quickstart_runs(kernel, tmp_path):
    notebook = read(QUICKSTART)
    client = nbclient.NotebookClient(notebook, kernel_name=kernel, timeout=600,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, when a cell fails

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = output_text(notebook)
    # the queries
    assert "Tapachula" in text
    assert "Law on the Protection of Honduran Migrants" in text  # actors-by-country HN / objective 16
    assert "of 23 objectives have no recorded policy in Colombia" in text
    # the network: the explained path, each hop named
    assert ("Tapachula City Council ←implemented by— «Somos Familia» (We Are Family) programme —subject→"
            in text)
    assert "GCM objective 16: Inclusion and social cohesion" in text
    # two pictures inline: the coverage heat map and the actor-objective network
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 2
    # the committed file was not touched by the run
    assert all(c.outputs == [] for c in read(QUICKSTART).cells if c.cell_type == "code")
