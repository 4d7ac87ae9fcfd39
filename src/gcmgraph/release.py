"""A release: the whole graph in every standard RDF format, with its metadata, in one folder.

``gcmgraph release --out DIR`` writes:

- the graph as Turtle, N-Triples, JSON-LD (with ``context.jsonld``, which gives every property and
  class a short key), RDF/XML, and TriG and N-Quads (which keep the named graphs: one per source
  document, the reference data, the editorial mappings, the alignments, the ontology);
- the ontology and the SHACL shapes on their own;
- ``void.ttl`` (VoID) and ``dcat.ttl`` (DCAT-AP 3.0.1, checked against the official shapes);
- ``README.md`` (what each file is, its size, the DCAT-AP warnings left and why) and
  ``SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks every other file).

A release is reproducible: the same data gives byte-identical files. Every serialisation is
written from sorted statements (rdflib's and Oxigraph's writers follow the order they are given,
rdflib's own graph order is not stable between runs), and nothing in it reads the clock: the date
is ``--date`` or, without it, the latest date the data states (:func:`gcmgraph.metadata.data_date`).
The folder is written through :func:`gcmgraph.atomic.atomic_directory`: readers see the previous
release or the new one, never a half-written folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from gcmgraph.atomic import atomic_directory
from gcmgraph.canonical import canonical_text
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.graph import KnowledgeGraph
from gcmgraph.metadata import (
    DcatReport,
    ReleaseFile,
    data_date,
    dcat_graph,
    default_base_url,
    validate_dcat,
    void_graph,
    void_stats,
)
from gcmgraph.namespaces import GRAPH, PREFIXES, bind_prefixes

#: name of the file the JSON-LD dump takes its @context from (relative, so it resolves beside it)
CONTEXT_FILE = "context.jsonld"
CHECKSUMS_FILE = "SHA256SUMS"
README_FILE = "README.md"
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")


class ReleaseError(GcmgraphError):
    """The data cannot be released as it is (a SHACL or DCAT-AP violation): exit code 1."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        self.hint = hint
        super().__init__(message + (f"\n  {hint}" if hint else ""))


# --- checking what the user typed --------------------------------------------------------------

def check_version(version: str) -> str:
    if not VERSION_PATTERN.match(version):
        raise InputError(f"--version {version!r} is not a version name",
                         hint="Use letters, digits, dots, dashes, plus or underscores, e.g. 0.2.0 or 2024-06.")
    return version


def parse_date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise InputError(f"--date {text!r} is not a date in the form YYYY-MM-DD",
                         hint="For example --date 2024-06-30.")
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InputError(f"--date {text!r} is not a calendar date ({err})",
                         hint="For example --date 2024-06-30.") from None


def check_url(option: str, url: str, *, folder: bool = False) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in " <>\"{}|\\^`"):
        raise InputError(f"{option} {url!r} is not an http(s) URL",
                         hint=f"Give an absolute URL, e.g. {option} https://data.example.net/gcmgraph/"
                              if folder else f"Give an absolute URL, e.g. {option} https://data.example.net/sparql")
    if parts.query or parts.fragment:
        raise InputError(f"{option} {url!r} has a query or fragment", hint="Give the URL without ? or #.")
    if folder and not url.endswith("/"):
        url += "/"
    return url


def check_out(out: Path | str) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder",
                         hint="Give --out a folder path (it is created, or replaced whole), or move the file away.")
    return out


# --- deterministic serialisations --------------------------------------------------------------

def _nquads(kg: KnowledgeGraph) -> bytes:
    text = kg.dataset.serialize(format="nquads")
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip())).encode("utf-8")


def _ntriples(graph: Graph) -> bytes:
    text = graph.serialize(format="nt")
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip())).encode("utf-8")


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _oxigraph():
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - the release extra brings it
        raise InputError("writing a release needs pyoxigraph",
                         hint="Install it: pip install 'gcmgraph[release]'.") from None
    return pyoxigraph


def _trig(nquads: bytes) -> bytes:
    ox = _oxigraph()
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes())


def _rdfxml(ntriples: bytes) -> bytes:
    ox = _oxigraph()
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=_prefixes())


def _local_name(iri: str) -> tuple[str, str]:
    """(prefix, local name) of ``iri`` under the longest gcmgraph namespace that holds it."""
    owner = max(((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
                key=lambda item: len(item[1]), default=None)
    if owner is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", iri[len(owner[1]):]):
        return "", ""
    return owner[0], iri[len(owner[1]):]


def jsonld_context(graph: Graph) -> dict:
    """A JSON-LD context giving every property and class of ``graph`` a short key.

    A property's key is its local name (``prefLabel``, ``addressesObjective``); where two
    vocabularies use the same local name, or it is also a prefix, the key is ``prefix_name``
    (``dct_source``). Values are typed by what the graph holds: IRIs (``"@type": "@id"``),
    language-tagged text (a language map: ``{"es": ..., "en": ...}``) or one datatype.
    Classes get their local name where it is free (``"@type": "Country"``).
    """
    context: dict = {"id": "@id", "type": "@type"}
    context.update(_prefixes())
    taken = set(context)
    by_local: dict[str, list[tuple[str, URIRef]]] = {}
    for prop in sorted(set(graph.predicates())):
        if prop == RDF.type:
            continue
        prefix, local = _local_name(str(prop))
        if prefix:
            by_local.setdefault(local, []).append((prefix, prop))
    terms: dict[str, dict] = {}
    for local, props in sorted(by_local.items()):
        for prefix, prop in props:
            key = local if len(props) == 1 and local not in taken else f"{prefix}_{local}"
            values = list(graph.objects(None, prop))
            definition: dict = {"@id": f"{prefix}:{local}"}
            if values and all(isinstance(v, URIRef) for v in values):
                definition["@type"] = "@id"
            elif values and all(isinstance(v, Literal) and v.language for v in values):
                definition["@container"] = "@language"
            elif values and all(isinstance(v, Literal) and not v.language for v in values):
                datatypes = {v.datatype for v in values}
                if len(datatypes) == 1 and None not in datatypes:
                    dt_prefix, dt_local = _local_name(str(next(iter(datatypes))))
                    definition["@type"] = f"{dt_prefix}:{dt_local}" if dt_prefix else str(next(iter(datatypes)))
            terms[key] = definition
    taken |= set(terms)
    classes: dict[str, list[tuple[str, URIRef]]] = {}
    for cls in sorted(set(graph.objects(None, RDF.type))):
        prefix, local = _local_name(str(cls))
        if prefix:
            classes.setdefault(local, []).append((prefix, cls))
    for local, items in sorted(classes.items()):
        if len(items) == 1 and local not in taken:
            terms[local] = f"{items[0][0]}:{local}"
    context.update(dict(sorted(terms.items())))
    return context


def _canonical_json(value):
    """Sort JSON-LD sets so that the same graph always gives the same text (no @list here)."""
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _dump_json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _jsonld(graph: Graph, context: dict) -> bytes:
    ordered = bind_prefixes(Graph(bind_namespaces="none"))
    for triple in sorted(graph, key=lambda t: tuple(x.n3() for x in t)):
        ordered.add(triple)
    data = json.loads(ordered.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = data.get("@graph", [data])
    nodes = [{k: v for k, v in node.items() if k != "@context"} for node in nodes]
    return _dump_json({"@context": CONTEXT_FILE, "@graph": _canonical_json(nodes)})


def _shapes_turtle(kg: KnowledgeGraph) -> bytes:
    """The shape files one after the other. They are canonical already (``gcmgraph fmt``), and
    Turtle allows prefixes to be declared again, so the concatenation is one valid Turtle file;
    canonicalising the union instead would take seconds over its many blank nodes."""
    layout = kg.layout
    parts = []
    for path in layout.shape_files():
        parts.append(f"# --- {layout.display(path)} ---\n")
        parts.append(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n")
    return "".join(parts).encode("utf-8")


def _metadata_turtle(graph: Graph) -> bytes:
    """Turtle in canonical form, with the metadata prefixes (EU tables, IANA) bound."""
    return graph.serialize(format="longturtle", canon=True).encode("utf-8")


# --- the release -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    name: str
    title: dict[str, str]
    description: dict[str, str]
    file_type: str
    media_type: str
    dump: str | None
    write: Callable[[], bytes]


def _plan(kg: KnowledgeGraph, context: dict) -> list[Planned]:
    nquads = _nquads(kg)
    ntriples = _ntriples(kg.graph)
    every = {"en": "The whole graph (the union of its named graphs)",
             "es": "Todo el grafo (la unión de sus grafos con nombre)"}

    def whole(fmt_en: str, fmt_es: str) -> dict[str, str]:
        return {"en": f"{every['en']} as {fmt_en}.", "es": f"{every['es']} en {fmt_es}."}

    named = {"en": "The whole graph with its named graphs kept apart: one per source document, the "
                   "reference data, the editorial mappings, the Wikidata alignments and the ontology",
             "es": "Todo el grafo con sus grafos con nombre separados: uno por documento fuente, los "
                   "datos de referencia, los mapeos editoriales, las alineaciones con Wikidata y la ontología"}
    return [
        Planned("gcmgraph.ttl", {"en": "gcmgraph in Turtle", "es": "gcmgraph en Turtle"},
                whole("Turtle", "Turtle"), "RDF_TURTLE", "text/turtle", "full",
                lambda: canonical_text(kg.graph).encode("utf-8")),
        Planned("gcmgraph.nt", {"en": "gcmgraph in N-Triples", "es": "gcmgraph en N-Triples"},
                whole("N-Triples, one statement per line, sorted", "N-Triples, una afirmación por línea, ordenadas"),
                "RDF_N_TRIPLES", "application/n-triples", "full", lambda: ntriples),
        Planned("gcmgraph.jsonld", {"en": "gcmgraph in JSON-LD", "es": "gcmgraph en JSON-LD"},
                whole(f"JSON-LD, with short keys from {CONTEXT_FILE}",
                      f"JSON-LD, con claves cortas de {CONTEXT_FILE}"),
                "JSON_LD", "application/ld+json", "full", lambda: _jsonld(kg.graph, context)),
        Planned(CONTEXT_FILE, {"en": "JSON-LD context of gcmgraph", "es": "Contexto JSON-LD de gcmgraph"},
                {"en": "The JSON-LD @context: a short key for every property and class of the graph, "
                       "with the type of its values.",
                 "es": "El @context JSON-LD: una clave corta para cada propiedad y clase del grafo, "
                       "con el tipo de sus valores."},
                "JSON_LD", "application/ld+json", None, lambda: _dump_json({"@context": context})),
        Planned("gcmgraph.rdf", {"en": "gcmgraph in RDF/XML", "es": "gcmgraph en RDF/XML"},
                whole("RDF/XML", "RDF/XML"), "RDF_XML", "application/rdf+xml", "full",
                lambda: _rdfxml(ntriples)),
        Planned("gcmgraph.trig", {"en": "gcmgraph in TriG", "es": "gcmgraph en TriG"},
                {"en": named["en"] + ", as TriG.", "es": named["es"] + ", en TriG."},
                "RDF_TRIG", "application/trig", "full", lambda: _trig(nquads)),
        Planned("gcmgraph.nq", {"en": "gcmgraph in N-Quads", "es": "gcmgraph en N-Quads"},
                {"en": named["en"] + ", as N-Quads, sorted.", "es": named["es"] + ", en N-Quads, ordenadas."},
                "RDF_N_QUADS", "application/n-quads", "full", lambda: nquads),
        Planned("ontology.ttl", {"en": "gcmgraph ontology", "es": "Ontología de gcmgraph"},
                {"en": "The ontology alone: OWL classes and properties, the concept schemes (GCM "
                       "objectives, guiding principles, themes) and the labels of reused terms.",
                 "es": "La ontología sola: clases y propiedades OWL, los esquemas de conceptos "
                       "(objetivos y principios rectores del PMM, temas) y las etiquetas de los "
                       "términos reutilizados."},
                "RDF_TURTLE", "text/turtle", "ontology",
                lambda: canonical_text(kg.dataset.graph(GRAPH["ontology"])).encode("utf-8")),
        Planned("shapes.ttl", {"en": "gcmgraph SHACL shapes", "es": "Formas SHACL de gcmgraph"},
                {"en": "The SHACL shapes the graph is validated against, with messages in Spanish and English.",
                 "es": "Las formas SHACL con las que se valida el grafo, con mensajes en español e inglés."},
                "RDF_TURTLE", "text/turtle", None,
                lambda: _shapes_turtle(kg)),
    ]


@dataclass(frozen=True)
class Release:
    """What :func:`write_release` wrote."""

    out: Path
    version: str
    date: date
    base_url: str
    #: every file of the release with its size in bytes, in the order of README.md
    sizes: dict[str, int]
    triples: int
    dcat: DcatReport | None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_release(kg: KnowledgeGraph, out: Path | str, *, version: str, release_date: date | None = None,
                  base_url: str | None = None, sparql_endpoint: str | None = None,
                  validate: bool = True, progress: Callable[[str], None] = lambda _: None) -> Release:
    """Write a release of ``kg`` to the folder ``out`` (replacing a previous one whole).

    With ``validate`` the graph is first checked against its own shapes and the DCAT description
    against the official DCAT-AP 3.0.1 shapes; a violation stops the release (:class:`ReleaseError`)
    and leaves ``out`` as it was.
    """
    check_version(version)
    _oxigraph()  # before anything is written: TriG and RDF/XML need it
    release_date = release_date or data_date(kg)
    base_url = check_url("--base-url", base_url, folder=True) if base_url else default_base_url(version)
    if sparql_endpoint:
        sparql_endpoint = check_url("--sparql-endpoint", sparql_endpoint)
    out = check_out(out)
    if validate:
        progress("validating the graph against its shapes")
        report = kg.validate()
        if not report.conforms:
            raise ReleaseError(f"the graph has {len(report.violations)} SHACL violation(s); no release written",
                               hint="Run `gcmgraph validate` to see them, fix the data, then release again.")

    context = jsonld_context(kg.graph)
    plan = _plan(kg, context)
    stats = void_stats(kg)
    dcat_report = None
    with atomic_directory(out) as tmp:
        files: list[ReleaseFile] = []
        contents: dict[str, bytes] = {}

        def put(name: str, data: bytes) -> None:
            (tmp / name).write_bytes(data)
            contents[name] = data

        total = len(plan) + 4
        for number, item in enumerate(plan, 1):
            progress(f"[{number}/{total}] {item.name}")
            data = item.write()
            put(item.name, data)
            files.append(ReleaseFile(item.name, item.title, item.description, item.file_type,
                                     item.media_type, len(data), _sha256(data), item.dump))

        progress(f"[{len(plan) + 1}/{total}] void.ttl")
        void = void_graph(kg, files, base_url=base_url, issued=release_date,
                          sparql_endpoint=sparql_endpoint, stats=stats)
        data = _metadata_turtle(void)
        put("void.ttl", data)
        files.append(ReleaseFile(
            "void.ttl", {"en": "VoID description of gcmgraph", "es": "Descripción VoID de gcmgraph"},
            {"en": "Size, vocabularies, class and property partitions, named graphs, linksets to "
                   "Wikidata and the UN SDG taxonomy, and label sets per language.",
             "es": "Tamaño, vocabularios, particiones por clase y propiedad, grafos con nombre, "
                   "conjuntos de enlaces a Wikidata y a la taxonomía de los ODS, y conjuntos de "
                   "etiquetas por idioma."},
            "RDF_TURTLE", "text/turtle", len(data), _sha256(data)))

        progress(f"[{len(plan) + 2}/{total}] dcat.ttl")
        dcat = dcat_graph(kg, files, version=version, issued=release_date, base_url=base_url,
                          sparql_endpoint=sparql_endpoint)
        if validate:
            progress("checking dcat.ttl against the DCAT-AP 3.0.1 shapes")
            dcat_report = validate_dcat(dcat)
            if not dcat_report.conforms:
                first = dcat_report.violations[0]
                raise ReleaseError(
                    f"dcat.ttl breaks DCAT-AP 3.0.1: {len(dcat_report.violations)} violation(s), "
                    f"the first on {first.focus} {first.path or ''}: {first.message or first.component}",
                    hint="Fix data/dataset.ttl (the curated description), then release again.")
        put("dcat.ttl", _metadata_turtle(dcat))

        progress(f"[{len(plan) + 3}/{total}] {README_FILE}")
        sizes = {name: len(data) for name, data in contents.items()}
        readme = release_readme(kg, files, sizes, version=version, release_date=release_date,
                                base_url=base_url, sparql_endpoint=sparql_endpoint,
                                report=dcat_report, stats=stats)
        put(README_FILE, readme)

        progress(f"[{total}/{total}] {CHECKSUMS_FILE}")
        sums = "".join(f"{_sha256(contents[name])}  {name}\n" for name in sorted(contents))
        put(CHECKSUMS_FILE, sums.encode("ascii"))
    sizes = {name: len(data) for name, data in contents.items()}
    return Release(out=out, version=version, date=release_date, base_url=base_url, sizes=sizes,
                   triples=len(kg.graph), dcat=dcat_report)


def release_readme(kg: KnowledgeGraph, files: list[ReleaseFile], sizes: dict[str, int], *,
                   version: str, release_date: date, base_url: str, sparql_endpoint: str | None,
                   report: DcatReport | None, stats) -> bytes:
    described = {item.name: item for item in files}
    lines = [
        f"# gcmgraph {version}",
        "",
        "A knowledge graph of migration governance and the Global Compact for Safe, Orderly and",
        "Regular Migration (GCM). *Grafo de conocimiento de la gobernanza migratoria y del Pacto*",
        "*Mundial para la Migración Segura, Ordenada y Regular (PMM).*",
        "",
        f"- date / fecha: {release_date.isoformat()}",
        f"- {stats.triples:,} triples, {stats.entities:,} entities, {len(stats.graphs)} named graphs",
        f"- published at / publicado en: {base_url}",
    ]
    if sparql_endpoint:
        lines.append(f"- SPARQL endpoint / punto de acceso SPARQL: {sparql_endpoint}")
    lines += [
        "- licence / licencia: curated data CC BY 4.0 (datos curados); the source documents keep "
        "their own terms (los documentos fuente conservan los suyos)",
        "",
        "## Files / Archivos",
        "",
        "| file | bytes | what it is | qué es |",
        "|---|---:|---|---|",
    ]
    extra = {
        "dcat.ttl": ("DCAT-AP 3.0.1 description for data portals: catalogue, dataset, one distribution "
                     "per file with its size and SHA-256, coverage, themes",
                     "descripción DCAT-AP 3.0.1 para portales de datos: catálogo, conjunto de datos, "
                     "una distribución por archivo con su tamaño y SHA-256, cobertura, temas"),
    }
    for name in sorted(sizes):
        if name in described:
            item = described[name]
            en, es = item.description["en"], item.description["es"]
        else:
            en, es = extra.get(name, ("", ""))
        lines.append(f"| `{name}` | {sizes[name]:,} | {en} | {es} |")
    lines += [
        f"| `{README_FILE}` | | this file | este archivo |",
        f"| `{CHECKSUMS_FILE}` | | SHA-256 of every other file | SHA-256 de cada uno de los demás archivos |",
        "",
        "Check the files / comprobar los archivos: `sha256sum -c SHA256SUMS`",
        "",
        f"`gcmgraph.jsonld` takes its `@context` from `{CONTEXT_FILE}` beside it (a relative reference):",
        "keep the two files together.",
        "",
        "The release is reproducible: the same data gives byte-identical files. Without `--date` it",
        "is dated by its data (the latest calendar date the curated data states), not by the clock.",
        "",
    ]
    if report is not None:
        lines += ["## DCAT-AP 3.0.1", "",
                  f"`dcat.ttl` checked with pySHACL against the official DCAT-AP 3.0.1 shapes: "
                  f"**{len(report.violations)} violations**, {len(report.warnings)} warnings.", ""]
        kinds = report.warning_kinds()
        if kinds:
            lines += ["| warning | count | why it is left | por qué queda |", "|---|---:|---|---|"]
            for kind in kinds:
                reason = kind.reason or {"en": "not explained yet", "es": "aún sin explicar"}
                lines.append(f"| `{kind.key}` | {kind.count} | {reason['en']} | {reason['es']} |")
            lines.append("")
    else:
        lines += ["## DCAT-AP 3.0.1", "", "Not checked (`--no-validate`).", ""]
    return "\n".join(lines).encode("utf-8")


__all__ = ["Release", "ReleaseError", "check_out", "check_url", "check_version", "jsonld_context",
           "parse_date", "write_release"]
