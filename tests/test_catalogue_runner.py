"""The catalogue engine: grlc-style headers, typed parameters bound as RDF terms, typed results.

Runs on the small fixtures in ``tests/catalogue-fixtures/`` (see its README), not on the shipped
graph, so that each behaviour is tested on data whose answers are known.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.algebra import translateQuery

from gcmgraph.catalogue import Catalogue, Query, bind_text, parse_header
from gcmgraph.errors import InputError
from gcmgraph.paths import Layout
from gcmgraph.results import records, render, rows, run, run_select

FIXTURES = Path(__file__).parent / "catalogue-fixtures"
ID = "https://w3id.org/gcmgraph/id/"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(FIXTURES / "graph.ttl")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_folder(FIXTURES / "queries")


def column(frame: pd.DataFrame, name: str) -> list:
    return [None if pd.isna(v) else v for v in frame[name]]


# --------------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------------


def test_titles_descriptions_tags_in_two_languages(catalogue):
    query = catalogue.get("policies-by-objective")
    assert query.title == {"en": "Policies that serve a GCM objective",
                           "es": "Políticas que sirven a un objetivo del PMM"}
    assert query.description["en"].startswith("The policies linked to the objective")
    assert query.description["es"] == "Las políticas vinculadas al objetivo, con su país y fecha."
    assert query.tags == ("objectives", "policies")
    assert query.form == "SELECT" and not query.is_check


def test_parameters_defaults_enumerate_and_descriptions(catalogue):
    objective, lang = catalogue.get("policies-by-objective").parameters
    assert (objective.name, objective.variable, objective.type) == ("objective", Variable("_objective_iri"),
                                                                    "objective")
    assert objective.required and objective.default == 16
    # the '# a comment YAML drops' after the English description is gone, as PyYAML drops it
    assert objective.description == {"en": "number of the GCM objective, 1-23",
                                      "es": "número del objetivo del PMM, 1-23"}
    assert (lang.type, lang.default, lang.allowed) == ("lang", "es", ("es", "en"))


def test_parameter_types_from_grlc_suffixes_and_names(catalogue):
    def types(name):
        return [(p.name, p.type, p.required) for p in catalogue.get(name).parameters]

    assert types("entity-statements") == [("entity", "iri", True)]
    assert types("search") == [("text", "text", True)]
    assert types("policies-by-size") == [("min", "integer", True), ("since", "date", False)]
    assert types("objective-coverage") == [("objective", "objective", False)]  # ?__ is optional
    # named objective, suffix _iri: typed objective without gcmgraph_params
    assert types("has-policy-for-objective") == [("objective", "objective", True)]


def test_query_forms_and_checks(catalogue):
    assert catalogue.get("has-policy-for-objective").form == "ASK"
    assert catalogue.get("policy-card").form == "CONSTRUCT"
    assert [q.name for q in catalogue.checks()] == ["check-policies-without-country"]
    assert catalogue.get("check-policies-without-country").is_check


def test_shipped_catalogue_loads(repo: Layout):
    shipped = Catalogue.load(repo, for_grlc=True)
    check = shipped.get("check-unsourced-objective-links")
    assert check.is_check and check.tags == ("checks",)
    assert check.title["es"].startswith("Control") and check.title["en"].startswith("Check")
    for query in shipped:
        assert query.title["es"] and query.title["en"], query.name


@pytest.mark.parametrize(("header", "expected"), [
    ("#+ a: yes\n#+ b: NO\n#+ c: 'NO'\n#+ d: 2021-03-01\n#+ e: 1.5\n#+ f: ~",
     {"a": True, "b": False, "c": "NO", "d": dt.date(2021, 3, 1), "e": 1.5, "f": None}),
    ("#+ summary: Objective #16 is here # a comment\n#+ tags: [a, 'b c', \"d\"]",
     {"summary": "Objective", "tags": ["a", "b c", "d"]}),
    ("#+ p: {type: text, description: {es: 'hola, mundo', en: hi}}",
     {"p": {"type": "text", "description": {"es": "hola, mundo", "en": "hi"}}}),
    ("#+ d: |\n#+   one\n#+   two\n#+ x: 1", {"d": "one\ntwo\n", "x": 1}),
    ("#+ d: plain starts\n#+   and goes on.\n#+ y: z", {"d": "plain starts and goes on.", "y": "z"}),
    ("#+ defaults:\n#+ - a: 1\n#+ enumerate:\n#+ - c\n#+ - d:\n#+   - x\n#+   - y",
     {"defaults": [{"a": 1}], "enumerate": ["c", {"d": ["x", "y"]}]}),
    ("#+ k: Children's rights\n#+ url: https://w3id.org/gcmgraph/x#y\n#++ z: \"\\u00e9\"",
     {"k": "Children's rights", "url": "https://w3id.org/gcmgraph/x#y", "z": "é"}),
    ("SELECT * WHERE { ?s ?p ?o }", {}),
], ids=["yaml-1.1-scalars", "comments-flow-list", "flow-mapping", "literal-block", "plain-multiline",
        "grlc-defaults-enumerate", "apostrophe-hash-escape", "no-header"])
def test_header_reads_as_grlc_reads_it(header, expected):
    # grlc strips '#+' and reads the rest with PyYAML: YAML 1.1 scalars, flow lists, block scalars
    assert parse_header(header) == expected


def test_header_that_grlc_could_not_read_is_refused_with_file_and_line():
    with pytest.raises(InputError) as caught:
        Query.from_file(FIXTURES / "user" / "bad-header.rq")
    assert caught.value.line == 1 and caught.value.path.endswith("bad-header.rq")
    assert "quote the value" in str(caught.value)


def test_query_that_does_not_parse_is_refused_with_line():
    with pytest.raises(InputError) as caught:
        Query.from_file(FIXTURES / "user" / "bad-sparql.rq")
    assert caught.value.line == 4 and "not a valid SPARQL 1.1 query" in str(caught.value)  # "?s ?p"


def test_parameter_grlc_cannot_see_is_refused_in_a_catalogue(tmp_path):
    user = Query.from_file(FIXTURES / "user" / "hidden-parameter.rq")
    assert user.hidden_from_grlc == ("since",)  # a user's own file still runs
    (tmp_path / "hidden-parameter.rq").write_text((FIXTURES / "user" / "hidden-parameter.rq").read_text())
    with pytest.raises(InputError, match="grlc would not offer the parameter"):
        Catalogue.from_folder(tmp_path, for_grlc=True)


@pytest.mark.parametrize(("text", "message"), [
    ("#+ gcmgraph_params: {objective: {type: objective}}\nSELECT * WHERE { ?s ?p ?_objective }",
     "typed objective but its variable"),
    ("#+ defaults:\n#+   - country: CO\nSELECT * WHERE { ?s ?p ?_objective_iri }",
     "mentions a parameter 'country'"),
    ("SELECT * WHERE { ?s ?p ?_when_dateTime }", "type gcmgraph does not bind"),
    ("#+ gcmgraph_params: {x: {type: colour}}\nSELECT * WHERE { ?s ?p ?_x }", "unknown type 'colour'"),
    ("#+ summary: a / b / c\nSELECT * WHERE { ?s ?p ?o }", "' / ' separators"),
    ("#+ summary: [a, b]\nSELECT * WHERE { ?s ?p ?o }", "summary must be text"),
    ("SELECT * WHERE { ?s ?_p_iri ?_p_en }", "two variables name the parameter 'p'"),
])
def test_inconsistent_headers_are_refused(text, message):
    with pytest.raises(InputError, match=message):
        Query.from_text(text)


# --------------------------------------------------------------------------------------------------
# Parameter values: refused before the query runs, with what is allowed
# --------------------------------------------------------------------------------------------------

ALL_TYPES = """
#+ gcmgraph_params: {id: {type: iri}}
SELECT * WHERE {
  ?s ?p ?_objective_iri , ?_country_iri , ?_id_iri , ?_text , ?_n_integer , ?_x_number , ?_day_date ,
     ?_lang , ?_name_en .
}
"""


@pytest.fixture(scope="module")
def typed() -> Query:
    return Query.from_text(ALL_TYPES, name="all-types")


@pytest.mark.parametrize(("name", "value", "term"), [
    ("objective", 16, URIRef(ID + "objective/16")),
    ("objective", " 5 ", URIRef(ID + "objective/5")),
    ("objective", "23", URIRef(ID + "objective/23")),
    ("country", "co", URIRef(ID + "country/CO")),
    ("country", "HND", URIRef(ID + "country/HN")),
    ("id", "https://w3id.org/gcmgraph/id/policy/co-etpv", URIRef(ID + "policy/co-etpv")),
    ("id", "http://metadata.un.org/sdg/10.7", URIRef("http://metadata.un.org/sdg/10.7")),
    ("text", "migración", Literal("migración")),
    ("text", "Children's rights (ETPV), 2021 - #1", Literal("Children's rights (ETPV), 2021 - #1")),
    ("text", "move to and add to the data", Literal("move to and add to the data")),
    ("name", "Colombia", Literal("Colombia", lang="en")),
    ("n", "-3", Literal(-3)),
    ("n", 250, Literal(250)),
    ("x", "0.75", Literal("0.75", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))),
    ("day", "2021-03-01", Literal(dt.date(2021, 3, 1))),
    ("day", dt.date(2021, 3, 1), Literal(dt.date(2021, 3, 1))),
    ("lang", "EN", Literal("en")),
])
def test_good_values_become_rdf_terms(typed, graph, name, value, term):
    assert typed.parameter(name).to_term(value, graph) == term


@pytest.mark.parametrize(("name", "value", "message"), [
    ("objective", 24, "numbered 1 to 23"),
    ("objective", 0, "numbered 1 to 23"),
    ("objective", "x", "by its number alone"),
    ("objective", "objective 16", "by its number alone"),
    ("objective", True, "given by its number"),
    ("objective", 16.0, "given by its number"),
    ("country", "ZZ", "no country with ISO code 'ZZ' in the graph; it has 2 countries: CO, HN"),
    ("country", "Colombia", "not an ISO 3166-1 alpha-2 or alpha-3 code"),
    ("country", "", "not an ISO 3166-1"),
    ("id", "https://w3id.org/gcmgraph/a b", "cannot hold spaces"),
    ("id", "https://w3id.org/x>{", "cannot hold spaces or any of"),
    ("id", "ftp://example.net/x", "not an absolute http"),
    ("id", "policy/co-etpv", "not an absolute http"),
    ("text", "} ; DROP ALL {", "looks like SPARQL syntax"),
    ("text", '" . ?s ?p ?o', "looks like SPARQL syntax"),
    ("text", "salud') } INSERT DATA { <a> <b> <c>", "looks like SPARQL syntax"),
    ("text", "drop all", "looks like SPARQL syntax"),
    ("text", "Clear  Graph", "looks like SPARQL syntax"),
    ("text", "insert data", "looks like SPARQL syntax"),
    ("text", "$x", "looks like SPARQL syntax"),
    ("text", "line\nbreak", "control characters"),
    ("text", "x" * 201, "longer than 200 characters"),
    ("text", "   ", "empty"),
    ("text", 5, "text is expected"),
    ("n", "5.5", "not a whole number"),
    ("n", "five", "not a whole number"),
    ("n", True, "whole number is expected"),
    ("x", "1e5", "not a number"),
    ("day", "2021-02-30", "no such day"),
    ("day", "01/03/2021", "YYYY-MM-DD"),
    ("day", dt.datetime(2021, 3, 1, 12), "without a time"),
    ("lang", "fr", "Spanish (es) and English (en)"),
])
def test_bad_values_are_refused_saying_what_is_allowed(typed, graph, name, value, message):
    with pytest.raises(InputError) as caught:
        typed.parameter(name).to_term(value, graph)
    assert message in str(caught.value)
    assert "allowed" in str(caught.value) or "Use an alpha-2" in str(caught.value)


def test_country_name_gets_its_code_as_hint(typed, graph):
    with pytest.raises(InputError) as caught:
        typed.parameter("country").to_term("colombia", graph)
    assert caught.value.hint == "colombia is CO (alpha-2) or COL (alpha-3)."


def test_country_needs_a_graph(typed):
    with pytest.raises(InputError, match="looked up in the graph"):
        typed.parameter("country").to_term("CO", None)


def test_missing_required_parameter_is_named_with_its_allowed_values(catalogue, graph):
    with pytest.raises(InputError) as caught:
        catalogue.get("policies-by-country").bind({}, graph)
    assert "needs the parameter country: ISO 3166-1 country code" in str(caught.value)
    assert "-p country VALUE" in caught.value.hint


def test_unknown_parameter_lists_the_query_parameters(catalogue, graph):
    with pytest.raises(InputError) as caught:
        catalogue.get("policies-by-objective").bind({"objetive": 16}, graph)
    assert "did you mean objective?" in str(caught.value)
    assert "objective (objective, default 16)" in caught.value.hint and "lang (lang" in caught.value.hint


def test_enumerated_values_are_enforced(catalogue, graph):
    query = Query.from_text("#+ enumerate:\n#+   - objective: [5, 16]\n"
                            "SELECT * WHERE { ?s ?p ?_objective_iri }")
    assert query.parameter("objective").to_term("16", graph) == URIRef(ID + "objective/16")
    with pytest.raises(InputError, match="allowed: one of 5, 16"):
        query.parameter("objective").to_term(2, graph)
    # grlc users' enumerations list IRIs: they work for gcmgraph's objective numbers too
    by_iri = Query.from_text(f"#+ enumerate:\n#+   - objective: ['{ID}objective/5']\n"
                             "SELECT * WHERE { ?s ?p ?_objective_iri }")
    assert by_iri.parameter("objective").to_term(5, graph) == URIRef(ID + "objective/5")


def test_refused_value_never_reaches_the_engine(catalogue, graph, monkeypatch):
    sent = []
    monkeypatch.setattr(graph, "query", lambda *a, **k: sent.append(a))
    with pytest.raises(InputError):
        run_select(graph, catalogue.get("search"), {"text": "} ; DROP ALL {"})
    assert sent == []


# --------------------------------------------------------------------------------------------------
# Binding: bound values restrict results; no user text in the query
# --------------------------------------------------------------------------------------------------


def policies(frame: pd.DataFrame) -> set[str]:
    return {v.removeprefix(ID + "policy/") for v in frame["policy"]}


def test_bound_iri_restricts_a_basic_graph_pattern(catalogue, graph):
    query = catalogue.get("policies-by-objective")
    assert policies(run_select(graph, query, {"objective": 16})) == {"co-etpv", "co-salud"}
    assert policies(run_select(graph, query, {"objective": 5})) == {"co-etpv", "hn-retorno"}
    assert run_select(graph, query, {"objective": 1}).empty
    assert policies(run_select(graph, query)) == {"co-etpv", "co-salud"}  # default 16


def test_bound_values_are_seen_by_filters(catalogue, graph):
    query = catalogue.get("policies-by-size")
    assert policies(run_select(graph, query, {"min": 300})) == {"co-etpv"}
    assert policies(run_select(graph, query, {"min": 0})) == {"co-etpv", "co-salud"}
    assert policies(run_select(graph, query, {"min": 0, "since": "2022-01-01"})) == {"co-salud"}


def test_text_parameter_in_filter(catalogue, graph):
    found = run_select(graph, catalogue.get("search"), {"text": "SALUD"})
    assert list(found["label"]) == ["Afiliación de migrantes al sistema de salud"]


def test_language_is_bound_inside_optional_with_fallback(catalogue, graph):
    query = catalogue.get("policies-by-objective")
    spanish = run_select(graph, query, {"objective": 16}, lang="es")
    english = run_select(graph, query, {"objective": 16}, lang="en")
    assert list(spanish["label"]) == ["Estatuto Temporal de Protección para Migrantes Venezolanos",
                                      "Afiliación de migrantes al sistema de salud"]
    # @en-t-es matches "en"; co-salud has no English label and falls back to Spanish
    assert list(english["label"]) == ["Temporary Protection Statute for Venezuelan Migrants",
                                      "Afiliación de migrantes al sistema de salud"]
    assert list(run_select(graph, query, {"objective": 16, "lang": "en"})["label"]) == list(english["label"])


def test_bound_value_restricts_a_group_by_and_unbound_optional_is_a_wildcard(catalogue, graph):
    query = catalogue.get("objective-coverage")
    one = run_select(graph, query, {"objective": 16})
    assert [(c.removeprefix(ID), o.removeprefix(ID), n) for c, o, n in one.itertuples(index=False)] == [
        ("country/CO", "objective/16", 2)]
    every = run_select(graph, query)
    assert len(every) == 3 and every["policies"].sum() == 4


def test_ask_and_construct(catalogue, graph):
    ask = catalogue.get("has-policy-for-objective")
    assert run(graph, ask, {"objective": 5}) is True
    assert run(graph, ask, {"objective": 1}) is False
    card = run(graph, catalogue.get("policy-card"), {"policy": ID + "policy/co-salud"})
    assert isinstance(card, Graph) and len(card) == 8
    assert set(card.subjects()) == {URIRef(ID + "policy/co-salud")}
    with pytest.raises(InputError, match="is a ASK query, not a SELECT"):
        run_select(graph, ask, {"objective": 5})


def test_values_binding_agrees_with_rdflib_init_bindings(catalogue, graph):
    """On rdflib, the VALUES block gives what initBindings gives, for every fixture query shape."""
    cases = [("policies-by-objective", {"objective": 5, "lang": "en"}), ("policies-by-size", {"min": 100}),
             ("search", {"text": "retorno"}), ("objective-coverage", {"objective": 16}),
             ("policies-by-country", {"country": "HN"}), ("entity-statements", {"entity": ID + "country/CO"})]
    for name, values in cases:
        query = catalogue.get(name)
        ours = sorted(map(tuple, graph.query(query.bind(values, graph))))
        theirs = sorted(map(tuple, graph.query(query.text, initBindings=query.terms(values, graph))))
        assert ours == theirs and ours, name


@pytest.mark.parametrize("text", ["migración y salud", "Children's rights", "l'été", "50% (2021)"])
def test_text_value_appears_only_as_an_escaped_literal(catalogue, graph, monkeypatch, text):
    query = catalogue.get("search")
    sent = []
    monkeypatch.setattr(graph, "query", lambda q, *a, **k: sent.append(q) or Graph.query(graph, q))
    run_select(graph, query, {"text": text})
    (final,) = sent
    block = f"\n  VALUES ?_text {{ {Literal(text).n3()} }}"
    assert final.replace(block, "", 1) == query.text  # the query is the file plus one VALUES line
    assert final.count(text) == 1


def test_binding_is_safe_even_for_terms_that_skipped_validation():
    """The VALUES block is written from term.n3(): quotes, braces and newlines stay inside the literal."""
    nasty = Literal('x" } ; DROP ALL { "\n\\')
    final = bind_text("SELECT ?s WHERE { ?s ?p ?_text }", {Variable("_text"): nasty})
    algebra = translateQuery(parseQuery(final)).algebra
    values = algebra.p.p.p1  # Project > ... > Join(ToMultiSet(VALUES), BGP)
    assert values.name == "ToMultiSet" and values.p.res == [{Variable("_text"): nasty}]


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {@ ?s ?p ?o }"),
    ("SELECT * { ?s ?p ?o }", "SELECT * {@ ?s ?p ?o }"),
    ("# WHERE { in a comment\nPREFIX : <https://w3id.org/gcmgraph/x#>\nSELECT ?s WHERE { ?s :where '{' }",
     "# WHERE { in a comment\nPREFIX : <https://w3id.org/gcmgraph/x#>\nSELECT ?s WHERE {@ ?s :where '{' }"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {@ ?s ?p ?o }"),
    ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } {@ ?s ?p ?o }"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE {@ ?s ?p ?o }"),
    ('SELECT ?s WHERE { ?s ?p """a { b""" }', 'SELECT ?s WHERE {@ ?s ?p """a { b""" }'),
    ("ASK { ?s ?p ?o }", "ASK {@ ?s ?p ?o }"),
])
def test_values_go_into_the_outermost_where_group(text, expected):
    final = bind_text(text, {Variable("x"): Literal(1)})
    assert final == expected.replace("@", '\n  VALUES ?x { "1"^^<http://www.w3.org/2001/XMLSchema#integer> }')


def test_no_where_group_no_binding():
    with pytest.raises(InputError, match="no WHERE group"):
        bind_text("DESCRIBE <https://w3id.org/gcmgraph/id/country/CO>", {Variable("x"): Literal(1)})


# --------------------------------------------------------------------------------------------------
# Typed results and output
# --------------------------------------------------------------------------------------------------


def test_dataframe_columns_are_typed_and_in_select_order(catalogue, graph):
    frame = run_select(graph, catalogue.get("policies-by-country"), {"country": "CO"})
    assert list(frame.columns) == ["policy", "members", "share", "member", "date"]
    assert str(frame["policy"].dtype) == "string"
    assert str(frame["members"].dtype) == "Int64"
    assert str(frame["share"].dtype) == "Float64"
    assert str(frame["member"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert column(frame, "members") == [1800000, 250]
    assert list(frame["date"].dt.date) == [dt.date(2021, 3, 1), dt.date(2022, 6, 15)]
    assert frame.attrs["iri_columns"] == ["policy"]


def test_unbound_cells_are_missing_not_text(catalogue, graph):
    frame = run_select(graph, catalogue.get("policies-by-country"), {"country": "HN"})
    assert column(frame, "members") == [None] and column(frame, "date") == [None]
    # a column with no value at all has no type to take: it is text, all <NA>
    assert str(frame["members"].dtype) == "string" and frame["members"].isna().all()


def test_empty_result_keeps_its_columns(catalogue, graph):
    frame = run_select(graph, catalogue.get("check-policies-without-country"))
    assert frame.empty and list(frame.columns) == ["policy"]


def test_rows_records_and_render(catalogue, graph):
    frame = run_select(graph, catalogue.get("policies-by-country"), {"country": "CO"})
    header, body = rows(frame)
    assert header == ["policy", "members", "share", "member", "date"]
    assert body[0] == [ID + "policy/co-etpv", "1800000", "0.75", "true", "2021-03-01"]
    assert records(frame)[1] == {"policy": ID + "policy/co-salud", "members": 250, "share": 0.5,
                                 "member": False, "date": "2022-06-15"}
    assert json.loads(render(frame, "json")) == records(frame)
    assert render(frame, "csv").splitlines()[1] == f"{ID}policy/co-etpv,1800000,0.75,true,2021-03-01"
    assert render(frame, "tsv").splitlines()[0] == "policy\tmembers\tshare\tmember\tdate"
    table = render(frame, "table", max_width=12).splitlines()
    assert table[0].split() == header and max(len(c) for line in table[2:-1] for c in line.split()) <= 12
    # IRIs are written with the project's prefixes in a table, and long cells wrap
    assert "".join(line.split()[0] for line in table[2:4]) == "policy:co-etpv"
    assert table[-1] == "(2 rows)"
    assert render(True, "table") == "true\n" and render(False, "json") == "false\n"
    with pytest.raises(InputError, match="unknown output format"):
        render(frame, "xlsx")


def test_missing_cells_render_empty(catalogue, graph):
    frame = run_select(graph, catalogue.get("policies-by-country"), {"country": "HN"})
    assert rows(frame)[1] == [[ID + "policy/hn-retorno", "", "", "", ""]]
    assert records(frame) == [{"policy": ID + "policy/hn-retorno", "members": None, "share": None,
                               "member": None, "date": None}]


# --------------------------------------------------------------------------------------------------
# The catalogue as a whole
# --------------------------------------------------------------------------------------------------


def test_unknown_name_suggests_close_matches(catalogue):
    with pytest.raises(InputError) as caught:
        catalogue.get("policies-by-objetive")
    assert "did you mean policies-by-objective" in str(caught.value)
    assert "`gcmgraph queries` lists them" in caught.value.hint


def test_resolve_name_file_or_text(catalogue):
    assert catalogue.resolve("search") is catalogue.get("search")
    mine = catalogue.resolve(str(FIXTURES / "user" / "hidden-parameter.rq"))
    assert mine.name == "hidden-parameter" and mine.path is not None
    text = catalogue.resolve("SELECT ?s WHERE { ?s ?p ?_o_iri }")
    assert text.parameters[0].type == "iri"
    with pytest.raises(InputError, match="no such query file"):
        catalogue.resolve("nowhere.rq")


def test_checks_return_no_rows_on_the_fixture_graph(catalogue, graph):
    for check in catalogue.checks():
        assert run_select(graph, check).empty, check.name


def test_every_fixture_query_runs_with_its_defaults_or_a_sample(catalogue, graph):
    samples = {"objective": 16, "country": "CO", "entity": ID + "country/CO", "text": "salud", "min": 1,
               "policy": ID + "policy/co-etpv"}
    for query in catalogue:
        values = {p.name: samples[p.name] for p in query.parameters if p.required and p.default is None}
        result = run(graph, query, values)
        assert result is not None, query.name


def test_scan_reads_the_shipped_queries_as_the_full_parser_does(repo: Layout):
    # listing and running the catalogue only scans the files; the full parse is the reference
    for path in sorted(repo.queries.glob("*.rq")):
        scanned, parsed = Query.from_file(path, strict=False), Query.from_file(path, strict=True)
        assert (scanned.form, scanned.parameters) == (parsed.form, parsed.parameters), path.name
