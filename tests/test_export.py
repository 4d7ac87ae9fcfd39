"""`gcmgraph export` writes standard RDF that parses back to the same graph, whole or not at all."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from gcmgraph.export import FORMATS, serialize, write_atomic
from gcmgraph.namespaces import GRAPH


@pytest.mark.parametrize("name", ["turtle", "nt", "jsonld", "xml"])
def test_triple_formats_parse_back_to_the_same_graph(kg, cli, tmp_path, name):
    out = tmp_path / ("graph" + FORMATS[name].suffix)
    result = cli("export", "--format", name, "--out", str(out))
    assert result.returncode == 0, result.stderr
    back = Graph().parse(out, format=FORMATS[name].rdflib_name.replace("longturtle", "turtle").replace("pretty-xml", "xml"))
    assert len(back) == len(kg.graph)
    assert isomorphic(back, kg.graph)


@pytest.mark.parametrize("name", ["trig", "nquads"])
def test_quad_formats_keep_one_named_graph_per_source(kg, tmp_path, name):
    out = tmp_path / ("graph" + FORMATS[name].suffix)
    out.write_bytes(serialize(kg, FORMATS[name]))
    back = Dataset()
    back.parse(out, format=FORMATS[name].rdflib_name)
    names = {g.identifier for g in back.graphs() if len(g)}
    assert {GRAPH["ontology"], GRAPH["reference"], GRAPH["editorial"], GRAPH["alignments"],
            GRAPH["source/unnm-lac-hitos-07"], GRAPH["source/domain-facts-verified"]} <= names
    assert len(back.graph(GRAPH["source/unnm-lac-hitos-07"])) == len(kg.dataset.graph(GRAPH["source/unnm-lac-hitos-07"]))


def test_export_is_reproducible(kg):
    for fmt in FORMATS.values():
        if fmt.name in {"turtle", "nt"}:
            assert serialize(kg, fmt) == serialize(kg, fmt)


def test_format_guessed_from_suffix_and_unknown_suffix_refused(cli, tmp_path):
    assert cli("export", "--out", str(tmp_path / "g.nt")).returncode == 0
    result = cli("export", "--out", str(tmp_path / "g.pdf"))
    assert result.returncode == 2 and "g.pdf" in result.stderr and "--format" in result.stderr
    assert not (tmp_path / "g.pdf").exists()


def test_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old")

    class Interrupted(Exception):
        pass

    class Exploding(bytes):
        pass

    import gcmgraph.export as export_module

    real_fsync = export_module.os.fsync

    def fail(fd):
        raise Interrupted

    export_module.os.fsync = fail
    try:
        with pytest.raises(Interrupted):
            write_atomic(target, b"new")
    finally:
        export_module.os.fsync = real_fsync
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]
