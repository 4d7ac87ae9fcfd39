"""A static site for people and machines: one page per entity in Spanish and English, its Turtle,
JSON-LD and N-Triples beside it, index pages, the coverage heat map, and the documentation of the
ontology and the shapes.

The path of a file is the path of the IRI it describes, so IRI → file is mechanical:

=====================================================  ============================================
IRI ``https://w3id.org/gcmgraph/{path}``               files
=====================================================  ============================================
a thing: ``id/…`` (and named graphs, ``graph/…``)      ``{path}.es.html``, ``{path}.en.html``;
                                                       ``{path}.html`` (the Spanish page again, for
                                                       static hosts that serve ``/x`` from
                                                       ``x.html``); ``{path}.ttl``,
                                                       ``{path}.jsonld``, ``{path}.nt``
a term, ``ontology#{Term}`` / ``shapes#{Name}Shape``   ``ontology.{es,en}.html#{Term}``,
                                                       ``shapes.{es,en}.html#{Name}Shape``, and
                                                       ``ontology.ttl`` … ``shapes.nt``
=====================================================  ============================================

Pages made for people only live outside the IRI space: ``index.{es,en}.html`` (home),
``index/classes``, ``index/class/{prefix}-{Name}``, ``index/objectives``, ``index/objective/{n}``,
``assets/site.css``. ``site.json`` says what was built. Links between pages are relative, so the
site works from any host, any folder and from ``file://``; ``base_url`` (where the site is
hosted) gives the absolute addresses: canonical links, the ``url`` in the embedded schema.org
JSON-LD and ``sitemap.xml``. Pages need no JavaScript and load nothing from other hosts.

>>> document_path("https://w3id.org/gcmgraph/id/objective/16")
'id/objective/16'
>>> page_file("https://w3id.org/gcmgraph/ontology#LocalAuthority", "en")
'ontology.en.html#LocalAuthority'
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS, SDO, SH, SKOS, XSD
from rdflib.term import BNode, Node

from gcmgraph import __version__
from gcmgraph.atomic import atomic_directory
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import (
    BASE, CURATORS, ELI, GCM, GCMSH, GRAPH, ID, ONTOLOGY, OBJECTIVES_SCHEME, PREFIXES, bind_prefixes,
)

if TYPE_CHECKING:
    from gcmgraph.graph import KnowledgeGraph

__all__ = ["DEFAULT_BASE_URL", "LANGS", "RDF_FORMATS", "SiteReport", "build_site", "document_path",
           "page_file"]

INSTALL_HINT = "pip install 'gcmgraph[site]'"
DEFAULT_BASE_URL = BASE
LANGS = ("es", "en")
#: the language of a path without a language (``{path}.html``, ``index.html``): the sources' own
DEFAULT_LANG = "es"
#: suffix, media type and rdflib format of each machine-readable description
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
}
#: IRI paths under these folders name things (303 on the server); pages are made for them
THING_FOLDERS = ("id/", "graph/")
#: documents that hold hash IRIs (``ontology#Term``): one page each, no redirect
HASH_DOCUMENTS = ("ontology", "shapes")
#: a path segment gcmgraph makes files of: the IRI policy's slugs, codes and numbers (SDG targets
#: bring dots: ``sdg-10.c``)
SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")
#: an IRI path ending in one of these would collide with a file of another entity (``x.ttl`` is
#: the Turtle of ``x``; ``x.es`` would give ``x.es.html``, the Spanish page of ``x``)
RESERVED_ENDINGS = (".es", ".en", ".html", ".ttl", ".jsonld", ".nt", ".json", ".xml", ".svg", ".css")

DESCRIPTION_PROPERTIES = (SDO.description, SDO.text, SKOS.definition, DCTERMS.description)
NAME_PROPERTIES = (SKOS.prefLabel, RDFS.label)
HIDDEN_PROPERTIES = {RDF.type, *NAME_PROPERTIES, SKOS.altLabel}

# schema.org types for classes outside schema.org; classes in schema.org are used as they are and
# the others are looked up through rdfs:subClassOf
SCHEMA_TYPES = {
    GCM.NationalGovernment: "GovernmentOrganization",
    GCM.GovernmentAgency: "GovernmentOrganization",
    GCM.LocalAuthority: "GovernmentOrganization",
    GCM.CivilSocietyOrganization: "NGO",
    GCM.LegalInstrument: "Legislation",
    ELI.LegalResource: "Legislation",
    ORG.Organization: "Organization",
    URIRef("http://xmlns.com/foaf/0.1/Organization"): "Organization",
    URIRef("http://www.w3.org/ns/prov#Agent"): "Organization",
    URIRef("http://www.w3.org/ns/prov#Entity"): "CreativeWork",
    URIRef("http://www.w3.org/ns/prov#Activity"): "Event",
    GCM.PolicyInstrument: "CreativeWork",
    GCM.SourceDocument: "CreativeWork",
    GCM.M49Region: "Place",
    SKOS.Concept: "DefinedTerm",
    SKOS.ConceptScheme: "DefinedTermSet",
    RDF.Statement: "Claim",
}
# the few properties outside schema.org that have a schema.org counterpart
SCHEMA_PROPERTIES = {
    SKOS.prefLabel: "name", RDFS.label: "name", SKOS.altLabel: "alternateName",
    SKOS.definition: "description", DCTERMS.description: "description",
    SKOS.notation: "identifier", GCM.isoAlpha2: "identifier", GCM.m49Code: "identifier",
    ELI.id_local: "legislationIdentifier", ELI.date_document: "legislationDate",
    ELI.jurisdiction: "legislationJurisdiction", ELI.passed_by: "legislationPassedBy",
    OWL.sameAs: "sameAs", DCTERMS.source: "isBasedOn", SKOS.inScheme: "inDefinedTermSet",
    DCTERMS.spatial: "spatialCoverage", DCTERMS.subject: "about", RDFS.seeAlso: "sameAs",
}

TEXT: dict[str, dict[str, str]] = {
    "es": {
        "site": "gcmgraph: gobernanza migratoria y el Pacto Mundial para la Migración",
        "site_short": "gcmgraph",
        "home": "Inicio", "classes": "Clases", "objectives": "Objetivos del PMM",
        "ontology": "Ontología", "shapes": "Formas SHACL", "language": "Idioma",
        "other_lang": "English", "other_lang_name": "inglés",
        "iri": "IRI", "types": "Tipo", "names": "Nombres", "statements": "Afirmaciones",
        "property": "Propiedad", "value": "Valor", "provenance": "Procedencia",
        "incoming": "Mencionado por", "data": "Datos", "data_note":
            "La misma descripción para máquinas (también por negociación de contenido en el IRI):",
        "translated_en": "traducción de los curadores del inglés",
        "translated_es": "traducción de los curadores del español",
        "translated": "traducción de los curadores", "only_other": "solo en inglés",
        "graph": "grafo con nombre", "status": "estado de verificación",
        "prov_source": "Lo afirma la fuente",
        "prov_reference": "Datos de referencia",
        "prov_ontology": "Ontología y esquemas de conceptos",
        "prov_editorial": "Añadido editorial de los curadores de gcmgraph (no lo dice ninguna fuente)",
        "prov_alignments": "Alineamiento con Wikidata",
        "prov_extra": "Archivo añadido",
        "prov_sources": "fuentes",
        "link_basis": "vínculo", "justification": "justificación",
        "serves": "Lo que sirve a este objetivo",
        "entities": "entidades", "count": "número",
        "policies": "Políticas e instancias", "country": "País", "actor": "Actor responsable",
        "basis": "Cómo se sabe", "theme": "Temática", "source": "Fuente", "type": "Tipo",
        "basis_stated": "lo afirma la fuente", "basis_editorial": "mapeo editorial",
        "basis_theme": "por su temática", "basis_unsourced": "sin fuente",
        "assertions": "Afirmaciones de vínculo", "subject": "Sujeto", "sdg_targets": "Metas de los ODS",
        "no_policies": "No hay políticas ni instancias registradas para este objetivo.",
        "heatmap": "Mapa de calor de la cobertura",
        "heatmap_alt": "Mapa de calor: países × objetivos del PMM, número de políticas por celda",
        "heatmap_missing": "El mapa de calor no se generó: falta matplotlib ({hint}). La tabla "
                           "siguiente da los mismos números.",
        "coverage_table": "Cobertura por país (número de políticas; solo los objetivos con alguna)",
        "objective": "Objetivo", "short": "Etiqueta corta", "number": "N.º",
        "intro": "Un grafo de conocimiento de la gobernanza migratoria: qué países, gobiernos, "
                 "autoridades locales, organizaciones de la sociedad civil y entidades de las "
                 "Naciones Unidas llevan a cabo qué leyes, políticas y programas, y a qué objetivos "
                 "del Pacto Mundial para la Migración Segura, Ordenada y Regular (PMM) sirven. Cada "
                 "hecho remite al documento del que procede; lo que añaden los curadores está "
                 "marcado como suyo.",
        "how": "Cada entidad tiene su página en español y en inglés. Su IRI responde con HTML, "
               "Turtle, JSON-LD o N-Triples según lo que pida el cliente.",
        "triples": "tripletas", "pages": "páginas de entidad",
        "classes_intro": "Las clases de las entidades del grafo, con el número de entidades de cada una.",
        "class": "Clase", "scheme": "Esquema",
        "ontology_intro": "Las clases, propiedades e individuos que gcmgraph define, con sus "
                          "definiciones en español e inglés.",
        "object_properties": "Propiedades de objeto", "datatype_properties": "Propiedades de datos",
        "individuals": "Individuos", "schemes": "Esquemas de conceptos", "subclass_of": "Subclase de",
        "subproperty_of": "Subpropiedad de", "domain": "Dominio", "range": "Rango",
        "definition": "Definición", "instances": "instancias", "in_other": "En inglés",
        "shapes_intro": "Las formas SHACL que validan el grafo: a qué se aplican, qué exigen y el "
                        "mensaje que da cada regla (gravedad: Violación impide la conformidad; "
                        "Aviso no).",
        "targets": "Se aplica a", "path": "Ruta", "constraint": "Restricción", "severity": "Gravedad",
        "message": "Mensaje", "reusable_shapes": "Formas de propiedad reutilizadas",
        "node_constraints": "Restricciones del nodo",
        "footer": "Datos: CC BY 4.0. Generado por gcmgraph {version}.",
        "skip": "Saltar al contenido",
    },
    "en": {
        "site": "gcmgraph: migration governance and the Global Compact for Migration",
        "site_short": "gcmgraph",
        "home": "Home", "classes": "Classes", "objectives": "GCM objectives",
        "ontology": "Ontology", "shapes": "SHACL shapes", "language": "Language",
        "other_lang": "Español", "other_lang_name": "Spanish",
        "iri": "IRI", "types": "Type", "names": "Names", "statements": "Statements",
        "property": "Property", "value": "Value", "provenance": "Provenance",
        "incoming": "Referenced by", "data": "Data", "data_note":
            "The same description for machines (also by content negotiation on the IRI):",
        "translated_en": "curators' translation from English",
        "translated_es": "curators' translation from Spanish",
        "translated": "curators' translation", "only_other": "in Spanish only",
        "graph": "named graph", "status": "verification status",
        "prov_source": "Stated by the source",
        "prov_reference": "Reference data",
        "prov_ontology": "Ontology and concept schemes",
        "prov_editorial": "Editorial addition by the gcmgraph curators (no source states it)",
        "prov_alignments": "Alignment with Wikidata",
        "prov_extra": "Added file",
        "prov_sources": "sources",
        "link_basis": "link", "justification": "justification",
        "serves": "What serves this objective",
        "entities": "entities", "count": "count",
        "policies": "Policies and bodies", "country": "Country", "actor": "Responsible actor",
        "basis": "How it is known", "theme": "Theme", "source": "Source", "type": "Type",
        "basis_stated": "stated by the source", "basis_editorial": "editorial mapping",
        "basis_theme": "through its theme", "basis_unsourced": "unsourced",
        "assertions": "Link assertions", "subject": "Subject", "sdg_targets": "SDG targets",
        "no_policies": "No policy or body is recorded for this objective.",
        "heatmap": "Coverage heat map",
        "heatmap_alt": "Heat map: countries × GCM objectives, number of policies per cell",
        "heatmap_missing": "The heat map was not generated: matplotlib is not installed ({hint}). "
                           "The table below gives the same numbers.",
        "coverage_table": "Coverage by country (number of policies; only objectives with any)",
        "objective": "Objective", "short": "Short label", "number": "No.",
        "intro": "A knowledge graph of migration governance: which countries, national "
                 "governments, local authorities, civil-society organisations and UN entities carry "
                 "out which laws, policies and programmes, and which objectives of the Global "
                 "Compact for Safe, Orderly and Regular Migration (GCM) they serve. Every fact "
                 "points to the document it comes from; what the curators add is marked as theirs.",
        "how": "Every entity has a page in Spanish and in English. Its IRI answers HTML, Turtle, "
               "JSON-LD or N-Triples, as the client asks.",
        "triples": "triples", "pages": "entity pages",
        "classes_intro": "The classes of the graph's entities, with how many entities each has.",
        "class": "Class", "scheme": "Scheme",
        "ontology_intro": "The classes, properties and individuals gcmgraph defines, with their "
                          "definitions in Spanish and English.",
        "object_properties": "Object properties", "datatype_properties": "Datatype properties",
        "individuals": "Individuals", "schemes": "Concept schemes", "subclass_of": "Subclass of",
        "subproperty_of": "Subproperty of", "domain": "Domain", "range": "Range",
        "definition": "Definition", "instances": "instances", "in_other": "In Spanish",
        "shapes_intro": "The SHACL shapes that validate the graph: what each applies to, what it "
                        "requires and the message each rule gives (severity: a Violation makes the "
                        "graph non-conforming; a Warning does not).",
        "targets": "Applies to", "path": "Path", "constraint": "Constraint", "severity": "Severity",
        "message": "Message", "reusable_shapes": "Reused property shapes",
        "node_constraints": "Constraints on the node",
        "footer": "Data: CC BY 4.0. Generated by gcmgraph {version}.",
        "skip": "Skip to content",
    },
}


# ---------------------------------------------------------------------------------------------
# IRI → path


def document_path(iri: str) -> str | None:
    """The site path (no suffix) of the document describing ``iri``, or None when gcmgraph makes
    no page for it (another host, or a path outside the IRI policy)."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):]
    if "#" in rest:
        rest = rest.split("#", 1)[0]
        return rest if rest in HASH_DOCUMENTS else None
    if rest in HASH_DOCUMENTS:
        return rest
    if not rest.startswith(THING_FOLDERS):
        return None
    segments = rest.split("/")
    if len(segments) < 2 or not all(SEGMENT.fullmatch(s) for s in segments):
        return None
    if rest.lower().endswith(RESERVED_ENDINGS):
        return None
    return rest


def page_file(iri: str, lang: str) -> str | None:
    """The page of ``iri`` in ``lang``, relative to the site's root, with the fragment of a hash
    IRI; None when gcmgraph makes no page for it."""
    path = document_path(iri)
    if path is None:
        return None
    fragment = iri.split("#", 1)[1] if "#" in iri else ""
    return f"{path}.{lang}.html" + (f"#{fragment}" if fragment else "")


def relative(target: str, current: str) -> str:
    """``target`` (a site path, maybe with a fragment) as a link from the page ``current``."""
    path, _, fragment = target.partition("#")
    href = posixpath.relpath(path, posixpath.dirname(current) or ".")
    return href + (f"#{fragment}" if fragment else "")


# ---------------------------------------------------------------------------------------------
# texts in two languages


@dataclass(frozen=True)
class Text:
    """A literal chosen for a page: its value, its language tag and how it relates to the page's
    language (a curators' translation; shown in the other language for want of one)."""

    value: str
    tag: str | None = None
    translated: str | None = None  # "en" or "es": translated from that language by the curators
    fallback: bool = False


def _primary(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


def _translated_from(tag: str | None) -> str | None:
    # RFC 6497: "en-t-es" is English transformed (translated) from Spanish
    if tag and "-t-" in tag.lower():
        return tag.lower().split("-t-", 1)[1].split("-")[0]
    return None


def _text(literal: Literal, lang: str) -> Text:
    return Text(str(literal), literal.language, _translated_from(literal.language),
                bool(literal.language) and _primary(literal.language) != lang)


def pick(literals: Iterable[Node], lang: str) -> Text | None:
    """The literal to show on a page in ``lang``: one in ``lang`` (an original before a
    translation), else one in the other language, else any."""
    literals = [o for o in literals if isinstance(o, Literal)]
    if not literals:
        return None
    def rank(literal: Literal) -> tuple:
        primary = _primary(literal.language)
        return (primary != lang, primary not in LANGS, _translated_from(literal.language) is not None,
                str(literal))
    return _text(min(literals, key=rank), lang)


def in_language(literals: list[Literal], lang: str) -> list[Literal]:
    """The literals a page in ``lang`` shows of one property: those in ``lang`` (all of them),
    else those in the other language, else all; literals without a language always."""
    plain = [lit for lit in literals if not lit.language]
    tagged = [lit for lit in literals if lit.language]
    chosen = [lit for lit in tagged if _primary(lit.language) == lang]
    if not chosen:
        chosen = [lit for lit in tagged if _primary(lit.language) in LANGS] or tagged
    return plain + sorted(chosen, key=lambda lit: (_translated_from(lit.language) is not None, str(lit)))


def _sorted_json(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


# ---------------------------------------------------------------------------------------------
# what the templates receive


@dataclass
class Value:
    """One value of a statement on a page: a link, a plain IRI or a literal, with notes."""

    text: Text
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None
    provenance: list[int] = field(default_factory=list)
    assertions: list[dict] = field(default_factory=list)


@dataclass
class Row:
    property: Text
    property_href: str | None
    property_iri: str
    values: list[Value]


@dataclass
class SiteReport:
    """What :func:`build_site` wrote."""

    out: Path
    entities: int
    pages: int
    files: int
    bytes: int
    seconds: float
    heatmap: bool
    skipped: list[str]


class SiteBuilder:
    """Builds the pages of one graph. ``build_site`` is the way in."""

    def __init__(self, kg: KnowledgeGraph, base_url: str = DEFAULT_BASE_URL,
                 progress: Callable[[str], None] | None = None):
        try:
            import jinja2
        except ImportError:
            raise InputError("building the site needs Jinja2, which is not installed",
                             hint=f"Install it with: {INSTALL_HINT}") from None
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url or ""):
            raise InputError(f"--base-url {base_url!r} is not an http(s) address",
                             hint="Give the address the site is hosted at, e.g. https://example.org/gcmgraph/.")
        self.kg = kg
        self.graph = kg.graph
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.progress = progress or (lambda message: None)
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("gcmgraph", "templates/site"),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        self.skipped: list[str] = []
        self.written: list[Path] = []
        self._query_backend = None
        self._graphs_of: dict[tuple, set[URIRef]] = defaultdict(set)
        for s, p, o, name in kg.dataset.quads((None, None, None, None)):
            self._graphs_of[(s, p, o)].add(name)
        self._assertions: dict[tuple, list[URIRef]] = defaultdict(list)
        for assertion in self.graph.subjects(RDF.type, GCM.LinkAssertion):
            key = (self.graph.value(assertion, RDF.subject), self.graph.value(assertion, RDF.predicate),
                   self.graph.value(assertion, RDF.object))
            self._assertions[key].append(assertion)
        self.entities = self._entities()

    # -- entities and links --------------------------------------------------------------------

    def _entities(self) -> dict[URIRef, str]:
        entities = {}
        for subject in sorted({s for s in self.graph.subjects() if isinstance(s, URIRef)}):
            if not str(subject).startswith(BASE):
                continue
            rest = str(subject)[len(BASE):]
            if "#" in rest or rest in HASH_DOCUMENTS:
                continue  # documented on the ontology and shapes pages
            path = document_path(subject)
            if path is None:
                self.skipped.append(str(subject))
                continue
            entities[subject] = path
        return entities

    def label(self, node: Node, lang: str) -> Text:
        if isinstance(node, Literal):
            return _text(node, lang)
        chosen = pick((o for p in NAME_PROPERTIES for o in self.graph.objects(node, p)), lang)
        if chosen is not None:
            return chosen
        if isinstance(node, URIRef):
            return Text(self.short(node))
        return Text(str(node))

    def short(self, node: URIRef) -> str:
        """A prefixed name with one of gcmgraph's prefixes, else the whole IRI."""
        for prefix, namespace in PREFIXES.items():
            local = str(node)[len(str(namespace)):]
            if str(node).startswith(str(namespace)) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", local or "-"):
                return f"{prefix}:{local}"
        return str(node)

    def target(self, node: Node, lang: str) -> str | None:
        """Where a link to ``node`` goes: its page (site path) or its IRI on the web."""
        if not isinstance(node, URIRef):
            return None
        if node in self.entities:
            return f"{self.entities[node]}.{lang}.html"
        local = page_file(str(node), lang)
        if local is not None and document_path(str(node)) in HASH_DOCUMENTS:
            return local
        if str(node).startswith(("http://", "https://")):
            return str(node)
        return None

    def href(self, node: Node, lang: str, current: str) -> str | None:
        target = self.target(node, lang)
        if target is None or target.startswith(("http://", "https://")):
            return target
        return relative(target, current)

    def link(self, node: Node, lang: str, current: str) -> Value:
        return Value(self.label(node, lang), self.href(node, lang, current),
                     str(node) if isinstance(node, URIRef) else None)

    # -- provenance ----------------------------------------------------------------------------

    def _sources_of(self, node: Node) -> list[URIRef]:
        return sorted(o for o in self.graph.objects(node, DCTERMS.source) if isinstance(o, URIRef))

    def _source_entry(self, source: URIRef, lang: str, current: str) -> dict:
        status = self.graph.value(source, GCM.verificationStatus)
        return {"source": self.link(source, lang, current),
                "status": None if status is None else self.link(status, lang, current)}

    def provenance_entry(self, graph_name: URIRef, subject: Node, lang: str, current: str) -> dict:
        """How a statement in ``graph_name`` about ``subject`` is known, for a page."""
        t = TEXT[lang]
        name = str(graph_name)[len(str(GRAPH)):] if str(graph_name).startswith(str(GRAPH)) else str(graph_name)
        entry: dict[str, Any] = {"graph": name, "graph_iri": str(graph_name), "sources": [], "agent": None}
        if name.startswith("source/"):
            entry["kind"] = t["prov_source"]
            entry["sources"] = [self._source_entry(ID[name], lang, current)]
        elif name == "editorial":
            entry["kind"] = t["prov_editorial"]
            entry["agent"] = self.link(CURATORS, lang, current)
        elif name == "alignments":
            entry["kind"] = t["prov_alignments"]
            entry["sources"] = [self._source_entry(s, lang, current) for s in self._sources_of(graph_name)]
        elif name in ("reference", "ontology"):
            entry["kind"] = t["prov_" + name]
            entry["sources"] = [self._source_entry(s, lang, current) for s in self._sources_of(subject)]
        else:
            entry["kind"] = t["prov_extra"]
        return entry

    def assertion_notes(self, triple: tuple, lang: str, current: str) -> list[dict]:
        notes = []
        for assertion in self._assertions.get(triple, []):
            basis = self.graph.value(assertion, GCM.linkBasis)
            notes.append({
                "assertion": self.link(assertion, lang, current),
                "basis": None if basis is None else self.label(basis, lang),
                "sources": [self._source_entry(s, lang, current) for s in self._sources_of(assertion)],
                "justification": pick(self.graph.objects(assertion, RDFS.comment), lang),
            })
        return notes

    # -- one entity ----------------------------------------------------------------------------

    def entity_context(self, entity: URIRef, lang: str) -> dict:
        path = self.entities[entity]
        current = f"{path}.{lang}.html"
        g = self.graph
        provenance: list[dict] = []
        keys: dict[URIRef, int] = {}

        def note(triple: tuple) -> list[int]:
            numbers = []
            for name in sorted(self._graphs_of.get(triple, ())):
                if name not in keys:
                    provenance.append(self.provenance_entry(name, entity, lang, current))
                    keys[name] = len(provenance)
                numbers.append(keys[name])
            return numbers

        by_property: dict[URIRef, list[Node]] = defaultdict(list)
        for p, o in g.predicate_objects(entity):
            by_property[p].append(o)
        rows = []
        for p in sorted(by_property, key=lambda p: self._property_order(p, lang)):
            if p in HIDDEN_PROPERTIES:
                continue
            objects = by_property[p]
            literals = in_language([o for o in objects if isinstance(o, Literal)], lang)
            others = sorted((o for o in objects if not isinstance(o, Literal)),
                            key=lambda o: self.label(o, lang).value.casefold())
            values = []
            for o in [*literals, *others]:
                value = self.link(o, lang, current) if not isinstance(o, Literal) else Value(
                    _text(o, lang), datatype=None if o.datatype is None else g.namespace_manager.normalizeUri(o.datatype))
                value.provenance = note((entity, p, o))
                value.assertions = self.assertion_notes((entity, p, o), lang, current)
                values.append(value)
            rows.append(Row(self.label(p, lang), self.href(p, lang, current), str(p), values))

        incoming: dict[URIRef, list[Node]] = defaultdict(list)
        for s, p in g.subject_predicates(entity):
            if p is not RDF.type and isinstance(s, URIRef):
                incoming[p].append(s)
        incoming_rows = []
        for p in sorted(incoming, key=lambda p: self.label(p, lang).value.casefold()):
            values = []
            for s in sorted(incoming[p], key=lambda s: self.label(s, lang).value.casefold()):
                value = self.link(s, lang, current)
                value.provenance = note((s, p, entity))
                value.assertions = self.assertion_notes((s, p, entity), lang, current)
                values.append(value)
            incoming_rows.append(Row(self.label(p, lang), self.href(p, lang, current), str(p), values))

        names = []
        for p in (*NAME_PROPERTIES, SKOS.altLabel):
            for o in sorted(g.objects(entity, p), key=lambda o: (_primary(getattr(o, "language", None)) != lang, str(o))):
                if isinstance(o, Literal):
                    # every name is listed with its tag: none is shown "for want of" another
                    text = Text(str(o), o.language, _translated_from(o.language))
                    names.append({"property": self.label(p, lang), "text": text, "provenance": note((entity, p, o))})
        types = []
        for cls in sorted(g.objects(entity, RDF.type)):
            # a type links to the index of its members
            types.append(Value(self.label(cls, lang), relative(self._class_file(cls, lang), current), str(cls)))
            types[-1].provenance = note((entity, RDF.type, cls))
        is_objective = (entity, SKOS.inScheme, OBJECTIVES_SCHEME) in g and g.value(entity, SKOS.notation) is not None
        number = str(g.value(entity, SKOS.notation)) if is_objective else None
        name = posixpath.basename(path)
        return {
            "lang": lang, "current": current, "iri": str(entity), "title": self.label(entity, lang),
            "types": types, "names": names, "rows": rows, "incoming": incoming_rows,
            "provenance": provenance,
            "alternates": {fmt: f"{name}.{fmt}" for fmt in RDF_FORMATS},
            "other_page": f"{name}.{self._other(lang)}.html",
            "canonical": f"{self.base_url}{current}",
            "jsonld": self.schema_jsonld(entity, lang),
            "objective_index": relative(f"index/objective/{number}.{lang}.html", current) if number else None,
        }

    @staticmethod
    def _other(lang: str) -> str:
        return "en" if lang == "es" else "es"

    def _property_order(self, p: URIRef, lang: str) -> tuple:
        if p in DESCRIPTION_PROPERTIES:
            return (0, DESCRIPTION_PROPERTIES.index(p), "")
        return (1, 0, self.label(p, lang).value.casefold())

    # -- machine-readable ----------------------------------------------------------------------

    def _schema_type(self, entity: URIRef) -> list[str]:
        found = []
        for cls in sorted(self.graph.objects(entity, RDF.type)):
            seen, queue = set(), [cls]
            while queue:
                current = queue.pop(0)
                if current in seen:
                    continue
                seen.add(current)
                if str(current).startswith(str(SDO)):
                    found.append(str(current)[len(str(SDO)):])
                    break
                if current in SCHEMA_TYPES:
                    found.append(SCHEMA_TYPES[current])
                    break
                queue.extend(sorted(o for o in self.graph.objects(current, RDFS.subClassOf) if isinstance(o, URIRef)))
        return sorted(set(found)) or ["Thing"]

    def schema_jsonld(self, entity: URIRef, lang: str) -> str:
        """schema.org JSON-LD of ``entity`` for a ``<script type="application/ld+json">``: the
        context is inline (``@vocab``), so reading it fetches nothing."""
        data: dict[str, Any] = {"@context": {"@vocab": str(SDO)}, "@id": str(entity),
                                "@type": self._schema_type(entity)}
        for p, o in sorted(self.graph.predicate_objects(entity)):
            if str(p).startswith(str(SDO)):
                key = str(p)[len(str(SDO)):]
            elif p in SCHEMA_PROPERTIES:
                key = SCHEMA_PROPERTIES[p]
            else:
                continue
            if isinstance(o, Literal):
                if o.language:
                    value: Any = {"@value": str(o), "@language": o.language}
                elif o.datatype in (None, XSD.string):
                    value = str(o)
                else:
                    value = {"@value": str(o), "@type": str(o.datatype)}
                if key in ("identifier", "legislationIdentifier") and not isinstance(value, str):
                    value = str(o)
            elif isinstance(o, URIRef):
                value = {"@id": str(o)}
            else:
                continue
            data.setdefault(key, []).append(value)
        data["url"] = f"{self.base_url}{self.entities[entity]}.{lang}.html"
        data["inLanguage"] = lang
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        # nothing in the data can close the script element
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def description(self, entity: URIRef) -> Graph:
        """What the entity's .ttl/.jsonld/.nt hold: its statements, the statements about it, the
        link assertions about those, and the names of everything they mention."""
        g = self.graph
        out = bind_prefixes(Graph(bind_namespaces="none"))
        for triple in g.triples((entity, None, None)):
            out.add(triple)
        for s, p in g.subject_predicates(entity):
            out.add((s, p, entity))
            if (s, RDF.type, GCM.LinkAssertion) in g:
                for triple in g.triples((s, None, None)):
                    out.add(triple)
        for node in {n for t in list(out) for n in (t[0], t[1], t[2]) if isinstance(n, URIRef)}:
            for p in NAME_PROPERTIES:
                for o in g.objects(node, p):
                    out.add((node, p, o))
        return out

    @staticmethod
    def serialize(graph: Graph, fmt: str) -> bytes:
        _, rdflib_format = RDF_FORMATS[fmt]
        if fmt == "jsonld":
            used = {str(ns) for _, ns in graph.namespaces()}
            context = {prefix: str(ns) for prefix, ns in PREFIXES.items() if str(ns) in used}
            data = graph.serialize(format=rdflib_format, context=context, auto_compact=True)
            # rdflib lists nodes and values in set order, which changes from run to run; JSON-LD
            # arrays of values are unordered (no @list here), so sorting them loses nothing
            data = json.dumps(_sorted_json(json.loads(data)), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        else:
            data = graph.serialize(format=rdflib_format)
        if fmt == "nt":
            data = "".join(sorted(data.splitlines(keepends=True)))
        return data.encode("utf-8")

    # -- writing ----------------------------------------------------------------------------------

    def write(self, root: Path, path: str, data: bytes | str) -> None:
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.written.append(file)

    def render(self, template: str, **context: Any) -> str:
        lang = context["lang"]
        current = context["current"]
        base = {
            "t": TEXT[lang], "other": self._other(lang), "version": __version__,
            "root": relative("index.%s.html" % lang, current),
            "css": relative("assets/site.css", current),
            "nav": {key: relative(target % lang, current) for key, target in (
                ("home", "index.%s.html"), ("classes", "index/classes.%s.html"),
                ("objectives", "index/objectives.%s.html"), ("ontology", "ontology.%s.html"),
                ("shapes", "shapes.%s.html"))},
            "alternates": {}, "jsonld": None, "canonical": f"{self.base_url}{current}",
        }
        base.update(context)
        base.setdefault("other_page", posixpath.basename(current).replace(f".{lang}.", f".{self._other(lang)}."))
        return self.env.get_template(template).render(**base)

    def build(self, root: Path) -> None:
        from importlib.resources import files

        css = files("gcmgraph").joinpath("templates/site/site.css").read_bytes()
        self.write(root, "assets/site.css", css)
        total = len(self.entities)
        self.progress(f"writing pages for {total} entities (Spanish and English, Turtle, JSON-LD, N-Triples)")
        for done, (entity, path) in enumerate(self.entities.items(), 1):
            for lang in LANGS:
                html = self.render("entity.html", **self.entity_context(entity, lang))
                self.write(root, f"{path}.{lang}.html", html)
                if lang == DEFAULT_LANG:
                    self.write(root, f"{path}.html", html)
            description = self.description(entity)
            for fmt in RDF_FORMATS:
                self.write(root, f"{path}.{fmt}", self.serialize(description, fmt))
            if done % 50 == 0 or done == total:
                self.progress(f"  {done}/{total} entities")
        self.progress("writing the ontology and shapes documentation")
        self.build_ontology(root)
        self.build_shapes(root)
        self.progress("writing the index pages and the coverage heat map")
        self.build_indexes(root)
        self.build_home(root)
        self.build_sitemap(root)

    # -- indexes --------------------------------------------------------------------------------

    def _class_file(self, cls: URIRef, lang: str) -> str:
        try:
            prefix, _, local = self.graph.namespace_manager.compute_qname(cls, generate=False)
            name = f"{prefix}-{local}"
        except (ValueError, KeyError):
            name = re.sub(r"[^A-Za-z0-9]+", "-", str(cls)).strip("-")
        name = re.sub(r"[^A-Za-z0-9_~-]+", "-", name)
        return f"index/class/{name}.{lang}.html"

    def classes(self) -> dict[URIRef, list[URIRef]]:
        members: dict[URIRef, list[URIRef]] = defaultdict(list)
        for entity in self.entities:
            for cls in self.graph.objects(entity, RDF.type):
                if isinstance(cls, URIRef):
                    members[cls].append(entity)
        return members

    def build_indexes(self, root: Path) -> None:
        members = self.classes()
        for lang in LANGS:
            current = f"index/classes.{lang}.html"
            rows = sorted(({"class": self.link(cls, lang, current), "count": len(items),
                            "href": relative(self._class_file(cls, lang), current)}
                           for cls, items in members.items()),
                          key=lambda r: r["class"].text.value.casefold())
            self.write(root, current, self.render("classes.html", lang=lang, current=current, rows=rows,
                                                  title=Text(TEXT[lang]["classes"], lang)))
            for cls, items in members.items():
                current = self._class_file(cls, lang)
                entries = []
                for entity in sorted(items, key=lambda e: self.label(e, lang).value.casefold()):
                    scheme = self.graph.value(entity, SKOS.inScheme)
                    entries.append({"entity": self.link(entity, lang, current),
                                    "scheme": None if scheme is None else self.link(scheme, lang, current)})
                self.write(root, current, self.render(
                    "class.html", lang=lang, current=current, cls=self.link(cls, lang, current),
                    title=self.label(cls, lang), entries=entries,
                    definition=pick(self.graph.objects(cls, SKOS.definition), lang)))
        self.build_objectives(root)

    def query(self, name: str, **params: Any):
        """A catalogue query, on an in-memory Oxigraph copy when pyoxigraph is installed: the
        catalogue gives the same answers on every backend, and rdflib takes seconds to parse and
        run each of these queries where Oxigraph takes milliseconds."""
        from gcmgraph.backends import OxigraphBackend, run

        if self._query_backend is None:
            self._query_backend = self.kg.backend
            if getattr(self.kg.backend, "kind", None) == "memory":
                try:
                    self._query_backend = OxigraphBackend.build(
                        None, [(f.path, str(f.graph)) for f in self.kg.files])
                except (ImportError, GcmgraphError):
                    pass
        return run(self._query_backend, self.kg.catalogue.resolve(name), params, DEFAULT_LANG)

    def objectives(self) -> list[URIRef]:
        found = [o for o in self.graph.subjects(SKOS.inScheme, OBJECTIVES_SCHEME)
                 if self.graph.value(o, SKOS.notation) is not None]
        return sorted(found, key=lambda o: int(self.graph.value(o, SKOS.notation)))

    def build_objectives(self, root: Path) -> None:
        import pandas as pd

        g = self.graph
        linked = set(g.objects(None, GCM.addressesObjective))
        policies: dict[URIRef, pd.DataFrame] = {}
        for objective in self.objectives():
            number = int(g.value(objective, SKOS.notation))
            # every basis of policies-by-objective rests on an addressesObjective triple (on the
            # policy or on a theme): an objective without one has no rows, so it is not asked
            if objective in linked:
                policies[objective] = self.query("policies-by-objective", objective=number)
            else:
                policies[objective] = pd.DataFrame()
        coverage = self.query("objective-coverage")
        heatmap = self.write_heatmaps(root, coverage)
        for lang in LANGS:
            t = TEXT[lang]
            current = f"index/objectives.{lang}.html"
            rows = []
            for objective in self.objectives():
                number = str(g.value(objective, SKOS.notation))
                frame = policies[objective]
                rows.append({
                    "number": number, "objective": self.link(objective, lang, current),
                    "short": pick(g.objects(objective, SKOS.altLabel), lang),
                    "count": 0 if frame.empty else frame["policy"].nunique(),
                    "href": relative(f"index/objective/{number}.{lang}.html", current),
                })
            table = self.coverage_table(coverage, lang, current)
            self.write(root, current, self.render(
                "objectives.html", lang=lang, current=current, title=Text(t["objectives"], lang), rows=rows,
                heatmap=f"coverage.{lang}.svg" if heatmap else None,
                heatmap_missing=None if heatmap else t["heatmap_missing"].format(hint=INSTALL_HINT.replace("[site]", "[plot]")),
                coverage=table))
            for objective in self.objectives():
                number = str(g.value(objective, SKOS.notation))
                current = f"index/objective/{number}.{lang}.html"
                self.write(root, current, self.objective_page(objective, number, policies[objective], lang, current))

    def objective_page(self, objective: URIRef, number: str, frame, lang: str, current: str) -> str:
        t = TEXT[lang]
        g = self.graph

        def cell(column: str) -> Callable[[Any], Value | None]:
            return lambda row: None if not isinstance(row.get(column), str) or not row.get(column) else self.link(URIRef(row[column]), lang, current)

        rows = []
        if not frame.empty:
            for record in frame.sort_values(["policy", "basis"]).to_dict("records"):
                rows.append({
                    "policy": cell("policy")(record), "type": cell("type")(record),
                    "country": cell("country")(record), "actor": cell("actor")(record),
                    "basis": t.get(f"basis_{record.get('basis')}", record.get("basis")),
                    "theme": cell("theme")(record), "source": cell("source")(record),
                })
        assertions = []
        for assertion in sorted(g.subjects(RDF.object, objective)):
            if (assertion, RDF.type, GCM.LinkAssertion) not in g:
                continue
            basis = g.value(assertion, GCM.linkBasis)
            assertions.append({
                "assertion": self.link(assertion, lang, current),
                "subject": self.link(g.value(assertion, RDF.subject), lang, current),
                "predicate": self.label(g.value(assertion, RDF.predicate), lang),
                "basis": None if basis is None else self.label(basis, lang),
                "sources": [self.link(s, lang, current) for s in self._sources_of(assertion)],
                "justification": pick(g.objects(assertion, RDFS.comment), lang),
            })
        targets = [self.link(o, lang, current) for o in sorted(g.objects(objective, GCM.relatedSDGTarget))]
        title = Text(f"{t['objective']} {number}: {self.label(objective, lang).value}",
                     self.label(objective, lang).tag)
        return self.render("objective.html", lang=lang, current=current, title=title,
                           objective=self.link(objective, lang, current), rows=rows,
                           assertions=assertions, targets=targets)

    def write_heatmaps(self, root: Path, coverage) -> bool:
        """The coverage heat map of ``gcmgraph plot coverage`` as SVG in each language; False (and
        a line on the progress stream) when matplotlib is missing or nothing is linked yet."""
        import io

        from gcmgraph.plot import NoDataError, coverage_heatmap

        try:
            import matplotlib
        except ImportError:
            self.progress("matplotlib is not installed: the site has no heat map "
                          "(pip install 'gcmgraph[plot]' to draw it)")
            return False
        for lang in LANGS:
            try:
                figure = coverage_heatmap(self.kg, lang, data=coverage)
            except NoDataError as error:
                self.progress(f"no heat map: {error}")
                return False
            buffer = io.BytesIO()
            # no date and fixed element ids: the same graph gives the same file
            with matplotlib.rc_context({"svg.hashsalt": "gcmgraph"}):
                figure.savefig(buffer, format="svg", metadata={"Date": None})
            self.write(root, f"index/coverage.{lang}.svg", buffer.getvalue())
        return True

    def coverage_table(self, coverage, lang: str, current: str) -> dict | None:
        from gcmgraph.plot import coverage_matrix

        try:
            matrix = coverage_matrix(coverage)
        except Exception:  # noqa: BLE001 (nothing linked: no table)
            return None
        countries = {}
        for record in coverage.dropna(subset=["country"]).to_dict("records"):
            countries.setdefault(str(record["countryLabel"] if isinstance(record["countryLabel"], str) else record["iso2"]),
                                 URIRef(record["country"]))
        columns = [n for n in matrix.columns if matrix[n].sum() > 0]
        rows = []
        for name in matrix.index:
            country = countries.get(name)
            rows.append({"country": self.link(country, lang, current) if country is not None else Value(Text(name)),
                         "counts": [int(matrix.loc[name, n]) for n in columns]})
        return {"columns": columns, "rows": rows}

    def build_home(self, root: Path) -> None:
        members = self.classes()
        for lang in LANGS:
            current = f"index.{lang}.html"
            featured = []
            for cls in (GCM.PolicyInstrument, GCM.LegalInstrument, GCM.PublicPolicy, GCM.Programme,
                        GCM.LocalAuthority, GCM.GovernmentAgency, GCM.CoordinationBody, SDO.Country,
                        GCM.SourceDocument, GCM.Recommendation, GCM.LessonLearned, SDO.Event):
                if cls in members:
                    featured.append({"class": self.link(cls, lang, current), "count": len(members[cls]),
                                     "href": relative(self._class_file(cls, lang), current)})
            html = self.render("home.html", lang=lang, current=current, title=Text(TEXT[lang]["site"], lang),
                               triples=len(self.graph), entities=len(self.entities), featured=featured,
                               objectives_scheme=self.link(OBJECTIVES_SCHEME, lang, current))
            self.write(root, current, html)
            if lang == DEFAULT_LANG:
                self.write(root, "index.html", html)

    def build_sitemap(self, root: Path) -> None:
        pages = sorted(str(p.relative_to(root)) for p in self.written
                       if p.suffix == ".html" and re.search(r"\.(es|en)\.html$", p.name))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"  <url><loc>{self.base_url}{page}</loc></url>" for page in pages]
        lines.append("</urlset>\n")
        self.write(root, "sitemap.xml", "\n".join(lines))

    # -- ontology and shapes ----------------------------------------------------------------------

    def _term_entry(self, term: URIRef, lang: str, current: str) -> dict:
        g = self.graph
        other = self._other(lang)
        fragment = str(term).split("#", 1)[1]
        def links(prop: URIRef) -> list[Value]:
            return [self.link(o, lang, current) for o in sorted(g.objects(term, prop)) if isinstance(o, URIRef)]
        return {
            "id": fragment, "iri": str(term), "label": self.label(term, lang),
            "other_label": pick((o for o in g.objects(term, RDFS.label) if _primary(o.language) == other), other),
            "definition": pick(g.objects(term, SKOS.definition), lang),
            "comment": pick(g.objects(term, RDFS.comment), lang),
            "superclasses": links(RDFS.subClassOf), "superproperties": links(RDFS.subPropertyOf),
            "domain": links(RDFS.domain), "range": links(RDFS.range), "types": links(RDF.type),
            "instances": None,
        }

    def build_ontology(self, root: Path) -> None:
        # Own templates rather than pyLODE: pyLODE writes one page in one language with no
        # `<html lang>` and documents no SHACL shapes, and its releases for Python 3.11 either
        # fail on import (3.4.1) or are older (3.3.4); these pages share the site's layout, give
        # both languages and link every term to the entities that use it.
        g = self.graph
        namespace = str(GCM._NS)
        terms = sorted({s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)})
        kinds = {"classes": OWL.Class, "object_properties": OWL.ObjectProperty,
                 "datatype_properties": OWL.DatatypeProperty}
        members = self.classes()
        for lang in LANGS:
            current = f"ontology.{lang}.html"
            sections = []
            placed = set()
            for key, kind in kinds.items():
                entries = []
                for term in terms:
                    if (term, RDF.type, kind) in g:
                        entry = self._term_entry(term, lang, current)
                        if kind == OWL.Class and term in members:
                            entry["instances"] = (len(members[term]), relative(self._class_file(term, lang), current))
                        entries.append(entry)
                        placed.add(term)
                sections.append({"key": key, "title": TEXT[lang][key], "entries": entries})
            sections.append({"key": "individuals", "title": TEXT[lang]["individuals"],
                             "entries": [self._term_entry(t, lang, current) for t in terms if t not in placed]})
            schemes = [self.link(s, lang, current) for s in sorted(g.subjects(RDF.type, SKOS.ConceptScheme))]
            self.write(root, current, self.render(
                "ontology.html", lang=lang, current=current,
                title=pick(g.objects(ONTOLOGY, DCTERMS.title), lang) or Text(TEXT[lang]["ontology"], lang),
                description=pick(g.objects(ONTOLOGY, DCTERMS.description), lang),
                version=g.value(ONTOLOGY, OWL.versionInfo), sections=sections, schemes=schemes,
                alternates={fmt: f"ontology.{fmt}" for fmt in RDF_FORMATS}, iri=str(ONTOLOGY)))
        ontology = bind_prefixes(Graph(bind_namespaces="none"))
        for term in [ONTOLOGY, *terms]:
            for triple in g.triples((term, None, None)):
                ontology.add(triple)
        for fmt in RDF_FORMATS:
            self.write(root, f"ontology.{fmt}", self.serialize(ontology, fmt))

    def _describe_shape_node(self, shapes: Graph, node: Node, lang: str, current: str) -> str:
        """A constraint value as text: a term's qname, a list, or a nested shape in brackets."""
        if isinstance(node, Literal):
            return json.dumps(str(node), ensure_ascii=False) if node.datatype in (None, XSD.string) else str(node)
        if isinstance(node, URIRef):
            return shapes.namespace_manager.normalizeUri(node)
        if (node, RDF.first, None) in shapes or node == RDF.nil:
            return "(" + " ".join(self._describe_shape_node(shapes, item, lang, current)
                                  for item in Collection(shapes, node)) + ")"
        parts = []
        for p, o in sorted(shapes.predicate_objects(node)):
            if p in (SH.message, SH.name, SH.description):
                continue
            parts.append(f"{shapes.namespace_manager.normalizeUri(p)} {self._describe_shape_node(shapes, o, lang, current)}")
        return "[" + " ; ".join(sorted(parts)) + "]"

    def _path_text(self, shapes: Graph, path: Node) -> str:
        if isinstance(path, URIRef):
            return shapes.namespace_manager.normalizeUri(path)
        if (path, RDF.first, None) in shapes:
            return " / ".join(self._path_text(shapes, item) for item in Collection(shapes, path))
        for p, o in shapes.predicate_objects(path):
            if p == SH.inversePath:
                return "^" + self._path_text(shapes, o)
            if p == SH.alternativePath:
                return "(" + " | ".join(self._path_text(shapes, item) for item in Collection(shapes, o)) + ")"
            if p in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
                return self._path_text(shapes, o) + {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+",
                                                     SH.zeroOrOnePath: "?"}[p]
        return str(path)

    def _property_shape(self, shapes: Graph, node: Node, lang: str, current: str) -> dict:
        constraints = []
        for p, o in sorted(shapes.predicate_objects(node)):
            if p in (SH.path, SH.message, SH.name, SH.description, SH.severity, RDF.type):
                continue
            constraints.append(f"{shapes.namespace_manager.normalizeUri(p)} {self._describe_shape_node(shapes, o, lang, current)}")
        constraints.sort()
        path = shapes.value(node, SH.path)
        return {
            "id": str(node).split("#", 1)[1] if isinstance(node, URIRef) and "#" in str(node) else None,
            "path": None if path is None else self._path_text(shapes, path),
            "name": pick(shapes.objects(node, SH.name), lang),
            "constraints": constraints,
            "severity": self._severity(shapes, node, lang),
            "message": pick(shapes.objects(node, SH.message), lang),
            "description": pick(shapes.objects(node, SH.description), lang),
            "ref": None, "href": None,
        }

    def _severity(self, shapes: Graph, node: Node, lang: str) -> str:
        severity = shapes.value(node, SH.severity) or SH.Violation
        names = {SH.Violation: ("Violación", "Violation"), SH.Warning: ("Aviso", "Warning"),
                 SH.Info: ("Información", "Info")}
        es, en = names.get(severity, (str(severity), str(severity)))
        return es if lang == "es" else en

    def build_shapes(self, root: Path) -> None:
        shapes = bind_prefixes(self.kg.shapes())
        bind_prefixes(shapes)
        node_shapes = sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))
        named_properties = sorted(s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef))
        for lang in LANGS:
            current = f"shapes.{lang}.html"
            entries = []
            for shape in node_shapes:
                targets = []
                for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                    for o in sorted(shapes.objects(shape, p)):
                        targets.append({"kind": shapes.namespace_manager.normalizeUri(p),
                                        "value": self.link(o, lang, current)})
                properties = []
                for prop in shapes.objects(shape, SH.property):
                    entry = self._property_shape(shapes, prop, lang, current)
                    if entry["id"]:  # a shared property shape: described once, further down
                        entry.update(ref=self.link(prop, lang, current), href="#" + entry["id"], constraints=[])
                    properties.append(entry)
                properties.sort(key=lambda p: (p["path"] or "", p["constraints"], p["message"].value if p["message"] else ""))
                own = self._property_shape(shapes, shape, lang, current)
                own["constraints"] = [c for c in own["constraints"]
                                      if not c.startswith(("sh:property", "sh:target"))]
                entries.append({
                    "id": str(shape).split("#", 1)[1], "iri": str(shape),
                    "name": pick(shapes.objects(shape, SH.name), lang) or Text(str(shape).split("#", 1)[1]),
                    "description": pick(shapes.objects(shape, SH.description), lang),
                    "targets": targets, "properties": properties, "own": own,
                })
            reusable = [self._property_shape(shapes, p, lang, current) for p in named_properties]
            self.write(root, current, self.render(
                "shapes.html", lang=lang, current=current, title=Text(TEXT[lang]["shapes"], lang),
                entries=entries, reusable=reusable, iri=str(GCMSH)[:-1],
                alternates={fmt: f"shapes.{fmt}" for fmt in RDF_FORMATS}))
        stable = stable_blank_nodes(shapes)
        for fmt in RDF_FORMATS:
            self.write(root, f"shapes.{fmt}", self.serialize(stable, fmt))


def stable_blank_nodes(graph: Graph) -> Graph:
    """A copy of ``graph`` whose blank nodes are named after the path that leads to them and what
    they hold, so its N-Triples and JSON-LD are the same on every run.

    Shapes' blank nodes (property shapes, lists) form trees hanging from named shapes, so a name
    made of the parent's name, the predicate and the node's content is unique; a graph whose blank
    nodes are shared or unreachable is returned as it is (rdflib.compare's canonical labelling would
    cover it, at seconds per thousand triples).
    """
    import hashlib

    parents: dict[BNode, list[tuple[Node, URIRef]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(o, BNode):
            parents[o].append((s, p))
    blanks = {n for t in graph for n in t if isinstance(n, BNode)}
    if any(len(parents.get(b, ())) != 1 for b in blanks):
        return graph
    signatures: dict[BNode, str] = {}

    def signature(node: BNode, depth: int = 0) -> str:
        if node not in signatures:
            if depth > 100:
                raise RecursionError
            parts = sorted(f"{p.n3()} {signature(o, depth + 1) if isinstance(o, BNode) else o.n3()}"
                           for p, o in graph.predicate_objects(node))
            signatures[node] = "[" + ";".join(parts) + "]"
        return signatures[node]

    names: dict[BNode, BNode] = {}

    def name(node: BNode, depth: int = 0) -> BNode:
        if node not in names:
            if depth > 100:
                raise RecursionError
            (parent, predicate), = parents[node]
            above = name(parent, depth + 1) if isinstance(parent, BNode) else parent
            digest = hashlib.sha1(f"{above.n3()} {predicate.n3()} {signature(node)}".encode()).hexdigest()
            names[node] = BNode("b" + digest[:16])
        return names[node]

    try:
        for blank in blanks:
            name(blank)
    except RecursionError:  # a cycle of blank nodes
        return graph
    if len(set(names.values())) != len(names):
        return graph
    out = bind_prefixes(Graph(bind_namespaces="none"))
    for triple in graph:
        out.add(tuple(names.get(n, n) for n in triple))
    return out


def build_site(kg: KnowledgeGraph, out: Path | str, base_url: str = DEFAULT_BASE_URL,
               progress: Callable[[str], None] | None = None) -> SiteReport:
    """Write the site for ``kg`` into the folder ``out``, whole or not at all (the previous
    content stays until the new site is complete).

    ``progress`` receives a line at each step (the command prints them on stderr).
    """
    started = time.monotonic()
    builder = SiteBuilder(kg, base_url, progress)
    out = Path(out)
    with atomic_directory(out) as root:
        builder.build(root)
        manifest = {
            "generator": f"gcmgraph {__version__}", "base_url": builder.base_url, "iri_base": BASE,
            "languages": list(LANGS), "default_language": DEFAULT_LANG,
            "formats": {fmt: media for fmt, (media, _) in RDF_FORMATS.items()},
            "thing_folders": list(THING_FOLDERS), "hash_documents": list(HASH_DOCUMENTS),
            "entities": len(builder.entities),
        }
        builder.write(root, "site.json", json.dumps(manifest, indent=2) + "\n")
        size = sum(p.stat().st_size for p in builder.written)
        pages = sum(1 for p in builder.written if p.suffix == ".html")
        files = len(builder.written)
    for iri in builder.skipped:
        builder.progress(f"no page for {iri}: its path is outside the IRI policy (ontology/README.md)")
    return SiteReport(out=out.absolute(), entities=len(builder.entities), pages=pages, files=files,
                      bytes=size, seconds=time.monotonic() - started,
                      heatmap=(out / "index" / "coverage.es.svg").exists(), skipped=builder.skipped)


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
