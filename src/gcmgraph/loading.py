"""Reading curated Turtle files into one dataset, one named graph per source of statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from gcmgraph.errors import InputError
from gcmgraph.namespaces import bind_prefixes
from gcmgraph.paths import BULK_SUFFIXES, CURATED_SUFFIXES, Layout
from gcmgraph.rdf_input import FORMATS, format_of, parse_rdf

FIX_HINT = "Fix the file and run `gcmgraph validate` again."


@dataclass
class LoadedFile:
    """One file read into the dataset: where it came from, its graph, the subjects it describes."""

    path: Path
    display: str
    graph: URIRef
    subjects: set = field(default_factory=set)
    #: IRIs the file points to (as objects), for entities that no file describes
    references: set = field(default_factory=set)
    triples: int = 0
    #: an N-Triples or N-Quads file (read with its own graphs; not held in rdflib on oxigraph)
    bulk: bool = False


def parse_turtle(path: Path, display: str | None = None) -> Graph:
    """Parse one Turtle file, turning parser errors into an :class:`InputError` with file and line."""
    return parse_rdf(path, display, FORMATS[".ttl"])


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files given directly, plus every Turtle file under folders given."""
    files: list[Path] = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*") if p.suffix in CURATED_SUFFIXES and p.is_file()))
        elif item.exists() and item.suffix.lower() not in FORMATS:
            format_of(item)  # the error names the formats gcmgraph reads
        else:
            files.append(item)
    return files


def parse_bulk(path: Path, display: str | None = None) -> Dataset:
    """Read an N-Triples or N-Quads file (N-Quads keep their named graphs)."""
    return parse_rdf(path, display, FORMATS[".nq" if path.suffix == ".nq" else ".nt"])


def load_dataset(layout: Layout, extra: Iterable[Path | str] = (), *,
                 bulk_in_rdflib: bool = True) -> tuple[Dataset, list[LoadedFile]]:
    """Read every curated file of ``layout`` and any ``extra`` files into a dataset.

    Each file goes into the named graph the layout assigns it; extra files (a curator's work in
    progress) go into ``graph/extra/{name}``, except N-Quads, which keep their own graphs.
    With ``bulk_in_rdflib=False`` N-Triples and N-Quads files are only listed, not read: the
    oxigraph backend loads them straight into its store, which is what makes it fast at scale.
    """
    dataset = bind_prefixes(Dataset(default_union=True))
    loaded: list[LoadedFile] = []
    curated = layout.curated_files()
    for path in [*curated, *expand_paths(extra)]:
        if path.suffix in BULK_SUFFIXES and path not in curated:
            name = layout.graph_for(path)
            if not path.is_file():
                raise InputError("no such file", path=str(path), hint="Check the path.")
            if not bulk_in_rdflib:
                loaded.append(LoadedFile(path=path, display=str(path), graph=name, bulk=True))
                continue
            bulk = parse_bulk(path)
            subjects, references, count = _add(dataset, bulk, name)
            loaded.append(LoadedFile(path=path, display=str(path), graph=name, subjects=subjects,
                                     references=references, triples=count, bulk=True))
            continue
        # curated files are shown relative to the curated tree, a user's files as the user named them
        display = layout.display(path) if path in curated else str(path)
        graph = parse_turtle(path, display) if path in curated else parse_rdf(path, display)
        name = layout.graph_for(path)
        subjects, references, count = _add(dataset, graph, name)
        loaded.append(LoadedFile(path=path, display=display, graph=name, subjects=subjects,
                                 references=references, triples=count))
    return dataset, loaded


def _add(dataset: Dataset, parsed: Graph, name: URIRef) -> tuple[set, set, int]:
    """Put a parsed file into ``dataset``: its triples into the graph ``name``, except those a
    file with named graphs (N-Quads, TriG, JSON-LD) put in a graph of its own. (subjects,
    IRIs referenced as objects, triples)"""
    subjects, references, count = set(), set(), 0
    quads = parsed.quads((None, None, None, None)) if isinstance(parsed, Dataset) else (
        (s, p, o, None) for s, p, o in parsed)
    for s, p, o, g in quads:
        own = g is not None and not str(g).startswith("urn:x-rdflib:default")
        dataset.graph(g if own else name).add((s, p, o))
        subjects.add(s)
        if isinstance(o, URIRef):
            references.add(o)
        count += 1
    return subjects, references, count
