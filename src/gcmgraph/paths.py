"""Where gcmgraph's curated files are, and which named graph each belongs to.

Every path the package reads is named here and nowhere else. In a checkout (or an editable
install) the curated folders are the ones at the top of the repository; an installed wheel carries
a copy of them in ``gcmgraph/_resources``. ``GCMGRAPH_HOME`` points gcmgraph at another tree with
the same layout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from gcmgraph.namespaces import GRAPH

#: Suffixes of the files gcmgraph reads as curated RDF. Curated files are Turtle.
CURATED_SUFFIXES = (".ttl",)
#: large machine-written files a user can add to the graph (never curated): N-Triples, N-Quads
BULK_SUFFIXES = (".nt", ".nq")
#: the official DCAT-AP 3.0.1 SHACL shapes, shipped inside the package (see its README.md)
DCAT_AP_SHAPES = Path(__file__).resolve().parent / "dcat_ap"


def _find_home() -> Path:
    override = os.environ.get("GCMGRAPH_HOME")
    if override:
        return Path(override).expanduser().resolve()
    package = Path(__file__).resolve().parent
    shipped = package / "_resources"
    if (shipped / "ontology").is_dir():
        return shipped
    # src/gcmgraph -> src -> repository root
    return package.parent.parent


@dataclass(frozen=True)
class Layout:
    """The curated tree: ``ontology/``, ``data/`` and ``queries/`` under one folder."""

    home: Path

    @property
    def ontology(self) -> Path:
        return self.home / "ontology"

    @property
    def shapes(self) -> Path:
        return self.home / "ontology" / "shapes"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def queries(self) -> Path:
        return self.home / "queries"

    @property
    def dataset_description(self) -> Path:
        """The curated DCAT description of the dataset (titles, publisher, licence, contact).

        Curated like the data, but metadata about the graph rather than part of it: releases read
        it, the knowledge graph does not load it.
        """
        return self.data / "dataset.ttl"

    def curated_files(self) -> list[Path]:
        """Every curated RDF file of the graph (ontology, schemes, data), in a stable order.

        Shapes and the dataset description are curated too but are not part of the graph."""
        files = []
        for root in (self.ontology, self.data):
            for path in sorted(root.rglob("*")):
                if (path.suffix in CURATED_SUFFIXES and path.is_file() and not self.is_shape(path)
                        and path != self.dataset_description):
                    files.append(path)
        return files

    def shape_files(self) -> list[Path]:
        return sorted(p for p in self.shapes.rglob("*") if p.suffix in CURATED_SUFFIXES)

    def is_shape(self, path: Path) -> bool:
        return self.shapes in path.resolve().parents

    def graph_for(self, path: Path) -> URIRef:
        """The named graph a curated file belongs to (the table in ``ontology/README.md``)."""
        path = path.resolve()
        if self.shapes in path.parents:
            return GRAPH["shapes"]
        if self.ontology in path.parents:
            return GRAPH["ontology"]
        try:
            relative = path.relative_to(self.data)
        except ValueError:
            return GRAPH["extra/" + path.name]
        top = relative.parts[0]
        if top == "sources" and len(relative.parts) > 2:
            return GRAPH["source/" + relative.parts[1]]
        return GRAPH[top]

    def display(self, path: Path) -> str:
        """A path as a user should see it: relative to the curated tree when inside it."""
        try:
            return str(path.resolve().relative_to(self.home))
        except ValueError:
            return str(path)


def default_layout() -> Layout:
    return Layout(_find_home())
