"""The whole-graph commands on every backend: stats, export, network, plot network, validate.

The same graph (the curated files plus a small synthetic N-Quads file, or the curated graph
published to a real Oxigraph server) must give the same stats, the same files and the same network
whether rdflib holds it, a pyoxigraph store holds it (the N-Quads file then never enters rdflib),
or a SPARQL endpoint does. Library calls in-process; each command once through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import gcmgraph
from gcmgraph.backends import EndpointBackend, connect, serialize_for_store
from gcmgraph.export import FORMATS, serialize as serialize_memory
from gcmgraph.held import held, serialize, stats
from gcmgraph.namespaces import GRAPH
from gcmgraph.network import to_networkx
from gcmgraph.synth import write_synthetic

HERE = Path(__file__).resolve().parent
BAD_OBJECTIVE = HERE / "bad-input" / "objective-24.ttl"
SEED = 11


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """Test data: a small synthetic graph (only its own units), one named graph per synthetic source."""
    path = tmp_path_factory.mktemp("held") / "synth.nq"
    write_synthetic(path, 3_000, SEED, base=False, manifest=False)
    return path


@pytest.fixture(scope="module")
def in_memory(synthetic):
    return gcmgraph.load([synthetic])


@pytest.fixture(scope="module")
def in_store(synthetic):
    kg = gcmgraph.load([synthetic], backend="oxigraph")
    # the synthetic file went to the store only: rdflib holds the curated files alone
    assert len(kg.graph) < len(gcmgraph.load().graph) + 100
    return kg


def _publish(server, dataset: Dataset) -> None:
    for graph in dataset.graphs():
        if len(graph) and not str(graph.identifier).startswith("urn:x-rdflib"):
            server.put_graph(str(graph.identifier), serialize_for_store(graph), "application/n-triples")


@pytest.fixture(scope="module")
def endpoint(kg, oxigraph_servers) -> gcmgraph.KnowledgeGraph:
    """The curated graph published to an Oxigraph server, one named graph per source, as a
    portal would hold it; read through the server's union default graph."""
    server = oxigraph_servers(union_default_graph=True)
    _publish(server, kg.dataset)
    return gcmgraph.connect(server.query_url)


@pytest.fixture(scope="module")
def defective_endpoint(kg, oxigraph_servers):
    """Test data: the curated graph plus one bad-input file (a link to a 24th objective)."""
    server = oxigraph_servers(union_default_graph=True)
    _publish(server, kg.dataset)
    server.put_graph(str(GRAPH["test/bad"]), BAD_OBJECTIVE.read_bytes())
    return server


# --------------------------------------------------------------------------------------------------
# stats
# --------------------------------------------------------------------------------------------------


def test_stats_of_a_store_are_rdflibs(in_memory, in_store):
    expected = in_memory.stats()
    got = stats(in_store)
    assert got == expected
    # the synthetic file's own graphs are counted, although rdflib never read it
    synth_graphs = {g: n for g, n in got.triples_per_graph.items() if g.startswith(f"source/synth-{SEED}-")}
    assert len(synth_graphs) >= 2 and sum(synth_graphs.values()) >= 3_000
    assert got.triples == expected.triples > len(gcmgraph.load()) + 3_000


def test_stats_of_an_endpoint_are_rdflibs(kg, endpoint):
    got = stats(endpoint)
    assert got == kg.stats()
    assert got.triples_per_graph["ontology"] == len(kg.dataset.graph(GRAPH["ontology"]))
    assert got.entities_per_class["schema:Country"] == 52


def test_stats_of_an_endpoint_given_graphs_reads_their_merge(kg, endpoint):
    merged = connect(endpoint._backend.url, graphs=[str(GRAPH["ontology"]), str(GRAPH["reference"])])
    endpoint_kg = gcmgraph.load()
    endpoint_kg._backend = merged
    got = stats(endpoint_kg)
    union = {t for name in ("ontology", "reference") for t in kg.dataset.graph(GRAPH[name])}
    assert got.triples == len(union)
    assert got.triples_per_graph == {endpoint._backend.url: len(union)}


# --------------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------------


def test_n_triples_from_the_store_are_byte_for_byte_rdflibs(in_memory, in_store):
    data, triples = serialize(in_store, FORMATS["nt"])
    assert data == serialize_memory(in_memory, FORMATS["nt"])
    assert triples == len(in_memory)


def test_n_quads_from_the_store_keep_every_named_graph(in_memory, in_store):
    data, _ = serialize(in_store, FORMATS["nquads"])
    got = Dataset()
    got.parse(data=data, format="nquads")
    names = {g.identifier for g in in_memory.dataset.graphs() if len(g)}
    assert {g.identifier for g in got.graphs() if len(g)} == names
    assert URIRef(f"{GRAPH}source/synth-{SEED}-0") in names
    for name in names:
        assert set(got.graph(name)) == set(in_memory.dataset.graph(name)), name


def test_turtle_from_an_endpoint_is_the_curated_graph(kg, endpoint):
    data, triples = serialize(endpoint, FORMATS["turtle"])
    assert triples == len(kg)
    assert isomorphic(Graph().parse(data=data, format="turtle"), kg.graph)


def test_trig_from_an_endpoint_keeps_the_sources_apart(kg, endpoint):
    data, _ = serialize(endpoint, FORMATS["trig"])
    got = Dataset()
    got.parse(data=data, format="trig")
    name = GRAPH["source/unnm-lac-hitos-07"]
    assert len(got.graph(name)) == len(kg.dataset.graph(name)) > 0


# --------------------------------------------------------------------------------------------------
# network
# --------------------------------------------------------------------------------------------------


def test_network_of_the_store_is_rdflibs(in_memory, in_store):
    expected = to_networkx(in_memory, "en")
    got = to_networkx(held(in_store), "en")
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(got.edges(keys=False, data="property")) == sorted(expected.edges(keys=False, data="property"))
    synthetic_actors = [n for n, a in got.nodes(data=True) if "/synth-" in n and a["category"] == "actor"]
    assert synthetic_actors


def test_network_of_an_endpoint_is_the_curated_one(kg, endpoint):
    expected = kg.to_networkx("es")
    got = to_networkx(held(endpoint), "es")
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert got.number_of_edges() == expected.number_of_edges()


def test_held_reads_an_endpoint_once_and_keeps_its_backend(endpoint):
    copy = held(endpoint)
    assert isinstance(copy._backend, EndpointBackend)
    assert copy.files_of.get(URIRef("https://w3id.org/gcmgraph/id/objective/1")) == [endpoint._backend.url]


# --------------------------------------------------------------------------------------------------
# The command line (once per command)
# --------------------------------------------------------------------------------------------------


def test_cli_stats_with_a_store_counts_the_large_file(cli, synthetic, in_memory, tmp_path):
    store = tmp_path / "store"
    done = cli("stats", "--format", "json", "--backend", "oxigraph", "--store", str(store), str(synthetic))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(in_memory.stats().__dict__))
    assert (store / "gcmgraph-store.json").is_file()


def test_cli_export_and_validate_from_an_endpoint(cli, kg, defective_endpoint, tmp_path):
    url = defective_endpoint.query_url
    out = tmp_path / "copy.nt"
    done = cli("export", "--endpoint", url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    expected = kg.graph + Graph().parse(BAD_OBJECTIVE)  # the curated graph and the bad file
    assert f"wrote {len(expected):,} triples" in done.stderr
    assert isomorphic(Graph().parse(out), expected)

    done = cli("validate", "--endpoint", url, "--no-warnings", "--format", "json")
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["results"]
    bad = [r for r in found if r["focus"] == "https://w3id.org/gcmgraph/id/policy/co-test-programa"]
    assert bad and all(r["files"] == [url] for r in bad)
    assert {r["value"] for r in bad} >= {"https://w3id.org/gcmgraph/id/objective/24"}


def test_cli_network_and_plot_from_a_store(cli, synthetic, tmp_path):
    done = cli("network", "--backend", "oxigraph", "--projection", "actor-objective",
               "--out", str(tmp_path / "n.graphml"), str(synthetic))
    assert done.returncode == 0, done.stderr
    assert "synth-" in (tmp_path / "n.graphml").read_text(encoding="utf-8")
    done = cli("plot", "network", "--backend", "oxigraph", "--out", str(tmp_path / "n.png"), str(synthetic))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_refuses_files_with_an_endpoint(cli, endpoint, synthetic, tmp_path):
    for command in (["stats"], ["export", "--out", str(tmp_path / "x.nt")],
                    ["network", "--out", str(tmp_path / "x.graphml")]):
        done = cli(*command, "--endpoint", endpoint._backend.url, str(synthetic))
        assert done.returncode == 2, command
        assert "files and --endpoint together" in done.stderr, command
        assert "--endpoint" in done.stderr.splitlines()[-1], command  # the way out
    assert not list(tmp_path.iterdir())
