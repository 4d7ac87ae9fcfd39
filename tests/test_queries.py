"""Competency-question tests: every catalogue query run on the shipped graph, with the entities it
must return and some it must not; checks return no rows (and do catch broken data); the CLI runs
the fixed queries and refuses bad parameters with exit 2; labels follow --lang with fallback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import gcmgraph
from gcmgraph.catalogue import Catalogue
from gcmgraph.errors import InputError

ID = "https://w3id.org/gcmgraph/id/"
GCM = "https://w3id.org/gcmgraph/ontology#"
FIXTURES = Path(__file__).resolve().parent / "queries-fixtures"
EVENT = ID + "event/primer-conversatorio-mdp-2023"
BRIEF = ID + "source/unnm-lac-hitos-07"
RESOLUTION = ID + "source/un-a-res-73-195"

#: a typical value for each required parameter of the catalogue
TYPICAL = {"objective": 16, "country": "CO", "entity": EVENT, "text": "quilmes"}

FIXED = ["policies-by-objective", "actors-by-country", "objective-coverage", "objective-gaps",
         "entity-provenance", "search"]


def rows(df: pd.DataFrame, **where) -> pd.DataFrame:
    """The rows of ``df`` whose columns equal the given values."""
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column] == value
    return df[mask]


def typical(query) -> dict:
    return {p.name: TYPICAL[p.name] for p in query.parameters if p.required and p.default is None}


@pytest.fixture(scope="session")
def catalogue(repo) -> Catalogue:
    return Catalogue.load(repo)


# --------------------------------------------------------------------------------------------------
# The catalogue as a whole
# --------------------------------------------------------------------------------------------------


def test_catalogue_has_the_fixed_queries_and_at_least_15(catalogue):
    assert len(catalogue) >= 15
    assert set(FIXED) <= set(catalogue.names())
    assert len([q for q in catalogue if not q.is_check]) >= 15


def test_every_query_is_documented_in_both_languages(catalogue):
    for query in catalogue:
        assert query.title["en"] and query.title["es"] and query.title["en"] != query.title["es"], query.name
        assert query.description["en"] and query.description["es"], query.name
        assert query.tags, query.name
        for parameter in query.parameters:
            assert parameter.description.get("en") and parameter.description.get("es"), (query.name, parameter.name)


def test_fixed_parameters(catalogue):
    def params(name):
        return {p.name: (p.type, p.required) for p in catalogue.get(name).parameters}

    assert params("policies-by-objective")["objective"] == ("objective", True)
    assert catalogue.get("policies-by-objective").parameter("objective").default is None
    assert params("actors-by-country")["country"] == ("country", True)
    assert params("objective-gaps")["country"] == ("country", True)
    assert params("entity-provenance")["entity"] == ("iri", True)
    assert params("search")["text"] == ("text", True)
    assert set(params("objective-coverage")) == {"lang"}


@pytest.mark.parametrize("name", Catalogue.load().names())
def test_every_query_runs_with_its_defaults(kg, catalogue, name):
    query = catalogue.get(name)
    result = kg.query(name, **typical(query))
    assert isinstance(result, pd.DataFrame)
    if query.is_check:
        assert result.empty, f"check {name} returned rows:\n{result.to_string()}"
    else:
        assert not result.empty, f"{name} returned nothing with {typical(query)}"
        assert not result.duplicated().any(), f"{name} returned duplicate rows"


def test_cli_lists_at_least_15_queries(cli):
    done = cli("queries")
    assert done.returncode == 0, done.stderr
    for name in FIXED:
        assert name in done.stdout
    listed = [line for line in done.stdout.splitlines() if line and not line.startswith(" ")]
    assert len(listed) >= 15


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [q.name for q in Catalogue.load().checks()])
def test_checks_return_no_rows_on_the_shipped_graph(kg, name):
    result = kg.query(name)
    assert result.empty, f"{name}:\n{result.to_string()}"


@pytest.fixture(scope="module")
def broken():
    return gcmgraph.load(extra=[FIXTURES / "broken.ttl"])


@pytest.mark.parametrize(("name", "column", "expected"), [
    ("check-link-assertion-without-triple", "assertion", ID + "link/broken-no-triple"),
    ("check-objective-link-to-non-objective", "object", ID + "objective/24"),
    ("check-unsourced-objective-links", "object", ID + "objective/24"),
    ("check-link-assertion-incomplete", "assertion", ID + "link/broken-editorial"),
    ("check-entity-without-source", "entity", ID + "org/broken-sin-fuente"),
    ("check-entity-without-spanish-label", "entity", ID + "org/broken-sin-fuente"),
    ("check-source-without-status", "source", ID + "source/no-such-document"),
])
def test_checks_catch_broken_data(broken, name, column, expected):
    result = broken.query(name)
    assert expected in set(result[column]), result.to_string()


def test_cli_check_exits_1_when_it_finds_rows(cli, tmp_path):
    # a user file named check-*.rq is a check too; here one that always finds a row
    check = tmp_path / "check-always.rq"
    check.write_text("SELECT ?x WHERE { BIND(1 AS ?x) }\n")
    done = cli("query", str(check))
    assert done.returncode == 1


# --------------------------------------------------------------------------------------------------
# policies-by-objective
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def objective16(kg):
    return kg.query("policies-by-objective", objective=16)


def test_policies_by_objective_columns(objective16):
    for column in ["policy", "policyLabel", "type", "typeLabel", "country", "countryLabel", "actor",
                   "actorLabel", "basis", "source"]:
        assert column in objective16.columns
    assert set(objective16["basis"]) <= {"stated", "theme", "editorial"}


@pytest.mark.parametrize(("policy", "country"), [
    ("policy/mx-tapachula-somos-familia", "MX"),
    ("org/mx-tapachula-mesa-intersectorial", "MX"),
    ("policy/co-etpv-preguntas-respuestas", "CO"),
    ("policy/co-etpv", "CO"),
    ("policy/hn-ley-proteccion-hondurenos-migrantes", "HN"),
    ("org/ar-quilmes-consejo-colectividades", "AR"),
])
def test_policies_by_objective_16_returns_the_brief_advances_through_the_theme(objective16, policy, country):
    found = rows(objective16, policy=ID + policy, basis="theme")
    assert not found.empty, policy
    assert set(found["country"]) == {ID + "country/" + country}
    assert set(found["theme"]) == {ID + "theme/integracion-socioeconomica"}
    assert set(found["source"]) == {BRIEF}


def test_policies_by_objective_16_actor_and_type(objective16):
    tapachula = rows(objective16, policy=ID + "policy/mx-tapachula-somos-familia")
    assert set(tapachula["actor"]) == {ID + "org/mx-ayuntamiento-tapachula"}
    assert set(tapachula["actorLabel"]) == {"Ayuntamiento de Tapachula"}
    assert set(tapachula["type"]) == {GCM + "Programme"}
    assert set(tapachula["typeLabel"]) == {"Programa"}
    law = rows(objective16, policy=ID + "policy/hn-ley-proteccion-hondurenos-migrantes")
    assert set(law["actor"]) == {ID + "org/hn-congreso-nacional"}
    council = rows(objective16, policy=ID + "org/ar-quilmes-consejo-colectividades")
    assert set(council["type"]) == {GCM + "CoordinationBody"}
    assert set(council["actor"]) == {ID + "org/ar-municipalidad-quilmes"}


def test_policies_by_objective_16_excludes(objective16):
    displaced = rows(objective16, policy=ID + "policy/hn-proteccion-desplazados-internos")
    assert not set(displaced["basis"]) & {"editorial", "stated"}
    policies = set(objective16["policy"])
    # not policies: the event, lessons, recommendations, outcomes, actors
    assert EVENT not in policies
    assert ID + "recommendation/unnm-lac-hitos-07-2" not in policies
    assert ID + "org/mx-ayuntamiento-tapachula" not in policies
    # policies about other themes only
    assert ID + "policy/co-decreto-216-2021" not in policies
    assert ID + "policy/hn-ley-desplazados-internos" not in policies


def test_policies_by_objective_14_is_the_honduras_law_by_editorial_mapping(kg):
    df = rows(kg.query("policies-by-objective", objective=14),
              policy=ID + "policy/hn-ley-proteccion-hondurenos-migrantes")
    assert set(df["basis"]) == {"editorial"}
    assert set(df["country"]) == {ID + "country/HN"}
    assert set(df["source"]) == {ID + "source/domain-facts-verified", RESOLUTION}


@pytest.mark.parametrize(("objective", "policy"), [
    (15, "policy/mx-tapachula-somos-familia"),
    (3, "policy/co-etpv-preguntas-respuestas"),
    (4, "policy/co-etpv"),
])
def test_policies_by_objective_editorial_links(kg, objective, policy):
    df = kg.query("policies-by-objective", objective=objective)
    assert set(rows(df, policy=ID + policy)["basis"]) == {"editorial"}
    assert "theme" not in set(df["basis"])


# --------------------------------------------------------------------------------------------------
# objective-coverage and objective-gaps
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coverage(kg):
    return kg.query("objective-coverage")


def test_objective_coverage_columns_exactly(coverage):
    assert list(coverage.columns) == ["country", "countryLabel", "iso2", "objective", "objectiveNumber",
                                      "objectiveLabel", "policies"]
    assert str(coverage["policies"].dtype) == "Int64"
    assert str(coverage["objectiveNumber"].dtype) == "Int64"
    assert (coverage["policies"] >= 1).all()
    assert not coverage.duplicated(["country", "objective"]).any()


@pytest.mark.parametrize(("iso2", "number", "policies"), [
    ("CO", 16, 2), ("CO", 3, 1), ("CO", 4, 1), ("HN", 16, 2), ("HN", 14, 1), ("MX", 16, 2),
    ("MX", 15, 1), ("AR", 16, 1), ("AR", 6, 1),
])
def test_objective_coverage_cells(coverage, iso2, number, policies):
    cell = rows(coverage, iso2=iso2, objectiveNumber=number)
    assert list(cell["policies"]) == [policies]
    assert list(cell["country"]) == [ID + "country/" + iso2]


def test_objective_coverage_has_no_empty_cells(coverage):
    assert rows(coverage, iso2="CO", objectiveNumber=8).empty
    assert rows(coverage, iso2="AR", objectiveNumber=14).empty
    assert {"AR", "CO", "HN", "MX"} <= set(coverage["iso2"])


def test_objective_gaps_colombia(kg):
    df = kg.query("objective-gaps", country="CO")
    numbers = set(df["objectiveNumber"])
    assert not numbers & {3, 4, 6, 16, 18, 19}
    assert {8, 10, 1, 23} <= numbers
    assert list(df.columns) == ["objective", "objectiveNumber", "objectiveLabel"]


def test_objective_gaps_of_a_country_with_nothing_is_all_23(kg):
    df = kg.query("objective-gaps", country="KNA")  # Saint Kitts and Nevis
    assert sorted(df["objectiveNumber"]) == list(range(1, 24))


def test_objective_gaps_agree_with_coverage(kg, coverage):
    for iso2 in ("AR", "CO", "HN", "MX"):
        gaps = set(kg.query("objective-gaps", country=iso2)["objectiveNumber"])
        covered = set(rows(coverage, iso2=iso2)["objectiveNumber"])
        assert gaps | covered == set(range(1, 24)) and not gaps & covered


# --------------------------------------------------------------------------------------------------
# actors-by-country
# --------------------------------------------------------------------------------------------------


def test_actors_by_country_alpha2_and_alpha3_agree(kg):
    alpha2 = kg.query("actors-by-country", country="HN")
    alpha3 = kg.query("actors-by-country", country="HND")
    pd.testing.assert_frame_equal(alpha2, alpha3)


def test_actors_by_country_honduras(kg):
    df = kg.query("actors-by-country", country="HN")
    actors = set(df["actor"])
    assert {ID + "org/hn-congreso-nacional", ID + "org/hn-dgphm", ID + "org/hn-cippdv",
            ID + "org/hn-secretaria-relaciones-exteriores"} <= actors
    assert ID + "org/co-migracion-colombia" not in actors
    assert not df.duplicated("actor").any()
    congress = rows(df, actor=ID + "org/hn-congreso-nacional").iloc[0]
    assert congress["typeLabel"] == "Organismo gubernamental"
    assert "Ley de Protección a Hondureños Migrantes y su Familia" in congress["instruments"]
    assert congress["links"] >= 2
    dgphm = rows(df, actor=ID + "org/hn-dgphm").iloc[0]
    assert "Secretaría de Relaciones Exteriores (Honduras)" in dgphm["organisations"]


def test_actors_by_country_reaches_places_inside_the_country(kg):
    df = kg.query("actors-by-country", country="MX", lang="en")
    tapachula = rows(df, actor=ID + "org/mx-ayuntamiento-tapachula").iloc[0]
    assert tapachula["typeLabel"] == "Local authority"
    assert "«Somos Familia» (We Are Family) programme" in tapachula["instruments"]
    assert ID + "org/mx-tapachula-mesa-intersectorial" in set(df["actor"])
    argentina = kg.query("actors-by-country", country="AR")
    assert ID + "org/ar-quilmes-consejo-colectividades" in set(argentina["actor"])


# --------------------------------------------------------------------------------------------------
# entity-provenance and sources
# --------------------------------------------------------------------------------------------------


def test_entity_provenance_of_the_event(kg):
    df = kg.query("entity-provenance", entity=EVENT)
    brief = rows(df, source=BRIEF, via="entity")
    assert list(brief["status"]) == [GCM + "ClaimOfSource"]
    assert list(brief["statusLabel"]) == ["afirmación de la fuente"]
    assert list(rows(df, source=ID + "source/domain-facts-secondary", via="entity")["status"]) == [GCM + "Secondary"]
    assert list(rows(df, source=BRIEF, via="link assertion")["status"]) == [GCM + "ClaimOfSource"]
    assert list(rows(df, source=RESOLUTION, via="link assertion")["status"]) == [GCM + "Verified"]
    assert not rows(df, source=ID + "agent/gcmgraph-curators", via="editorial attribution").empty
    assert ID + "source/domain-facts-verified" not in set(df["source"])


def test_entity_provenance_of_an_unknown_iri_is_empty(kg):
    assert kg.query("entity-provenance", entity="https://example.org/nothing").empty


def test_sources(kg):
    df = kg.query("sources", lang="en")
    brief = rows(df, source=BRIEF).iloc[0]
    assert brief["status"] == GCM + "ClaimOfSource" and brief["statusLabel"] == "claim of the source"
    assert brief["entities"] > 30
    assert rows(df, source=RESOLUTION).iloc[0]["linkAssertions"] >= 10
    assert set(df["status"]) <= {GCM + "Verified", GCM + "Secondary", GCM + "ClaimOfSource"}


# --------------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["migracion", "MIGRACIÓN", "Migración Colombia", "MIGRACION colombia"])
def test_search_is_accent_and_case_insensitive(kg, text):
    df = kg.query("search", text=text)
    assert ID + "org/co-migracion-colombia" in set(df["entity"])


def test_search_quilmes(kg):
    df = kg.query("search", text="QUILMES")
    entities = set(df["entity"])
    assert {ID + "org/ar-municipalidad-quilmes", ID + "place/ar-quilmes",
            ID + "org/ar-quilmes-direccion-migrantes"} <= entities
    assert ID + "org/mx-ayuntamiento-tapachula" not in entities
    assert not df.duplicated(["entity", "type"]).any()
    municipality = rows(df, entity=ID + "org/ar-municipalidad-quilmes").iloc[0]
    assert municipality["label"] == "Municipalidad de Quilmes"
    assert municipality["type"] == GCM + "LocalAuthority"


def test_search_matches_alt_labels_and_titles(kg):
    assert ID + "policy/co-etpv" in set(kg.query("search", text="etpv")["entity"])
    assert EVENT in set(kg.query("search", text="alianzas estrategicas")["entity"])
    assert ID + "agreement/gcm" in set(kg.query("search", text="Pacto de Marrakech")["entity"])


def test_search_with_no_match_is_empty(kg):
    assert kg.query("search", text="zzzz no such thing").empty


# --------------------------------------------------------------------------------------------------
# The other competency questions
# --------------------------------------------------------------------------------------------------


def test_event_participation(kg):
    df = kg.query("event-participation")
    figure = rows(df, item=ID + "participation-figure/unnm-lac-hitos-07-1")
    assert set(figure["count"]) == {141}
    assert set(figure["event"]) == {EVENT}
    assert ID + "counting-unit/representantes" in set(figure["value"])
    gender = rows(df, item=ID + "breakdown/unnm-lac-hitos-07-1")
    assert {ID + "breakdown-category/mujeres", ID + "breakdown-category/hombres"} <= set(gender["value"])
    panel = rows(df, item=ID + "participant-group/unnm-lac-hitos-07-1")
    assert ID + "participant-role/panelista" in set(panel["value"])
    assert str(df["date"].dtype).startswith("datetime64")
    one = kg.query("event-participation", event=EVENT)
    assert set(one["event"]) == {EVENT} and set(one["item"]) == set(rows(df, event=EVENT)["item"])


def test_recommendations(kg):
    df = kg.query("recommendations")
    second = ID + "recommendation/unnm-lac-hitos-07-2"
    addressed = rows(df, recommendation=second, aspect=GCM + "addressedTo")
    assert set(addressed["target"]) == {ID + "actor-type/gobiernos-locales", ID + "actor-type/gobiernos-nacionales"}
    assert set(addressed["basis"]) == {"editorial"}
    fifth = rows(df, recommendation=ID + "recommendation/unnm-lac-hitos-07-5", aspect=GCM + "addressesObjective")
    assert set(fifth["target"]) == {ID + "objective/16", ID + "objective/17"}
    first = rows(df, recommendation=ID + "recommendation/unnm-lac-hitos-07-1",
                 target=ID + "theme/regularizacion")
    assert list(first["basis"]) == ["recorded"]
    assert set(df["number"]) == {1, 2, 3, 4, 5}
    assert rows(df, number=1).iloc[0]["text"].startswith("Difundir información")
    english = kg.query("recommendations", lang="en")
    assert rows(english, number=1).iloc[0]["text"].startswith("Disseminate information")


def test_lessons_learned(kg):
    df = kg.query("lessons-learned")
    principle = rows(df, lesson=ID + "lesson/unnm-lac-hitos-07-1", target=ID + "principle/a")
    assert list(principle["basis"]) == ["editorial"]
    third = rows(df, lesson=ID + "lesson/unnm-lac-hitos-07-3")
    assert ID + "principle/j" in set(third["target"])
    # lesson 2 is about socio-economic integration, which focuses on objectives 6, 16, 18 and 19
    second = rows(df, lesson=ID + "lesson/unnm-lac-hitos-07-2", basis="theme")
    assert {ID + f"objective/{n}" for n in (6, 16, 18, 19)} == set(second["target"])
    assert set(df["number"]) == {1, 2, 3, 4}


def test_legal_instruments(kg):
    df = kg.query("legal-instruments", country="CO")
    assert {ID + "policy/co-decreto-216-2021", ID + "policy/co-resolucion-971-2021"} <= set(df["instrument"])
    decree = rows(df, instrument=ID + "policy/co-decreto-216-2021").iloc[0]
    assert decree["date"] == pd.Timestamp("2021-03-01")
    assert decree["year"] == 2021
    assert decree["passedBy"] == "Ministerio de Relaciones Exteriores (Colombia)"
    assert "Estatuto Temporal de Protección para venezolanos/as" in decree["legalBasisOf"]
    honduras = kg.query("legal-instruments", country="HND")
    law = rows(honduras, instrument=ID + "policy/hn-ley-proteccion-hondurenos-migrantes").iloc[0]
    assert law["year"] == 2013 and pd.isna(law["date"]) and law["dateText"] == "2013"
    assert law["localId"] == "Decreto Legislativo No. 106-2013"
    assert law["passedBy"] == "Congreso Nacional (Honduras)"
    assert ID + "policy/hn-ley-proteccion-hondurenos-migrantes" not in set(df["instrument"])
    everywhere = set(kg.query("legal-instruments")["instrument"])
    assert set(df["instrument"]) | set(honduras["instrument"]) <= everywhere


def test_sdg_targets_of_objectives(kg):
    df = kg.query("sdg-targets-of-objectives")
    row = rows(df, objective=ID + "objective/20").iloc[0]
    assert row["target"] == "http://metadata.un.org/sdg/10.c"
    assert row["targetNotation"] == "10.c"
    assert row["goal"] == "http://metadata.un.org/sdg/10"
    assert row["basis"] == "stated" and row["source"] == RESOLUTION
    assert kg.query("sdg-targets-of-objectives", objective=16).empty


def test_actor_objective_paths(kg):
    df = kg.query("actor-objective-paths", actor=ID + "org/co-migracion-colombia")
    assert set(df["actor"]) == {ID + "org/co-migracion-colombia"}
    direct = rows(df, instrument=ID + "policy/co-etpv", objective=ID + "objective/4")
    assert list(direct["basis"]) == ["editorial"]
    assert list(direct["relation"]) == [GCM + "implementedBy"]
    # Resolution 971 is the legal basis of the ETPV, which serves objective 16 through its theme
    via = rows(df, instrument=ID + "policy/co-resolucion-971-2021", policy=ID + "policy/co-etpv",
               objective=ID + "objective/16")
    assert list(via["basis"]) == ["theme"]
    ministry = kg.query("actor-objective-paths", actor=ID + "org/co-ministerio-relaciones-exteriores", objective=4)
    assert set(ministry["instrument"]) == {ID + "policy/co-decreto-216-2021"}
    every = kg.query("actor-objective-paths", objective=16)
    assert {ID + "org/mx-ayuntamiento-tapachula", ID + "org/ar-municipalidad-quilmes",
            ID + "org/hn-congreso-nacional"} <= set(every["actor"])


def test_commitments(kg):
    df = kg.query("commitments")
    row = rows(df, commitment=ID + "commitment/red-lac-femi-2022-conversatorio").iloc[0]
    assert row["committedBy"] == ID + "org/un-network-on-migration-lac"
    assert row["madeBefore"] == ID + "event/imrf-2022"
    assert row["year"] == 2022
    assert row["fulfilledBy"] == EVENT and row["fulfilledOn"] == pd.Timestamp("2023-08-08")


def test_dialogue_themes(kg):
    df = kg.query("dialogue-themes")
    theme = rows(df, event=EVENT, theme=ID + "theme/integracion-socioeconomica")
    assert set(theme["objectiveNumber"]) == {6, 16, 18, 19}
    assert set(theme["basis"]) == {"stated"} and set(theme["source"]) == {BRIEF}
    assert set(theme["chosenBy"]) == {ID + "org/mdp-sociedad-civil-alc"}
    assert set(theme["chosenIn"]) == {"2022"} and set(theme["themeNumber"]) == {2}
    assert set(df["mechanism"]) == {ID + "org/mdp-sociedad-civil-alc"}


def test_theme_objectives(kg):
    df = kg.query("theme-objectives")
    integration = rows(df, theme=ID + "theme/integracion-socioeconomica")
    assert set(integration["objectiveNumber"]) == {6, 16, 18, 19}
    assert integration["entities"].nunique() == 1
    assert integration["entities"].iloc[0] >= 8
    health = rows(df, theme=ID + "theme/salud")
    assert len(health) == 1 and pd.isna(health["objective"].iloc[0])


def test_policy_outcomes(kg):
    df = kg.query("policy-outcomes")
    colombia = rows(df, outcome=ID + "outcome/co-etpv-preguntas-respuestas-integracion")
    assert set(colombia["policy"]) == {ID + "policy/co-etpv-preguntas-respuestas"}
    assert set(colombia["country"]) == {ID + "country/CO"}
    assert set(colombia["theme"]) == {ID + "theme/integracion", ID + "theme/seguridad-social"}
    honduras = rows(df, outcome=ID + "outcome/hn-proteccion-desplazados-internos-aprobacion")
    assert set(honduras["sector"]) == {ID + "actor-type/sociedad-civil"}


def test_civil_society_and_coordination_bodies(kg):
    df = kg.query("civil-society-and-coordination-bodies", lang="en")
    council = rows(df, organisation=ID + "org/ar-quilmes-consejo-colectividades").iloc[0]
    assert council["members"] == 40 and council["membersQualifierLabel"] == "more than"
    assert council["country"] == ID + "country/AR"
    assert council["linkedTo"] == ID + "org/ar-municipalidad-quilmes"
    mechanism = rows(df, organisation=ID + "org/mdp-sociedad-civil-alc")
    assert set(mechanism["dialogue"]) == {EVENT}
    assert ID + "org/co-migracion-colombia" not in set(df["organisation"])


# --------------------------------------------------------------------------------------------------
# Language of results
# --------------------------------------------------------------------------------------------------


def test_labels_in_english(kg):
    gaps = kg.query("objective-gaps", country="HN", lang="en")
    eight = rows(gaps, objectiveNumber=8).iloc[0]
    assert eight["objectiveLabel"] == "Save lives and establish coordinated international efforts on missing migrants"
    coverage = kg.query("objective-coverage", lang="en")
    assert set(rows(coverage, objectiveNumber=16)["objectiveLabel"]) == {
        "Empower migrants and societies to realize full inclusion and social cohesion"}
    assert set(rows(kg.query("objective-coverage"), objectiveNumber=16)["objectiveLabel"]) == {
        "Inclusión y cohesión social"}
    policies = kg.query("policies-by-objective", objective=16, lang="en")
    assert "«Somos Familia» (We Are Family) programme" in set(policies["policyLabel"])
    assert "Programme" in set(policies["typeLabel"])


def test_english_falls_back_to_spanish():
    kg = gcmgraph.load(extra=[FIXTURES / "spanish-only.ttl"])
    df = kg.query("policies-by-objective", objective=16, lang="en")
    only = rows(df, policy=ID + "policy/pe-prueba-solo-espanol")
    assert set(only["policyLabel"]) == {"Programa de prueba solo en español"}
    assert set(only["countryLabel"]) == {"Peru"}
    assert set(only["basis"]) == {"theme"}


# --------------------------------------------------------------------------------------------------
# Command line and bad parameters
# --------------------------------------------------------------------------------------------------


def test_cli_policies_by_objective_16(cli):
    done = cli("query", "policies-by-objective", "-p", "objective", "16")
    assert done.returncode == 0, done.stderr
    for text in ("Tapachula", "Colombia", "Honduras", "Quilmes", "Somos Familia", "theme"):
        assert text in done.stdout
    csv = cli("query", "policies-by-objective", "-p", "objective", "16", "--format", "csv", "--lang", "en")
    assert csv.returncode == 0, csv.stderr
    for entity in ("policy/mx-tapachula-somos-familia", "policy/co-etpv-preguntas-respuestas",
                   "policy/hn-ley-proteccion-hondurenos-migrantes", "org/ar-quilmes-consejo-colectividades"):
        assert ID + entity in csv.stdout
    assert "country/MX" in csv.stdout and "Mexico" in csv.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("policies-by-objective", "-p", "objective", "24"), "1 to 23"),
    (("policies-by-objective",), "needs the parameter objective"),
    (("policies-by-objective", "-p", "objetivo", "16"), "no parameter 'objetivo'"),
    (("actors-by-country", "-p", "country", "ZZ"), "no country with ISO code 'ZZ'"),
    (("search", "-p", "text", 'x" } ; DROP ALL ; {'), "SPARQL syntax"),
])
def test_cli_refuses_bad_parameters_with_exit_2(cli, args, message):
    done = cli("query", *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert not done.stdout.strip()


@pytest.mark.parametrize(("name", "params"), [
    ("policies-by-objective", {"objective": 0}),
    ("policies-by-objective", {"objective": "16; DROP ALL"}),
    ("actors-by-country", {"country": "XYZ"}),
    ("search", {"text": "?x a ?y"}),
    ("search", {"text": "DELETE WHERE"}),
    ("objective-coverage", {"objective": 16}),
    ("legal-instruments", {"country": "ZZ"}),
    ("objective-gaps", {"country": "Colombia"}),
    ("entity-provenance", {"entity": "not an iri"}),
    ("entity-provenance", {"entity": "https://example.org/<x>"}),
])
def test_python_api_refuses_bad_parameters(kg, name, params):
    with pytest.raises(InputError):
        kg.query(name, **params)
