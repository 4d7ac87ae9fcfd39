"""Shared fixtures: the repository's curated tree, the loaded graph, and a way to run the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gcmgraph
from gcmgraph.paths import Layout

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Layout:
    """The curated files as they are in this checkout (what canonical-form tests read)."""
    return Layout(ROOT)


@pytest.fixture(scope="session")
def kg() -> gcmgraph.KnowledgeGraph:
    return gcmgraph.load()


@pytest.fixture(scope="session")
def report(kg):
    return kg.validate()


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``gcmgraph`` command as a user would, from any folder."""
    return subprocess.run(
        [sys.executable, "-m", "gcmgraph.cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=600,
    )


@pytest.fixture
def cli():
    return run_cli


# Real SPARQL servers on loopback (Oxigraph, Virtuoso) for the backend tests.
from servers import oxigraph_server, oxigraph_servers, virtuoso_server  # noqa: E402,F401
