"""Per-shape tests for the SHACL shapes in ontology/shapes/.

Every node shape ``gcmsh:{Name}`` has a folder ``tests/shapes/{Name}/`` with

- ``valid.ttl``: a small example that must raise no sh:Violation;
- ``invalid.ttl``: an example that must fail on that shape (a result whose sh:sourceShape is the
  node shape or one of its property shapes), with severity sh:Violation unless the folder holds a
  file ``expected-severity`` that says ``Warning``;
- optionally ``expected-focus``: IRIs, one per line, each of which must be the focus node of such a
  result (so the report names the entity that is wrong).

Each example is validated, without inference, merged with the T-box (ontology/gcmgraph.ttl, so
that sh:class and sh:targetClass follow its subclass axioms) and with what the concept schemes
(ontology/schemes/*.ttl) say about the schemes themselves, about every resource the example
mentions (for example objective 16) and about the gcm:LinkAssertions whose rdf:subject those are
(for example the assertions of objective 16's SDG targets). That is all any shape reads about the example's
entities, so the results for them are those of a merge with the whole schemes; leaving the other
concepts out keeps each validation in tens of milliseconds instead of a second. (pySHACL's
``focus_nodes`` option is not used: it also filters the literal value nodes of nested shapes,
which makes sh:qualifiedValueShape with sh:languageIn pass vacuously.) The whole curated graph is
validated by ``gcmgraph validate``, not here.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, SKOS

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "ontology" / "shapes"
CASES_DIR = Path(__file__).resolve().parent / "shapes"
GCMSH = Namespace("https://w3id.org/gcmgraph/shapes#")

CASE_NAMES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir()) if CASES_DIR.is_dir() else []


def _parse(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    return _parse(sorted(SHAPES_DIR.glob("*.ttl")))


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    return _parse([ROOT / "ontology" / "gcmgraph.ttl"])


@pytest.fixture(scope="session")
def schemes_graph() -> Graph:
    return _parse(sorted((ROOT / "ontology" / "schemes").glob("*.ttl")))


@pytest.fixture(scope="session")
def context_graph(ontology_graph, schemes_graph):
    """The T-box and the concept schemes, parsed once per session."""
    return ontology_graph, schemes_graph


def node_shape_names(shapes: Graph) -> set[str]:
    return {
        str(s)[len(str(GCMSH)) :]
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef) and str(s).startswith(str(GCMSH))
    }


def shape_family(shapes: Graph, node_shape: URIRef) -> set:
    """The node shape and the property shapes it lists with sh:property."""
    return {node_shape, *shapes.objects(node_shape, SH.property)}


def validate(example_path: Path, shapes: Graph, context) -> Graph:
    ontology, schemes = context
    example = _parse([example_path])
    scheme_nodes = set(schemes.subjects(RDF.type, SKOS.ConceptScheme))
    mentioned = {s for s in example.subjects() if isinstance(s, URIRef)}
    mentioned |= {o for p, o in example.predicate_objects() if p != RDF.type and isinstance(o, URIRef)}
    pointing = {s for node in mentioned for s in schemes.subjects(RDF.subject, node)}
    mentioned |= pointing | scheme_nodes
    data = Graph()
    for graph in (ontology, example):
        for triple in graph:
            data.add(triple)
    for node in mentioned:
        for triple in schemes.triples((node, None, None)):
            data.add(triple)
    return run_pyshacl(data, shapes)


def run_pyshacl(data: Graph, shapes: Graph) -> Graph:
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True, inplace=True
    )
    assert isinstance(report, Graph), text
    return report


def results(report: Graph):
    for result in report.subjects(RDF.type, SH.ValidationResult):
        yield {
            "focus": report.value(result, SH.focusNode),
            "shape": report.value(result, SH.sourceShape),
            "severity": report.value(result, SH.resultSeverity),
            "path": report.value(result, SH.resultPath),
            "value": report.value(result, SH.value),
            "message": next(
                (m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal) and m.language == "en"),
                report.value(result, SH.resultMessage),
            ),
        }


def describe(rows) -> str:
    def name(node):
        if isinstance(node, BNode):
            return "[property shape]"
        return str(node).replace(str(GCMSH), "gcmsh:")

    return "\n".join(
        f"  {name(r['severity']).split('#')[-1]} {r['focus']} {name(r['shape'])} path={r['path']} "
        f"value={r['value']}: {r['message']}"
        for r in rows
    )


def test_every_shape_has_a_test_folder(shapes_graph):
    names = node_shape_names(shapes_graph)
    assert names, "no node shapes found in ontology/shapes/"
    missing = sorted(names - set(CASE_NAMES))
    assert not missing, f"node shapes without a tests/shapes/<Name>/ folder: {missing}"
    orphans = sorted(set(CASE_NAMES) - names)
    assert not orphans, f"test folders without a node shape gcmsh:<Name>: {orphans}"


def test_every_shape_has_bilingual_messages_and_a_severity(shapes_graph):
    """Every shape that reports says why in Spanish and English, with a deliberate severity.

    Shapes nested in sh:or, sh:xone, sh:not or sh:node never report on their own (the enclosing
    shape does), so only named shapes and the property shapes of named node shapes are checked.
    """
    problems = []
    for shape in set(shapes_graph.subjects(SH.message, None)):
        langs = {m.language for m in shapes_graph.objects(shape, SH.message)}
        if not {"es", "en"} <= langs:
            problems.append(f"{shape}: sh:message languages {sorted(map(str, langs))}")
        if shapes_graph.value(shape, SH.severity) is None:
            problems.append(f"{shape}: no sh:severity")
    for shape in set(shapes_graph.subjects(SH.property, None)):
        if not isinstance(shape, URIRef):
            continue
        for prop in shapes_graph.objects(shape, SH.property):
            if shapes_graph.value(prop, SH.message) is None:
                problems.append(f"{shape}: a property shape without sh:message (path {shapes_graph.value(prop, SH.path)})")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_valid_example_conforms(name, shapes_graph, context_graph):
    report = validate(CASES_DIR / name / "valid.ttl", shapes_graph, context_graph)
    violations = [r for r in results(report) if r["severity"] == SH.Violation]
    assert not violations, f"valid.ttl of {name} raised violations:\n{describe(violations)}"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_invalid_example_fails_on_its_shape(name, shapes_graph, context_graph):
    folder = CASES_DIR / name
    severity_file = folder / "expected-severity"
    expected = SH[severity_file.read_text().strip()] if severity_file.exists() else SH.Violation
    family = shape_family(shapes_graph, GCMSH[name])
    report = validate(folder / "invalid.ttl", shapes_graph, context_graph)
    all_rows = list(results(report))
    own = [r for r in all_rows if r["shape"] in family and r["severity"] == expected]
    assert own, (
        f"invalid.ttl of {name} produced no {expected.split('#')[-1]} from gcmsh:{name} or its property shapes; "
        f"results were:\n{describe(all_rows)}"
    )
    focus_file = folder / "expected-focus"
    if focus_file.exists():
        wanted = {URIRef(line.strip()) for line in focus_file.read_text().splitlines() if line.strip()}
        named = {r["focus"] for r in own}
        assert wanted <= named, f"no result of gcmsh:{name} names {sorted(wanted - named)}:\n{describe(own)}"
