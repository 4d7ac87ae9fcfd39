"""The synthetic graph generator: deterministic, about the size asked, conforming to the shapes,
with seeded defects that validation finds exactly."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, URIRef

import gcmgraph
from gcmgraph.scale_validation import validate_fast
from gcmgraph.synth import DEFECT_KINDS, synthesize, write_synthetic
from gcmgraph.validation import validate_graph

ID = "https://w3id.org/gcmgraph/id/"


@pytest.fixture(scope="module")
def shapes():
    return gcmgraph.load().shapes()


@pytest.mark.parametrize("suffix", [".nq", ".nt", ".ttl"])
def test_same_size_and_seed_give_the_same_bytes(tmp_path, suffix):
    a = write_synthetic(tmp_path / f"a{suffix}", 3_000, seed=7, defects=0.05)
    b = write_synthetic(tmp_path / f"b{suffix}", 3_000, seed=7, defects=0.05)
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
    assert a.defects == b.defects
    c = write_synthetic(tmp_path / f"c{suffix}", 3_000, seed=8)
    assert (tmp_path / f"c{suffix}").read_bytes() != (tmp_path / f"a{suffix}").read_bytes()


def test_every_format_parses_to_the_same_graph(tmp_path):
    triples = {}
    for suffix, fmt in ((".nq", "nquads"), (".nt", "nt"), (".ttl", "turtle")):
        summary = write_synthetic(tmp_path / f"g{suffix}", 4_000, seed=3)
        if fmt == "nquads":
            ds = Dataset()
            ds.parse(tmp_path / f"g{suffix}", format=fmt)
            graph = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                graph.add((s, p, o))
            assert len(set(ds.graphs())) - 1 >= summary.graphs  # + rdflib's default graph
        else:
            graph = Graph().parse(tmp_path / f"g{suffix}", format=fmt)
        triples[fmt] = set(graph)
    assert triples["nquads"] == triples["nt"] == triples["turtle"]


@pytest.mark.parametrize("size", [10_000, 50_000])
def test_about_the_size_asked(tmp_path, size):
    summary = write_synthetic(tmp_path / "g.nq", size, seed=1, manifest=False)
    assert size <= summary.triples <= size * 1.05 + 600
    assert sum(1 for _ in (tmp_path / "g.nq").open(encoding="utf-8")) == summary.triples


def test_a_smaller_graph_is_a_prefix_of_a_larger_one(tmp_path):
    write_synthetic(tmp_path / "s.nt", 4_000, seed=2, manifest=False)
    write_synthetic(tmp_path / "l.nt", 9_000, seed=2, manifest=False)
    assert (tmp_path / "l.nt").read_bytes().startswith((tmp_path / "s.nt").read_bytes())


def test_synthetic_iris_are_marked_and_labels_bilingual():
    syn = synthesize(4_000, seed=4)
    graphs = {str(g.identifier) for g in syn.dataset.graphs()}
    synthetic_graphs = {g for g in graphs if "/graph/source/synth-" in g}
    assert synthetic_graphs
    base_graphs = {"https://w3id.org/gcmgraph/graph/ontology", "https://w3id.org/gcmgraph/graph/reference"}
    for g in synthetic_graphs:
        graph = syn.dataset.graph(URIRef(g))
        for s in set(graph.subjects()):
            assert str(s).startswith(ID) and str(s).rsplit("/", 1)[1].startswith("synth-"), s
            langs = {o.language for o in graph.objects(s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
            assert "es" in langs and any(lang.startswith("en") for lang in langs), s
    assert base_graphs <= graphs
    classes = {str(o).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for o in syn.dataset.objects(
        None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}
    for cls in ("NationalGovernment", "GovernmentAgency", "LocalAuthority", "CivilSocietyOrganization",
                "MigrantOrganization", "CoordinationBody", "DialogueMechanism", "LegalInstrument",
                "PublicPolicy", "Programme", "GuidanceDocument", "LinkAssertion", "Dialogue", "Forum",
                "ParticipationFigure", "ParticipantGroup", "Breakdown", "Commitment", "Outcome",
                "Recommendation", "LessonLearned", "SourceDocument", "AdministrativeArea", "Membership"):
        assert cls in classes, cls


def _union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def test_conforms_to_the_shapes_with_plain_pyshacl(shapes):
    syn = synthesize(5_000, seed=11)
    report = validate_graph(_union(syn.dataset), shapes)
    assert report.results == [], "\n".join(r.format("en") for r in report.results[:10])


def test_seeded_defects_are_found_exactly(shapes):
    syn = synthesize(40_000, seed=5, defects=0.08)
    kinds = {d.kind for d in syn.defects}
    assert kinds == set(DEFECT_KINDS), set(DEFECT_KINDS) - kinds
    report = validate_fast(syn.dataset, shapes)
    found = {str(r.focus) for r in report.results}
    expected = {f for d in syn.defects for f in d.focus}
    assert found == expected
    # and each defective entity is reported by the kind of check its defect is about
    by_focus: dict[str, set[str]] = {}
    for r in report.results:
        by_focus.setdefault(str(r.focus), set()).add(str(r.constraint).rsplit("#", 1)[1])
    expected_component = {
        "no-spanish-label": "QualifiedMinCountConstraintComponent",
        "second-spanish-label": "UniqueLangConstraintComponent",
        "missing-source": "MinCountConstraintComponent",
        "wrong-class": "OrConstraintComponent",
        "link-without-assertion": "SPARQLConstraintComponent",
        "editorial-without-comment": "XoneConstraintComponent",
        "count-as-text": "DatatypeConstraintComponent",
        "end-before-start": "LessThanOrEqualsConstraintComponent",
        "authority-in-country": "ClassConstraintComponent",
        "bad-iso-code": "PatternConstraintComponent",
        "objective-24": "NodeConstraintComponent",
    }
    for d in syn.defects:
        if d.kind in expected_component:
            assert expected_component[d.kind] in by_focus[d.focus[0]], d


def test_manifest_lists_the_defects(tmp_path):
    summary = write_synthetic(tmp_path / "g.nq", 6_000, seed=9, defects=0.05)
    manifest = json.loads((tmp_path / "g.nq.manifest.json").read_text(encoding="utf-8"))
    assert manifest["triples"] == summary.triples
    assert [d["entity"] for d in manifest["defects"]] == [d.entity for d in summary.defects]
    assert not list(tmp_path.glob("*.tmp"))


# The command line: synth, then validate the file with the shipped graph on every engine


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory):
    from conftest import run_cli

    out = tmp_path_factory.mktemp("synth") / "s.nq"
    done = run_cli("synth", "--triples", "5000", "--seed", "3", "--defects", "0.02", "--no-base",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "seeded defects" in done.stderr
    return out, json.loads(out.with_name("s.nq.manifest.json").read_text())


def _violations(stdout: str) -> list[str]:
    # file and entity (the label shown after them is the graph's choice among duplicates)
    return sorted(line.split(": ", 1)[1].split(" «")[0] for line in stdout.splitlines()
                  if line.startswith("Violation: "))


def test_cli_synth_then_validate_finds_the_seeded_defects_on_every_engine(synthetic_file, cli):
    out, manifest = synthetic_file
    assert manifest["defects"], "the seeded defects are listed"
    runs = {
        "pyshacl": cli("validate", str(out), "--no-warnings"),
        "fast": cli("validate", str(out), "--no-warnings", "--engine", "fast"),
        "oxigraph": cli("validate", str(out), "--no-warnings", "--backend", "oxigraph"),
        # the file is only in the store there: pySHACL must be given the store's content
        "oxigraph-pyshacl": cli("validate", str(out), "--no-warnings", "--backend", "oxigraph",
                                "--engine", "pyshacl"),
    }
    for name, done in runs.items():
        assert done.returncode == 1, (name, done.stderr)
    found = {name: _violations(done.stdout) for name, done in runs.items()}
    assert found["fast"] == found["pyshacl"] == found["oxigraph"] == found["oxigraph-pyshacl"]
    # every violation names the file the entity came from, and every seeded entity is among them
    assert all(v.startswith(f"{out}: <") for v in found["pyshacl"])
    focus = {v.split("<", 1)[1].split(">", 1)[0] for v in found["pyshacl"]}
    assert {f for d in manifest["defects"] for f in d["focus"]} <= focus
    tails = {done.stdout.strip().splitlines()[-1] for done in runs.values()}
    assert len(tails) == 1, tails  # same triple count and summary on every engine


def test_cli_synth_refuses_an_unknown_format(cli, tmp_path):
    done = cli("synth", "--triples", "10", "--out", str(tmp_path / "x.csv"))
    assert done.returncode == 2
    assert "x.csv" in done.stderr and ".nq" in done.stderr
    assert not list(tmp_path.iterdir())
