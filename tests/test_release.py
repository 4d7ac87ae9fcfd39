"""gcmgraph release: every file parses back to the graph, reruns are byte-identical, the checksums
hold, dcat.ttl passes the official DCAT-AP 3.0.1 shapes, VoID counts match the graph.

One release is built for the whole module (in-process); the command line runs once, as a
subprocess, with the same options, and must give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from gcmgraph import cli
from gcmgraph.graph import KnowledgeGraph
from gcmgraph.metadata import DATASET, SPDX, data_date, validate_dcat
from gcmgraph.namespaces import BASE, EU_AUTHORITY, GRAPH, ID
from gcmgraph.paths import Layout
from gcmgraph.release import write_release

VERSION = "0.1.0-test"
BASE_URL = "https://releases.gcmgraph.test/0.1.0/"
ENDPOINT = "https://releases.gcmgraph.test/sparql"
OPTIONS = ["--version", VERSION, "--base-url", BASE_URL, "--sparql-endpoint", ENDPOINT]

TRIPLE_FILES = {"gcmgraph.ttl": "turtle", "gcmgraph.nt": "nt", "gcmgraph.jsonld": "json-ld",
                "gcmgraph.rdf": "xml"}
QUAD_FILES = {"gcmgraph.trig": "trig", "gcmgraph.nq": "nquads"}
EXPECTED_FILES = {*TRIPLE_FILES, *QUAD_FILES, "context.jsonld", "ontology.ttl", "shapes.ttl",
                  "void.ttl", "dcat.ttl", "README.md", "SHA256SUMS"}


@pytest.fixture(scope="module")
def built(kg, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "gcmgraph-release"
    messages: list[str] = []
    result = write_release(kg, out, version=VERSION, base_url=BASE_URL, sparql_endpoint=ENDPOINT,
                           progress=messages.append)
    return result, messages


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built[0].out


@pytest.fixture(scope="module")
def dcat(out) -> Graph:
    return Graph().parse(out / "dcat.ttl")


@pytest.fixture(scope="module")
def void(out) -> Graph:
    return Graph().parse(out / "void.ttl")


@pytest.fixture(scope="module")
def dumped(out) -> Graph:
    """The release's own N-Triples, read back: what the VoID counts are checked against."""
    return Graph().parse(out / "gcmgraph.nt", format="nt")


def test_release_holds_every_expected_file(out, built):
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    assert set(built[0].sizes) == EXPECTED_FILES
    assert any("dcat.ttl" in m for m in built[1]), "progress names each file on the way"


@pytest.mark.parametrize("name", sorted(TRIPLE_FILES))
def test_every_triple_file_parses_back_to_the_same_graph(kg, out, name):
    back = Graph().parse(out / name, format=TRIPLE_FILES[name])
    assert not any(isinstance(term, BNode) for triple in back for term in triple)
    # no blank nodes on either side: isomorphism is equality of the triple sets
    assert set(back) == set(kg.graph), f"{name}: {len(set(kg.graph) ^ set(back))} triples differ"


@pytest.mark.parametrize("name", sorted(QUAD_FILES))
def test_every_quad_file_keeps_each_named_graph(kg, out, name):
    back = Dataset()
    back.parse(out / name, format=QUAD_FILES[name])
    got = {(s, p, o, g) for s, p, o, g in back.quads((None, None, None, None))}
    want = {(s, p, o, g) for s, p, o, g in kg.dataset.quads((None, None, None, None))}
    assert got == want
    graphs = {g for *_, g in got}
    assert {GRAPH["ontology"], GRAPH["editorial"], GRAPH["alignments"], GRAPH["reference"],
            GRAPH["source/unnm-lac-hitos-07"]} <= graphs


def _shape(triple) -> tuple:
    """A triple with its blank nodes blotted out: what two copies of the shapes share exactly."""
    return tuple("_" if isinstance(term, BNode) else term for term in triple)


def test_ontology_and_shapes_on_their_own(kg, out):
    ontology = Graph().parse(out / "ontology.ttl")
    assert set(ontology) == set(kg.dataset.graph(GRAPH["ontology"]))
    # the shapes nest blank nodes (property shapes): a full isomorphism check takes tens of
    # seconds, so compare the triples with blank nodes blotted out, as multisets
    shapes, want = Graph().parse(out / "shapes.ttl"), kg.shapes()
    assert len(shapes) == len(want)
    assert Counter(map(_shape, shapes)) == Counter(map(_shape, want))


def test_jsonld_uses_the_published_context_with_short_keys(out):
    doc = json.loads((out / "gcmgraph.jsonld").read_text(encoding="utf-8"))
    context = json.loads((out / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == "context.jsonld"
    node = next(n for n in doc["@graph"] if n.get("id") == "objective:16")
    assert node["prefLabel"]["en"] == "Empower migrants and societies to realize full inclusion and social cohesion"
    assert node["inScheme"] == "scheme:gcm-objectives"
    assert context["prefLabel"] == {"@id": "skos:prefLabel", "@container": "@language"}
    assert context["addressesObjective"]["@type"] == "@id"
    # a second, independent JSON-LD processor reads it the same way (context inlined)
    import pyoxigraph as ox

    inlined = json.dumps({"@context": context, "@graph": doc["@graph"]}).encode()
    triples = {(str(t.subject), str(t.predicate), str(t.object))
               for t in ox.parse(inlined, format=ox.RdfFormat.JSON_LD)}
    reference = {(str(t.subject), str(t.predicate), str(t.object))
                 for t in ox.parse((out / "gcmgraph.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    assert triples == reference


def test_checksums_match_every_other_file(out):
    lines = (out / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == EXPECTED_FILES - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def test_cli_release_is_byte_identical_to_the_library_one(cli, out, tmp_path):
    """The same data and options give the same bytes, from another process (other hash seeds)."""
    again = tmp_path / "again"
    result = cli("release", "--out", str(again), *OPTIONS)
    assert result.returncode == 0, result.stderr
    assert "[1/13] gcmgraph.ttl" in result.stderr and "0 violations" in result.stderr
    assert "sha256sum -c SHA256SUMS" in result.stderr
    for path in sorted(out.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs"


def test_default_date_comes_from_the_data(kg, built):
    # the latest calendar date the curated data states: the Primer Conversatorio, 8 August 2023
    assert data_date(kg) == date(2023, 8, 8)
    assert built[0].date == date(2023, 8, 8)


# --- DCAT-AP -----------------------------------------------------------------------------------

def test_dcat_has_no_violation_of_the_official_shapes(built, dcat):
    assert built[0].dcat.violations == []
    report = validate_dcat(dcat)  # again, from the file as written
    assert report.violations == [], report.violations[:3]
    kinds = report.warning_kinds()
    assert kinds, "the warnings left are counted"
    unexplained = [k.key for k in kinds if not k.reason]
    assert not unexplained, f"warning kinds without a reason: {unexplained}"


def test_dcat_shapes_do_catch_a_broken_description(dcat):
    broken = Graph()
    for triple in dcat:
        broken.add(triple)
    broken.remove((DATASET, DCTERMS.title, None))
    broken.remove((DATASET, DCTERMS.description, None))
    report = validate_dcat(broken)
    assert {v.path for v in report.violations} >= {"dct:title", "dct:description"}


def test_readme_lists_files_sizes_and_warning_reasons(built, out):
    readme = (out / "README.md").read_text(encoding="utf-8")
    for name, size in built[0].sizes.items():
        if name not in ("README.md", "SHA256SUMS"):
            assert f"| `{name}` | {size:,} |" in readme
    for kind in built[0].dcat.warning_kinds():
        assert f"| `{kind.key}` | {kind.count} | {kind.reason['en']}" in readme


def test_one_distribution_per_file_with_size_and_checksum(dcat, out):
    distributions = set(dcat.objects(DATASET, DCAT.distribution))
    names = set()
    for dist in distributions:
        url = str(dcat.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE_URL)
        name = url[len(BASE_URL):]
        names.add(name)
        data = (out / name).read_bytes()
        assert dcat.value(dist, DCAT.byteSize) == Literal(len(data), datatype=XSD.nonNegativeInteger)
        checksum = dcat.value(dist, SPDX.checksum)
        assert str(dcat.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert str(dcat.value(dist, DCTERMS.format)).startswith(str(EU_AUTHORITY["file-type/"]))
        assert str(dcat.value(dist, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
        assert dcat.value(dist, DCTERMS.license) == EU_AUTHORITY["licence/CC_BY_4_0"]
        assert {t.language for t in dcat.objects(dist, DCTERMS.title)} == {"es", "en"}
    assert names == EXPECTED_FILES - {"dcat.ttl", "README.md", "SHA256SUMS"}


def test_dcat_coverage_themes_service(kg, dcat):
    assert {t.language for t in dcat.objects(DATASET, DCTERMS.title)} == {"es", "en"}
    assert {t.language for t in dcat.objects(DATASET, DCTERMS.description)} == {"es", "en"}
    spatial = set(dcat.objects(DATASET, DCTERMS.spatial))
    assert EU_AUTHORITY["country/COL"] in spatial and EU_AUTHORITY["country/HND"] in spatial
    assert ID["country/AI"] in spatial, "Anguilla, not a UN member, keeps the graph's IRI"
    assert len(spatial) == len(set(kg.graph.subjects(RDF.type, URIRef("https://schema.org/Country"))))
    period = dcat.value(DATASET, DCTERMS.temporal)
    assert dcat.value(period, DCAT.endDate) == Literal("2023-09", datatype=XSD.gYearMonth)
    themes = set(dcat.objects(DATASET, DCAT.theme))
    assert {ID["objective/16"], EU_AUTHORITY["data-theme/SOCI"]} <= themes
    service = ID["service/gcmgraph-sparql"]
    assert dcat.value(service, DCAT.endpointURL) == URIRef(ENDPOINT)
    assert dcat.value(service, DCAT.servesDataset) == DATASET


# --- VoID, checked against counts made here with SPARQL over the release's own dump ----------

def _count(graph: Graph, query: str) -> int:
    return int(next(iter(graph.query(query)))[0])


def _void(void: Graph, node, prop) -> int:
    return int(void.value(node, prop))


def test_void_totals_match_the_dump(void, dumped):
    assert _void(void, DATASET, VOID.triples) == len(dumped)
    assert _void(void, DATASET, VOID.distinctSubjects) == _count(
        dumped, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    assert _void(void, DATASET, VOID.distinctObjects) == _count(
        dumped, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    assert _void(void, DATASET, VOID.entities) == _count(
        dumped, f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}')
    assert str(void.value(DATASET, VOID.uriSpace)) == BASE
    dumps = {str(u) for u in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {BASE_URL + name for name in [*TRIPLE_FILES, *QUAD_FILES]}


def test_void_class_and_property_partitions_match_the_dump(void, dumped):
    classes = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
               for p in void.objects(DATASET, VOID.classPartition)}
    expected = {row.c: int(row.n) for row in dumped.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    assert classes == expected
    properties = {void.value(p, VOID.property): int(void.value(p, VOID.triples))
                  for p in void.objects(DATASET, VOID.propertyPartition)}
    expected = {row.p: int(row.n) for row in dumped.query(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    assert properties == expected


def test_void_linksets_to_wikidata_and_the_sdgs(void, dumped):
    linksets = {}
    for ls in void.subjects(RDF.type, VOID.Linkset):
        linksets[(str(void.value(ls, VOID.objectsTarget)), void.value(ls, VOID.linkPredicate))] = \
            int(void.value(ls, VOID.triples))
    same_as = _count(dumped, f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT (COUNT(*) AS ?n) WHERE {{ ?s owl:sameAs ?o
          FILTER(STRSTARTS(STR(?s), "{BASE}") && STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")) }}""")
    assert same_as > 0
    assert linksets[("http://www.wikidata.org/", URIRef("http://www.w3.org/2002/07/owl#sameAs"))] == same_as
    sdg_links = {row.p: int(row.n) for row in dumped.query(f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o
          FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{BASE}") && STRSTARTS(STR(?o), "http://metadata.un.org/sdg/"))
          # link assertions name the triple they describe (rdf:object): a description, not a link
          FILTER(?p NOT IN (rdf:subject, rdf:predicate, rdf:object)) }}
        GROUP BY ?p""")}
    assert URIRef("https://w3id.org/gcmgraph/ontology#relatedSDGTarget") in sdg_links
    assert {p: n for (target, p), n in linksets.items() if target == "http://metadata.un.org/sdg"} == sdg_links


def test_void_label_sets_per_language(void, dumped):
    label_sets = {str(void.value(s, DCTERMS.language)): int(void.value(s, VOID.triples))
                  for s in void.objects(DATASET, VOID.subset) if void.value(s, DCTERMS.language)}
    expected = {row.lang: int(row.n) for row in dumped.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?lang (COUNT(*) AS ?n) WHERE {
          { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l }
          BIND(LANG(?l) AS ?lang) FILTER(?lang != "") } GROUP BY ?lang""")}
    assert label_sets == {str(k): v for k, v in expected.items()}
    assert {"es", "en"} <= set(label_sets)


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--date", "2024-02-30"], "--date"),
    (["--date", "30/06/2024"], "YYYY-MM-DD"),
    (["--version", "1.0 final"], "--version"),
    (["--base-url", "ftp://files.gcmgraph.test/"], "--base-url"),
    (["--sparql-endpoint", "not a url"], "--sparql-endpoint"),
])
def test_bad_options_exit_2_with_a_hint(tmp_path, args, words):
    result = CliRunner().invoke(cli.main, ["release", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2
    assert words in result.output and "\n  " in result.output, result.output
    assert not (tmp_path / "r").exists()


def test_out_pointing_at_a_file_is_refused(tmp_path):
    target = tmp_path / "release.ttl"
    target.write_text("not a folder")
    result = CliRunner().invoke(cli.main, ["release", "--out", str(target)])
    assert result.exit_code == 2
    assert f"{target} exists and is not a folder" in result.output
    assert target.read_text() == "not a folder"


def test_a_failed_release_leaves_the_previous_one(kg, tmp_path):
    """Without its curated description the release stops, naming the file; nothing is replaced."""
    home = tmp_path / "tree"
    (home / "data").mkdir(parents=True)
    (home / "ontology").symlink_to(kg.layout.ontology)
    broken = KnowledgeGraph(kg.dataset, kg.files, Layout(home))
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.txt").write_text("the release before")
    from gcmgraph.errors import InputError

    with pytest.raises(InputError, match="data/dataset.ttl") as error:
        write_release(broken, out, version=VERSION, validate=False)
    assert "Restore data/dataset.ttl" in str(error.value)
    assert [p.name for p in out.iterdir()] == ["previous.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")], "no partial folder left"
