"""Every namespace gcmgraph uses, declared once.

``GCM`` is closed: a misspelled ontology term raises at once instead of minting a new IRI. A test
checks that it lists exactly the terms ``ontology/gcmgraph.ttl`` defines.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/gcmgraph/"


class GCM(DefinedNamespace):
    """The gcmgraph ontology, ``https://w3id.org/gcmgraph/ontology#``."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Breakdown: URIRef
    CivilSocietyOrganization: URIRef
    Commitment: URIRef
    CoordinationBody: URIRef
    CountQualifier: URIRef
    Dialogue: URIRef
    DialogueMechanism: URIRef
    DialogueTheme: URIRef
    Forum: URIRef
    GovernmentAgency: URIRef
    GuidanceDocument: URIRef
    LegalInstrument: URIRef
    LessonLearned: URIRef
    LinkAssertion: URIRef
    LinkBasis: URIRef
    LocalAuthority: URIRef
    M49Region: URIRef
    MigrantOrganization: URIRef
    NationalGovernment: URIRef
    Network: URIRef
    Outcome: URIRef
    ParticipantGroup: URIRef
    ParticipationFigure: URIRef
    PolicyInstrument: URIRef
    Programme: URIRef
    PublicPolicy: URIRef
    Recommendation: URIRef
    SourceDocument: URIRef
    UNEntity: URIRef
    VerificationStatus: URIRef
    # individuals
    ClaimOfSource: URIRef
    EditorialMapping: URIRef
    Exact: URIRef
    MoreThan: URIRef
    Secondary: URIRef
    StatedBySource: URIRef
    Verified: URIRef
    # properties
    actorType: URIRef
    addressedTo: URIRef
    addressesObjective: URIRef
    breakdownCategory: URIRef
    breakdownDimension: URIRef
    chosenBy: URIRef
    chosenIn: URIRef
    committedBy: URIRef
    contributingSector: URIRef
    count: URIRef
    countQualifier: URIRef
    explains: URIRef
    fulfils: URIRef
    governanceLevel: URIRef
    heldWithin: URIRef
    implementedBy: URIRef
    isoAlpha2: URIRef
    isoAlpha3: URIRef
    legalBasis: URIRef
    linkBasis: URIRef
    localCode: URIRef
    localCopy: URIRef
    m49Code: URIRef
    madeBefore: URIRef
    memberCount: URIRef
    milestoneFor: URIRef
    outcomeOf: URIRef
    participantGroup: URIRef
    participantRole: URIRef
    participatingCountry: URIRef
    participationFigure: URIRef
    relatedSDGTarget: URIRef
    reportedBreakdown: URIRef
    sequenceNumber: URIRef
    timeDescription: URIRef
    unMemberState: URIRef
    unitCounted: URIRef
    unverifiedTitle: URIRef
    verificationStatus: URIRef


ONTOLOGY = URIRef(BASE + "ontology")
GCMSH = Namespace(BASE + "shapes#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
VANN = Namespace("http://purl.org/vocab/vann/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
#: the EU Publications Office's authority tables (DCAT-AP's controlled vocabularies)
EU_AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")

OBJECTIVE = Namespace(BASE + "id/objective/")
PRINCIPLE = Namespace(BASE + "id/principle/")
COUNTRY = Namespace(BASE + "id/country/")

OBJECTIVES_SCHEME = ID["scheme/gcm-objectives"]
PRINCIPLES_SCHEME = ID["scheme/gcm-guiding-principles"]
CURATORS = ID["agent/gcmgraph-curators"]

#: Prefixes written into every serialisation, so curated files and exports read the same.
PREFIXES: dict[str, Namespace | str] = {
    "gcm": GCM._NS,
    "gcmsh": GCMSH,
    "dct": DCTERMS,
    "dcat": DCAT,
    "eli": ELI,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SDO,
    "sh": SH,
    "skos": SKOS,
    "spdx": SPDX,
    "vann": VANN,
    "vcard": VCARD,
    "void": VOID,
    "xsd": XSD,
    "sdg": SDG,
    "wd": WD,
    "sdgo": SDGO,
    # gcmgraph identifiers, one prefix per kind (see the IRI policy in ontology/README.md)
    "objective": OBJECTIVE,
    "principle": PRINCIPLE,
    "country": COUNTRY,
    "region": Namespace(BASE + "id/region/"),
    "place": Namespace(BASE + "id/place/"),
    "actor": Namespace(BASE + "id/org/"),
    "policy": Namespace(BASE + "id/policy/"),
    "event": Namespace(BASE + "id/event/"),
    "source": Namespace(BASE + "id/source/"),
    "link": Namespace(BASE + "id/link/"),
    "scheme": Namespace(BASE + "id/scheme/"),
    "theme": Namespace(BASE + "id/theme/"),
    "agent": Namespace(BASE + "id/agent/"),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind gcmgraph's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    # the RDF/XML writer needs the reserved xml: prefix for xml:lang
    graph.bind("xml", "http://www.w3.org/XML/1998/namespace", override=True)
    return graph


def objective(number: int) -> URIRef:
    """The IRI of GCM objective ``number`` (1-23)."""
    if not 1 <= number <= 23:
        raise ValueError(f"GCM objectives are numbered 1 to 23, not {number}")
    return OBJECTIVE[str(number)]
