"""One catalogue, every backend: rdflib, pyoxigraph (memory, disk), an Oxigraph server, Virtuoso.

Every query of ``queries/`` (and of the runner's fixture catalogue, which has numbers, dates,
booleans, ASK and CONSTRUCT) must give the same answer everywhere: identical DataFrames
(``pandas.testing.assert_frame_equal``: same columns, dtypes, values and row order), the same
bool, isomorphic graphs. The servers are real processes on loopback (``tests/servers.py``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from gcmgraph.backends import (
    EndpointBackend,
    EndpointError,
    MemoryBackend,
    OxigraphBackend,
    connect,
    open_backend,
    run,
    serialize_for_store,
)
from gcmgraph.catalogue import Catalogue
from gcmgraph.errors import GcmgraphError

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "catalogue-fixtures"

CURATED_GRAPH = "https://w3id.org/gcmgraph/graph/test/curated"
FIXTURE_GRAPH = "https://w3id.org/gcmgraph/graph/test/runner-fixture"
TRAPS_GRAPH = "https://w3id.org/gcmgraph/graph/test/traps"

#: typical values, by parameter type, for the shipped catalogue and for the runner's fixture catalogue
CURATED_VALUES = {"objective": 16, "country": "CO", "text": "quilmes", "integer": 1, "number": 1,
                  "date": "2000-01-01",
                  "iri": "https://w3id.org/gcmgraph/id/event/primer-conversatorio-mdp-2023"}
FIXTURE_VALUES = {**CURATED_VALUES, "text": "salud", "integer": 100,
                  "iri": "https://w3id.org/gcmgraph/id/policy/co-etpv"}

TRAPS = """\
@prefix ex: <https://w3id.org/gcmgraph/test/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:e1 ex:date "8 de agosto"^^xsd:date .
ex:e2 ex:date "2023-08-08"^^xsd:date .
ex:p1 ex:a ex:o1 ; ex:b ex:o1 , ex:o2 .
ex:x ex:code "CO"^^xsd:string .
ex:y ex:code "CO" .
ex:z ex:label "Hi"@en-T-ES .
"""
PREFIXES = ("PREFIX ex: <https://w3id.org/gcmgraph/test/>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")


def cases(catalogue: Catalogue, values: dict) -> list:
    """(query, params, lang) per query: its defaults plus typical values; optional ones also left out."""
    found = []
    for query in catalogue:
        required, optional = {}, {}
        for parameter in query.parameters:
            if parameter.type == "lang" or parameter.default is not None:
                continue
            value = parameter.allowed[0] if parameter.allowed else values[parameter.type]
            (required if parameter.required else optional)[parameter.name] = value
        variants = [dict(required)] + ([{**required, **optional}] if optional else [])
        for number, params in enumerate(variants):
            # English labels once per query (the rdflib reference run is the slow part)
            for lang in ("es", "en") if number == 0 else ("es",):
                tag = ",".join(f"{k}={v}" for k, v in params.items())
                found.append(pytest.param(query, params, lang, id=f"{query.name}[{tag}]-{lang}"))
    return found


CURATED_CASES = cases(Catalogue.load(), CURATED_VALUES)
FIXTURE_CASES = cases(Catalogue.from_folder(FIXTURES / "queries"), FIXTURE_VALUES)


def assert_same(expected, got, where: str) -> None:
    if isinstance(expected, pd.DataFrame):
        assert isinstance(got, pd.DataFrame), f"{where}: {type(got).__name__} instead of a DataFrame"
        pd.testing.assert_frame_equal(got, expected, check_exact=False, obj=where)
        assert got.attrs == expected.attrs, where
    elif isinstance(expected, Graph):
        assert isinstance(got, Graph), where
        assert isomorphic(got, expected), f"{where}: the graphs differ"
    else:
        assert got == expected, where


# --------------------------------------------------------------------------------------------------
# The backends, built once per session
# --------------------------------------------------------------------------------------------------


def embedded(graph: Graph, sources: list, folder: Path) -> dict:
    """memory, oxigraph in memory, oxigraph on disk built then reopened (no reload)."""
    backends = {"memory": MemoryBackend(graph), "oxigraph": OxigraphBackend.build(None, sources)}
    store = folder / "store"
    first = OxigraphBackend.build(store, sources)
    assert first.loaded
    first.close()
    reopened = OxigraphBackend.build(store, sources)
    assert not reopened.loaded, "a store built from the same files must open as it is"
    backends["oxigraph-disk"] = reopened
    return backends


@pytest.fixture(scope="session")
def curated(kg, tmp_path_factory) -> dict:
    sources = [(f.path, str(f.graph)) for f in kg.files]
    return embedded(kg.graph, sources, tmp_path_factory.mktemp("curated"))


@pytest.fixture(scope="session")
def fixture_graph() -> Graph:
    return Graph().parse(FIXTURES / "graph.ttl")


@pytest.fixture(scope="session")
def fixture(fixture_graph, tmp_path_factory) -> dict:
    return embedded(fixture_graph, [(FIXTURES / "graph.ttl", FIXTURE_GRAPH)],
                    tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="session")
def traps_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("traps") / "traps.ttl"
    path.write_text(TRAPS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def traps(traps_file, tmp_path_factory) -> dict:
    return embedded(Graph().parse(traps_file), [(traps_file, TRAPS_GRAPH)], tmp_path_factory.mktemp("t"))


@pytest.fixture(scope="session")
def loaded_servers(kg, fixture_graph, traps_file, oxigraph_server, virtuoso_server):
    """Both servers holding the three test graphs, each in its own named graph."""
    data = {CURATED_GRAPH: serialize_for_store(kg.graph), FIXTURE_GRAPH: serialize_for_store(fixture_graph),
            TRAPS_GRAPH: serialize_for_store(Graph().parse(traps_file))}
    for server in (oxigraph_server, virtuoso_server):
        for graph, body in data.items():
            server.put_graph(graph, body)
    return {"oxigraph-server": oxigraph_server, "virtuoso": virtuoso_server}


def remote(servers: dict, graph: str) -> dict:
    return {name: connect(server.query_url, graphs=[graph], timeout=(5, 60)) for name, server in servers.items()}


@pytest.fixture(scope="session")
def union_server(kg, oxigraph_servers):
    """An Oxigraph server with only the curated graph, read through ``--union-default-graph``."""
    server = oxigraph_servers(union_default_graph=True)
    server.put_graph(CURATED_GRAPH, serialize_for_store(kg.graph))
    return connect(server.query_url)


@pytest.fixture(scope="session")
def curated_all(curated, loaded_servers, union_server) -> dict:
    return {**curated, **remote(loaded_servers, CURATED_GRAPH), "oxigraph-server-union": union_server}


@pytest.fixture(scope="session")
def fixture_all(fixture, loaded_servers) -> dict:
    return {**fixture, **remote(loaded_servers, FIXTURE_GRAPH)}


@pytest.fixture(scope="session")
def traps_all(traps, loaded_servers) -> dict:
    return {**traps, **remote(loaded_servers, TRAPS_GRAPH)}


#: Differences known and explained, by (query, backend); "*" for any backend. Such a case is
#: reported as xfail with the reason; any other difference fails.
KNOWN_CURATED: dict[tuple[str, str], str] = {
}
KNOWN_FIXTURE: dict[tuple[str, str], str] = {
    ("entity-statements", "*"): "ORDER BY ?value over IRIs, dates, numbers and text at once: SPARQL "
                                "leaves the order between kinds of term to the engine",
}


def compare(backends: dict, query, params, lang, known: dict) -> None:
    """Every backend against rdflib; unexplained differences fail, known ones are xfail."""
    expected = run(backends["memory"], query, params, lang)
    unexplained, explained = [], []
    for name, backend in backends.items():
        if name == "memory":
            continue
        try:
            assert_same(expected, run(backend, query, params, lang), f"{query.name} on {name}")
            problem = None
        except (AssertionError, GcmgraphError) as error:
            problem = " ".join(str(error).split())[:700]
        reason = known.get((query.name, name)) or known.get((query.name, "*"))
        if problem and reason:
            explained.append(f"{name}: {reason}")
        elif problem:
            unexplained.append(f"{name}: {problem}")
    if unexplained:
        pytest.fail("\n".join(unexplained), pytrace=False)
    if explained:
        pytest.xfail("; ".join(explained))


# --------------------------------------------------------------------------------------------------
# The catalogue on every backend
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "params", "lang"), CURATED_CASES)
def test_catalogue_is_identical_on_every_backend(curated_all, query, params, lang):
    compare(curated_all, query, params, lang, KNOWN_CURATED)


@pytest.mark.parametrize(("query", "params", "lang"), FIXTURE_CASES)
def test_runner_fixture_catalogue_is_identical_on_every_backend(fixture_all, query, params, lang):
    compare(fixture_all, query, params, lang, KNOWN_FIXTURE)


def test_every_backend_counts_the_union_as_rdflib_does(kg, curated_all):
    # a curated triple stated in two named graphs is one triple of the union
    for name, backend in curated_all.items():
        assert backend.triple_count() == len(kg.graph), name


def test_oxigraph_keeps_the_named_graphs(kg, curated):
    assert curated["oxigraph"].named_graphs() == sorted(map(str, kg.named_graphs()))
    assert curated["oxigraph-disk"].named_graphs() == sorted(map(str, kg.named_graphs()))


# --------------------------------------------------------------------------------------------------
# Traps
# --------------------------------------------------------------------------------------------------


def trap(backends: dict, text: str) -> dict:
    return {name: backend.query(PREFIXES + text) for name, backend in backends.items()}


def assert_all_same(results: dict) -> None:
    expected = results["memory"]
    for name, got in results.items():
        assert_same(expected, got, name)


def test_ill_typed_date_stays_text_everywhere(traps_all):
    """FILTER(datatype(?d) = xsd:date) keeps "8 de agosto"^^xsd:date on every engine (its datatype
    is xsd:date) and the column is text everywhere, because one value is not a date."""
    results = trap(traps_all, "SELECT ?e ?d WHERE { ?e ex:date ?d FILTER(datatype(?d) = xsd:date) } ORDER BY ?e")
    assert_all_same(results)
    assert list(results["memory"]["d"]) == ["8 de agosto", "2023-08-08"]
    assert str(results["memory"]["d"].dtype) == "string"


def test_ill_typed_date_dropped_the_same_way_with_a_lexical_guard(traps_all):
    """Comparing dates drops the ill-typed one on Oxigraph only (rdflib and Virtuoso keep it), and
    YEAR() on it stops rdflib and Virtuoso; checking the lexical form first drops it everywhere."""
    guard = ("FILTER(datatype(?d) = xsd:date && "
             "REGEX(STR(?d), '^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$'))")
    results = trap(traps_all, f"SELECT ?e ?d (YEAR(?d) AS ?year) WHERE {{ ?e ex:date ?d {guard} }} ORDER BY ?e")
    assert_all_same(results)
    frame = results["memory"]
    assert list(frame["e"]) == ["https://w3id.org/gcmgraph/test/e2"]
    assert str(frame["d"].dtype).startswith("datetime64") and list(frame["year"]) == [2023]
    # the unguarded comparison is where engines part
    compared = trap(traps_all, "SELECT ?e WHERE { ?e ex:date ?d FILTER(?d >= '2000-01-01'^^xsd:date) } ORDER BY ?e")
    assert len(compared["oxigraph"]) == 1 and len(compared["memory"]) == 2


def test_count_over_alternative_paths_needs_distinct(traps_all):
    """ex:p1 (ex:a|ex:b) ?o reaches ex:o1 twice: rdflib and Virtuoso count 3, Oxigraph 2."""
    plain = trap(traps_all, "SELECT (COUNT(?o) AS ?n) WHERE { ex:p1 (ex:a|ex:b) ?o }")
    counts = {name: int(frame["n"][0]) for name, frame in plain.items()}
    assert counts["memory"] == 3 and counts["oxigraph"] == 2, counts
    distinct = trap(traps_all, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ex:p1 (ex:a|ex:b) ?o }")
    assert_all_same(distinct)
    assert int(distinct["memory"]["n"][0]) == 2


def test_plain_and_xsd_string_literals_compare_the_same(traps_all, traps_file):
    """"CO" and "CO"^^xsd:string are one term (RDF 1.1); rdflib and Virtuoso keep them apart
    unless gcmgraph normalises the data, which every backend does."""
    for text in ("SELECT ?e WHERE { VALUES ?c { 'CO' } ?e ex:code ?c } ORDER BY ?e",
                 "SELECT ?e WHERE { ?e ex:code ?c FILTER(?c = 'CO') } ORDER BY ?e",
                 "SELECT ?e (STR(?c) AS ?code) (DATATYPE(?c) AS ?type) WHERE { ?e ex:code ?c } ORDER BY ?e"):
        results = trap(traps_all, text)
        assert_all_same(results)
        assert len(results["memory"]) == 2, text
    # without the normalisation, rdflib finds one of them only
    raw = Graph().parse(traps_file)
    found = raw.query(PREFIXES + "SELECT ?e WHERE { VALUES ?c { 'CO' } ?e ex:code ?c }")
    assert len(list(found)) == 1


def test_language_tags_are_lower_case_everywhere(traps_all):
    results = trap(traps_all, "SELECT ?l (LANG(?l) AS ?tag) WHERE { ?e ex:label ?l }")
    assert_all_same(results)
    assert list(results["memory"]["tag"]) == ["en-t-es"]
    graphs = trap(traps_all, "CONSTRUCT { ?e ex:label ?l } WHERE { ?e ex:label ?l }")
    assert_all_same(graphs)


def test_union_view_counts_a_triple_once_per_graph(tmp_path):
    """Why OxigraphBackend materialises the union: a triple in two named graphs."""
    one, two = tmp_path / "a.ttl", tmp_path / "b.ttl"
    for path in (one, two):
        path.write_text("<https://w3id.org/gcmgraph/test/s> <https://w3id.org/gcmgraph/test/p> 1 .\n")
    sources = [(one, "https://w3id.org/gcmgraph/graph/a"), (two, "https://w3id.org/gcmgraph/graph/b")]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(OxigraphBackend.build(None, sources).query(count)["n"][0]) == 1
    assert int(OxigraphBackend.build(None, sources, union="view").query(count)["n"][0]) == 2
    assert OxigraphBackend.build(None, sources, union="view").triple_count() == 1


# --------------------------------------------------------------------------------------------------
# The on-disk store
# --------------------------------------------------------------------------------------------------


def test_disk_store_is_rebuilt_when_its_files_change(tmp_path):
    data = tmp_path / "d.ttl"
    data.write_text("<https://w3id.org/gcmgraph/test/s> <https://w3id.org/gcmgraph/test/p> 1 .\n")
    store = tmp_path / "store"
    OxigraphBackend.build(store, [(data, None)]).close()
    data.write_text("<https://w3id.org/gcmgraph/test/s> <https://w3id.org/gcmgraph/test/p> 1, 2 .\n")
    backend = OxigraphBackend.build(store, [(data, None)])
    assert backend.loaded and backend.triple_count() == 2
    backend.close()
    reopened = open_backend("oxigraph", store=store)
    assert not reopened.loaded and reopened.triple_count() == 2
    assert not list(tmp_path.glob(".store.*")), "no temporary folder is left behind"


def test_disk_store_refuses_a_folder_of_other_files(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "notes.txt").write_text("mine")
    with pytest.raises(GcmgraphError, match="not a gcmgraph store"):
        OxigraphBackend.build(tmp_path / "store", [])


# --------------------------------------------------------------------------------------------------
# Endpoints: row cap, credentials, errors
# --------------------------------------------------------------------------------------------------


def test_virtuoso_row_cap_is_paged(kg, loaded_servers):
    server = loaded_servers["virtuoso"]
    cap = server.extra["max_rows"]
    assert len(kg.graph) > cap
    backend = connect(server.query_url, graphs=[CURATED_GRAPH])
    frame = backend.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o")
    assert len(frame) == len(kg.graph)
    memory = MemoryBackend(kg.graph).query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    key = ["s", "p", "o"]
    pd.testing.assert_frame_equal(frame.sort_values(key).reset_index(drop=True),
                                  memory.sort_values(key).reset_index(drop=True))
    # ordered by IRIs only: the same order as rdflib, across page boundaries
    ordered = "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    pd.testing.assert_frame_equal(backend.query(ordered), MemoryBackend(kg.graph).query(ordered))
    # Virtuoso cuts a CONSTRUCT silently: with the cap known (learnt above, or configured) gcmgraph
    # refuses the cut graph
    with pytest.raises(EndpointError, match="row cap"):
        backend.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with pytest.raises(EndpointError, match="row cap"):
        EndpointBackend(server.query_url, graphs=[CURATED_GRAPH], max_rows=cap).query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_virtuoso_default_graph_holds_its_system_graphs(kg, loaded_servers):
    """Why gcmgraph sends default-graph-uri to Virtuoso."""
    everything = connect(loaded_servers["virtuoso"].query_url)
    assert everything.triple_count() > len(kg.graph)


def test_virtuoso_digest_credentials(loaded_servers):
    server = loaded_servers["virtuoso"]
    url = server.base + "/sparql-auth"
    backend = connect(url, server.user, server.password, auth="digest", graphs=[TRAPS_GRAPH])
    assert backend.query(PREFIXES + "ASK { ex:y ex:code 'CO' }") is True
    with pytest.raises(EndpointError, match="HTTP 401") as error:
        connect(url, server.user, "wrong", auth="digest")
    assert "credentials" in str(error.value)


def test_virtuoso_digest_credentials_at_the_command_line(loaded_servers):
    server = loaded_servers["virtuoso"]
    url = server.base + "/sparql-auth"

    def gcm(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "GCMGRAPH_PASSWORD"}
        if password is not None:
            env["GCMGRAPH_PASSWORD"] = password
        return subprocess.run([sys.executable, "-m", "gcmgraph.cli", "query", "policies-by-objective",
                               "-p", "objective", "16", "--format", "json", *args],
                              capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)

    local = gcm()
    remote = gcm("--endpoint", url, "--endpoint-graph", CURATED_GRAPH, "--endpoint-user", server.user,
                 "--endpoint-auth", "digest", password=server.password)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert "https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia" in remote.stdout

    without = gcm("--endpoint", url, "--endpoint-graph", CURATED_GRAPH)
    assert without.returncode == 2 and "HTTP 401" in without.stderr
    assert "--endpoint-user USER with the password in GCMGRAPH_PASSWORD" in without.stderr  # the way out
    wrong = gcm("--endpoint", url, "--endpoint-user", server.user, "--endpoint-auth", "digest", password="wrong")
    assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr
    unasked = gcm("--endpoint", url, "--endpoint-user", server.user, "--endpoint-auth", "digest")
    assert unasked.returncode == 2 and "without a password" in unasked.stderr and "GCMGRAPH_PASSWORD" in unasked.stderr
    alone = gcm("--endpoint-user", server.user)
    assert alone.returncode == 2 and "--endpoint-user without --endpoint" in alone.stderr


def test_http_errors_are_clear(loaded_servers):
    base = loaded_servers["oxigraph-server"].base
    with pytest.raises(EndpointError, match="HTTP 404") as error:
        connect(base + "/no-such-path")
    assert base in str(error.value) and "/query" in str(error.value)
    backend = connect(base + "/query")
    with pytest.raises(EndpointError, match="HTTP 400"):
        backend.query("SELECT ?s WHERE { ?s ?p }")


def test_unreachable_endpoint_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    with pytest.raises(EndpointError) as error:
        connect(url, timeout=2)
    message = str(error.value)
    assert url in message and "refused" in message and "Traceback" not in message
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert error.value.exit_code == 2


def test_silent_endpoint_times_out_within_the_read_time_out():
    """A server that accepts the connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        backend = EndpointBackend(url, timeout=(1, 1.5))
        started = time.monotonic()
        with pytest.raises(EndpointError, match="read time-out") as error:
            backend.query("ASK {}")
        elapsed = time.monotonic() - started
        assert 1.4 <= elapsed < 4, elapsed
        assert url in str(error.value)
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_bad_endpoint_urls_are_refused():
    with pytest.raises(GcmgraphError, match="not an http"):
        connect("localhost:8890/sparql")
    with pytest.raises(GcmgraphError, match="unknown backend"):
        open_backend("fuseki")
