"""Every statement of the brief «Hitos clave y avances #7» is in the graph and traced to it.

The coverage table in data/sources/unnm-lac-hitos-07/README.md maps each sentence to its triples;
these tests check the triples themselves, and that the brief's own words are kept.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, XSD

from gcmgraph.namespaces import GCM, GRAPH, ID, SDO, objective

BRIEF = ID["source/unnm-lac-hitos-07"]
EVENT = ID["event/primer-conversatorio-mdp-2023"]
MECHANISM = ID["org/mdp-sociedad-civil-alc"]
THEME = ID["theme/integracion-socioeconomica"]
ELI_PASSED_BY = URIRef("http://data.europa.eu/eli/ontology#passed_by")


@pytest.fixture(scope="module")
def brief_graph(kg):
    """Only what the brief states: its named graph."""
    return kg.dataset.graph(GRAPH["source/unnm-lac-hitos-07"])


@pytest.fixture(scope="module")
def g(kg):
    return kg.graph


def es_texts(graph):
    return {re.sub(r"\s+", " ", str(o)) for o in graph.objects() if isinstance(o, Literal) and o.language == "es"}


# The brief's sentences, verbatim (bold markup dropped): each must be held as Spanish text
VERBATIM = [
    "Alianzas estratégicas para potenciar la gobernanza migratoria en América Latina y el Caribe",
    "Primer Conversatorio del Mecanismo de Diálogo Permanente de la Sociedad Civil con gobiernos de América Latina y el Caribe",
    "se lo distinguió como un hito en el marco de la implementación, seguimiento y la revisión del PMM en la región",
    "gobiernos nacionales y locales identificados como prioritarios según las temáticas definidas en el proceso de consulta con la sociedad civil",
    "representantes del Mecanismo de Diálogo permanente de Sociedad Civil internamente designados",
    "ayudó a aumentar los niveles de integración y el número de personas afiliadas al sistema de seguridad social",
    "Las personas migrantes deben ser en el centro de las acciones de integración implementadas.",
    "La regularización es la primera etapa para potenciar cualquier otra iniciativa que apoye la integración socioeconómica de las personas migrantes.",
    "La integración socioeconómica es un reto de todos: gobiernos, sociedades de acogida, migrantes, agencias internacionales, etc.",
    "Posicionar a la sociedad civil como partner dispuesto a apoyar a las autoridades locales y nacionales para la promoción de la integración.",
    "Difundir información a nivel internacional, nacional y local sobre los mecanismos de regularización migratoria, para eficientizar el proceso y evitar incursionar en alternativas que no funcionan y/o duplicar esfuerzos.",
    "Avanzar desde planes centrados en situaciones de emergencia, hacia políticas públicas locales y nacionales de largo plazo, basadas en la promoción de la integración con perspectiva de derechos humanos, acordadas entre todos los niveles de gobierno y basados en evidencia.",
    "Promover el uso de nuevas tecnologías para reducir la burocracia y agilizar los procesos de regularización e inserción laboral.",
    "Promover y mejorar la provisión de servicios públicos municipales para las comunidades de acogida y la población migrante.",
    "Generar campañas de sensibilización en las comunidades de acogida para promover la convivencia, el respeto y la inclusión de la población migrante.",
]


@pytest.mark.parametrize("sentence", VERBATIM, ids=[s[:40] for s in VERBATIM])
def test_brief_wording_is_kept_in_its_graph(brief_graph, sentence):
    assert any(sentence in text for text in es_texts(brief_graph)), sentence


def test_every_entity_the_brief_states_cites_it(brief_graph):
    missing = [s for s in set(brief_graph.subjects(RDF.type, None))
               if (s, DCTERMS.source, BRIEF) not in brief_graph and s != BRIEF]
    assert not missing, missing


def test_brief_is_a_source_document_recorded_as_its_own_claims(g):
    assert (BRIEF, RDF.type, GCM.SourceDocument) in g
    assert (BRIEF, GCM.verificationStatus, GCM.ClaimOfSource) in g
    assert (BRIEF, GCM.sequenceNumber, Literal(7)) in g
    assert (BRIEF, DCTERMS.publisher, ID["org/un-network-on-migration"]) in g


def test_primer_conversatorio(g):
    assert (EVENT, RDF.type, GCM.Dialogue) in g
    assert (EVENT, SDO.startDate, Literal("2023-08-08", datatype=XSD.date)) in g
    assert (EVENT, GCM.heldWithin, MECHANISM) in g
    assert (MECHANISM, RDF.type, GCM.DialogueMechanism) in g
    assert (EVENT, GCM.milestoneFor, ID["agreement/gcm"]) in g
    assert (EVENT, DCTERMS.subject, THEME) in g


def test_commitment_before_imrf_2022_fulfilled_by_the_event(g):
    [commitment] = g.objects(EVENT, GCM.fulfils)
    assert (commitment, GCM.committedBy, ID["org/un-network-on-migration-lac"]) in g
    assert (commitment, GCM.madeBefore, ID["event/imrf-2022"]) in g
    assert (ID["event/imrf-2022"], SDO.startDate, Literal("2022-05-17", datatype=XSD.date)) in g


def test_two_kinds_of_panelists(g):
    groups = set(g.objects(EVENT, GCM.participantGroup))
    assert len(groups) == 2
    roles = {r for group in groups for r in g.objects(group, GCM.participantRole)}
    assert roles == {ID["participant-role/panelista"]}


def test_participation_figures_only_those_the_brief_gives(g):
    figures = {int(g.value(f, GCM.count)): f for f in g.objects(EVENT, GCM.participationFigure)}
    assert set(figures) == {141, 27}
    assert (figures[141], GCM.unitCounted, ID["counting-unit/representantes"]) in g
    assert (figures[27], GCM.unitCounted, ID["counting-unit/paises"]) in g
    sectors = set(g.objects(figures[141], GCM.actorType))
    assert {ID["actor-type/gobiernos"], ID["actor-type/sociedad-civil"],
            ID["actor-type/agencias-fondos-programas-onu"]} <= sectors
    # genders and sectors are reported without figures: no count on any breakdown
    breakdowns = set(g.objects(EVENT, GCM.reportedBreakdown))
    assert len(breakdowns) == 3
    assert all(g.value(b, GCM.count) is None for b in breakdowns)
    gender = [b for b in breakdowns if g.value(b, GCM.breakdownDimension) == ID["breakdown-dimension/genero"]]
    assert set(g.objects(gender[0], GCM.breakdownCategory)) == {
        ID["breakdown-category/mujeres"], ID["breakdown-category/hombres"],
        ID["breakdown-category/prefiero-no-contestar"]}


def test_theme_chosen_by_the_mechanism_late_2022_focused_on_6_16_18_19(g):
    assert (THEME, RDF.type, GCM.DialogueTheme) in g
    assert (THEME, GCM.chosenBy, MECHANISM) in g
    assert (THEME, GCM.chosenIn, Literal("2022", datatype=XSD.gYear)) in g
    assert (THEME, GCM.sequenceNumber, Literal(2)) in g
    assert set(g.objects(THEME, GCM.addressesObjective)) == {objective(n) for n in (6, 16, 18, 19)}


WHERE = (DCTERMS.spatial, SDO.containedInPlace, GCM.implementedBy, ELI_PASSED_BY, ORG.linkedTo,
         DCTERMS.isPartOf)


def places_of(g, entity):
    seen, todo = set(), [entity]
    while todo:
        node = todo.pop()
        for prop in WHERE:
            for place in g.objects(node, prop):
                if place not in seen:
                    seen.add(place)
                    todo.append(place)
    return seen


ADVANCES = {
    # entity: (country, authority or None, property linking them)
    "policy/co-etpv-preguntas-respuestas": ("CO", None, None),
    "policy/hn-ley-proteccion-hondurenos-migrantes": ("HN", "org/hn-congreso-nacional", ELI_PASSED_BY),
    "policy/hn-proteccion-desplazados-internos": ("HN", None, None),
    "policy/mx-tapachula-somos-familia": ("MX", "org/mx-ayuntamiento-tapachula", GCM.implementedBy),
    "org/ar-quilmes-consejo-colectividades": ("AR", None, None),
}


@pytest.mark.parametrize("advance", ADVANCES)
def test_advance_linked_to_country_authority_and_theme(kg, g, advance):
    entity = ID[advance]
    country, authority, prop = ADVANCES[advance]
    assert (entity, DCTERMS.subject, THEME) in g
    # the country, reached through the places the entity, its authority or its policy are in
    assert ID["country/" + country] in places_of(g, entity), advance
    if authority:
        assert (entity, prop, ID[authority]) in g


def test_etpv_outcome_on_social_security(g):
    [outcome] = g.subjects(GCM.outcomeOf, ID["policy/co-etpv-preguntas-respuestas"])
    assert (ID["policy/co-etpv-preguntas-respuestas"], GCM.explains, ID["policy/co-etpv"]) in g
    assert any("seguridad social" in text for text in g.objects(outcome, SDO.text))


def test_honduras_idp_policy_approved_thanks_to_civil_society(g):
    [outcome] = g.subjects(GCM.outcomeOf, ID["policy/hn-proteccion-desplazados-internos"])
    assert (outcome, GCM.contributingSector, ID["actor-type/sociedad-civil"]) in g
    # internal displacement is outside the GCM: no objective link, stated or editorial
    assert not set(g.objects(ID["policy/hn-proteccion-desplazados-internos"], GCM.addressesObjective))


def test_tapachula_working_table_topics(g):
    table = ID["org/mx-tapachula-mesa-intersectorial"]
    assert (table, RDF.type, GCM.CoordinationBody) in g
    assert (table, DCTERMS.isPartOf, ID["policy/mx-tapachula-somos-familia"]) in g
    assert set(g.objects(table, ORG.purpose)) == {
        ID["theme/" + t] for t in ("empleo", "salud", "orientacion-juridica", "seguridad", "capacitacion")}


def test_quilmes_council_more_than_40_migrant_organisations(g):
    council = ID["org/ar-quilmes-consejo-colectividades"]
    assert (council, GCM.memberCount, Literal(40)) in g
    assert (council, GCM.countQualifier, GCM.MoreThan) in g
    assert (council, RDFS.label, Literal("Consejo Nacional de Colectividades", lang="es")) in g


def test_four_lessons_and_five_recommendations(g):
    lessons = set(g.subjects(RDF.type, GCM.LessonLearned))
    recommendations = set(g.subjects(RDF.type, GCM.Recommendation))
    assert {str(x).removeprefix(str(ID)) for x in lessons} == {f"lesson/unnm-lac-hitos-07-{n}" for n in range(1, 5)}
    assert len(recommendations) == 5
    for item in lessons | recommendations:
        assert (item, DCTERMS.source, BRIEF) in g
        assert set(g.objects(item, DCTERMS.subject)), f"{item} is linked to nothing it is about"
