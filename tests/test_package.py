"""The package and its ontology agree: closed namespace, labels and definitions in both languages."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

import gcmgraph
from gcmgraph.namespaces import GCM


@pytest.fixture(scope="module")
def ontology(repo) -> Graph:
    return Graph().parse(repo.ontology / "gcmgraph.ttl")


def minted_terms(ontology: Graph) -> set[str]:
    ns = str(GCM._NS)
    return {str(s)[len(ns):] for s in ontology.subjects() if str(s).startswith(ns)}


def test_closed_namespace_lists_exactly_the_ontology_terms(ontology):
    declared = set(GCM.__annotations__)
    assert declared == minted_terms(ontology), (
        "src/gcmgraph/namespaces.py:GCM and ontology/gcmgraph.ttl disagree; "
        f"only in code: {sorted(declared - minted_terms(ontology))}, "
        f"only in ontology: {sorted(minted_terms(ontology) - declared)}")


def test_misspelled_term_raises():
    with pytest.raises(AttributeError):
        GCM.implementedby  # noqa: B018


def test_every_minted_term_has_label_and_definition_in_es_and_en(ontology):
    missing = []
    for name in sorted(minted_terms(ontology)):
        term = GCM[name]
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop) if isinstance(o, Literal)}
            for lang in ("es", "en"):
                if lang not in langs:
                    missing.append(f"gcm:{name} {ontology.qname(prop)}@{lang}")
    assert not missing, "missing: " + ", ".join(missing)


def test_public_api_is_small_and_documented():
    for name in gcmgraph.__all__:
        assert getattr(gcmgraph, name).__doc__, f"gcmgraph.{name} has no docstring"
    assert gcmgraph.objective(16).endswith("/id/objective/16")
    with pytest.raises(ValueError, match="1 to 23"):
        gcmgraph.objective(24)
