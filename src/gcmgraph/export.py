"""Writing the graph as standard RDF files, atomically."""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.plugins.serializers.trig import TrigSerializer

from gcmgraph.errors import InputError
from gcmgraph.graph import KnowledgeGraph
from gcmgraph.namespaces import PREFIXES


@dataclass(frozen=True)
class Format:
    name: str
    rdflib_name: str
    suffix: str
    media_type: str
    #: whether the format keeps named graphs (TriG, N-Quads) or writes their union
    quads: bool = False


FORMATS = {f.name: f for f in (
    Format("turtle", "longturtle", ".ttl", "text/turtle"),
    Format("nt", "nt", ".nt", "application/n-triples"),
    Format("jsonld", "json-ld", ".jsonld", "application/ld+json"),
    Format("xml", "pretty-xml", ".rdf", "application/rdf+xml"),
    Format("trig", "trig", ".trig", "application/trig", quads=True),
    Format("nquads", "nquads", ".nq", "application/n-quads", quads=True),
)}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}",
                         hint=f"Use one of: {', '.join(FORMATS)}.") from None


def _term_key(term) -> str:
    return term.n3()


class _OrderedGraph(Graph):
    """A graph that hands its subjects, predicates and objects out sorted.

    rdflib's RDF/XML and JSON-LD writers walk the graph through these methods, and a memory
    store yields them in an order that changes from run to run (hash seeds); sorted, the same
    graph gives the same file.
    """

    def subjects(self, predicate=None, object=None, unique=False):
        return iter(sorted(set(super().subjects(predicate, object)), key=_term_key))

    def predicates(self, subject=None, object=None, unique=False):
        return iter(sorted(set(super().predicates(subject, object)), key=_term_key))

    def objects(self, subject=None, predicate=None, unique=False):
        return iter(sorted(set(super().objects(subject, predicate)), key=_term_key))

    def predicate_objects(self, subject=None, unique=False):
        return iter(sorted(set(super().predicate_objects(subject)),
                           key=lambda po: (_term_key(po[0]), _term_key(po[1]))))


def ordered(graph: Graph) -> Graph:
    """A copy of ``graph`` (prefixes included) that serialises the same way on every run."""
    copy = _OrderedGraph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in sorted(graph, key=lambda t: tuple(map(_term_key, t))):
        copy.add(triple)
    return copy


class _SortedTrigSerializer(TrigSerializer):
    """rdflib's TriG writer with the named graphs in IRI order (the store gives them unordered)."""

    def __init__(self, store):
        super().__init__(store)
        self.contexts = sorted(self.contexts, key=lambda g: str(g.identifier))


def _sorted_lines(data: str) -> str:
    # N-Triples and N-Quads have no order; sorting makes the same graph give the same file
    return "".join(sorted(data.splitlines(keepends=True)))


def _sorted_xmlns(data: str) -> str:
    """Put the namespace declarations of the RDF/XML root element in order (rdflib sets them
    from an unordered set); one declaration per line is how rdflib writes them."""
    lines = data.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("<rdf:RDF"))
    end = start + 1
    while end < len(lines) and lines[end].lstrip().startswith("xmlns:"):
        end += 1
    closing = lines[end - 1].rstrip("\n").endswith(">")
    block = [line.rstrip("\n").rstrip(">") + "\n" for line in lines[start + 1:end]]
    block.sort()
    if closing and block:
        block[-1] = block[-1].rstrip("\n") + ">\n"
    return "".join(lines[:start + 1] + block + lines[end:])


def jsonld_context() -> dict[str, str]:
    """The prefixes of gcmgraph as a JSON-LD context (what ``gcmgraph export`` writes)."""
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def serialize_graph(graph: Graph, fmt: Format, context: dict | None = None) -> bytes:
    """``graph`` in ``fmt`` (a triple format), the same bytes for the same graph on every run."""
    if fmt.quads:
        raise ValueError(f"{fmt.name} writes a dataset; use serialize_dataset")
    if fmt.name == "jsonld":
        data = ordered(graph).serialize(format=fmt.rdflib_name, context=context or jsonld_context(),
                                        auto_compact=True)
        document = json.loads(data)
        if isinstance(document.get("@graph"), list):
            document["@graph"].sort(key=lambda node: str(node.get("@id", "")))
        data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    elif fmt.name == "xml":
        data = _sorted_xmlns(ordered(graph).serialize(format=fmt.rdflib_name))
    else:
        data = graph.serialize(format=fmt.rdflib_name)
        if fmt.name == "nt":
            data = _sorted_lines(data)
    return data.encode("utf-8") if isinstance(data, str) else data


def serialize_dataset(dataset: Dataset, fmt: Format) -> bytes:
    """``dataset`` with its named graphs in TriG or N-Quads, the same bytes on every run."""
    if fmt.name == "trig":
        stream = io.BytesIO()
        _SortedTrigSerializer(dataset).serialize(stream, encoding="utf-8")
        return stream.getvalue()
    return _sorted_lines(dataset.serialize(format=fmt.rdflib_name)).encode("utf-8")


def serialize(kg: KnowledgeGraph, fmt: Format) -> bytes:
    if fmt.quads:
        return serialize_dataset(kg.dataset, fmt)
    return serialize_graph(kg.graph, fmt)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(kg: KnowledgeGraph, path: Path | str, fmt: str | None = None) -> Path:
    """Write the graph to ``path`` in ``fmt`` (guessed from the suffix when not given)."""
    path = Path(path)
    if fmt is None:
        by_suffix = {f.suffix: f for f in FORMATS.values()}
        if path.suffix not in by_suffix:
            raise InputError(f"cannot tell the format from the suffix {path.suffix or '(none)'}",
                             path=path, hint=f"Pass --format, one of: {', '.join(FORMATS)}.")
        chosen = by_suffix[path.suffix]
    else:
        chosen = get_format(fmt)
    write_atomic(path, serialize(kg, chosen))
    return path
