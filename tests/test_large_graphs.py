"""Large graphs on an on-disk Oxigraph store: the store remembers the large files it was built from.

The workflow of the README's "Large graphs" section: ``gcmgraph validate --backend oxigraph --store S
big.nq`` builds the store with a large file, then commands that name no file (``gcmgraph query NAME
--store S``, ``gcmgraph serve --store S``) reopen it with that file instead of rebuilding it from the
curated files alone. The large file here is a small synthetic one (test data, written by
:mod:`gcmgraph.synth` into a temporary folder).
"""

from __future__ import annotations

import pytest

import gcmgraph
from gcmgraph.backends import recorded_files
from gcmgraph.synth import write_synthetic

#: a synthetic national government (gcmgraph.synth names one per country and seed)
SYNTHETIC_AR = "https://w3id.org/gcmgraph/id/org/synth-ar-gobierno-nacional-{seed}"


@pytest.fixture(scope="module")
def curated_triples(kg) -> int:
    return len(kg.graph)


def actors_of_ar(kg) -> set[str]:
    return set(kg.query("actors-by-country", country="AR")["actor"])


def test_store_reopens_with_the_large_file_it_was_built_from(tmp_path, curated_triples):
    big = tmp_path / "big.nq"
    write_synthetic(big, 3_000, seed=5, base=False, manifest=False)
    store = tmp_path / "store"

    first = gcmgraph.load([big], backend="oxigraph", store=store)
    assert first.backend.loaded, "built on first use"
    with_big = first.backend.triple_count()
    assert with_big > curated_triples + 2_000
    assert SYNTHETIC_AR.format(seed=5) in actors_of_ar(first)
    first.backend.close()
    assert big.resolve() in {p for p, _ in recorded_files(store)}

    # no file named: the store is opened as it is, with the large file's triples
    again = gcmgraph.load(backend="oxigraph", store=store)
    assert not again.backend.loaded, "reopened, not rebuilt"
    assert again.backend.triple_count() == with_big
    assert SYNTHETIC_AR.format(seed=5) in actors_of_ar(again)
    assert [f.path for f in again.files if f.bulk] == [big]
    again.backend.close()

    # the large file changed: rebuilt with its new content
    write_synthetic(big, 3_000, seed=6, base=False, manifest=False)
    changed = gcmgraph.load(backend="oxigraph", store=store)
    assert changed.backend.loaded
    actors = actors_of_ar(changed)
    assert SYNTHETIC_AR.format(seed=6) in actors and SYNTHETIC_AR.format(seed=5) not in actors
    changed.backend.close()

    # the large file is gone: rebuilt from the curated files alone
    big.unlink()
    alone = gcmgraph.load(backend="oxigraph", store=store)
    assert alone.backend.loaded
    assert alone.backend.triple_count() == curated_triples
    assert not any(a.startswith("https://w3id.org/gcmgraph/id/org/synth-") for a in actors_of_ar(alone))
    alone.backend.close()


def test_files_named_again_replace_the_remembered_ones(tmp_path, curated_triples):
    big = tmp_path / "big.nq"
    write_synthetic(big, 3_000, seed=7, base=False, manifest=False)
    store = tmp_path / "store"
    gcmgraph.load([big], backend="oxigraph", store=store).backend.close()
    other = tmp_path / "other.nt"
    write_synthetic(other, 3_000, seed=8, base=False, manifest=False)
    kg = gcmgraph.load([other], backend="oxigraph", store=store)
    actors = actors_of_ar(kg)
    assert SYNTHETIC_AR.format(seed=8) in actors and SYNTHETIC_AR.format(seed=7) not in actors
    kg.backend.close()
    assert {p.name for p, _ in recorded_files(store)} >= {"other.nt"}
    assert "big.nq" not in {p.name for p, _ in recorded_files(store)}


def test_cli_validate_on_a_store_reads_the_store_and_labels_from_it(tmp_path):
    """``gcmgraph validate --backend oxigraph --store S big.nq`` validates the store itself (not a
    copy read back into memory) and names each entity by the label the store holds: the same
    results, labels and file counts as pySHACL on the memory backend."""
    import json

    from click.testing import CliRunner

    from gcmgraph.cli import main

    big = tmp_path / "big.nq"
    write_synthetic(big, 3_000, seed=7, defects=0.01, base=False, manifest=False)
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, ["validate", str(big), "--format", "json", *args])
        assert result.exit_code == 1, result.output  # the seeded defects are violations
        return json.loads(result.output)["results"]

    def keyed(results):
        # blank-node shapes and paths are named differently by each run
        # (not the label: an entity with two Spanish labels, a seeded defect, may be named by either)
        return sorted((r["severity"], r["focus"], r["value"], tuple(r["files"]),
                       r["path"] if r["path"] and r["path"].startswith("http") else None)
                      for r in results)

    on_store = run("--backend", "oxigraph", "--store", str(tmp_path / "store"))
    in_memory = run("--engine", "pyshacl")
    assert keyed(on_store) == keyed(in_memory)
    synthetic = [r for r in on_store if "/synth-" in r["focus"]]
    assert synthetic and all(r["label"] for r in synthetic), "labels come from the store"
    named = {r["focus"]: r["label"] for r in in_memory}
    assert sum(r["label"] == named[r["focus"]] for r in on_store) >= len(on_store) - 2
    assert all(r["files"] == [str(big)] for r in synthetic)

    text = runner.invoke(main, ["validate", "--backend", "oxigraph", "--store", str(tmp_path / "store"),
                                "--no-warnings"]).output.splitlines()[-1]
    memory = runner.invoke(main, ["validate", str(big), "--no-warnings"]).output.splitlines()[-1]
    files = lambda line: line.split(" files:")[0].rsplit(" ", 1)[-1]  # noqa: E731
    assert files(text) == files(memory)
