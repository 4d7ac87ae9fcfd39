"""Where the catalogue runs: rdflib in memory, pyoxigraph (in memory or on disk), or a SPARQL endpoint.

Every backend takes the *final* SPARQL text (:meth:`gcmgraph.catalogue.Query.bind`) and answers
with the same Python values: a typed :class:`pandas.DataFrame` for SELECT (built by
:func:`gcmgraph.results.to_dataframe`, so dtypes are the same everywhere), a ``bool`` for ASK and an
rdflib :class:`~rdflib.Graph` for CONSTRUCT and DESCRIBE.

>>> backend = open_backend("oxigraph")                     # doctest: +SKIP
>>> backend.load_files([(path, graph_iri), ...])           # doctest: +SKIP
>>> run(backend, catalogue.get("policies-by-objective"), {"objective": 16})   # doctest: +SKIP

Normalisation (why the same query gives the same table on every engine)
========================================================================

Results are turned into rdflib terms by one function, :func:`normalize_term`, on *every* backend
(the in-memory one too):

- ``"x"^^xsd:string`` becomes the plain literal ``"x"``. RDF 1.1 says they are the same term, and
  Oxigraph returns every plain literal typed ``xsd:string``; rdflib and Virtuoso keep them apart
  (rdflib's triple matching and Virtuoso's ``=`` do not match ``"CO"`` with
  ``"CO"^^xsd:string``). Data is normalised the same way before it reaches rdflib (a normalised
  copy of the graph, only when it holds such literals) or a server (``serialize_for_store``).
- language tags are lower-cased (Oxigraph and Virtuoso lower-case ``en-T-ES``; rdflib keeps it).
- typed literals are rebuilt with rdflib, so lexical forms are rdflib's canonical ones
  (Virtuoso answers ``"1"^^xsd:boolean`` for ``true``); ill-typed literals
  (``"8 de agosto"^^xsd:date``) keep their lexical form and datatype, so
  :func:`~gcmgraph.results.to_dataframe` types their column as text on every backend.

Union default graph
===================

gcmgraph's queries read the *merge* of the named graphs (one per source), as rdflib's union graph
does: a triple stated by two sources counts once. Oxigraph's ``use_default_graph_as_union`` (and
``--union-default-graph``, and Virtuoso's default graph, and a list of ``default-graph-uri``) is a
*bag*: such a triple is matched once per graph, so counts and non-DISTINCT rows differ from rdflib.
Hence :class:`OxigraphBackend` by default keeps the named graphs *and* materialises their merge in
the store's default graph, which queries read (``union="materialized"``; twice the load work);
``union="view"`` stores named graphs only and queries with ``use_default_graph_as_union`` (half the
load, bag semantics across graphs). For a server, publish the merge into one named graph and
connect with ``graphs=[that graph]`` (sent as ``default-graph-uri``): this works unchanged on
Oxigraph and Virtuoso, and keeps Virtuoso's own system graphs (``virtrdf#`` and others, part of
its default graph) out of the answers. Without ``graphs`` the store's default graph is used: an
Oxigraph server then needs ``--union-default-graph``.

Country parameters
==================

:meth:`Query.bind` looks country codes up in an rdflib graph. Every backend gives one with
:meth:`parameter_graph`: a small CONSTRUCT of the countries' ISO codes and labels, run once on the
backend itself (the in-memory backend hands over its graph), so codes resolve against the data the
backend holds.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from gcmgraph.catalogue import Query, bind_text
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import objective
from gcmgraph.results import to_dataframe

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "UNDEF",
    "EndpointBackend",
    "EndpointError",
    "MemoryBackend",
    "OxigraphBackend",
    "connect",
    "normalize_graph",
    "normalize_term",
    "bind",
    "open_backend",
    "query_form",
    "run",
    "serialize_for_store",
]

#: ``kind`` values of :func:`open_backend`.
BACKENDS = ("memory", "oxigraph", "endpoint")

#: What :meth:`Backend.parameter_graph` asks each backend for: countries with their ISO codes.
PARAMETER_QUERY = """
PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?country gcm:isoAlpha2 ?alpha2 ; gcm:isoAlpha3 ?alpha3 ; rdfs:label ?label }
WHERE {
  { ?country gcm:isoAlpha2 ?alpha2 } UNION { ?country gcm:isoAlpha3 ?alpha3 }
  OPTIONAL { ?country rdfs:label ?label }
}
"""

_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_DISTINCT_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


#: A resource every copy of gcmgraph's graph describes (GCM objective 16), by which
#: :meth:`EndpointBackend.locate` recognises the graph in a store.
GCMGRAPH_MARKER = str(objective(16))
_HOLDS_GCMGRAPH = f"ASK {{ <{GCMGRAPH_MARKER}> ?p ?o }}"
_GRAPHS_HOLDING_GCMGRAPH = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{GCMGRAPH_MARKER}> ?p ?o }} }} ORDER BY ?g LIMIT 10"


class BackendError(GcmgraphError):
    """A backend could not be opened, loaded or queried (exit code 2)."""

    exit_code = 2


class EndpointError(BackendError):
    """A SPARQL endpoint was unreachable, too slow, or answered with an HTTP error."""

    def __init__(self, message: str, url: str, hint: str | None = None):
        self.url = url
        self.reason = message
        self.hint = hint
        super().__init__(f"SPARQL endpoint {url}: {message}" + (f"\n  {hint}" if hint else ""))


# --------------------------------------------------------------------------------------------------
# Normalising terms and results
# --------------------------------------------------------------------------------------------------


def normalize_term(term: Node | None) -> Node | None:
    """The rdflib term every backend reports for ``term`` (see the module docstring)."""
    if isinstance(term, Literal):
        if term.language:
            lowered = term.language.lower()
            return term if lowered == term.language else Literal(str(term), lang=lowered)
        if term.datatype == XSD.string:
            return Literal(str(term))
    return term


def _needs_normalizing(graph: Graph) -> bool:
    for _, _, o in graph:
        if isinstance(o, Literal) and (o.datatype == XSD.string
                                       or (o.language and o.language != o.language.lower())):
            return True
    return False


def normalize_graph(graph: Graph) -> Graph:
    """``graph`` itself when it has nothing to normalise, else a normalised copy (same prefixes)."""
    if not _needs_normalizing(graph):
        return graph
    copy = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True)
    for s, p, o in graph:
        copy.add((s, p, normalize_term(o)))
    return copy


def serialize_for_store(graph: Graph, fmt: str = "nt") -> bytes:
    """``graph`` as UTF-8 N-Triples (valid Turtle too) with normalised literals, for a server."""
    return normalize_graph(graph).serialize(format=fmt, encoding="utf-8")


@dataclass
class _Rows:
    """What :func:`gcmgraph.results.to_dataframe` reads from a result: ``vars`` and ``bindings``."""

    vars: list[Variable]
    bindings: list[dict[Variable, Node]]


_SEPARATOR = re.compile(r"""GROUP_CONCAT\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*?;\s*SEPARATOR\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""",
                        re.IGNORECASE)


def concat_separators(text: str) -> list[str]:
    """The explicit separators of the query's GROUP_CONCATs (not blank ones)."""
    found = {a or b for a, b in _SEPARATOR.findall(text)}
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def _canonical_concat(value: str, separator: str) -> str:
    return separator.join(sorted(value.split(separator)))


def _frame(variables: Sequence[str], rows: Iterable[Sequence[Node | None]], text: str = "", *,
           normalized: bool = False) -> pd.DataFrame:
    """The typed DataFrame of a SELECT; text cells made of GROUP_CONCAT parts list them sorted.

    SPARQL leaves the order of GROUP_CONCAT's parts to the engine (rdflib, Oxigraph and Virtuoso
    differ), so a cell that holds a separator declared in the query's GROUP_CONCAT(...;
    separator="…") gets its parts sorted (by code point): the same text on every backend.
    """
    names = [Variable(v) for v in variables]
    if normalized:  # the caller normalised them
        bindings = [{v: t for v, t in zip(names, row) if t is not None} for row in rows]
    else:
        bindings = [{v: normalize_term(t) for v, t in zip(names, row) if t is not None} for row in rows]
    frame = to_dataframe(_Rows(names, bindings))
    separators = concat_separators(text) if text else []
    iri_columns = set(frame.attrs.get("iri_columns", ()))
    for separator in separators:
        for column in frame.columns:
            if column in iri_columns or str(frame[column].dtype) != "string":
                continue
            series = frame[column]
            if series.str.contains(separator, regex=False).any():
                frame[column] = series.map(lambda v, s=separator: v if pd.isna(v) or s not in v
                                           else _canonical_concat(v, s)).astype("string")
    return frame


_PROLOGUE = re.compile(r"(\s+|#[^\n]*|(BASE|PREFIX)\s+[^<]*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def _split_prologue(text: str) -> tuple[str, str]:
    end = _PROLOGUE.match(text).end()
    return text[:end], text[end:]


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first keyword after the prologue)."""
    match = _FORM.match(_split_prologue(text)[1])
    if not match:
        raise InputError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE expected)",
                         hint="gcmgraph runs read-only queries.")
    return match.group(1).upper()


# --------------------------------------------------------------------------------------------------
# The protocol
# --------------------------------------------------------------------------------------------------


@runtime_checkable
class Backend(Protocol):
    """What every backend offers. ``kind`` is one of :data:`BACKENDS`."""

    kind: str

    def query(self, text: str) -> pd.DataFrame | bool | Graph:
        """Run final SPARQL text: DataFrame (SELECT), bool (ASK), Graph (CONSTRUCT, DESCRIBE)."""

    def triple_count(self) -> int:
        """Distinct triples the queries see (for the curated graph: ``len(kg)``)."""

    def parameter_graph(self) -> Graph:
        """An rdflib graph to resolve query parameters (country codes) against."""

    def close(self) -> None:
        """Release the store or connection; the backend is unusable afterwards."""


class _Undefined:
    """``UNDEF`` in a VALUES block: the variable is in scope but unbound."""

    def n3(self, namespace_manager: Any = None) -> str:
        return "UNDEF"


UNDEF = _Undefined()


def bind(query: Query, params: Mapping[str, Any] | None = None, graph: Graph | None = None,
         lang: str = "es") -> str:
    """The final text of ``query``: :meth:`Query.bind`, plus ``VALUES ?__x { UNDEF }`` for each
    optional parameter left out.

    Virtuoso 7.2 refuses a query that tests a variable bound nowhere (``FILTER(!BOUND(?__x) ||
    sameTerm(?y, ?__x))`` gives "SP031: IRI() built-in function can not use boolean expression");
    an UNDEF binding puts the variable in scope and means the same on every engine.
    """
    terms: dict[Any, Any] = dict(query.terms(params, graph, lang))
    for parameter in query.parameters:
        if parameter.variable not in terms:
            terms[parameter.variable] = UNDEF
    return bind_text(query.text, terms, query.name)


def run(backend: Backend, query: Query, params: Mapping[str, Any] | None = None,
        lang: str = "es") -> pd.DataFrame | bool | Graph:
    """Bind ``query``'s parameters (validated, against ``backend.parameter_graph()``) and run it."""
    text = bind(query, params, backend.parameter_graph() if _needs_graph(query, params) else None, lang)
    return backend.query(text)


def _needs_graph(query: Query, params: Mapping[str, Any] | None) -> bool:
    return any(p.type == "country" and ((params or {}).get(p.name) is not None or p.default is not None)
               for p in query.parameters)


# --------------------------------------------------------------------------------------------------
# rdflib in memory
# --------------------------------------------------------------------------------------------------


class MemoryBackend:
    """rdflib over one graph (the knowledge graph's union graph).

    The graph is used as it is unless it holds ``xsd:string``-typed literals or upper-case language
    tags; then queries run on a normalised copy (the original, which validation reads, is untouched).
    """

    kind = "memory"

    def __init__(self, graph: Graph):
        self.source = graph
        self.graph = normalize_graph(graph)

    def __repr__(self) -> str:
        return f"<MemoryBackend {len(self.graph)} triples>"

    def query(self, text: str) -> pd.DataFrame | bool | Graph:
        try:
            result = self.graph.query(text)
            if result.type == "SELECT":
                variables = [str(v) for v in (result.vars or [])]
                return _frame(variables, ([row.get(Variable(v)) for v in variables] for row in result.bindings),
                              text)
            if result.type == "ASK":
                return bool(result.askAnswer)
            return normalize_graph(result.graph)
        except (GcmgraphError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as err:  # rdflib evaluates lazily and raises plain exceptions
            reason = re.sub(r"\s+", " ", str(err)).strip()[:300] or err.__class__.__name__
            raise BackendError(f"rdflib could not run the query: {reason}\n  The memory backend holds the "
                               "union of the named graphs as one graph: GRAPH and FROM NAMED need "
                               "--backend oxigraph.") from None

    def triple_count(self) -> int:
        return len(self.graph)

    def parameter_graph(self) -> Graph:
        return self.graph

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------------------------------
# pyoxigraph
# --------------------------------------------------------------------------------------------------

#: The file an :class:`OxigraphBackend` writes inside a store it built.
STORE_MARKER = "gcmgraph-store.json"
_UNION_MODES = ("materialized", "view")


def _ox():
    try:
        import pyoxigraph
    except ImportError:
        raise BackendError("the oxigraph backend needs pyoxigraph, which is not installed\n"
                           "  Install it: pip install 'gcmgraph[oxigraph]' (or leave out --backend "
                           "oxigraph: the memory backend needs nothing more)") from None
    return pyoxigraph


def _from_ox(term: Any) -> Node | None:
    ox = _ox()
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language.lower())
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise BackendError(f"gcmgraph cannot represent the RDF term {term} (RDF 1.2 triple terms are not supported)")


def _to_ox(term: Node) -> Any:
    ox = _ox()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and term.datatype != XSD.string:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise BackendError(f"gcmgraph cannot store the term {term!r} in Oxigraph")


_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
            ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".n3": "N3"}


def _rdf_format(path: Path) -> Any:
    suffixes = [s.lower() for s in path.suffixes]
    suffix = suffixes[-1] if suffixes else ""
    if suffix == ".gz" and len(suffixes) > 1:
        raise InputError("compressed files are not read directly", path=path, hint="Decompress it first.")
    try:
        return getattr(_ox().RdfFormat, _FORMATS[suffix])
    except KeyError:
        raise InputError(f"unknown RDF file type {suffix or '(none)'}", path=path,
                         hint=f"Use one of: {', '.join(sorted(_FORMATS))}.") from None


def fingerprint(sources: Iterable[tuple[Path | str, str | None]]) -> str:
    """A digest of files (content) and the graphs they go to: a store built from them is current."""
    digest = hashlib.sha256()
    for path, graph in sources:
        path = Path(path)
        digest.update(f"{path.name}\0{graph or ''}\0".encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def recorded_files(path: Path | str) -> list[tuple[Path, str | None]]:
    """The files (and graphs) the gcmgraph store at ``path`` was built from; [] if it is none."""
    marker = Path(path) / STORE_MARKER
    if not marker.is_file():
        return []
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
        return [(Path(p), g) for p, g in meta.get("files", [])]
    except (ValueError, TypeError):
        return []


class OxigraphBackend:
    """pyoxigraph, in memory (``path=None``) or on disk at ``path``.

    ``OxigraphBackend(path)`` opens an existing store without reloading anything (a directory that
    already holds an Oxigraph store, made by gcmgraph or by ``oxigraph load``). Build one with
    :meth:`build` (loads into a temporary folder beside ``path`` and renames it into place when
    complete, so a failed load leaves no half store), or load into an open one with
    :meth:`load_files` / :meth:`load_file` (pyoxigraph's bulk loader) or :meth:`load` (an rdflib
    Dataset). ``union`` is explained in the module docstring.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | str | None = None, *, union: str | None = None, read_only: bool = False):
        ox = _ox()
        self.path = Path(path) if path is not None else None
        self.metadata: dict[str, Any] = {}
        if self.path is not None and (self.path / STORE_MARKER).is_file():
            self.metadata = json.loads((self.path / STORE_MARKER).read_text(encoding="utf-8"))
        existing = self.path is not None and self.path.is_dir() and (self.path / "CURRENT").is_file()
        # a store gcmgraph did not build is read as a union view of its graphs
        union = union or self.metadata.get("union") or ("view" if existing and not self.metadata else "materialized")
        if union not in _UNION_MODES:
            raise InputError(f"unknown union mode {union!r}", hint=f"Use one of: {', '.join(_UNION_MODES)}.")
        if self.metadata and self.metadata.get("union") not in (None, union):
            raise BackendError(f"the store at {self.path} was built with union={self.metadata['union']!r}, "
                               f"not {union!r}", )
        self.union = union
        try:
            if self.path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as err:
            raise BackendError(f"cannot open the Oxigraph store at {self.path}: {err}\n  Another process may "
                               "have it open (one writer at a time), or the folder is not an Oxigraph store."
                               ) from None
        #: True when this object loaded data; False when it opened a store as it was
        self.loaded = False

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        return f"<OxigraphBackend {where} union={self.union}>"

    # -- building and loading ---------------------------------------------------------------------

    @classmethod
    def build(cls, path: Path | str | None, sources: Sequence[tuple[Path | str, str | None]], *,
              union: str = "materialized", rebuild: bool = False) -> OxigraphBackend:
        """A store holding ``sources`` (``(file, named graph IRI or None)`` pairs).

        In memory when ``path`` is None. On disk, a store at ``path`` that gcmgraph built from the
        same files (same content, same graphs) is opened as it is, instantly; one built from other
        content is rebuilt; any other non-empty folder is refused.
        """
        sources = [(Path(p), g) for p, g in sources]
        if path is None:
            backend = cls(None, union=union)
            backend.load_files(sources)
            return backend
        path = Path(path)
        digest = fingerprint(sources)
        marker = path / STORE_MARKER
        if path.exists() and not rebuild:
            if marker.is_file():
                meta = json.loads(marker.read_text(encoding="utf-8"))
                if meta.get("fingerprint") == digest and meta.get("union") == union:
                    return cls(path, union=union)
            elif any(path.iterdir()):
                raise BackendError(f"{path} holds files that are not a gcmgraph store; gcmgraph does not "
                                   "overwrite them", )
        temporary = path.with_name(f".{path.name}.loading-{os.getpid()}")
        shutil.rmtree(temporary, ignore_errors=True)
        try:
            backend = cls(temporary, union=union)
            backend.load_files(sources)
            triples = backend.triple_count()
            backend.store.flush()
            backend.close()
            (temporary / STORE_MARKER).write_text(json.dumps({
                "fingerprint": digest, "union": union, "triples": triples,
                "files": [[str(p.resolve()), g] for p, g in sources]}, indent=1), encoding="utf-8")
            if path.exists():
                old = path.with_name(f".{path.name}.old-{os.getpid()}")
                path.rename(old)
                temporary.rename(path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                temporary.rename(path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        backend = cls(path, union=union)
        backend.loaded = True
        return backend

    def _targets(self, graph: str | None) -> list[Any]:
        ox = _ox()
        targets = [ox.NamedNode(graph)] if graph else []
        if self.union == "materialized" or not graph:
            targets.append(ox.DefaultGraph())
        return targets

    def load_file(self, path: Path | str, graph: str | None = None, *, base_iri: str | None = None) -> None:
        """Bulk-load one RDF file into ``graph`` (and the merged default graph, when materialised)."""
        path = Path(path)
        fmt = _rdf_format(path)
        base = base_iri or path.resolve().as_uri()  # what gcmgraph's rdflib loader uses
        ox = _ox()
        if graph is None and fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            # quads keep their graphs; a materialised union also needs each triple in the default graph
            try:
                self.store.bulk_load(path=str(path), format=fmt, base_iri=base)
                if self.union == "materialized":
                    # copied inside the store (twice as fast as re-parsing the file into Python
                    # quads); the default graph is a set, so what it already held stays once
                    self.store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            except SyntaxError as err:
                raise InputError(f"malformed RDF: {err}", path=path,
                                 hint="Fix the file and run `gcmgraph validate` again.") from None
            except MemoryError as err:  # pyoxigraph: a line or literal over its 16 MiB buffer
                raise InputError(f"cannot read: {err}", path=path,
                                 hint="Oxigraph reads statements of up to 16 MiB; split the long literal.") from None
            except OSError as err:
                raise InputError(f"cannot read: {err}", path=path) from None
            self.loaded = True
            return
        for target in self._targets(graph):
            try:
                self.store.bulk_load(path=str(path), format=fmt, base_iri=base, to_graph=target)
            except SyntaxError as err:
                raise InputError(f"malformed RDF: {err}", path=path,
                                 hint="Fix the file and run `gcmgraph validate` again.") from None
            except MemoryError as err:  # pyoxigraph: a line or literal over its 16 MiB buffer
                raise InputError(f"cannot read: {err}", path=path,
                                 hint="Oxigraph reads statements of up to 16 MiB; split the long literal.") from None
            except OSError as err:
                raise InputError(f"cannot read: {err}", path=path) from None
        self.loaded = True

    def load_files(self, sources: Iterable[tuple[Path | str, str | None]]) -> None:
        for path, graph in sources:
            self.load_file(path, graph)

    def load(self, dataset: Any) -> None:
        """Load an rdflib Dataset (its named graphs) or Graph (into the default graph)."""
        ox = _ox()
        quads = []
        if hasattr(dataset, "quads"):
            source = ((s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None)))
        else:
            source = ((s, p, o, None) for s, p, o in dataset)
        for s, p, o, g in source:
            name = None if g is None or str(g).startswith("urn:x-rdflib:default") else str(g)
            for target in self._targets(name):
                quads.append(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), target))
        self.store.bulk_extend(quads)
        self.loaded = True

    # -- queries ----------------------------------------------------------------------------------

    def query(self, text: str) -> pd.DataFrame | bool | Graph:
        ox = _ox()
        try:
            result = self.store.query(text, use_default_graph_as_union=self.union == "view")
        except SyntaxError as err:
            raise InputError(f"not a valid SPARQL query for Oxigraph: {err}") from None
        except OSError as err:
            raise BackendError(f"Oxigraph could not run the query: {err}") from None
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            # rows repeat the same IRIs and labels: each distinct term is converted once
            converted: dict = {None: None}

            def term(value):
                found = converted.get(value, converted)
                if found is converted:
                    found = converted[value] = normalize_term(_from_ox(value))
                return found

            columns = range(len(variables))
            return _frame(variables, ([term(solution[i]) for i in columns] for solution in result), text,
                          normalized=True)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        graph = Graph(bind_namespaces="none")
        for triple in result:
            graph.add((_from_ox(triple.subject), _from_ox(triple.predicate), _from_ox(triple.object)))
        return graph

    def _count(self, text: str) -> int:
        rows = list(self.store.query(text, use_default_graph_as_union=self.union == "view"))
        return int(rows[0][0].value)

    def triple_count(self) -> int:
        return self._count(_COUNT_QUERY if self.union == "materialized" else _DISTINCT_COUNT_QUERY)

    def quad_count(self) -> int:
        """Quads stored (named graphs, plus the merged default graph when materialised)."""
        return len(self.store)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def parameter_graph(self) -> Graph:
        if not hasattr(self, "_parameters"):
            self._parameters = self.query(PARAMETER_QUERY)
        return self._parameters

    def close(self) -> None:
        """Drop the store (pyoxigraph closes it when the last reference goes)."""
        if hasattr(self, "store"):
            del self.store
            gc.collect()
        self.__dict__.pop("_parameters", None)


# --------------------------------------------------------------------------------------------------
# A SPARQL endpoint
# --------------------------------------------------------------------------------------------------


#: the environment variable that sets the endpoint time-outs of the command line: seconds to wait
#: for each answer ("60"), or for the connection and then each answer ("5,60")
TIMEOUT_VARIABLE = "GCMGRAPH_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = (5.0, 120.0)


def endpoint_timeout() -> tuple[float, float]:
    """(connect, read) time-outs in seconds: ``GCMGRAPH_ENDPOINT_TIMEOUT``, else 5 and 120."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        parts = [float(part) for part in raw.split(",")]
        if len(parts) not in (1, 2):
            raise ValueError
        return _timeouts(tuple(parts) if len(parts) == 2 else parts[0])
    except (ValueError, InputError):
        raise InputError(f"{TIMEOUT_VARIABLE}={raw!r} is not a time-out",
                         hint="Give seconds to wait for each answer (60), or for the connection and then "
                              "each answer (5,60); both positive.") from None


def _timeouts(timeout: float | tuple[float, float]) -> tuple[float, float]:
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
    else:
        connect = read = timeout
    if connect <= 0 or read <= 0:
        raise InputError(f"time-outs must be positive, not {timeout!r}")
    return float(connect), float(read)


class _Connection(http.client.HTTPConnection):
    """Connects within ``connect_timeout``, then waits ``read_timeout`` for each read."""

    def __init__(self, *args, connect_timeout: float, read_timeout: float, **kwargs):
        kwargs["timeout"] = connect_timeout
        super().__init__(*args, **kwargs)
        self._read_timeout = read_timeout

    def connect(self):
        super().connect()
        self.sock.settimeout(self._read_timeout)


class _SecureConnection(http.client.HTTPSConnection):
    def __init__(self, *args, connect_timeout: float, read_timeout: float, **kwargs):
        kwargs["timeout"] = connect_timeout
        super().__init__(*args, **kwargs)
        self._read_timeout = read_timeout

    def connect(self):
        super().connect()
        self.sock.settimeout(self._read_timeout)


class _Handler(urllib.request.HTTPHandler):
    def __init__(self, connect: float, read: float):
        super().__init__()
        self._connection = functools.partial(_Connection, connect_timeout=connect, read_timeout=read)

    def http_open(self, req):
        return self.do_open(self._connection, req)


class _SecureHandler(urllib.request.HTTPSHandler):
    def __init__(self, connect: float, read: float):
        super().__init__()
        self._connection = functools.partial(_SecureConnection, connect_timeout=connect, read_timeout=read)

    def https_open(self, req):
        return self.do_open(self._connection, req, context=self._context)


def _opener(url: str, connect: float, read: float, user: str | None, password: str | None,
            auth: str) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [_Handler(connect, read), _SecureHandler(connect, read)]
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        if auth == "digest":
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        elif auth == "basic":
            handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
        else:
            raise InputError(f"unknown HTTP authentication {auth!r}", hint="Use basic or digest.")
    return urllib.request.build_opener(*handlers)


_ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "text/turtle, application/n-triples;q=0.9",
    "DESCRIBE": "text/turtle, application/n-triples;q=0.9",
}


def _json_term(value: Mapping[str, str]) -> Node:
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang") or value.get("lang")
        if lang:
            return Literal(value["value"], lang=lang.lower())
        datatype = value.get("datatype")
        if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
            return Literal(value["value"], datatype=URIRef(datatype))
        return Literal(value["value"])
    raise BackendError(f"unknown term in SPARQL JSON results: {value!r}")


def _ask_answer(data: Mapping[str, Any], url: str) -> bool:
    """The boolean of an ASK answer; Virtuoso answers ASK, when JSON is asked by Accept only, as a
    one-row SELECT of ``?__ASK_RETVAL`` (1 or 0)."""
    if "boolean" in data:
        return bool(data["boolean"])
    rows = data.get("results", {}).get("bindings", [])
    if rows and len(rows[0]) == 1:
        value = next(iter(rows[0].values())).get("value", "")
        return value.strip().lower() in ("1", "true")
    if not rows and data.get("head", {}).get("vars"):
        return False
    raise EndpointError("the ASK answer holds no boolean", url)


class EndpointBackend:
    """Any SPARQL 1.1 endpoint, through SPARQLWrapper: POST (URL-encoded) with content negotiation.

    - ``graphs``: IRIs sent as ``default-graph-uri``: the default graph of every query is their
      merge on the server (see the module docstring). None: the endpoint's own default graph.
    - ``timeout``: seconds, or ``(connect, read)``: how long to wait for the connection, and then
      for each read of the answer.
    - ``user``/``password`` with ``auth`` ``"basic"`` or ``"digest"`` (Virtuoso's
      ``/sparql-auth`` uses digest).
    - ``max_rows``: the server's result-row cap when it does not announce it (Virtuoso announces
      ``ResultSetMaxRows`` in an ``X-SPARQL-MaxRows`` header). A SELECT that hits the cap is read
      again in pages of ``max_rows`` rows (the query wrapped in a sub-SELECT with OFFSET/LIMIT, which
      keeps its ORDER BY on Virtuoso and avoids its sorted-TOP limit); a CONSTRUCT or DESCRIBE that
      hits it is an error.
    """

    kind = "endpoint"

    def __init__(self, url: str, *, graphs: str | Sequence[str] | None = None, user: str | None = None,
                 password: str | None = None, auth: str = "basic",
                 timeout: float | tuple[float, float] = (5.0, 120.0), max_rows: int | None = None):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(f"not an http(s) URL of a SPARQL endpoint: {url!r}",
                             hint="For example http://localhost:7878/query (Oxigraph) or "
                                  "http://localhost:8890/sparql (Virtuoso).")
        self.url = url
        self.graphs = [graphs] if isinstance(graphs, str) else list(graphs or [])
        self.connect_timeout, self.read_timeout = _timeouts(timeout)
        self.user, self.auth = user, auth
        self.max_rows = max_rows
        self._opener = _opener(url, self.connect_timeout, self.read_timeout, user, password, auth)

    def __repr__(self) -> str:
        graphs = f" graphs={self.graphs}" if self.graphs else ""
        return f"<EndpointBackend {self.url}{graphs}>"

    # -- HTTP -------------------------------------------------------------------------------------

    def _wrapper(self, text: str, form: str, graphs: Sequence[str] | None = None):
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

        sparql = SPARQLWrapper(self.url)
        sparql.setMethod(POST)
        sparql.setRequestMethod(URLENCODED)
        sparql.setOnlyConneg(True)  # no format=/output= parameters: Accept only
        for graph in self.graphs if graphs is None else graphs:
            sparql.addDefaultGraph(graph)
        sparql.setQuery(text)
        # SPARQLWrapper guesses the form with a regular expression, and sends text it takes for an
        # update as ``update=``; the form is known here
        sparql.queryType = form
        sparql.addCustomHttpHeader("Accept", _ACCEPT[form])
        return sparql

    def _post(self, text: str, form: str, graphs: Sequence[str] | None = None) -> tuple[bytes, Mapping[str, str]]:
        """POST the query; the body and headers of the answer, or an :class:`EndpointError`."""
        request = self._wrapper(text, form, graphs)._createRequest()
        url = self.url
        try:
            with self._opener.open(request) as response:
                return response.read(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as err:
            try:
                body = err.read().decode("utf-8", "replace").strip()
            except Exception:  # pragma: no cover - the connection broke while reading the error
                body = ""
            raise self._http_error(err.code, err.reason, body) from None
        except (TimeoutError, socket.timeout):
            raise EndpointError(
                f"no answer within {self.read_timeout:g} s (read time-out)", url,
                hint="The query may be too heavy for the store, or the store is busy; try a narrower "
                     "query, a longer time-out (GCMGRAPH_ENDPOINT_TIMEOUT=CONNECT,READ; in Python "
                     "timeout=(connect, read)), or check the server.") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                what = f"no connection within {self.connect_timeout:g} s (connect time-out)"
            elif isinstance(reason, ConnectionRefusedError):
                what = "connection refused: nothing listens at that host and port"
            elif isinstance(reason, socket.gaierror):
                what = f"unknown host {urllib.parse.urlsplit(url).hostname!r}"
            else:
                what = f"unreachable ({reason})"
            raise EndpointError(what, url, hint="Check the URL and that the store is running "
                                                "(e.g. `oxigraph serve`, or Virtuoso's HTTP port).") from None
        except (http.client.HTTPException, ConnectionError, OSError) as err:
            raise EndpointError(f"the connection failed: {err.__class__.__name__}: {err}", url,
                                hint="Check that the URL is a SPARQL endpoint and the store is running.") from None

    def _http_error(self, code: int, reason: str, body: str) -> EndpointError:
        detail = re.sub(r"\s+", " ", body)[:500]
        hints = {
            400: "The store refused the query; check it runs elsewhere (`gcmgraph query … --backend oxigraph`).",
            401: "The store wants credentials: at the command line --endpoint-user USER with the password in "
                 "GCMGRAPH_PASSWORD (--endpoint-auth digest for Virtuoso's /sparql-auth); in Python "
                 "user=, password= (auth='digest').",
            403: "The store refused these credentials or this operation.",
            404: "No SPARQL endpoint at that path: Oxigraph serves /query, Virtuoso /sparql.",
            406: "The store cannot answer in the format asked (SPARQL JSON results / Turtle).",
        }
        hint = hints.get(code, "The store failed on this query; its message is above. "
                               "A time-out or row cap of the store can cause this too.")
        return EndpointError(f"HTTP {code} {reason}" + (f": {detail}" if detail else ""), self.url, hint=hint)

    # -- queries ----------------------------------------------------------------------------------

    def query(self, text: str, *, graphs: Sequence[str] | None = None) -> pd.DataFrame | bool | Graph:
        """The answer of ``text``; ``graphs``, for this query only, instead of the backend's own
        (``[]``: the store's default graph and all its named graphs)."""
        form = query_form(text)
        body, headers = self._post(text, form, graphs)
        if form in ("SELECT", "ASK"):
            data = self._json(body)
            if form == "ASK":
                return _ask_answer(data, self.url)
            variables = list(data.get("head", {}).get("vars", []))
            rows = data.get("results", {}).get("bindings", [])
            cap = self._cap(headers)
            if cap and len(rows) >= cap:
                rows = self._pages(text, variables, cap, graphs)
            return _frame(variables, ([_json_term(row[v]) if v in row else None for v in variables]
                                      for row in rows), text)
        graph = Graph(bind_namespaces="none")
        content_type = headers.get("content-type", "text/turtle").split(";")[0].strip()
        fmt = {"application/n-triples": "nt", "text/plain": "nt", "application/rdf+xml": "xml",
               "application/ld+json": "json-ld"}.get(content_type, "turtle")
        try:
            graph.parse(data=body.decode("utf-8"), format=fmt)
        except Exception as err:
            raise EndpointError(f"the {form} answer ({content_type}) could not be read: {err}", self.url) from None
        cap = self._cap(headers)
        if cap and len(graph) >= cap:
            raise EndpointError(
                f"the {form} answer was cut at the store's row cap ({cap} triples)", self.url,
                hint="Raise the cap (Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini) or narrow the query.")
        return normalize_graph(graph)

    def _json(self, body: bytes) -> dict:
        try:
            return json.loads(body.decode("utf-8"))
        except ValueError:
            raise EndpointError("the answer is not SPARQL JSON results", self.url,
                                hint="Is the URL the store's SPARQL query endpoint?") from None

    def _cap(self, headers: Mapping[str, str]) -> int | None:
        """The row cap: announced in this answer, else configured, else learnt from an earlier
        answer (Virtuoso announces it on a SELECT that hits it, not on CONSTRUCT)."""
        announced = headers.get("x-sparql-maxrows")
        if announced and announced.strip().isdigit():
            self._learnt_cap = int(announced)
            return int(announced)
        return self.max_rows or getattr(self, "_learnt_cap", None)

    def _pages(self, text: str, variables: list[str], size: int,
               graphs: Sequence[str] | None = None) -> list[dict]:
        prologue, body = _split_prologue(text)
        projection = " ".join("?" + v for v in variables) or "*"
        rows: list[dict] = []
        offset = 0
        while True:
            page = f"{prologue}SELECT {projection} WHERE {{\n{{\n{body}\n}}\n}}\nOFFSET {offset} LIMIT {size}"
            data = self._json(self._post(page, "SELECT", graphs)[0])
            got = data.get("results", {}).get("bindings", [])
            rows.extend(got)
            if len(got) < size:
                return rows
            offset += size

    def triple_count(self) -> int:
        frame = self.query(_COUNT_QUERY)
        return int(frame.iloc[0, 0])

    def parameter_graph(self) -> Graph:
        if not hasattr(self, "_parameters"):
            self._parameters = self.query(PARAMETER_QUERY)
        return self._parameters

    def ping(self) -> None:
        """Ask the endpoint ``ASK {}``: an :class:`EndpointError` when it does not answer properly."""
        self.query("ASK {}")

    def locate(self) -> tuple[bool, list[str]]:
        """Whether the graph this backend queries holds gcmgraph's data and, when it does not, the
        named graphs of the store that do (at most ten, in order).

        gcmgraph's data is recognised by GCM objective 16, which every copy of the graph describes.
        A store whose default graph is not the merge of its named graphs (an Oxigraph server
        without ``--union-default-graph``, Fuseki without ``unionDefaultGraph``) answers every
        catalogue query with no rows until ``graphs`` names the graph ``gcmgraph publish`` wrote.
        """
        if self.query(_HOLDS_GCMGRAPH):
            return True, []
        try:  # the store's own dataset, every named graph in it
            found = self.query(_GRAPHS_HOLDING_GCMGRAPH, graphs=[])
        except EndpointError:  # a store that does not answer GRAPH queries: nothing to suggest
            return False, []
        return False, [str(value) for value in found["g"] if value is not None]

    def close(self) -> None:
        self.__dict__.pop("_parameters", None)


def connect(url: str, user: str | None = None, password: str | None = None, *,
            timeout: float | tuple[float, float] = (5.0, 120.0), graphs: str | Sequence[str] | None = None,
            auth: str = "basic", max_rows: int | None = None, check: bool = True) -> EndpointBackend:
    """An :class:`EndpointBackend` for ``url``; with ``check``, fails now if it does not answer."""
    backend = EndpointBackend(url, graphs=graphs, user=user, password=password, auth=auth,
                              timeout=timeout, max_rows=max_rows)
    if check:
        backend.ping()
    return backend


def open_backend(kind: str = "memory", *, graph: Graph | None = None, store: Path | str | None = None,
                 sources: Sequence[tuple[Path | str, str | None]] | None = None, dataset: Any = None,
                 url: str | None = None, union: str = "materialized", **endpoint: Any) -> Backend:
    """A backend by name.

    - ``memory``: ``graph`` (an rdflib Graph, e.g. ``kg.graph``).
    - ``oxigraph``: ``store`` (a folder; None for memory) and ``sources`` (``(file, graph IRI)``
      pairs, bulk-loaded; an on-disk store already built from the same files opens instantly) or
      ``dataset`` (an rdflib Dataset); with neither, ``store`` must hold a store already.
    - ``endpoint``: ``url`` and the keywords of :func:`connect`.
    """
    if kind == "memory":
        if graph is None:
            raise InputError("the memory backend needs a graph")
        return MemoryBackend(graph)
    if kind == "oxigraph":
        if sources is not None:
            return OxigraphBackend.build(store, sources, union=union)
        if store is not None and dataset is None:
            if not Path(store).is_dir():
                raise InputError("no Oxigraph store there", path=store,
                                 hint="Give the files to load, or the folder of an existing store.")
            return OxigraphBackend(store)
        backend = OxigraphBackend(store, union=union)
        if dataset is not None:
            backend.load(dataset)
        return backend
    if kind == "endpoint":
        if not url:
            raise InputError("the endpoint backend needs a URL")
        return connect(url, **endpoint)
    raise InputError(f"unknown backend {kind!r}", hint=f"Use one of: {', '.join(BACKENDS)}.")
