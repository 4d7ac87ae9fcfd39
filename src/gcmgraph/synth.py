"""Synthetic graphs of the gcmgraph domain, of any size, for benchmarks and scale tests.

:func:`write_synthetic` streams a deterministic graph of about ``triples`` triples to a file
(N-Quads, N-Triples or Turtle): the same ``(triples, seed, defects)`` always give the same bytes.
:func:`synthesize` returns the same graph as an rdflib ``Dataset`` (for small sizes) with the list of
seeded defects; :func:`iter_quads` yields it quad by quad without holding it.

What the graph holds
====================

- The **real T-box and reference data**: every triple of ``ontology/**`` (graph ``graph/ontology``)
  and ``data/reference/**`` (graph ``graph/reference``: the 52 countries, M49 regions, SDG targets,
  UN entities, source documents, the curators), and the ``source.ttl`` of each curated source
  folder (its source document, which the reference data cites). Left out with ``base=False``.
- **Synthetic sources**, one named graph each (``graph/source/synth-{seed}-{n}``, like the curated
  ``graph/source/{slug}``), each a ``gcm:SourceDocument`` and what it "states" about one of the 52
  real countries (taken in turn): the national government (``gcm:NationalGovernment``, once per
  country, referred to from later sources), a dialogue mechanism, government agencies, subnational
  places with their local authorities, civil-society and migrant organisations, a coordination
  body with a membership, laws, decrees and resolutions (``eli:passed_by``, ``eli:date_document``),
  public policies, programmes and guidance documents (``gcm:implementedBy``, ``gcm:legalBasis``,
  ``dct:type``), their outcomes, a forum and dialogues with participation figures, participant
  groups and breakdowns, a commitment, recommendations and lessons learned. Every
  ``gcm:addressesObjective``/``gcm:relatedSDGTarget`` triple is also a ``gcm:LinkAssertion``, stated
  by the source (``dct:source``) or an editorial mapping (``prov:wasAttributedTo`` the curators and
  ``rdfs:comment``).
- Every synthetic IRI is under ``https://w3id.org/gcmgraph/id/`` and its last segment starts with
  ``synth-`` (``id/org/synth-co-agencia-7-12-1``), so it can never be taken for a curated fact;
  labels are in ``@es`` and ``@en-t-es``.

The graph conforms to ``ontology/shapes`` (no violation, no warning). With ``defects=f``, about a
share ``f`` of the synthetic entities get one seeded defect of a kind the shapes catch (see
:data:`DEFECT_KINDS`); each is recorded as a :class:`Defect` with the focus nodes the validator must
report, so a test can check that validation finds exactly those.

Sizes are approximate: whole sources (about 500 triples each) are added until ``triples`` is
reached. The graph for a size is a prefix of the graph for a larger size with the same seed.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from gcmgraph.paths import Layout, default_layout

__all__ = ["DEFECT_KINDS", "Defect", "Synthetic", "SynthSummary", "iter_quads", "synthesize",
           "write_synthetic"]

BASE = "https://w3id.org/gcmgraph/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
GCM = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ELI = "http://data.europa.eu/eli/ontology#"

PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "dct": DCT, "org": ORG, "schema": SCHEMA, "skos": SKOS,
    "prov": PROV, "eli": ELI, "gcm": GCM, "country": ID + "country/", "org-id": ID + "org/",
    "place": ID + "place/", "policy": ID + "policy/", "source": ID + "source/",
    "link": ID + "link/", "event": ID + "event/", "objective": ID + "objective/",
    "theme": ID + "theme/",
}

#: Defect kinds: what is changed, and which shape catches it.
DEFECT_KINDS = {
    "no-spanish-label": "the @es rdfs:label is missing (gcmsh:SpanishLabel)",
    "second-spanish-label": "two @es rdfs:label values (gcmsh:UniqueLangLabel)",
    "missing-source": "no dct:source (gcmsh:SourceRequired)",
    "date-as-text": "a date written as text, not xsd:date (sh:datatype / sh:or of datatypes)",
    "objective-24": "gcm:addressesObjective objective/24, which does not exist (gcmsh:LinkedEntityShape, gcmsh:ObjectiveShape)",
    "wrong-class": "gcm:implementedBy points to a policy, not an actor (sh:or of sh:class)",
    "link-without-assertion": "gcm:addressesObjective with no gcm:LinkAssertion (SPARQL constraint)",
    "editorial-without-comment": "an editorial gcm:LinkAssertion without its rdfs:comment (sh:xone)",
    "count-as-text": "gcm:count \"141\" as a string (sh:datatype xsd:integer)",
    "end-before-start": "schema:endDate before schema:startDate (sh:lessThanOrEquals)",
    "authority-in-country": "a gcm:LocalAuthority whose dct:spatial is a country (sh:class schema:AdministrativeArea)",
    "bad-iso-code": "a country with gcm:isoAlpha2 \"co\" (sh:pattern, SPARQL IRI check)",
}


@dataclass(frozen=True)
class Defect:
    """One seeded defect: the entity changed, the kind, and the focus nodes whose results it causes."""

    entity: str
    kind: str
    focus: tuple[str, ...]


@dataclass
class SynthSummary:
    """What :func:`write_synthetic` wrote."""

    path: str
    format: str
    triples: int
    graphs: int
    sources: int
    seed: int
    defect_rate: float
    defects: list[Defect] = field(default_factory=list)

    def to_json(self) -> str:
        data = asdict(self)
        data["defects"] = [asdict(d) for d in self.defects]
        return json.dumps(data, indent=1, ensure_ascii=False)


@dataclass
class Synthetic:
    """What :func:`synthesize` returns: the dataset and its seeded defects."""

    dataset: Dataset
    defects: list[Defect]
    triples: int


# --------------------------------------------------------------------------------------------------
# Terms, written as N-Triples
# --------------------------------------------------------------------------------------------------

def iri(value: str) -> str:
    return f"<{value}>"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\x00-\x1f\x7f]')


def _escape(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return text
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = f'"{_escape(text)}"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype != XSD + "string":
        return f"{body}^^<{datatype}>"
    return body


def es(text: str) -> str:
    return lit(text, "es")


def en(text: str) -> str:
    return lit(text, "en-t-es")


def date(y: int, m: int, d: int) -> str:
    return lit(f"{y:04d}-{m:02d}-{d:02d}", datatype=XSD + "date")


def integer(n: int) -> str:
    return lit(str(n), datatype=XSD + "integer")


def _from_rdflib(term) -> str:
    if isinstance(term, URIRef):
        return iri(str(term))
    if isinstance(term, Literal):
        return lit(str(term), term.language, str(term.datatype) if term.datatype else None)
    raise ValueError(f"the curated base has a blank node: {term!r}")


_LITERAL = re.compile(r'^"(.*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$', re.S)
_UNESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|.)')


def to_rdflib(term: str):
    """An N-Triples term written by this module, as an rdflib term."""
    if term[0] == "<":
        return URIRef(term[1:-1])
    if term.startswith("_:"):
        return BNode(term[2:])
    m = _LITERAL.match(term)
    text = _UNESCAPE.sub(lambda e: chr(int(e.group(1)[1:], 16)) if e.group(1)[0] == "u"
                         else {"n": "\n", "r": "\r", "t": "\t"}.get(e.group(1), e.group(1)), m.group(1))
    if m.group(2):
        return Literal(text, lang=m.group(2))
    if m.group(3):
        return Literal(text, datatype=URIRef(m.group(3)))
    return Literal(text)


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

A = iri(RDF + "type")
LABEL = iri(RDFS + "label")
COMMENT = iri(RDFS + "comment")
SOURCE = iri(DCT + "source")
SPATIAL = iri(DCT + "spatial")
SUBJECT = iri(DCT + "subject")
DTYPE = iri(DCT + "type")
TITLE = iri(DCT + "title")


def g(term: str) -> str:
    return iri(GCM + term)


def s(term: str) -> str:
    return iri(SCHEMA + term)


def o(term: str) -> str:
    return iri(ORG + term)


def concept(kind: str, slug: str) -> str:
    return iri(f"{ID}{kind}/{slug}")


THEMES = ["capacitacion", "convivencia", "derechos-humanos", "desplazamiento-interno", "documentacion",
          "empleo", "inclusion", "informacion", "integracion", "integracion-socioeconomica",
          "orientacion-juridica", "participacion-sociedad-civil", "proteccion-migrantes",
          "reduccion-vulnerabilidades", "regularizacion", "salud", "seguridad", "seguridad-social",
          "sensibilizacion", "servicios-publicos-municipales"]
THEME_NAMES = {
    "capacitacion": ("capacitación", "training"), "convivencia": ("convivencia", "coexistence"),
    "derechos-humanos": ("derechos humanos", "human rights"),
    "desplazamiento-interno": ("desplazamiento interno", "internal displacement"),
    "documentacion": ("documentación", "documentation"), "empleo": ("empleo", "employment"),
    "inclusion": ("inclusión", "inclusion"), "informacion": ("información", "information"),
    "integracion": ("integración", "integration"),
    "integracion-socioeconomica": ("integración socioeconómica", "socio-economic integration"),
    "orientacion-juridica": ("orientación jurídica", "legal guidance"),
    "participacion-sociedad-civil": ("participación de la sociedad civil", "civil-society participation"),
    "proteccion-migrantes": ("protección de personas migrantes", "protection of migrants"),
    "reduccion-vulnerabilidades": ("reducción de vulnerabilidades", "reducing vulnerabilities"),
    "regularizacion": ("regularización", "regularisation"), "salud": ("salud", "health"),
    "seguridad": ("seguridad", "security"), "seguridad-social": ("seguridad social", "social security"),
    "sensibilizacion": ("sensibilización", "awareness-raising"),
    "servicios-publicos-municipales": ("servicios públicos municipales", "municipal public services"),
}
ACTOR_TYPES = ["agencias-fondos-programas-onu", "agencias-internacionales", "gobiernos",
               "gobiernos-locales", "gobiernos-nacionales", "organizaciones-migrantes",
               "personas-migrantes", "sociedad-civil", "sociedades-de-acogida"]
SDG_TARGETS = ["10.7", "10.2", "10.3", "8.8", "16.9", "5.2", "3.8", "17.18"]
ROOTS = ["Ala", "Bel", "Cor", "Dul", "Esc", "Flor", "Gua", "Hua", "Isl", "Jal", "Lom", "Mar", "Nev",
         "Oro", "Pal", "Quil", "Rio", "Sal", "Tap", "Urb", "Val", "Xal", "Yar", "Zar"]
ENDINGS = ["ada", "ango", "ares", "eda", "illa", "ito", "oma", "ón", "ucha", "ura"]
PREFIX_NAMES = ["San", "Santa", "Villa", "Puerto", "Nueva", "Ciudad", "Valle de", "Cerro"]
CSO_KINDS = [("Asociación", "Association"), ("Fundación", "Foundation"), ("Red", "Network"),
             ("Colectivo", "Collective"), ("Centro", "Centre")]
CSO_TOPICS = [("de apoyo a personas migrantes", "supporting migrants"),
              ("por los derechos de las personas refugiadas", "for the rights of refugees"),
              ("de mujeres migrantes", "of migrant women"),
              ("para la integración comunitaria", "for community integration"),
              ("de asistencia jurídica", "for legal assistance")]
AGENCIES = [("Dirección de Migraciones", "Migration Directorate"),
            ("Ministerio de Trabajo", "Ministry of Labour"),
            ("Ministerio de Salud", "Ministry of Health"),
            ("Instituto de Protección Social", "Social Protection Institute"),
            ("Defensoría del Pueblo", "Ombudsman's Office"),
            ("Secretaría de Relaciones Exteriores", "Secretariat of Foreign Affairs")]
LEGAL_KINDS = [("ley", "Ley", "Law"), ("decreto", "Decreto", "Decree"),
               ("resolucion", "Resolución", "Resolution")]


def _place_name(rng: random.Random) -> str:
    name = rng.choice(ROOTS) + rng.choice(ENDINGS)
    return f"{rng.choice(PREFIX_NAMES)} {name}" if rng.random() < 0.5 else name


def _slugify(text: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --------------------------------------------------------------------------------------------------
# Countries (the 52 real ones)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Country:
    code: str
    iri: str
    es: str
    en: str


def _countries(layout: Layout) -> list[_Country]:
    graph = Graph()
    graph.parse(layout.data / "reference" / "countries.ttl", format="turtle")
    out = []
    for subject in set(graph.subjects(URIRef(RDF + "type"), URIRef(SCHEMA + "Country"))):
        code = str(graph.value(subject, URIRef(GCM + "isoAlpha2")))
        labels = {lab.language: str(lab) for lab in graph.objects(subject, URIRef(RDFS + "label"))}
        out.append(_Country(code, iri(str(subject)), labels.get("es", code), labels.get("en", code)))
    return sorted(out, key=lambda c: c.code)


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------

class _Entity:
    """The triples of one entity, built before they are written so that a defect can change them."""

    __slots__ = ("iri", "kind", "triples", "extra")

    def __init__(self, iri_: str, kind: str):
        self.iri = iri_
        self.kind = kind
        self.triples: list[tuple[str, str, str]] = []
        self.extra: list[tuple[str, str, str]] = []  # triples about other subjects (reified links)

    def add(self, p: str, o_: str) -> _Entity:
        self.triples.append((self.iri, p, o_))
        return self

    def drop(self, p: str, o_: str | None = None) -> None:
        self.triples = [t for t in self.triples if not (t[1] == p and (o_ is None or t[2] == o_))]

    def replace(self, p: str, o_: str) -> None:
        self.drop(p)
        self.add(p, o_)


# which defect kinds apply to which kinds of entity
_DEFECTS_FOR = {
    "agency": ["no-spanish-label", "second-spanish-label", "missing-source"],
    "cso": ["no-spanish-label", "second-spanish-label", "missing-source"],
    "authority": ["authority-in-country", "no-spanish-label"],
    "place": ["missing-source", "no-spanish-label"],
    "legal": ["date-as-text", "no-spanish-label", "missing-source"],
    "policy": ["objective-24", "wrong-class", "link-without-assertion", "no-spanish-label"],
    "programme": ["wrong-class", "missing-source"],
    "event": ["date-as-text", "end-before-start", "missing-source"],
    "figure": ["count-as-text", "missing-source"],
    "link": ["editorial-without-comment"],
    "recommendation": ["no-spanish-label", "missing-source"],
    "lesson": ["second-spanish-label", "missing-source"],
    "source": ["bad-iso-code"],
}


class _Generator:
    def __init__(self, seed: int, defect_rate: float, layout: Layout):
        self.seed = seed
        self.defect_rate = defect_rate
        self.layout = layout
        self.countries = _countries(layout)
        self.defects: list[Defect] = []

    # -- one synthetic source ---------------------------------------------------------------------

    def unit(self, k: int) -> tuple[str, list[tuple[str, str, str]]]:
        """The named graph of source number ``k`` and its triples."""
        rng = random.Random(self.seed * 1_000_003 + k)
        country = self.countries[k % len(self.countries)]
        cc = country.code.lower()
        tag = f"{self.seed}-{k}"
        graph = iri(f"{GRAPH}source/synth-{tag}")
        source = iri(f"{ID}source/synth-{tag}")
        ents: list[_Entity] = []
        defect_rng = random.Random(self.seed * 7_000_003 + k + 1)

        def new(path: str, kind: str) -> _Entity:
            e = _Entity(iri(f"{ID}{path}"), kind)
            ents.append(e)
            return e

        def named(e: _Entity, es_text: str, en_text: str, with_source: bool = True) -> _Entity:
            e.add(LABEL, es(es_text)).add(LABEL, en(en_text))
            if with_source:
                e.add(SOURCE, source)
            return e

        year = 2015 + rng.randrange(10)
        gov = iri(f"{ID}org/synth-{cc}-gobierno-nacional-{self.seed}")
        mechanism = iri(f"{ID}org/synth-{cc}-mecanismo-dialogo-{self.seed}")

        # the source document
        doc = new(f"source/synth-{tag}", "source")
        doc.add(A, g("SourceDocument"))
        named(doc, f"Informe sintético {tag} sobre {country.es}", f"Synthetic report {tag} on {country.en}",
              with_source=False)
        doc.add(TITLE, es(f"Avances en la gobernanza migratoria de {country.es} ({tag})"))
        doc.add(iri(DCT + "issued"), date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)))
        doc.add(g("verificationStatus"), g(rng.choice(["Verified", "Secondary", "ClaimOfSource"])))
        doc.add(iri(DCT + "publisher"), iri(ID + "org/un-network-on-migration-lac"))

        # once per country: its national government and dialogue mechanism
        if k < len(self.countries):
            e = new(f"org/synth-{cc}-gobierno-nacional-{self.seed}", "government")
            e.add(A, g("NationalGovernment"))
            named(e, f"Gobierno de {country.es}", f"Government of {country.en}")
            e.add(SPATIAL, country.iri)
            e.add(g("actorType"), concept("actor-type", "gobiernos-nacionales"))
            e = new(f"org/synth-{cc}-mecanismo-dialogo-{self.seed}", "mechanism")
            e.add(A, g("DialogueMechanism"))
            named(e, f"Mecanismo de diálogo con la sociedad civil de {country.es}",
                  f"Civil-society dialogue mechanism of {country.en}")
            e.add(SPATIAL, country.iri)

        # government agencies
        agencies = []
        for i, (a_es, a_en) in enumerate(rng.sample(AGENCIES, 2)):
            e = new(f"org/synth-{cc}-{_slugify(a_es)}-{tag}", "agency")
            e.add(A, g("GovernmentAgency"))
            named(e, f"{a_es} ({country.es}, {tag})", f"{a_en} ({country.en}, {tag})")
            e.add(SPATIAL, country.iri)
            e.add(o("subOrganizationOf"), gov)
            e.add(g("governanceLevel"), concept("governance-level", "nacional"))
            agencies.append(e.iri)

        # places and local authorities
        places, authorities = [], []
        for i in range(2):
            name = _place_name(rng)
            e = new(f"place/synth-{cc}-{_slugify(name)}-{tag}-{i}", "place")
            e.add(A, s("AdministrativeArea"))
            named(e, name, name)
            e.add(s("containedInPlace"), country.iri)
            e.add(g("localCode"), lit(f"{rng.randrange(100000):05d}"))
            places.append((e.iri, name))
            e = new(f"org/synth-{cc}-municipalidad-{_slugify(name)}-{tag}-{i}", "authority")
            e.add(A, g("LocalAuthority"))
            named(e, f"Municipalidad de {name}", f"Municipality of {name}")
            e.add(SPATIAL, places[-1][0])
            authorities.append(e.iri)

        # civil society
        csos = []
        for i in range(2):
            (k_es, k_en), (t_es, t_en) = rng.choice(CSO_KINDS), rng.choice(CSO_TOPICS)
            e = new(f"org/synth-{cc}-osc-{tag}-{i}", "cso")
            e.add(A, g("CivilSocietyOrganization"))
            named(e, f"{k_es} {t_es} {tag}-{i}", f"{k_en} {t_en} {tag}-{i}")
            e.add(SPATIAL, country.iri)
            e.add(g("actorType"), concept("actor-type", "sociedad-civil"))
            csos.append(e.iri)
        place, place_name = places[0]
        e = new(f"org/synth-{cc}-colectividad-{tag}", "cso")
        e.add(A, g("MigrantOrganization"))
        named(e, f"Colectividad migrante de {place_name} {tag}", f"Migrant community of {place_name} {tag}")
        e.add(SPATIAL, place)
        e.add(g("memberCount"), integer(10 + rng.randrange(200)))
        e.add(g("countQualifier"), g(rng.choice(["Exact", "MoreThan"])))
        e.add(g("actorType"), concept("actor-type", "organizaciones-migrantes"))
        migrant_org = e.iri
        e = new(f"org/synth-{cc}-mesa-intersectorial-{tag}", "cso")
        e.add(A, g("CoordinationBody"))
        named(e, f"Mesa intersectorial de {place_name} {tag}", f"Intersectoral working table of {place_name} {tag}")
        e.add(SPATIAL, place)
        e.add(o("classification"), concept("coordination-body-type", "mesa-intersectorial"))
        e.add(o("linkedTo"), authorities[0])
        e.add(o("purpose"), concept("theme", rng.choice(THEMES)))
        table = e.iri
        e = new(f"membership/synth-{cc}-{tag}", "membership")
        e.add(A, o("Membership"))
        named(e, f"Membresía de la colectividad en la mesa {tag}", f"Membership of the community in the table {tag}")
        e.add(o("member"), migrant_org)
        e.add(o("organization"), table)
        e.add(o("role"), concept("role", "coordinator-and-secretariat"))

        # policy instruments
        policies, legal = [], []
        for i in range(2):
            slug, k_es, k_en = rng.choice(LEGAL_KINDS)
            number = rng.randrange(1, 999)
            y = year - rng.randrange(5)
            theme = rng.choice(THEMES)
            t_es, t_en = THEME_NAMES[theme]
            e = new(f"policy/synth-{cc}-{slug}-{number}-{y}-{tag}-{i}", "legal")
            e.add(A, g("LegalInstrument"))
            named(e, f"{k_es} {number} de {y} sobre {t_es}", f"{k_en} {number} of {y} on {t_en}")
            e.add(iri(ELI + "passed_by"), gov)
            e.add(iri(ELI + "date_document"), date(y, 1 + rng.randrange(12), 1 + rng.randrange(28)))
            e.add(iri(ELI + "id_local"), lit(f"{k_es} {number} de {y}"))
            e.add(iri(ELI + "jurisdiction"), country.iri)
            e.add(SPATIAL, country.iri)
            e.add(DTYPE, concept("instrument-type", slug))
            e.add(SUBJECT, concept("theme", theme))
            e.add(g("governanceLevel"), concept("governance-level", "nacional"))
            legal.append(e)
        for i in range(2):
            theme = rng.choice(THEMES)
            t_es, t_en = THEME_NAMES[theme]
            e = new(f"policy/synth-{cc}-politica-{_slugify(t_es)}-{tag}-{i}", "policy")
            e.add(A, g("PublicPolicy"))
            named(e, f"Política nacional de {t_es} de {country.es} ({tag}-{i})",
                  f"National policy on {t_en} of {country.en} ({tag}-{i})")
            e.add(SPATIAL, country.iri)
            e.add(DTYPE, concept("instrument-type", "politica-publica"))
            e.add(SUBJECT, concept("theme", theme))
            e.add(g("implementedBy"), agencies[i % len(agencies)])
            e.add(g("legalBasis"), legal[i].iri)
            e.add(g("governanceLevel"), concept("governance-level", "nacional"))
            e.add(s("startDate"), date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)))
            policies.append(e)
        for i in range(2):
            p_iri, p_name = places[i]
            theme = rng.choice(THEMES)
            t_es, t_en = THEME_NAMES[theme]
            e = new(f"policy/synth-{cc}-programa-{_slugify(p_name)}-{tag}-{i}", "programme")
            e.add(A, g("Programme"))
            named(e, f"Programa municipal de {t_es} de {p_name}", f"Municipal {t_en} programme of {p_name}")
            e.add(SPATIAL, p_iri)
            e.add(DTYPE, concept("instrument-type", "programa"))
            e.add(SUBJECT, concept("theme", theme))
            e.add(g("implementedBy"), authorities[i])
            e.add(g("governanceLevel"), concept("governance-level", "local"))
            e.add(s("startDate"), date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)))
            policies.append(e)
        e = new(f"policy/synth-{cc}-guia-{tag}", "guidance")
        e.add(A, g("GuidanceDocument"))
        named(e, f"Guía de preguntas y respuestas sobre la política {tag}",
              f"Questions-and-answers guide on the policy {tag}")
        e.add(SPATIAL, country.iri)
        e.add(DTYPE, concept("instrument-type", "documento-orientacion"))
        e.add(g("explains"), policies[0].iri)
        e.add(g("implementedBy"), agencies[0])
        policies.append(e)

        # links to objectives and SDG targets, each with its gcm:LinkAssertion
        links: list[_Entity] = []
        for e in [*policies, *legal]:
            for n in sorted(rng.sample(range(1, 24), 1 + rng.randrange(3))):
                links.append(self._link(e, "addressesObjective", iri(f"{ID}objective/{n}"),
                                        f"objective-{n}", f"objetivo {n} del PMM", f"GCM objective {n}",
                                        source, rng, new))
            if rng.random() < 0.3:
                target = rng.choice(SDG_TARGETS)
                links.append(self._link(e, "relatedSDGTarget", iri(f"http://metadata.un.org/sdg/{target}"),
                                        f"sdg-{target}", f"meta ODS {target}", f"SDG target {target}",
                                        source, rng, new))

        # outcomes
        for i, pol in enumerate(policies[:2]):
            e = new(f"outcome/synth-{cc}-{tag}-{i}", "outcome")
            e.add(A, g("Outcome"))
            named(e, f"Resultado {i + 1} de la política {tag}", f"Outcome {i + 1} of the policy {tag}")
            e.add(g("outcomeOf"), pol.iri)
            e.add(s("text"), es(f"La política {tag} aumentó el acceso a servicios en {country.es}."))
            e.add(s("text"), en(f"Policy {tag} increased access to services in {country.en}."))
            e.add(g("contributingSector"), concept("actor-type", rng.choice(ACTOR_TYPES)))

        # a forum, a commitment made before it, and dialogues with their figures
        start = (year, 1 + rng.randrange(12), 1 + rng.randrange(20))
        forum = new(f"event/synth-{cc}-foro-{tag}-{year}", "event")
        forum.add(A, g("Forum"))
        named(forum, f"Foro nacional sobre migración de {country.es} {tag}",
              f"National forum on migration of {country.en} {tag}")
        forum.add(s("startDate"), date(*start))
        forum.add(s("endDate"), date(start[0], start[1], start[2] + rng.randrange(1, 5)))
        forum.add(SPATIAL, country.iri)
        forum.add(s("location"), places[1][0])
        forum.add(s("organizer"), gov)
        forum.add(SUBJECT, concept("theme", rng.choice(THEMES)))
        commitment = new(f"commitment/synth-{cc}-{tag}", "commitment")
        commitment.add(A, g("Commitment"))
        named(commitment, f"Compromiso de la sociedad civil ante el foro {tag}",
              f"Civil-society commitment before the forum {tag}")
        commitment.add(iri(DCT + "date"), lit(str(year), datatype=XSD + "gYear"))
        commitment.add(g("committedBy"), csos[0])
        commitment.add(g("madeBefore"), forum.iri)
        for i in range(2):
            day = (year, 1 + rng.randrange(12), 1 + rng.randrange(28))
            ev = new(f"event/synth-{cc}-dialogo-{tag}-{i}-{year}", "event")
            ev.add(A, g("Dialogue"))
            named(ev, f"Diálogo {i + 1} de la sociedad civil con el gobierno de {country.es} ({tag})",
                  f"Dialogue {i + 1} of civil society with the government of {country.en} ({tag})")
            ev.add(s("startDate"), date(*day))
            ev.add(SPATIAL, country.iri)
            ev.add(g("heldWithin"), mechanism)
            ev.add(s("organizer"), csos[i])
            ev.add(SUBJECT, concept("theme", rng.choice(THEMES)))
            for c in rng.sample(self.countries, 2):
                ev.add(g("participatingCountry"), c.iri)
            if i == 0:
                ev.add(g("fulfils"), commitment.iri)
            for j, (unit_slug, u_es, u_en) in enumerate([("representantes", "representantes", "representatives"),
                                                          ("organizaciones", "organizaciones", "organisations")]):
                n = 5 + rng.randrange(300)
                fig = new(f"participation-figure/synth-{tag}-{i}-{j + 1}", "figure")
                fig.add(A, g("ParticipationFigure"))
                named(fig, f"{n} {u_es}", f"{n} {u_en}")
                fig.add(g("count"), integer(n))
                fig.add(g("countQualifier"), g("Exact"))
                fig.add(g("unitCounted"), concept("counting-unit", unit_slug))
                fig.add(g("actorType"), concept("actor-type", rng.choice(ACTOR_TYPES)))
                ev.add(g("participationFigure"), fig.iri)
            grp = new(f"participant-group/synth-{tag}-{i}-1", "group")
            grp.add(A, g("ParticipantGroup"))
            named(grp, f"Panelistas del diálogo {tag}-{i}", f"Panelists of the dialogue {tag}-{i}")
            grp.add(g("actorType"), concept("actor-type", rng.choice(ACTOR_TYPES)))
            grp.add(g("participantRole"), concept("participant-role", "panelista"))
            grp.add(g("governanceLevel"), concept("governance-level", rng.choice(["local", "nacional"])))
            grp.add(g("sequenceNumber"), integer(1))
            ev.add(g("participantGroup"), grp.iri)
            brk = new(f"breakdown/synth-{tag}-{i}-1", "breakdown")
            brk.add(A, g("Breakdown"))
            named(brk, f"Distribución por género del diálogo {tag}-{i}", f"Distribution by gender of dialogue {tag}-{i}")
            brk.add(g("breakdownDimension"), concept("breakdown-dimension", "genero"))
            for cat in ("hombres", "mujeres"):
                brk.add(g("breakdownCategory"), concept("breakdown-category", cat))
            brk.add(g("sequenceNumber"), integer(1))
            ev.add(g("reportedBreakdown"), brk.iri)

        # recommendations and lessons learned, numbered as in the source
        for i in range(1, 4):
            e = new(f"recommendation/synth-{tag}-{i}", "recommendation")
            e.add(A, g("Recommendation"))
            theme = rng.choice(THEMES)
            t_es, t_en = THEME_NAMES[theme]
            named(e, f"Recomendación {i} del informe {tag}: {t_es}", f"Recommendation {i} of report {tag}: {t_en}")
            e.add(s("text"), es(f"Fortalecer las políticas de {t_es} con participación de la sociedad civil."))
            e.add(s("text"), en(f"Strengthen {t_en} policies with the participation of civil society."))
            e.add(g("addressedTo"), rng.choice([gov, agencies[0], concept("actor-type", "gobiernos-locales")]))
            e.add(g("governanceLevel"), concept("governance-level", rng.choice(["local", "nacional"])))
            e.add(g("sequenceNumber"), integer(i))
            e.add(SUBJECT, concept("theme", theme))
            e = new(f"lesson/synth-{tag}-{i}", "lesson")
            e.add(A, g("LessonLearned"))
            named(e, f"Lección aprendida {i} del informe {tag}", f"Lesson learned {i} of report {tag}")
            e.add(s("text"), es(f"La coordinación entre niveles de gobierno es clave ({t_es})."))
            e.add(s("text"), en(f"Coordination between levels of government is key ({t_en})."))
            e.add(g("actorType"), concept("actor-type", rng.choice(ACTOR_TYPES)))
            e.add(g("sequenceNumber"), integer(i))

        # seeded defects
        if self.defect_rate > 0:
            for e in list(ents):
                kinds = _DEFECTS_FOR.get(e.kind)
                if kinds and defect_rng.random() < self.defect_rate:
                    self._defect(e, defect_rng.choice(kinds), tag, ents, policies, country, source)

        triples: list[tuple[str, str, str]] = []
        for e in ents:
            triples.extend(e.triples)
            triples.extend(e.extra)
        return graph, triples

    def _link(self, subject: _Entity, predicate: str, target: str, target_slug: str, t_es: str, t_en: str,
              source: str, rng: random.Random, new) -> _Entity:
        subject.add(g(predicate), target)
        slug = subject.iri[1:-1].rsplit("/", 1)[1]
        e = new(f"link/{slug}--{target_slug}", "link")
        e.add(A, g("LinkAssertion"))
        stated = rng.random() < 0.7
        basis = "según la fuente" if stated else "mapeo editorial"
        basis_en = "as the source states" if stated else "editorial mapping"
        e.add(LABEL, es(f"{slug} → {t_es} ({basis})")).add(LABEL, en(f"{slug} → {t_en} ({basis_en})"))
        e.add(iri(RDF + "subject"), subject.iri)
        e.add(iri(RDF + "predicate"), g(predicate))
        e.add(iri(RDF + "object"), target)
        if stated:
            e.add(g("linkBasis"), g("StatedBySource"))
            e.add(SOURCE, source)
        else:
            e.add(g("linkBasis"), g("EditorialMapping"))
            e.add(iri(PROV + "wasAttributedTo"), iri(ID + "agent/gcmgraph-curators"))
            e.add(COMMENT, lit("The instrument's themes match the objective's commitments.", "en"))
            e.add(COMMENT, es("Las temáticas del instrumento corresponden a los compromisos del objetivo."))
        return e

    def _defect(self, e: _Entity, kind: str, tag: str, ents, policies, country, source) -> None:
        focus = [e.iri]
        if kind == "no-spanish-label":
            e.triples = [t for t in e.triples if not (t[1] == LABEL and t[2].endswith("@es"))]
        elif kind == "second-spanish-label":
            e.add(LABEL, es(f"Otro nombre {tag}"))
        elif kind == "missing-source":
            if not any(t[1] == SOURCE for t in e.triples):
                return
            e.drop(SOURCE)
        elif kind == "date-as-text":
            prop = iri(ELI + "date_document") if e.kind == "legal" else s("startDate")
            e.replace(prop, lit("8 de agosto de 2023"))
        elif kind == "end-before-start":
            start = next(t[2] for t in e.triples if t[1] == s("startDate"))
            y = int(start[1:5])
            e.replace(s("endDate"), date(y - 1, 1, 1))
        elif kind == "count-as-text":
            count = next(t[2] for t in e.triples if t[1] == g("count"))
            e.replace(g("count"), lit(count.split('"')[1]))
        elif kind == "authority-in-country":
            e.replace(SPATIAL, country.iri)
        elif kind == "wrong-class":
            other = next(p for p in policies if p is not e)
            e.replace(g("implementedBy"), other.iri)
        elif kind == "objective-24":
            target = iri(f"{ID}objective/24")
            slug = e.iri[1:-1].rsplit("/", 1)[1]
            link = _Entity(iri(f"{ID}link/{slug}--objective-24"), "link")
            e.add(g("addressesObjective"), target)
            link.add(A, g("LinkAssertion"))
            link.add(LABEL, es(f"{slug} → objetivo 24 (según la fuente)"))
            link.add(LABEL, en(f"{slug} → objective 24 (as the source states)"))
            link.add(iri(RDF + "subject"), e.iri).add(iri(RDF + "predicate"), g("addressesObjective"))
            link.add(iri(RDF + "object"), target).add(g("linkBasis"), g("StatedBySource")).add(SOURCE, source)
            e.extra.extend(link.triples)
            focus.append(target)
        elif kind == "link-without-assertion":
            # a direct link whose reified statement is missing
            taken = {t[2] for t in e.triples if t[1] == g("addressesObjective")}
            n = next(n for n in range(1, 24) if iri(f"{ID}objective/{n}") not in taken)
            e.add(g("addressesObjective"), iri(f"{ID}objective/{n}"))
        elif kind == "editorial-without-comment":
            if not any(t[2] == g("EditorialMapping") for t in e.triples):
                return  # only editorial mappings carry a justification
            e.drop(COMMENT)
        elif kind == "bad-iso-code":
            bad = _Entity(iri(f"{ID}country/synth-{tag}"), "country")
            bad.add(A, s("Country"))
            bad.add(LABEL, es(f"País sintético {tag}")).add(LABEL, en(f"Synthetic country {tag}"))
            bad.add(SOURCE, source)
            bad.add(s("containedInPlace"), iri(ID + "region/419"))
            bad.add(g("isoAlpha2"), lit("co")).add(g("isoAlpha3"), lit("COL")).add(g("m49Code"), lit("170"))
            e.extra.extend(bad.triples)
            focus = [bad.iri]
        else:  # pragma: no cover
            raise ValueError(kind)
        self.defects.append(Defect(entity=e.iri[1:-1], kind=kind, focus=tuple(f[1:-1] for f in focus)))

    # -- the curated base -------------------------------------------------------------------------

    def base(self) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        layout = self.layout
        groups: dict[str, set] = {}
        for path in layout.curated_files():
            name = str(layout.graph_for(path))
            # the T-box, the reference data, and the descriptions of the curated source documents
            # (the reference data cites them)
            if name not in (GRAPH + "ontology", GRAPH + "reference") and path.name != "source.ttl":
                continue
            graph = Graph()
            graph.parse(path, format="turtle")
            bucket = groups.setdefault(name, set())
            for s_, p_, o_ in graph:
                bucket.add((_from_rdflib(s_), _from_rdflib(p_), _from_rdflib(o_)))
        for name in sorted(groups):
            yield iri(name), sorted(groups[name])


def _records(triples: int, base: bool, generator: _Generator) -> Iterator[tuple[str, str, str, str]]:
    """(s, p, o, graph) in N-Triples form: the curated base, then whole sources up to ``triples``."""
    count = 0
    if base:
        for graph, ts in generator.base():
            for t in ts:
                yield (*t, graph)
            count += len(ts)
    k = 0
    while count < triples:
        graph, ts = generator.unit(k)
        for t in ts:
            yield (*t, graph)
        count += len(ts)
        k += 1


def iter_quads(triples: int, seed: int, defects: float = 0.0, *, base: bool = True,
               layout: Layout | None = None, found: list | None = None) -> Iterator[tuple]:
    """The synthetic graph as rdflib quads ``(s, p, o, graph)``, one at a time.

    ``found``, if given, receives the :class:`Defect` records as they are seeded.
    """
    generator = _Generator(seed, defects, layout or default_layout())
    convert: dict[str, object] = {}
    for s_, p_, o_, g_ in _records(triples, base, generator):
        terms = []
        for t in (s_, p_, o_, g_):
            if t[0] == "<":
                term = convert.get(t)
                if term is None:
                    term = to_rdflib(t)
                    if len(convert) < 200_000:
                        convert[t] = term
            else:
                term = to_rdflib(t)
            terms.append(term)
        yield tuple(terms)
    if found is not None:
        found.extend(generator.defects)


def synthesize(triples: int, seed: int, defects: float = 0.0, *, base: bool = True,
               layout: Layout | None = None) -> Synthetic:
    """The synthetic graph as an rdflib ``Dataset`` (one named graph per source), with its defects.

    For sizes up to a few hundred thousand triples; use :func:`write_synthetic` beyond.

    >>> syn = synthesize(5_000, seed=1)
    >>> 4_000 < syn.triples < 6_500 and syn.defects == []
    True
    """
    dataset = Dataset(default_union=True)
    found: list[Defect] = []
    n = 0
    for s_, p_, o_, g_ in iter_quads(triples, seed, defects, base=base, layout=layout, found=found):
        dataset.add((s_, p_, o_, g_))
        n += 1
    return Synthetic(dataset=dataset, defects=found, triples=n)


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

FORMATS = {".nq": "nquads", ".nt": "ntriples", ".ttl": "turtle"}
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _turtle_term(term: str, prefixes: list[tuple[str, str]]) -> str:
    if term[0] != "<":
        return term
    value = term[1:-1]
    for prefix, ns in prefixes:
        if value.startswith(ns):
            local = value[len(ns):]
            if _LOCAL.match(local):
                return f"{prefix}:{local}"
    return term


def write_synthetic(path: str | Path, triples: int, seed: int, defects: float = 0.0, *,
                    format: str | None = None, base: bool = True, layout: Layout | None = None,
                    manifest: bool = True, progress=None) -> SynthSummary:
    """Stream the synthetic graph to ``path`` (``nquads``, ``ntriples`` or ``turtle``, by default
    from the suffix: .nq, .nt, .ttl), writing to a temporary file renamed at the end.

    With ``manifest`` (the default) the summary, including the seeded defects, is also written as
    JSON beside it (``FILE.manifest.json``). ``progress``, when given, is called with the number of
    triples written so far every 10,000 triples. Returns the summary.
    """
    path = Path(path)
    fmt = format or FORMATS.get(path.suffix)
    if fmt not in ("nquads", "ntriples", "turtle"):
        raise ValueError(f"unknown format for {path.name}: use .nq, .nt or .ttl, or format=")
    generator = _Generator(seed, defects, layout or default_layout())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    n, graphs, sources = 0, set(), 0
    prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            buffer: list[str] = []
            last_subject = None
            if fmt == "turtle":
                for prefix, ns in sorted(PREFIXES.items()):
                    out.write(f"PREFIX {prefix}: <{ns}>\n")
            for s_, p_, o_, g_ in _records(triples, base, generator):
                n += 1
                if g_ not in graphs:
                    graphs.add(g_)
                    sources += g_.startswith(f"<{GRAPH}source/")
                if fmt == "nquads":
                    buffer.append(f"{s_} {p_} {o_} {g_} .\n")
                elif fmt == "ntriples":
                    buffer.append(f"{s_} {p_} {o_} .\n")
                else:
                    t_s, t_p, t_o = (_turtle_term(t, prefixes) for t in (s_, p_, o_))
                    if t_p == "rdf:type":
                        t_p = "a"
                    if s_ == last_subject:
                        buffer.append(f" ;\n    {t_p} {t_o}")
                    else:
                        buffer.append(("\n.\n\n" if last_subject else "\n") + f"{t_s}\n    {t_p} {t_o}")
                        last_subject = s_
                if len(buffer) >= 10_000:
                    out.write("".join(buffer))
                    buffer.clear()
                    if progress is not None:
                        progress(n)
            if fmt == "turtle" and last_subject:
                buffer.append("\n.\n")
            out.write("".join(buffer))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    summary = SynthSummary(path=str(path), format=fmt, triples=n, graphs=len(graphs), sources=sources,
                           seed=seed, defect_rate=defects, defects=list(generator.defects))
    if manifest:
        side = path.with_name(path.name + ".manifest.json")
        side.write_text(summary.to_json() + "\n", encoding="utf-8")
    return summary
