"""The knowledge-graph object that :func:`gcmgraph.load` returns."""

from __future__ import annotations

import warnings

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from gcmgraph.backends import Backend, MemoryBackend, OxigraphBackend, recorded_files
from gcmgraph.backends import connect as open_endpoint
from gcmgraph.backends import run as run_on
from gcmgraph.catalogue import Catalogue
from gcmgraph.errors import InputError
from gcmgraph.loading import LoadedFile, load_dataset, parse_turtle
from gcmgraph.namespaces import GRAPH, bind_prefixes
from gcmgraph.paths import Layout, default_layout
from gcmgraph.validation import ValidationReport, validate_graph


@dataclass(frozen=True)
class Stats:
    """What ``gcmgraph stats`` prints: size, entities per class, statements per named graph."""

    triples: int
    entities_per_class: dict[str, int]
    triples_per_graph: dict[str, int]
    sources: dict[str, int]


class _FilesOrBulk(dict):
    """``files_of`` when large files were loaded only into the store: unknown entities map to them."""

    def __init__(self, known: dict, bulk: list[str]):
        super().__init__(known)
        self.bulk = bulk

    def get(self, key, default=None):
        return super().get(key, self.bulk)


def _ox_default_graph():
    import pyoxigraph

    return pyoxigraph.DefaultGraph()


class KnowledgeGraph:
    """The curated graph: a dataset with one named graph per source of statements.

    ``graph`` is the union of the named graphs as one rdflib graph (what queries and validation
    see); ``dataset`` keeps the named graphs apart for provenance and TriG export.
    """

    def __init__(self, dataset: Dataset, files: list[LoadedFile], layout: Layout,
                 backend: Backend | None = None):
        self.dataset = dataset
        self.files = files
        self.layout = layout
        self._backend = backend

    @cached_property
    def backend(self) -> Backend:
        """Where queries run (rdflib in memory by default). Validation, labels and stats read
        the curated files through rdflib whatever the backend."""
        return self._backend or MemoryBackend(self.graph)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self)} triples from {len(self.files)} files>"

    def __len__(self) -> int:
        return len(self.graph)

    @cached_property
    def graph(self) -> Graph:
        union = bind_prefixes(Graph(bind_namespaces="none"))
        for s, p, o, _ in self.dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union

    @cached_property
    def files_of(self) -> dict[Node, list[str]]:
        """The curated files that describe each entity (as subject), or else that point to it."""
        described: dict[Node, list[str]] = defaultdict(list)
        referenced: dict[Node, list[str]] = defaultdict(list)
        for loaded in self.files:
            for subject in loaded.subjects:
                described[subject].append(loaded.display)
            for reference in loaded.references:
                referenced[reference].append(loaded.display)
        unread = [loaded.display for loaded in self.files if loaded.bulk and not loaded.triples]
        if unread:
            # N-Triples/N-Quads files held only in the oxigraph store: any entity not found in a
            # curated file comes from one of them
            return _FilesOrBulk({**referenced, **described}, unread)
        return {**referenced, **described}

    def label(self, node: Node, lang: str = "es") -> str | None:
        """The entity's label in ``lang``, falling back to the other language, then to any."""
        if isinstance(self._backend, OxigraphBackend) and isinstance(node, URIRef):
            # the store holds what the rdflib graph does not (N-Triples/N-Quads loaded in bulk)
            from gcmgraph.backends import _from_ox, _ox
            ox, store = _ox(), self._backend.store
            labels = [_from_ox(quad.object) for p in (SKOS.prefLabel, RDFS.label)
                      for quad in store.quads_for_pattern(ox.NamedNode(str(node)), ox.NamedNode(str(p)), None, None)
                      if isinstance(quad.object, ox.Literal)]
        else:
            labels = [o for p in (SKOS.prefLabel, RDFS.label) for o in self.graph.objects(node, p)
                      if isinstance(o, Literal)]
        other = "en" if lang == "es" else "es"
        for wanted in (lang, other):
            for literal in labels:
                if literal.language and literal.language.split("-")[0] == wanted:
                    return str(literal)
        return str(labels[0]) if labels else None

    def shapes(self) -> Graph:
        shapes = Graph()
        for path in self.layout.shape_files():
            shapes += parse_turtle(path, self.layout.display(path))
        return shapes

    def validate(self, engine: str | None = None) -> ValidationReport:
        """Validate the whole graph against the shapes in ``ontology/shapes/``.

        ``engine``: ``"pyshacl"`` (the reference), ``"fast"``
        (:func:`gcmgraph.scale_validation.validate_fast`: the same results, orders of magnitude
        sooner on large graphs; on the oxigraph backend it reads the store itself) or ``None``:
        pySHACL on the memory backend, ``fast`` on the others.
        """
        from gcmgraph.backends import OxigraphBackend

        on_store = isinstance(self._backend, OxigraphBackend)
        engine = engine or ("fast" if on_store else "pyshacl")
        if engine not in ("pyshacl", "fast"):
            raise InputError(f"unknown validation engine {engine!r}", hint="Use pyshacl or fast.")
        if not on_store:
            if engine == "pyshacl":
                return validate_graph(self.graph, self.shapes(), self.files_of)
            from gcmgraph.scale_validation import validate_fast

            return validate_fast(self.graph, self.shapes(), self.files_of)
        # on the store, which holds large N-Triples/N-Quads files the rdflib graph does not: its
        # merged default graph when it keeps one (read once, not once per copy), else all its graphs
        from gcmgraph.scale_validation import _as_rdflib, validate_fast

        store = self._backend.store
        graph = _ox_default_graph() if self._backend.union == "materialized" else None
        if engine == "pyshacl":
            return validate_graph(_as_rdflib(store, graph), self.shapes(), self.files_of)
        return validate_fast(store, self.shapes(), self.files_of, graph=graph)
        raise InputError(f"unknown validation engine {engine!r}", hint="Use pyshacl or fast.")

    def stats(self) -> Stats:
        per_class = Counter(
            self.graph.qname(cls) for cls in self.graph.objects(None, RDF.type)
        )
        per_graph = Counter()
        for _, _, _, name in self.dataset.quads((None, None, None, None)):
            per_graph[str(name).removeprefix(str(GRAPH))] += 1
        sources = Counter(
            self.label(source) or str(source) for source in self.graph.objects(None, DCTERMS.source)
        )
        return Stats(
            triples=len(self.graph),
            entities_per_class=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
            triples_per_graph=dict(sorted(per_graph.items())),
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        )

    @cached_property
    def catalogue(self) -> Catalogue:
        """The prepared queries of ``queries/``; ``kg.catalogue.get(name).description``."""
        return Catalogue.load(self.layout)

    def query(self, query: str | Path, lang: str = "es", **params: Any) -> pd.DataFrame | bool | Graph:
        """Run a catalogue query by name, a ``.rq`` file, or SPARQL text.

        Parameters are typed and checked before the query runs (``objective=16``, ``country="CO"``)
        and bound as RDF terms, never pasted into the text. A SELECT gives a DataFrame with typed
        columns, labels in ``lang`` ("es" or "en", falling back to the other); ASK a bool;
        CONSTRUCT and DESCRIBE a graph.

        >>> kg = load()
        >>> df = kg.query("policies-by-objective", objective=16)
        >>> "https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia" in set(df["policy"])
        True
        """
        return run_on(self.backend, self.catalogue.resolve(query), params, lang)

    def to_networkx(self, lang: str = "es"):
        """The curated entities and their relations as a ``networkx.MultiDiGraph``.

        Nodes (keyed by IRI) carry ``label`` in ``lang``, ``type``, ``category`` and ``iri``;
        edges ``relation``, ``property`` and, for objective links, ``basis``. All plain strings
        or numbers, ready for ``networkx.write_graphml``/``write_gexf``. Projections, centrality
        and explained paths: :mod:`gcmgraph.network`.

        >>> G = load().to_networkx(lang="en")
        >>> G.nodes["https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia"]["label"]
        '«Somos Familia» (We Are Family) programme'
        """
        from gcmgraph.network import to_networkx  # network builds on this module

        return to_networkx(self, lang)

    def named_graphs(self) -> list[URIRef]:
        return sorted({name for _, _, _, name in self.dataset.quads((None, None, None, None))})


def store_sources(files) -> list[tuple[Path, str | None]]:
    """(file, named graph) for an Oxigraph store: N-Quads keep their own graphs; every other file
    goes to the graph the layout gives it."""
    return [(f.path, None if f.path.suffix == ".nq" else str(f.graph)) for f in files]


def remembered_files(store: Path | str, layout: Layout) -> list[Path]:
    """The files besides the curated ones that the on-disk store at ``store`` was built from.

    A store built with large files (``gcmgraph validate --backend oxigraph --store S big.nq``) is
    reopened with them by commands that name no file (``gcmgraph query NAME --store S``), instead
    of being rebuilt from the curated files alone; if such a file changed, the store is rebuilt
    with its new content. Files that no longer exist are left out.
    """
    curated = {p.resolve() for p in layout.curated_files()}
    return [p for p, _ in recorded_files(store) if p.resolve() not in curated and p.is_file()]


def load(extra: Iterable[Path | str] = (), layout: Layout | None = None, *,
         backend: str = "memory", store: Path | str | None = None) -> KnowledgeGraph:
    """Load the shipped graph (ontology, concept schemes and curated data), plus ``extra`` files.

    ``backend="oxigraph"`` runs queries on pyoxigraph, in memory or, with ``store``, in an on-disk
    store that is built on first use and reopened without reloading while the files are unchanged
    (without ``extra``, with the files it was last built from: :func:`remembered_files`).

    >>> import gcmgraph
    >>> kg = gcmgraph.load()
    >>> kg.label(gcmgraph.objective(16), "en")
    'Empower migrants and societies to realize full inclusion and social cohesion'
    """
    layout = layout or default_layout()
    extra = list(extra)
    if backend == "oxigraph" and store is not None and not extra:
        extra = remembered_files(store, layout)
    dataset, files = load_dataset(layout, extra, bulk_in_rdflib=backend != "oxigraph")
    if backend == "memory":
        if store is not None:
            raise InputError("--store needs the oxigraph backend", hint="Add --backend oxigraph.")
        return KnowledgeGraph(dataset, files, layout)
    if backend == "oxigraph":
        built = OxigraphBackend.build(store, store_sources(files))
        return KnowledgeGraph(dataset, files, layout, built)
    raise InputError(f"unknown backend {backend!r}",
                     hint="Use memory or oxigraph; gcmgraph.connect(url) queries a SPARQL endpoint.")


def connect(url: str, user: str | None = None, password: str | None = None, *,
            timeout: float | tuple[float, float] | None = None, graphs: Iterable[str] | None = None,
            auth: str = "basic", max_rows: int | None = None,
            layout: Layout | None = None) -> KnowledgeGraph:
    """The knowledge graph with its queries sent to a SPARQL 1.1 endpoint.

    ``timeout``: seconds, or ``(connect, read)``; by default ``GCMGRAPH_ENDPOINT_TIMEOUT`` or 5
    and 120 s. Validation, labels and stats read the local curated files, not the store's copy.

    ``graphs``: the named graphs to query (sent as ``default-graph-uri``), e.g. the one
    ``gcmgraph publish`` wrote; without them the store's default graph. When the graph queried holds
    no gcmgraph data a :class:`GraphNotFoundWarning` says so and names the store's graphs that do.
    """
    if timeout is None:
        from gcmgraph.backends import endpoint_timeout

        timeout = endpoint_timeout()
    kg = load(layout=layout)
    kg._backend = open_endpoint(url, user, password, timeout=timeout, graphs=graphs, auth=auth,
                                max_rows=max_rows)
    held, elsewhere = kg._backend.locate()
    if not held:
        warnings.warn(GraphNotFoundWarning(_not_found(url, list(graphs or []), elsewhere)), stacklevel=2)
    return kg


class GraphNotFoundWarning(UserWarning):
    """The graph queried at an endpoint holds no gcmgraph data (see :func:`connect`)."""


def _not_found(url: str, graphs: list[str], elsewhere: list[str]) -> str:
    what = ("graph " + ", ".join(f"<{g}>" for g in graphs)) if graphs else "the default graph"
    message = f"{what} of {url} holds no gcmgraph data (no GCM objective 16)"
    if len(elsewhere) == 1:
        return (message + f"; the store holds it in the named graph <{elsewhere[0]}>: add --endpoint-graph "
                f"{elsewhere[0]} (Python: graphs=[{elsewhere[0]!r}])")
    if elsewhere:
        return (message + "; the store holds it in the named graphs " + ", ".join(f"<{g}>" for g in elsewhere)
                + ": add --endpoint-graph with one of them (Python: graphs=[...])")
    return (message + "; every catalogue query will answer with no rows. Publish the graph there "
            "(gcmgraph publish URL --store-type ...), or check the URL.")
