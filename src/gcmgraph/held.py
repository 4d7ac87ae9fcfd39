"""What a backend holds, for the commands that read the whole graph rather than run a query.

``gcmgraph stats``, ``export``, ``network``, ``plot network`` and ``validate`` read every triple.
On the memory backend that is the rdflib dataset of the loaded files. On the other backends the
data may be elsewhere or much larger:

- an Oxigraph store holds, besides the curated files, the large N-Triples/N-Quads files that
  :func:`gcmgraph.load` hands to its bulk loader without reading them into rdflib;
- a SPARQL endpoint holds whatever was published to it (the local files are not read).

So :func:`stats` asks the backend in SPARQL (a few aggregate queries: seconds on a million
triples in Oxigraph), :func:`serialize` writes N-Triples and N-Quads straight from an Oxigraph store
(pyoxigraph's serializer), and :func:`held` gives a :class:`~gcmgraph.graph.KnowledgeGraph` whose
rdflib dataset is what the backend holds (read back quad by quad: for the network, the other RDF
formats and validating a store's copy).

The named graphs: an Oxigraph store built by gcmgraph keeps one named graph per file or source and
their merge in its default graph (``union="materialized"``), so the named graphs are read and the
default graph is skipped; a store in ``view`` mode has no merged copy, and its default graph (if
any) is read as the dataset's default graph. A SPARQL endpoint is read with ``GRAPH ?g``; when it
shows no named graph (or its ``graphs`` are given, which makes their merge its default graph) its
default graph is read into one graph named after the endpoint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from gcmgraph.backends import (
    EndpointBackend,
    MemoryBackend,
    OxigraphBackend,
    _from_ox,
    _json_term,
    _ox,
    normalize_term,
)
from gcmgraph.errors import InputError
from gcmgraph.namespaces import GRAPH, bind_prefixes

if TYPE_CHECKING:
    from gcmgraph.export import Format
    from gcmgraph.graph import KnowledgeGraph, Stats

__all__ = ["held", "held_dataset", "rows", "serialize", "stats", "write"]

_PREFIXES = """\
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# DISTINCT everywhere: the default graph of an endpoint may be a bag of its named graphs
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
PER_CLASS = ("SELECT ?class (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?class WHERE { ?s a ?class } } "
             "GROUP BY ?class")
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
PER_SOURCE = (_PREFIXES + "SELECT ?source (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?source WHERE { "
              "?s dct:source ?source } } GROUP BY ?source")
SOURCE_LABELS = (_PREFIXES + "SELECT DISTINCT ?source ?label WHERE { ?s dct:source ?source . "
                 "?source skos:prefLabel|rdfs:label ?label }")
QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
TRIPLES_ROWS = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"


def _is_local(kg: KnowledgeGraph) -> bool:
    """True when the kg's rdflib dataset already is all its backend holds."""
    backend = kg._backend
    if backend is None or isinstance(backend, MemoryBackend):
        return True
    if isinstance(backend, OxigraphBackend):
        return not any(f.bulk and not f.triples for f in kg.files)
    return False


def rows(backend: Any, text: str) -> list[tuple[Node | None, ...]]:
    """A SELECT's rows as rdflib terms (literals normalised as every backend reports them).

    The catalogue's :func:`~gcmgraph.backends.run` gives typed DataFrames; the whole-graph commands
    need the terms themselves (language tags, IRIs, blank nodes).
    """
    if isinstance(backend, OxigraphBackend):
        solutions = backend.store.query(text, use_default_graph_as_union=backend.union == "view")
        width = len(solutions.variables)
        return [tuple(normalize_term(_from_ox(solution[i])) for i in range(width)) for solution in solutions]
    if isinstance(backend, EndpointBackend):
        body, headers = backend._post(text, "SELECT")
        data = backend._json(body)
        variables = list(data.get("head", {}).get("vars", []))
        found = data.get("results", {}).get("bindings", [])
        cap = backend._cap(headers)
        if cap and len(found) >= cap:
            found = backend._pages(text, variables, cap)  # the store cut the answer: read it in pages
        return [tuple(normalize_term(_json_term(row[v])) if v in row else None for v in variables)
                for row in found]
    if isinstance(backend, MemoryBackend):
        result = backend.graph.query(text)
        return [tuple(normalize_term(term) for term in row) for row in result]
    raise InputError(f"cannot read the graph from {backend!r}")


# --------------------------------------------------------------------------------------------------
# The dataset a backend holds
# --------------------------------------------------------------------------------------------------


def _store_quads(backend: OxigraphBackend):
    """The store's quads as pyoxigraph quads, without the materialised merge of its named graphs."""
    ox = _ox()
    skip_default = backend.union == "materialized" and any(True for _ in backend.store.named_graphs())
    for quad in backend.store.quads_for_pattern(None, None, None, None):
        if skip_default and isinstance(quad.graph_name, ox.DefaultGraph):
            continue  # the merge of the named graphs, which are read themselves
        yield quad


def _oxigraph_quads(backend: OxigraphBackend) -> Iterable[tuple[Node, Node, Node, URIRef | None]]:
    ox = _ox()
    for quad in _store_quads(backend):
        default = isinstance(quad.graph_name, ox.DefaultGraph)
        yield (_from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object),
               None if default else _from_ox(quad.graph_name))


def _endpoint_quads(backend: EndpointBackend) -> Iterable[tuple[Node, Node, Node, URIRef | None]]:
    if not backend.graphs:
        found = rows(backend, QUADS)
        if found:
            for g, s, p, o in found:
                yield s, p, o, g
            return
    name = URIRef(backend.graphs[0]) if len(backend.graphs) == 1 else URIRef(backend.url)
    for s, p, o in rows(backend, TRIPLES_ROWS):
        yield s, p, o, name


def held_dataset(backend: Any) -> Dataset:
    """An rdflib Dataset of the quads ``backend`` holds (see the module docstring for the graphs)."""
    dataset = bind_prefixes(Dataset(default_union=True))
    if isinstance(backend, MemoryBackend):
        for s, p, o in backend.graph:
            dataset.add((s, p, o))
        return dataset
    if isinstance(backend, OxigraphBackend):
        quads = _oxigraph_quads(backend)
    elif isinstance(backend, EndpointBackend):
        quads = _endpoint_quads(backend)
    else:
        raise InputError(f"cannot read the graph from {backend!r}")
    graphs: dict[URIRef | None, Graph] = {}
    for s, p, o, g in quads:
        if g not in graphs:
            graphs[g] = dataset.default_context if g is None else dataset.graph(g)
        graphs[g].add((s, p, normalize_term(o)))
    return dataset


class _Everywhere(dict):
    """``files_of`` for data read back from an endpoint: every entity comes from it."""

    def __init__(self, where: str):
        super().__init__()
        self.where = [where]

    def get(self, key, default=None):
        return self.where

    def __bool__(self) -> bool:
        return True


def held(kg: KnowledgeGraph) -> KnowledgeGraph:
    """``kg`` itself when its rdflib dataset holds everything; else a knowledge graph of what its
    backend holds, read back (same files, layout and backend)."""
    if _is_local(kg):
        return kg
    from gcmgraph.graph import KnowledgeGraph

    backend = kg._backend
    if isinstance(backend, EndpointBackend):
        copy = KnowledgeGraph(held_dataset(backend), [], kg.layout, backend)
        copy.__dict__["files_of"] = _Everywhere(backend.url)
        return copy
    return KnowledgeGraph(held_dataset(backend), kg.files, kg.layout, backend)


# --------------------------------------------------------------------------------------------------
# Stats in SPARQL
# --------------------------------------------------------------------------------------------------


def _label(labels: Sequence[Literal], lang: str = "es") -> str | None:
    """The same choice as :meth:`KnowledgeGraph.label`: ``lang``, then the other, then any."""
    other = "en" if lang == "es" else "es"
    for wanted in (lang, other):
        for literal in labels:
            if literal.language and literal.language.split("-")[0] == wanted:
                return str(literal)
    return str(labels[0]) if labels else None


def stats(kg: KnowledgeGraph) -> Stats:
    """:meth:`KnowledgeGraph.stats`, computed by the backend (the same numbers as rdflib's)."""
    from gcmgraph.graph import Stats

    if _is_local(kg) and not isinstance(kg._backend, OxigraphBackend):
        return kg.stats()
    backend = kg._backend
    names = bind_prefixes(Graph(bind_namespaces="none"))
    triples = backend.triple_count() if isinstance(backend, OxigraphBackend) else int(rows(backend, TRIPLES)[0][0])
    per_class = Counter()
    for cls, n in rows(backend, PER_CLASS):
        per_class[names.qname(cls) if isinstance(cls, URIRef) else str(cls)] += int(n)
    per_graph = Counter()
    if isinstance(backend, OxigraphBackend) or not backend.graphs:
        for g, n in rows(backend, PER_GRAPH):
            per_graph[str(g).removeprefix(str(GRAPH))] += int(n)
    if not per_graph and triples:  # an endpoint read through its default graph only
        per_graph[str(backend.graphs[0] if len(backend.graphs) == 1 else backend.url)] = triples
    labels: dict[Node, list[Literal]] = {}
    for source, label in rows(backend, SOURCE_LABELS):
        if isinstance(label, Literal):
            labels.setdefault(source, []).append(label)
    sources = Counter()
    for source, n in rows(backend, PER_SOURCE):
        sources[_label(labels.get(source, [])) or str(source)] += int(n)
    return Stats(
        triples=triples,
        entities_per_class=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        triples_per_graph=dict(sorted(per_graph.items())),
        sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def serialize(kg: KnowledgeGraph, fmt: Format) -> tuple[bytes, int]:
    """The graph in ``fmt`` and its number of triples (of the merge), from whatever holds it.

    From an Oxigraph store, N-Triples and N-Quads are written by pyoxigraph (N-Triples sorted, as
    the memory backend writes them); every other case reads the graph into rdflib first.
    """
    from gcmgraph.export import serialize as serialize_rdflib

    backend = kg._backend
    if isinstance(backend, OxigraphBackend) and fmt.name in ("nt", "nquads"):
        ox = _ox()
        if fmt.name == "nquads":
            data = ox.serialize(_store_quads(backend), format=ox.RdfFormat.N_QUADS)
        else:
            data = ox.serialize(_distinct_union(backend), format=ox.RdfFormat.N_TRIPLES)
            data = b"".join(sorted(data.splitlines(keepends=True)))
        return data, backend.triple_count()
    source = held(kg)
    return serialize_rdflib(source, fmt), len(source)


def _distinct_union(backend: OxigraphBackend):
    ox = _ox()
    if backend.union == "materialized":
        return (ox.Triple(q.subject, q.predicate, q.object)
                for q in backend.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    seen = set()
    out = []
    for q in backend.store.quads_for_pattern(None, None, None, None):
        triple = ox.Triple(q.subject, q.predicate, q.object)
        if triple not in seen:
            seen.add(triple)
            out.append(triple)
    return out


def write(kg: KnowledgeGraph, path: Path | str, fmt: str | None = None) -> tuple[Path, int]:
    """:func:`gcmgraph.export.export` from whatever holds the graph: the file and its triples."""
    from gcmgraph.export import FORMATS, get_format, write_atomic

    path = Path(path)
    if fmt is None:
        by_suffix = {f.suffix: f for f in FORMATS.values()}
        if path.suffix not in by_suffix:
            raise InputError(f"cannot tell the format from the suffix {path.suffix or '(none)'}",
                             path=path, hint=f"Pass --format, one of: {', '.join(FORMATS)}.")
        chosen = by_suffix[path.suffix]
    else:
        chosen = get_format(fmt)
    data, triples = serialize(kg, chosen)
    write_atomic(path, data)
    return path, triples
