"""One canonical form for every curated file: what ``gcmgraph fmt`` writes and the tests check.

The canonical form is rdflib's ``longturtle`` (subjects and objects sorted, one predicate per line)
with gcmgraph's prefixes, so that a change to the data shows up as a small, reviewable diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph

from gcmgraph.export import write_atomic
from gcmgraph.loading import parse_turtle
from gcmgraph.namespaces import bind_prefixes
from gcmgraph.paths import Layout


def canonical_text(graph: Graph) -> str:
    clean = bind_prefixes(Graph(bind_namespaces="none"))
    for triple in graph:
        clean.add(triple)
    # canon=True names blank nodes from the graph's content (RDF canonicalisation), so the nested
    # property shapes of the SHACL files come out in the same order on every run. Without blank
    # nodes there is nothing to name and the (costly) canonicalisation would change nothing.
    blank = any(isinstance(term, BNode) for triple in clean for term in triple)
    return clean.serialize(format="longturtle", canon=blank)


@dataclass(frozen=True)
class FormatResult:
    path: Path
    display: str
    changed: bool


def format_files(layout: Layout, write: bool) -> list[FormatResult]:
    """Check (and with ``write``, rewrite) every curated file, shapes and the dataset description
    included, in canonical form.

    Parses every file before writing any, so one broken file leaves all of them untouched.
    """
    paths = [*layout.curated_files(), *layout.shape_files()]
    if layout.dataset_description.is_file():
        paths.append(layout.dataset_description)
    planned = []
    for path in paths:
        display = layout.display(path)
        text = canonical_text(parse_turtle(path, display))
        planned.append((path, display, text, path.read_text(encoding="utf-8") != text))
    if write:
        for path, _, text, changed in planned:
            if changed:
                write_atomic(path, text.encode("utf-8"))
    return [FormatResult(path, display, changed) for path, display, _, changed in planned]
