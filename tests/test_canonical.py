"""Every curated file is in the one canonical form that `gcmgraph fmt` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmgraph.canonical import canonical_text
from gcmgraph.loading import parse_turtle
from gcmgraph.paths import Layout

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = Layout(ROOT)
FILES = [*LAYOUT.curated_files(), *LAYOUT.shape_files()]


def test_there_are_curated_files():
    assert len(FILES) > 10


@pytest.mark.parametrize("path", FILES, ids=[LAYOUT.display(p) for p in FILES])
def test_curated_file_is_canonical(path):
    text = path.read_text(encoding="utf-8")
    assert text == canonical_text(parse_turtle(path)), (
        f"{LAYOUT.display(path)} is not in canonical form: run `gcmgraph fmt` and commit the result")


def test_canonical_form_is_stable(tmp_path):
    once = canonical_text(parse_turtle(LAYOUT.ontology / "gcmgraph.ttl"))
    copy = tmp_path / "copy.ttl"
    copy.write_text(once, encoding="utf-8")
    assert canonical_text(parse_turtle(copy)) == once
