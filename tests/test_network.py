"""Network analysis: the graph as networkx, its projections, centrality, explained paths, and the
GraphML/GEXF files ``gcmgraph network`` writes."""

from __future__ import annotations

import networkx as nx
import pytest

import gcmgraph
from gcmgraph import network
from gcmgraph.errors import InputError

ID = "https://w3id.org/gcmgraph/id/"
TAPACHULA = ID + "org/mx-ayuntamiento-tapachula"
SOMOS_FAMILIA = ID + "policy/mx-tapachula-somos-familia"
SOCIOECONOMIC = ID + "theme/integracion-socioeconomica"
OBJECTIVE_16 = str(gcmgraph.objective(16))
PLAIN = (str, int, float, bool)


@pytest.fixture(scope="module")
def G(kg) -> nx.MultiDiGraph:
    return kg.to_networkx(lang="es")


@pytest.fixture(scope="module")
def G_en(kg) -> nx.MultiDiGraph:
    return kg.to_networkx(lang="en")


@pytest.fixture(scope="module")
def projections(G):
    return {"full": G, "actor-objective": network.actor_objective(G), "actor-actor": network.actor_actor(G)}


# --------------------------------------------------------------------------------------------------
# The full graph
# --------------------------------------------------------------------------------------------------


def test_nodes_carry_label_type_iri(G):
    for node, data in G.nodes(data=True):
        assert data["iri"] == node
        assert data["label"], node
        assert data["type"], node
        assert data["category"], node


def test_tapachula_in_both_languages(G, G_en):
    assert G.nodes[TAPACHULA]["label"] == "Ayuntamiento de Tapachula"
    assert G.nodes[TAPACHULA]["type"] == "Autoridad local"
    assert G.nodes[TAPACHULA]["category"] == "actor"
    assert G_en.nodes[TAPACHULA]["label"] == "Tapachula City Council"
    assert G_en.nodes[TAPACHULA]["type"] == "Local authority"
    assert G.nodes[SOMOS_FAMILIA]["type"] == "Programa"
    assert G.nodes[SOMOS_FAMILIA]["category"] == "policy"
    assert G.nodes[OBJECTIVE_16]["category"] == "objective"
    assert G.nodes[OBJECTIVE_16]["notation"] == "16"


def test_all_attributes_are_plain_values(projections):
    for name, graph in projections.items():
        for node, data in graph.nodes(data=True):
            assert isinstance(node, str)
            for key, value in data.items():
                assert isinstance(value, PLAIN), (name, node, key, value)
        for *_, data in graph.edges(data=True):
            for key, value in data.items():
                assert isinstance(value, PLAIN), (name, key, value)


def test_edges_carry_relation_and_property(G):
    relations = {(s, o): d for s, o, d in G.edges(data=True)}
    implemented = relations[(SOMOS_FAMILIA, TAPACHULA)]
    assert implemented["relation"] == "implementado por"
    assert implemented["property"] == str(gcmgraph.GCM.implementedBy)
    for *_, data in G.edges(data=True):
        assert data["relation"] and data["property"].startswith("http")


def test_objective_links_carry_their_basis(G):
    stated = G.get_edge_data(SOCIOECONOMIC, OBJECTIVE_16)[str(gcmgraph.GCM.addressesObjective)]
    assert stated["basis"] == "stated"
    assert stated["assertion"] == ID + "link/theme-integracion-socioeconomica--objective-16"
    editorial = G.get_edge_data(SOMOS_FAMILIA, str(gcmgraph.objective(15)))
    assert editorial[str(gcmgraph.GCM.addressesObjective)]["basis"] == "editorial"
    for *_, data in G.edges(data=True):
        if data["property"] == str(gcmgraph.GCM.addressesObjective):
            assert data["basis"] in ("stated", "editorial")


def test_bookkeeping_nodes_are_left_out(G):
    """Link assertions, sources, schemes, curators and classifying concepts are not nodes."""
    for node in G:
        assert not node.startswith((ID + "link/", ID + "source/", ID + "scheme/", ID + "agent/"))
        assert not node.startswith((ID + "governance-level/", ID + "instrument-type/"))
    assert G.nodes[SOMOS_FAMILIA]["sources"] == "unnm-lac-hitos-07"
    assert G.nodes[SOMOS_FAMILIA]["instrument_type"] == "Programa"
    assert any(n.startswith("http://metadata.un.org/sdg/") for n in G)


def test_unknown_language(kg):
    with pytest.raises(InputError, match="es or en"):
        kg.to_networkx(lang="fr")


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", network.PROJECTIONS)
@pytest.mark.parametrize("fmt", network.FORMATS)
def test_graphml_and_gexf_round_trip(projections, tmp_path, name, fmt):
    graph = projections[name]
    path = network.write(graph, tmp_path / f"{name}.{fmt}")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert set(back.nodes) == set(graph.nodes)
    node = TAPACHULA if TAPACHULA in graph else next(iter(graph))
    assert back.nodes[node]["label"] == graph.nodes[node]["label"]
    assert back.nodes[node]["type"] == graph.nodes[node]["type"]


def test_unknown_suffix(G, tmp_path):
    with pytest.raises(InputError, match="--format"):
        network.write(G, tmp_path / "graph.txt")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------------------------------


def test_actor_objective_has_tapachula_objective_16(projections):
    P = projections["actor-objective"]
    assert P.has_edge(TAPACHULA, OBJECTIVE_16)
    edge = P[TAPACHULA][OBJECTIVE_16]
    # through the programme and the working table it is linked to, both on the stated theme
    assert edge["weight"] == 2
    assert set(edge["item_iris"].split()) == {SOMOS_FAMILIA, ID + "org/mx-tapachula-mesa-intersectorial"}
    assert "Programa «Somos Familia»" in edge["items"]
    assert (edge["actor"], edge["objective"]) == (TAPACHULA, OBJECTIVE_16)
    assert edge["via"] == "theme" and edge["basis"] == "stated"
    editorial = P[TAPACHULA][str(gcmgraph.objective(15))]
    assert (editorial["via"], editorial["basis"]) == ("direct", "editorial")
    assert P.nodes[TAPACHULA]["bipartite"] == 0 and P.nodes[OBJECTIVE_16]["bipartite"] == 1
    assert nx.is_bipartite(P)
    for node, data in P.nodes(data=True):
        assert data["category"] == ("actor" if data["bipartite"] == 0 else "objective")


def test_actor_objective_leaves_out_unlinked_policies(projections):
    """The internal-displacement law addresses no objective, so the CIPPDV that drafted it is absent."""
    assert ID + "org/hn-cippdv" not in projections["actor-objective"]


def test_actor_actor(projections):
    P = projections["actor-actor"]
    assert P.has_edge(TAPACHULA, ID + "org/mx-tapachula-mesa-intersectorial")
    edge = P[TAPACHULA][ID + "org/mx-tapachula-mesa-intersectorial"]
    assert edge["weight"] == 1 and edge["item_iris"] == SOMOS_FAMILIA
    congress = ID + "org/hn-congreso-nacional"
    assert P.has_edge(congress, ID + "org/hn-cippdv")
    assert P.has_edge(congress, ID + "org/hn-dgphm")
    assert all(d["category"] == "actor" for _, d in P.nodes(data=True))


# --------------------------------------------------------------------------------------------------
# Centrality and paths
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["degree", "betweenness", "pagerank"])
def test_centrality_ranks_real_entities(G, kind):
    top = network.centrality(G, kind=kind, top=10)
    assert list(top.columns) == ["label", "type", "category", "score", "iri"]
    assert list(top.index) == list(range(1, 11))
    assert top["score"].is_monotonic_decreasing
    for iri, label in zip(top["iri"], top["label"]):
        assert iri in G and label == G.nodes[iri]["label"]


def test_centrality_of_projection(projections):
    top = network.centrality(projections["actor-objective"], kind="pagerank", top=3)
    assert top.iloc[0]["iri"] == TAPACHULA


def test_unknown_centrality(G):
    with pytest.raises(InputError, match="degree, betweenness, pagerank"):
        network.centrality(G, kind="closeness")


def test_explain_path_tapachula_to_objective_16(kg):
    path = network.explain_path(kg, TAPACHULA, gcmgraph.objective(16), lang="es")
    assert [str(hop) for hop in path] == [
        "Programa «Somos Familia» —implementado por→ Ayuntamiento de Tapachula",
        "Programa «Somos Familia» —tema→ Integración socioeconómica de las personas migrantes",
        "Integración socioeconómica de las personas migrantes —aborda el objetivo→ "
        "Objetivo del PMM 16: Inclusión y cohesión social",
    ]
    assert [hop.forward for hop in path] == [False, True, True]
    assert path[-1].basis == "stated"
    assert path.labels[0] == "Ayuntamiento de Tapachula"
    assert str(path).startswith("Ayuntamiento de Tapachula ←implementado por— Programa «Somos Familia» —tema→")


def test_explain_path_by_label_in_english(G_en):
    path = network.explain_path(G_en, "tapachula city council", "GCM objective 16: Inclusion and social cohesion")
    assert path[0].relation == "implemented by"
    assert path.labels[-1] == "GCM objective 16: Inclusion and social cohesion"


def test_explain_path_to_itself(G):
    assert network.explain_path(G, TAPACHULA, TAPACHULA) == []


def test_unknown_entity_says_how_to_find_iris(kg):
    with pytest.raises(InputError) as caught:
        network.explain_path(kg, "Ayuntamiento de Atlantis", gcmgraph.objective(16))
    message = str(caught.value)
    assert "unknown entity 'Ayuntamiento de Atlantis'" in message
    assert "gcmgraph query search -p text" in message


def test_no_path(G):
    lonely = str(gcmgraph.objective(10))  # no policy serves objective 10 yet
    assert G.degree(lonely) == 0
    with pytest.raises(network.NoPathError):
        network.explain_path(G, TAPACHULA, lonely)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("projection", network.PROJECTIONS)
def test_cli_network_writes_files_that_load_back(cli, tmp_path, projection, projections):
    graphml, gexf = tmp_path / "graph.graphml", tmp_path / "graph.gexf"
    first = cli("network", "--out", str(graphml), "--projection", projection)
    second = cli("network", "--format", "gexf", "--out", str(gexf), "--projection", projection, "--lang", "en")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == "" and "wrote" in first.stderr
    expected = projections[projection]
    for graph in (nx.read_graphml(graphml), nx.read_gexf(gexf)):
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (
            expected.number_of_nodes(), expected.number_of_edges())
    if projection != "actor-actor" or TAPACHULA in expected:
        assert nx.read_gexf(gexf).nodes[TAPACHULA]["label"] == "Tapachula City Council"


def test_cli_network_bad_input(cli, tmp_path):
    result = cli("network", "--out", str(tmp_path / "graph.csv"))
    assert result.returncode == 2
    assert "--format" in result.stderr
    assert not list(tmp_path.iterdir())
    result = cli("network", "--out", str(tmp_path / "g.graphml"), "--projection", "country-country")
    assert result.returncode == 2
