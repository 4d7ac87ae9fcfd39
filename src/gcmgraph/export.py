"""Writing the graph as standard RDF files, atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def serialize(kg: KnowledgeGraph, fmt: Format) -> bytes:
    if fmt.quads:
        data = kg.dataset.serialize(format=fmt.rdflib_name)
    elif fmt.name == "jsonld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        data = kg.graph.serialize(format=fmt.rdflib_name, context=context, auto_compact=True)
    else:
        data = kg.graph.serialize(format=fmt.rdflib_name)
    if fmt.name == "nt":
        # N-Triples has no order; sorting makes the same graph give the same file
        data = "".join(sorted(data.splitlines(keepends=True)))
    return data.encode("utf-8") if isinstance(data, str) else data


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
