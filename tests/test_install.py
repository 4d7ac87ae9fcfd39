"""A plain `pip install .` ships the curated tree, so gcmgraph works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, run_cli

from gcmgraph.paths import DCAT_AP_SHAPES, Layout


def test_wheel_ships_ontology_shapes_data_and_queries(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    wheel = next(tmp_path.glob("gcmgraph-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    layout = Layout(ROOT)
    expected = [*layout.curated_files(), *layout.shape_files(), *layout.queries.glob("*.rq")]
    missing = [layout.display(p) for p in expected
               if "gcmgraph/_resources/" + layout.display(p) not in names]
    assert not missing, f"not shipped in the wheel: {missing}"
    assert "gcmgraph/cli.py" in names
    # what `gcmgraph release` reads besides the graph: the curated dataset description and the
    # official DCAT-AP shapes it checks dcat.ttl against
    release_inputs = ["gcmgraph/_resources/" + layout.display(layout.dataset_description),
                      *(f"gcmgraph/dcat_ap/{path.name}" for path in sorted(DCAT_AP_SHAPES.glob("*.ttl")))]
    assert len(release_inputs) == 5, release_inputs
    assert not [name for name in release_inputs if name not in names], "release inputs missing from the wheel"


def test_validate_runs_from_any_folder(tmp_path):
    result = run_cli("validate", "--no-warnings", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout
    assert not list(Path(tmp_path).iterdir()), "validate must not write files"


def test_without_the_oxigraph_extra_the_backend_says_how_to_install_it(tmp_path):
    # the lean core install has no pyoxigraph: hide it, as `pip install .` leaves it out
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "pyoxigraph.py").write_text("raise ImportError('not installed (hidden by the test)')\n")
    env = {**os.environ, "PYTHONPATH": str(hidden)}
    result = subprocess.run(
        [sys.executable, "-m", "gcmgraph.cli", "query", "policies-by-objective", "-p", "objective", "16",
         "--backend", "oxigraph"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "needs pyoxigraph" in result.stderr
    assert "pip install 'gcmgraph[oxigraph]'" in result.stderr
    # the memory backend, the default, needs nothing more
    result = subprocess.run(
        [sys.executable, "-m", "gcmgraph.cli", "query", "policies-by-objective", "-p", "objective", "16",
         "--format", "csv"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Somos Familia" in result.stdout
