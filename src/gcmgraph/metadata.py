"""The dataset's metadata for portals: a DCAT-AP 3.0.1 description and a VoID description.

What a person decides (titles, descriptions, publisher, licence, contact, EU data themes) is
curated in ``data/dataset.ttl``; everything that can be computed is computed here from the graph
and the release files: spatial and temporal coverage, GCM-objective themes, one distribution per
file with its size and checksum, VoID statistics, linksets and label sets. The DCAT description is
checked against the official DCAT-AP 3.0.1 shapes (shipped in ``gcmgraph/dcat_ap``) with pySHACL.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, VOID, XSD

from gcmgraph.errors import InputError
from gcmgraph.graph import KnowledgeGraph
from gcmgraph.loading import parse_turtle
from gcmgraph.namespaces import (
    BASE,
    EU_AUTHORITY,
    GCM,
    GRAPH,
    IANA_MEDIA_TYPES,
    ID,
    OBJECTIVES_SCHEME,
    PREFIXES,
    SDG,
    SDO,
    SPDX,
    WD,
    bind_prefixes,
)
from gcmgraph.paths import DCAT_AP_SHAPES, Layout

DATASET = ID["dataset/gcmgraph"]
CATALOG = ID["catalog/gcmgraph"]
PUBLISHER = ID["agent/gcmgraph-curators"]
CONTACT = ID["agent/gcmgraph-curators-contact"]
LICENCE = EU_AUTHORITY["licence/CC_BY_4_0"]
RIGHTS = ID["rights/gcmgraph"]
ACCESS_RIGHTS = EU_AUTHORITY["access-right/PUBLIC"]
HOMEPAGE = URIRef(BASE)
COUNTRY_SCHEME = EU_AUTHORITY["country"]
FILE_TYPE_SCHEME = EU_AUTHORITY["file-type"]
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
DCATAP_NS = "http://data.europa.eu/r5r/"
#: DCAT 3 terms rdflib's closed DCAT namespace does not list yet
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
#: SHA-256 as the checksum algorithm. SPDX's term is http://spdx.org/rdf/terms#checksumAlgorithm_sha256,
#: but the official DCAT-AP 3.0.1 shapes (mdr-vocabularies.shape.ttl, ChecksumAlgorithmRestriction)
#: accept only IRIs matching ^https://spdx.org/rdf/terms and report SPDX's own http IRI as a
#: Violation; the https form is written, stated owl:sameAs SPDX's term.
SHA256_ALGORITHM = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")

#: languages of the labels: the EU language table's codes
LANGUAGES = {"es": EU_AUTHORITY["language/SPA"], "en": EU_AUTHORITY["language/ENG"]}

#: prefixes written into dcat.ttl and void.ttl on top of gcmgraph's own
METADATA_PREFIXES = {
    "country-eu": EU_AUTHORITY["country/"],
    "file-type": EU_AUTHORITY["file-type/"],
    "language": EU_AUTHORITY["language/"],
    "data-theme": EU_AUTHORITY["data-theme/"],
    "iana": IANA_MEDIA_TYPES,
    "dcatap": DCATAP_NS,
    "distribution": ID["distribution/"],
}


def default_base_url(version: str) -> str:
    """Where the files of release ``version`` are published unless ``--base-url`` says otherwise."""
    return f"{BASE}release/{version}/"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release, as its DCAT distribution and its VoID dump describe it."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    #: code in the EU file-type table (RDF_TURTLE, JSON_LD, ...)
    file_type: str
    #: IANA media type (text/turtle, ...)
    media_type: str
    size: int
    sha256: str
    #: "full": the whole graph; "ontology": the ontology graph alone; None: not a dump of the graph
    dump: str | None = None


# --- what the data says about itself: dates, places, objectives -------------------------------

_DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)


def _span(literal: Literal) -> tuple[date, date] | None:
    """First and last day an xsd:date, gYearMonth or gYear literal covers."""
    text = str(literal)
    try:
        if literal.datatype == XSD.date:
            day = date.fromisoformat(text[:10])
            return day, day
        if literal.datatype == XSD.gYearMonth:
            year, month = int(text[:4]), int(text[5:7])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if literal.datatype == XSD.gYear:
            year = int(text[:4])
            return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return None


def _data_literals(kg: KnowledgeGraph) -> Iterable[Literal]:
    """Literals of the data's named graphs (the ontology's own dates are not the data's)."""
    ontology = GRAPH["ontology"]
    for _, _, o, g in kg.dataset.quads((None, None, None, None)):
        if g != ontology and isinstance(o, Literal) and o.datatype in _DATE_TYPES:
            yield o


def data_date(kg: KnowledgeGraph) -> date:
    """The date a release is given when none is asked for: the latest calendar date (xsd:date)
    that the curated data states. It depends on the data alone, so the same data gives the same
    release, byte for byte."""
    days = [date.fromisoformat(str(o)[:10]) for o in _data_literals(kg) if o.datatype == XSD.date]
    if not days:
        raise InputError("the data states no xsd:date, so a release date cannot be derived",
                         hint="Give --date YYYY-MM-DD.")
    return max(days)


def temporal_coverage(kg: KnowledgeGraph) -> tuple[Literal, Literal] | None:
    """The earliest and the latest date the data states (as the literals it states them with)."""
    spans = [(span, o) for o in _data_literals(kg) if (span := _span(o))]
    if not spans:
        return None
    start = min(spans, key=lambda item: (item[0][0], str(item[1])))[1]
    end = max(spans, key=lambda item: (item[0][1], str(item[1])))[1]
    return start, end


@dataclass(frozen=True)
class SpatialCoverage:
    """The countries and areas the graph describes, as DCAT-AP wants them."""

    #: EU country-table IRIs of the UN member states, each with the graph's own country IRI
    eu: dict[URIRef, URIRef]
    #: the graph's own IRIs, for the areas that are not UN member states
    own: list[URIRef]


def spatial_coverage(kg: KnowledgeGraph) -> SpatialCoverage:
    """Countries of the graph: the EU country authority IRI (ISO 3166-1 alpha-3 code) for the UN
    member states, whose codes that table carries; the graph's own IRI for the other areas,
    which are not checked against it."""
    g = kg.graph
    eu: dict[URIRef, URIRef] = {}
    own: list[URIRef] = []
    for country in sorted(set(g.subjects(RDF.type, SDO.Country))):
        alpha3 = g.value(country, GCM.isoAlpha3)
        member = g.value(country, GCM.unMemberState)
        if alpha3 is not None and member is not None and member.toPython() is True:
            eu[EU_AUTHORITY[f"country/{alpha3}"]] = country
        else:
            own.append(country)
    return SpatialCoverage(dict(sorted(eu.items())), own)


def objectives_addressed(kg: KnowledgeGraph) -> list[URIRef]:
    """The GCM objectives something in the graph addresses, in objective order."""
    g = kg.graph
    found = {o for o in g.objects(None, GCM.addressesObjective)
             if (o, SKOS.inScheme, OBJECTIVES_SCHEME) in g}
    return sorted(found, key=lambda o: int(g.value(o, SKOS.notation)))


# --- DCAT --------------------------------------------------------------------------------------

def metadata_graph() -> Graph:
    graph = bind_prefixes(Graph(bind_namespaces="none"))
    for prefix, namespace in METADATA_PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def dataset_description(layout: Layout) -> Graph:
    path = layout.dataset_description
    if not path.is_file():
        raise InputError("the curated dataset description is missing", path=layout.display(path),
                         hint="Restore data/dataset.ttl from the repository.")
    return parse_turtle(path, layout.display(path))


def _dist_iri(version: str, name: str) -> URIRef:
    return ID[f"distribution/{version}/{name}"]


def _texts(graph: Graph, node: URIRef, prop: URIRef, texts: dict[str, str]) -> None:
    for lang, text in sorted(texts.items()):
        graph.add((node, prop, Literal(text, lang=lang)))


def dcat_graph(kg: KnowledgeGraph, files: list[ReleaseFile], *, version: str, issued: date,
               base_url: str, sparql_endpoint: str | None = None) -> Graph:
    """The DCAT-AP description of a release: the curated description plus what is computed."""
    g = metadata_graph()
    g += dataset_description(kg.layout)
    when = Literal(issued.isoformat(), datatype=XSD.date)
    for node in (CATALOG, DATASET):
        g.add((node, DCTERMS.issued, when))
        g.add((node, DCTERMS.modified, when))
    g.add((CATALOG, DCAT.dataset, DATASET))
    g.add((DATASET, DCAT_VERSION, Literal(version)))
    g.add((DATASET, DCTERMS.identifier, Literal(str(DATASET))))

    # spatial coverage: a dct:Location each (DCAT-AP's range), in the EU table where it has them
    coverage = spatial_coverage(kg)
    for eu_iri, own_iri in coverage.eu.items():
        g.add((eu_iri, RDF.type, DCTERMS.Location))
        g.add((eu_iri, SKOS.inScheme, COUNTRY_SCHEME))
        g.add((eu_iri, SKOS.exactMatch, own_iri))
    for own_iri in coverage.own:
        g.add((own_iri, RDF.type, DCTERMS.Location))
        for label in kg.graph.objects(own_iri, RDFS.label):
            g.add((own_iri, RDFS.label, label))
    for place in [*coverage.eu, *coverage.own]:
        g.add((DATASET, DCTERMS.spatial, place))
    # the catalogue's coverage in the EU table alone: the areas outside it are the dataset's detail
    for place in coverage.eu:
        g.add((CATALOG, DCTERMS.spatial, place))

    span = temporal_coverage(kg)
    if span:
        start, end = span
        period = ID[f"period/{start}--{end}"]
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, start))
        g.add((period, DCAT.endDate, end))
        g.add((DATASET, DCTERMS.temporal, period))

    # the GCM objectives the graph addresses are themes too, from the graph's own concept scheme
    objectives = objectives_addressed(kg)
    if objectives:
        g.add((CATALOG, DCAT.themeTaxonomy, OBJECTIVES_SCHEME))
        g.add((OBJECTIVES_SCHEME, RDF.type, SKOS.ConceptScheme))
        for label in kg.graph.objects(OBJECTIVES_SCHEME, SKOS.prefLabel):
            g.add((OBJECTIVES_SCHEME, DCTERMS.title, label))
        for objective in objectives:
            g.add((DATASET, DCAT.theme, objective))
            g.add((objective, RDF.type, SKOS.Concept))
            g.add((objective, SKOS.inScheme, OBJECTIVES_SCHEME))
            g.add((objective, SKOS.notation, kg.graph.value(objective, SKOS.notation)))
            for label in kg.graph.objects(objective, SKOS.prefLabel):
                g.add((objective, SKOS.prefLabel, label))

    for item in files:
        dist = _dist_iri(version, item.name)
        checksum = URIRef(f"{dist}#sha256")
        file_type = EU_AUTHORITY[f"file-type/{item.file_type}"]
        media_type = IANA_MEDIA_TYPES[item.media_type]
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        _texts(g, dist, DCTERMS.title, item.title)
        _texts(g, dist, DCTERMS.description, item.description)
        g.add((dist, DCAT.accessURL, URIRef(base_url)))
        g.add((dist, DCAT.downloadURL, URIRef(base_url + item.name)))
        g.add((dist, DCTERMS.format, file_type))
        g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((file_type, SKOS.inScheme, FILE_TYPE_SCHEME))
        g.add((dist, DCAT.mediaType, media_type))
        g.add((media_type, RDF.type, DCTERMS.MediaType))
        g.add((dist, DCTERMS.license, LICENCE))
        g.add((dist, DCTERMS.rights, RIGHTS))
        g.add((dist, DCTERMS.issued, when))
        g.add((dist, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SHA256_ALGORITHM))
        g.add((checksum, SPDX.checksumValue, Literal(item.sha256, datatype=XSD.hexBinary)))
        if item.dump:
            for lang in sorted(LANGUAGES):
                g.add((dist, DCTERMS.language, LANGUAGES[lang]))
    if files:
        g.add((SHA256_ALGORITHM, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((SHA256_ALGORITHM, OWL.sameAs, SPDX.checksumAlgorithm_sha256))

    if sparql_endpoint:
        service = ID["service/gcmgraph-sparql"]
        g.add((CATALOG, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        _texts(g, service, DCTERMS.title, {"en": "gcmgraph SPARQL endpoint",
                                          "es": "Punto de acceso SPARQL de gcmgraph"})
        _texts(g, service, DCTERMS.description, {
            "en": "A SPARQL 1.1 endpoint over the whole graph (its named graphs too).",
            "es": "Un punto de acceso SPARQL 1.1 sobre todo el grafo (también sus grafos con nombre)."})
        g.add((service, DCAT.endpointURL, URIRef(sparql_endpoint)))
        g.add((service, DCAT.servesDataset, DATASET))
        g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
        g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
        g.add((service, DCTERMS.publisher, PUBLISHER))
        g.add((service, DCAT.contactPoint, CONTACT))
        g.add((service, DCTERMS.license, LICENCE))
        g.add((service, DCTERMS.accessRights, ACCESS_RIGHTS))
        for theme in g.objects(DATASET, DCAT.theme):
            g.add((service, DCAT.theme, theme))
        for keyword in g.objects(DATASET, DCAT.keyword):
            g.add((service, DCAT.keyword, keyword))
    return g


# --- VoID --------------------------------------------------------------------------------------

#: label properties counted in the label sets
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel)
#: the datasets gcmgraph links to, by the namespace of their IRIs
LINK_TARGETS = {
    "wikidata": (URIRef("http://www.wikidata.org/"), str(WD),
                 {"en": "Wikidata", "es": "Wikidata"}),
    "un-sdg": (URIRef("http://metadata.un.org/sdg"), str(SDG),
               {"en": "UN Sustainable Development Goals taxonomy (SDG KOS)",
                "es": "Taxonomía de los Objetivos de Desarrollo Sostenible de la ONU (SDG KOS)"}),
}
#: a link assertion names the triple it describes with these: a description, not a link
REIFICATION = (RDF.subject, RDF.predicate, RDF.object)
#: W3C format IRIs (http://www.w3.org/ns/formats/) by IANA media type, for void:feature
FORMAT_FEATURES = {
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML", "application/trig": "TriG", "application/n-quads": "N-Quads",
}


def _qname_slug(graph: Graph, iri: URIRef) -> str:
    try:
        prefix, _, local = graph.namespace_manager.compute_qname(str(iri), generate=False)
        return f"{prefix}-{local}"
    except (KeyError, ValueError):
        return "".join(c if c.isalnum() else "-" for c in str(iri))


@dataclass
class VoidStats:
    """Counts the VoID description states; computed once from the graph."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[URIRef, int]
    properties: dict[URIRef, int]
    vocabularies: list[str]
    #: (target key, link predicate) -> number of links
    linksets: dict[tuple[str, URIRef], int]
    #: language tag -> {label property: number of literals}
    labels: dict[str, dict[URIRef, int]]
    graphs: dict[URIRef, int] = field(default_factory=dict)


def void_stats(kg: KnowledgeGraph) -> VoidStats:
    g = kg.graph
    subjects, objects = set(), set()
    properties: Counter = Counter()
    members: dict[URIRef, set] = defaultdict(set)
    linksets: Counter = Counter()
    labels: dict[str, Counter] = defaultdict(Counter)
    for s, p, o in g:
        subjects.add(s)
        objects.add(o)
        properties[p] += 1
        if p == RDF.type:
            members[o].add(s)
        if isinstance(o, URIRef) and str(s).startswith(BASE) and p not in REIFICATION:
            for key, (_, space, _) in LINK_TARGETS.items():
                if str(o).startswith(space):
                    linksets[(key, p)] += 1
        if p in LABEL_PROPERTIES and isinstance(o, Literal) and o.language:
            labels[o.language][p] += 1
    namespaces = sorted(str(ns) for prefix, ns in PREFIXES.items())
    used = set()
    for term in [*properties, *members]:
        owner = max((ns for ns in namespaces if str(term).startswith(ns)), key=len, default=None)
        if owner:
            used.add(owner)
    graphs = Counter(name for _, _, _, name in kg.dataset.quads((None, None, None, None)))
    return VoidStats(
        triples=len(g),
        entities=sum(1 for s in subjects if isinstance(s, URIRef) and str(s).startswith(BASE)),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes={c: len(m) for c, m in sorted(members.items())},
        properties=dict(sorted(properties.items())),
        vocabularies=sorted(used),
        linksets=dict(sorted(linksets.items())),
        labels={lang: dict(sorted(c.items())) for lang, c in sorted(labels.items())},
        graphs=dict(sorted(graphs.items())),
    )


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def void_graph(kg: KnowledgeGraph, files: list[ReleaseFile], *, base_url: str, issued: date,
               sparql_endpoint: str | None = None, stats: VoidStats | None = None) -> Graph:
    """The VoID description of the graph: size, partitions, linksets, label sets, dumps."""
    stats = stats or void_stats(kg)
    g = metadata_graph()
    d = DATASET
    part = f"{DATASET}#"
    g.add((d, RDF.type, VOID.Dataset))
    description = dataset_description(kg.layout)
    for title in description.objects(DATASET, DCTERMS.title):
        g.add((d, DCTERMS.title, title))
    g.add((d, DCTERMS.license, LICENCE))
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((d, DCTERMS.modified, Literal(issued.isoformat(), datatype=XSD.date)))
    g.add((d, FOAF.homepage, HOMEPAGE))
    g.add((d, VOID.uriSpace, Literal(BASE)))
    g.add((d, VOID.triples, _count(stats.triples)))
    g.add((d, VOID.entities, _count(stats.entities)))
    g.add((d, VOID.distinctSubjects, _count(stats.distinct_subjects)))
    g.add((d, VOID.distinctObjects, _count(stats.distinct_objects)))
    g.add((d, VOID.classes, _count(len(stats.classes))))
    g.add((d, VOID.properties, _count(len(stats.properties))))
    for vocabulary in stats.vocabularies:
        g.add((d, VOID.vocabulary, URIRef(vocabulary)))
    for example in (ID["objective/16"], ID["country/CO"]):
        if (example, None, None) in kg.graph:
            g.add((d, VOID.exampleResource, example))
    if sparql_endpoint:
        g.add((d, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    for item in files:
        if item.dump == "full":
            g.add((d, VOID.dataDump, URIRef(base_url + item.name)))
            feature = FORMAT_FEATURES.get(item.media_type)
            if feature:
                g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/" + feature)))

    for cls, entities in stats.classes.items():
        node = URIRef(part + "class-" + _qname_slug(g, cls))
        g.add((d, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, _count(entities)))
    for prop, triples in stats.properties.items():
        node = URIRef(part + "property-" + _qname_slug(g, prop))
        g.add((d, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, _count(triples)))

    # one subset per named graph, so TriG and N-Quads users know what each graph holds
    for name, triples in stats.graphs.items():
        g.add((d, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, VOID.triples, _count(triples)))
        if name == GRAPH["ontology"]:
            for item in files:
                if item.dump == "ontology":
                    g.add((name, VOID.dataDump, URIRef(base_url + item.name)))

    for key, (target, space, titles) in LINK_TARGETS.items():
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, VOID.uriSpace, Literal(space)))
        _texts(g, target, DCTERMS.title, titles)
    for (key, predicate), triples in stats.linksets.items():
        target = LINK_TARGETS[key][0]
        node = URIRef(part + f"linkset-{key}-" + _qname_slug(g, predicate))
        g.add((d, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, d))
        g.add((node, VOID.objectsTarget, target))
        g.add((node, VOID.linkPredicate, predicate))
        g.add((node, VOID.triples, _count(triples)))

    # label sets: how many labels each language tag has (es-t-en and en-t-es are translations)
    for lang, per_property in stats.labels.items():
        node = URIRef(part + f"labels-{lang}")
        g.add((d, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, DCTERMS.language, Literal(lang, datatype=XSD.language)))
        g.add((node, VOID.triples, _count(sum(per_property.values()))))
        _texts(g, node, RDFS.label, {"en": f"Labels tagged @{lang}",
                                     "es": f"Etiquetas con la etiqueta de idioma @{lang}"})
        for prop, triples in per_property.items():
            sub = URIRef(part + f"labels-{lang}-" + _qname_slug(g, prop))
            g.add((node, VOID.propertyPartition, sub))
            g.add((sub, VOID.property, prop))
            g.add((sub, VOID.triples, _count(triples)))
    return g


# --- DCAT-AP validation ------------------------------------------------------------------------

def dcat_ap_shapes() -> Graph:
    shapes = Graph()
    for path in sorted(DCAT_AP_SHAPES.glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


@dataclass(frozen=True)
class ShapeResult:
    severity: str
    focus: str
    path: str | None
    value: str | None
    component: str
    message: str | None


@dataclass(frozen=True)
class WarningKind:
    """Warnings of one kind: the same property on the same class failing the same constraint."""

    key: str
    count: int
    reason: dict[str, str] | None


@dataclass(frozen=True)
class DcatReport:
    violations: list[ShapeResult]
    warnings: list[ShapeResult]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def warning_kinds(self) -> list[WarningKind]:
        counts = Counter(_kind(w) for w in self.warnings)
        return [WarningKind(key, n, WARNING_REASONS.get(key)) for key, n in sorted(counts.items())]


def _kind(result: ShapeResult) -> str:
    component = result.component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"{result.path or '-'} {component}"


#: why each kind of DCAT-AP warning is left, in English and Spanish (keys: path and constraint)
WARNING_REASONS: dict[str, dict[str, str]] = {
    "dcat:bbox MinCount": {
        "en": "No bounding box of a country or area is in any source gcmgraph has; none is invented.",
        "es": "Ninguna fuente de gcmgraph da el rectángulo envolvente de un país o territorio; no se inventa.",
    },
    "dcat:centroid MinCount": {
        "en": "No centroid of a country or area is in any source gcmgraph has; none is invented.",
        "es": "Ninguna fuente de gcmgraph da el centroide de un país o territorio; no se inventa.",
    },
    "dct:spatial Node": {
        "en": "Territories that are not UN member states keep the graph's own IRI: their codes have "
              "not been checked against the EU country table, so no EU IRI is asserted for them.",
        "es": "Los territorios que no son Estados miembros de la ONU conservan el IRI del grafo: sus "
              "códigos no se han comprobado contra la tabla de países de la UE, así que no se les "
              "atribuye un IRI de la UE.",
    },
    "dcat:theme Node": {
        "en": "The GCM objectives the graph addresses are themes from gcmgraph's own concept scheme "
              "(dcat:themeTaxonomy), which the EU data-theme table does not have; the EU themes "
              "SOCI and GOVE are given as well.",
        "es": "Los objetivos del PMM que aborda el grafo son temas del esquema de conceptos propio "
              "de gcmgraph (dcat:themeTaxonomy), que la tabla de temas de la UE no tiene; también "
              "se dan los temas de la UE SOCI y GOVE.",
    },
    "dct:type MinCount": {
        "en": "The kind of organisation the gcmgraph curators are (ADMS publisher type) is not "
              "stated anywhere; none is invented.",
        "es": "No consta en ninguna parte qué tipo de organización son los curadores de gcmgraph "
              "(tipo de publicador ADMS); no se inventa.",
    },
    "dct:publisher Node": {
        "en": "The publisher, the gcmgraph curators, is not an EU corporate body, so it has no IRI "
              "in the EU corporate-body table.",
        "es": "El publicador, los curadores de gcmgraph, no es un organismo de la UE, así que no "
              "tiene IRI en la tabla de organismos de la UE.",
    },
    "dcatap:availability MinCount": {
        "en": "How long the files stay online depends on where a publisher hosts them, not on the "
              "release; the publisher adds it.",
        "es": "Cuánto tiempo siguen en línea los archivos depende de dónde los aloje quien los "
              "publica, no de la publicación; lo añade quien publica.",
    },
    "dcat:endpointDescription MinCount": {
        "en": "The SPARQL endpoint is given only by its URL; its service description is whatever "
              "that server publishes.",
        "es": "El punto de acceso SPARQL se da solo por su URL; su descripción de servicio es la "
              "que publique ese servidor.",
    },
}


def _shorten(graph: Graph, node) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # an IRI rdflib cannot shorten
            return f"<{node}>"
    return str(node)


def validate_dcat(graph: Graph) -> DcatReport:
    """Validate a DCAT description against the official DCAT-AP 3.0.1 shapes (pySHACL)."""
    import pyshacl

    _, report, _ = pyshacl.validate(graph, shacl_graph=dcat_ap_shapes(), inference="none",
                                    advanced=False, allow_warnings=True)
    results: dict[str, list[ShapeResult]] = {"Violation": [], "Warning": [], "Info": []}
    names = metadata_graph()
    # only the report's own results: the nested sh:detail results explain them, they are not more
    top = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
    for node in top:
        severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = report.value(node, SH.resultMessage)
        result = ShapeResult(
            severity=severity,
            focus=_shorten(names, report.value(node, SH.focusNode)),
            path=_shorten(names, report.value(node, SH.resultPath)),
            value=_shorten(names, report.value(node, SH.value)),
            component=str(report.value(node, SH.sourceConstraintComponent)),
            message=None if message is None else str(message),
        )
        results.setdefault(severity, []).append(result)
    order = lambda r: (r.path or "", r.focus or "", r.value or "", r.component)  # noqa: E731
    return DcatReport(sorted(results["Violation"], key=order),
                      sorted(results["Warning"] + results["Info"], key=order))
