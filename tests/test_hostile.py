"""Hostile input: broken and malicious files, query parameters and query files.

The corpus of ``tests/hostile/`` (its ``cases.yaml`` says what each file must give), cases made
here (a very large file, a very long literal, deep nesting, entities and contexts that point at a
live listener), hostile query parameters and query files, and property-based tests (hypothesis)
of the loaders and of parameter binding: any bytes give a graph or a clean error, any string is
bound as one literal and never changes the query.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from gcmgraph.catalogue import Query, bind_text
from gcmgraph.cli import main
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.loading import expand_paths
from gcmgraph.rdf_input import FORMATS, MAX_FILE_SIZE_VARIABLE, parse_rdf

CORPUS = Path(__file__).parent / "hostile"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
TEST_IRI = "https://w3id.org/gcmgraph/id/test/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def read(path: Path):
    """What every loader does with a file a user names: check the type, then parse."""
    expand_paths([path])
    return parse_rdf(path)


# --------------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------------


def test_every_corpus_file_has_its_expected_behaviour():
    files = {p.name for p in CORPUS.iterdir()} - {"cases.yaml", "README.md"}
    assert files == set(CASES), "files without an entry, or entries without a file, in tests/hostile/cases.yaml"
    assert len(CASES) >= 35


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(name, monkeypatch):
    case = CASES[name]
    monkeypatch.chdir(CORPUS.parent)  # messages name the file as the user gave it
    path = Path("hostile") / name
    if case["exit"] == 0:
        assert len(read(path)) == case["triples"]
        return
    with pytest.raises(InputError) as caught:
        read(path)
    error = caught.value
    assert error.exit_code == case["exit"]
    assert error.path == f"hostile/{name}"
    assert error.line == case["line"]
    assert case["says"] in error.reason, error.reason
    assert error.hint, "every refusal says what to do"
    where = f"hostile/{name}" + (f":{case['line']}" if case["line"] else "")
    assert str(error).startswith(where + ": ")


@pytest.mark.parametrize("name", ["turtle-latin1.ttl", "ntriples-missing-full-stop.nt", "jsonld-file-context.jsonld",
                                  "rdfxml-external-entity.rdf", "trig-unclosed-graph.trig", "notes.csv"])
def test_validate_refuses_with_file_line_and_exit_2(name):
    case = CASES[name]
    result = CliRunner().invoke(main, ["validate", str(CORPUS / name)])
    assert result.exit_code == 2, result.output
    where = str(CORPUS / name) + (f":{case['line']}" if case["line"] else "")
    assert result.stderr.startswith(f"error: {where}: ")
    assert case["says"] in result.stderr
    assert result.stdout == ""


def test_the_corpus_shapes_nothing_in_a_read_file():
    """Files that are read give what they say, no less: the BOM and the declared encoding."""
    (label,) = read(CORPUS / "rdfxml-declared-latin1.rdf").objects()
    assert label == Literal("Migración", lang="es")
    (label,) = read(CORPUS / "turtle-byte-order-mark.ttl").objects()
    assert label == Literal("con BOM", lang="es")


# --------------------------------------------------------------------------------------------------
# Cases made here: no file read but the one named, no host called, bounded memory
# --------------------------------------------------------------------------------------------------


class Listener:
    """A real TCP socket on loopback that counts the connections made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def test_external_entity_reads_no_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("gcmgraph-test-secret-4f1c")
    rdf = tmp_path / "xxe.rdf"
    rdf.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'<rdf:Description rdf:about="{TEST_IRI}a"><rdfs:label>&s;</rdfs:label></rdf:Description></rdf:RDF>\n')
    with pytest.raises(InputError, match="document type declaration") as caught:
        read(rdf)
    assert "gcmgraph-test-secret" not in str(caught.value)


@pytest.mark.parametrize("kind", ["jsonld-context", "jsonld-scoped", "jsonld-import", "xml-parameter-entity",
                                  "xml-external-dtd"])
def test_no_host_is_called(tmp_path, listener, kind):
    url = f"http://127.0.0.1:{listener.port}/doc"
    rdf_open = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                f'<rdf:Description rdf:about="{TEST_IRI}a"/></rdf:RDF>')
    texts = {
        "jsonld-context": ("x.jsonld", f'{{"@context": "{url}", "@id": "{TEST_IRI}a", "label": "a"}}'),
        "jsonld-scoped": ("x.jsonld", f'{{"@context": {{"p": {{"@id": "{TEST_IRI}p", "@context": "{url}"}}}}, '
                                      f'"@id": "{TEST_IRI}a", "p": {{"@id": "{TEST_IRI}b"}}}}'),
        "jsonld-import": ("x.jsonld", f'{{"@context": {{"@version": 1.1, "@import": "{url}"}}, "@id": "{TEST_IRI}a"}}'),
        "xml-parameter-entity": ("x.rdf", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>'
                                          + rdf_open),
        "xml-external-dtd": ("x.rdf", f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{url}">' + rdf_open),
    }
    name, text = texts[kind]
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match="is refused"):
        read(tmp_path / name)
    assert listener.connections == 0


def test_a_context_file_beside_the_document_is_read_under_the_same_rules(tmp_path, listener):
    """What `gcmgraph release` writes: gcmgraph.jsonld with "@context": "context.jsonld" beside it."""
    (tmp_path / "context.jsonld").write_text('{"@context": {"label": "http://www.w3.org/2000/01/rdf-schema#label"}}')
    document = tmp_path / "graph.jsonld"
    document.write_text(f'{{"@context": "context.jsonld", "@id": "{TEST_IRI}a", "label": "beside"}}')
    assert set(read(document).objects()) == {Literal("beside")}
    for name in ("../context.jsonld", "./context.jsonld", "missing.jsonld", ".hidden.jsonld", "context.json"):
        document.write_text(f'{{"@context": "{name}", "@id": "{TEST_IRI}a", "label": "x"}}')
        with pytest.raises(InputError, match="is refused"):
            read(document)
    # the context file may not name another document
    (tmp_path / "context.jsonld").write_text(f'{{"@context": "http://127.0.0.1:{listener.port}/c.jsonld"}}')
    document.write_text(f'{{"@context": "context.jsonld", "@id": "{TEST_IRI}a"}}')
    with pytest.raises(InputError, match="is refused") as caught:
        read(document)
    assert caught.value.path.endswith("context.jsonld")
    assert listener.connections == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    """A 300 MiB file (sparse: no disk used) is refused at once; the process stays small."""
    big = tmp_path / "big.nt"
    with open(big, "wb") as handle:
        handle.truncate(300 * 2**20)
    # the peak of this process only: Linux carries ru_maxrss over from the forking parent (pytest,
    # large by the end of the suite) across exec, while /proc/self/status VmHWM starts afresh
    script = ("import re, resource, sys\nfrom gcmgraph.rdf_input import parse_rdf\nfrom gcmgraph.errors import InputError\n"
              f"try:\n    parse_rdf({str(big)!r})\nexcept InputError as e:\n    print(e)\n"
              "try:\n    status = open('/proc/self/status').read()\n"
              "    print(re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
              "except (OSError, AttributeError):\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    env = {k: v for k, v in os.environ.items() if k != MAX_FILE_SIZE_VARIABLE}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    *message, rss_kib = done.stdout.strip().splitlines()
    assert "the file is 300.0 MiB, over the limit of 100.0 MiB" in "\n".join(message)
    assert MAX_FILE_SIZE_VARIABLE in "\n".join(message)
    assert int(rss_kib) < 250 * 1024, "the file was read into memory"


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_device_or_a_pipe_is_refused_without_reading(tmp_path, kind):
    """/dev/zero never ends and a named pipe blocks: neither is read."""
    path = tmp_path / "endless.nt"
    if kind == "device":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file"):
        read(path)


def test_the_limit_is_configurable(tmp_path, monkeypatch):
    data = tmp_path / "data.nt"
    data.write_text("".join(f'<{TEST_IRI}e{i}> {LABEL} "{i}" .\n' for i in range(40)))
    size = data.stat().st_size
    monkeypatch.setenv(MAX_FILE_SIZE_VARIABLE, "1K")
    with pytest.raises(InputError, match=r"over the limit of 1\.0 KiB"):
        read(data)
    monkeypatch.setenv(MAX_FILE_SIZE_VARIABLE, str(size))
    assert len(read(data)) == 40
    monkeypatch.setenv(MAX_FILE_SIZE_VARIABLE, "0")
    assert len(read(data)) == 40
    monkeypatch.setenv(MAX_FILE_SIZE_VARIABLE, "lots")
    with pytest.raises(InputError, match=f"{MAX_FILE_SIZE_VARIABLE}='lots' is not a size"):
        read(data)


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_a_very_long_literal_is_read_whole(tmp_path, suffix):
    """Five million characters in one literal, one line: read in linear time (rdflib's own
    N-Triples reader takes minutes on a line this long)."""
    text = "ñ" + "x" * 5_000_000
    path = tmp_path / f"long{suffix}"
    path.write_text(f'<{TEST_IRI}a> {LABEL} "{text}" .\n', encoding="utf-8")
    (literal,) = read(path).objects()
    assert literal == Literal(text)


@pytest.mark.parametrize(("suffix", "text"), [
    (".ttl", "<http://x/a> <http://x/p> " + "[ <http://x/p> " * 100_000 + '"x"' + " ]" * 100_000 + " ."),
    (".jsonld", "[" * 100_000 + "]" * 100_000),
])
def test_deep_nesting_is_a_clean_error(tmp_path, suffix, text):
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    with pytest.raises(InputError, match="nested too deeply"):
        read(path)


def test_publish_sends_nothing_when_an_added_file_is_hostile(listener):
    result = CliRunner().invoke(main, ["publish", f"http://127.0.0.1:{listener.port}", "--store-type", "oxigraph",
                                       "--add", str(CORPUS / "rdfxml-billion-laughs.rdf"), "--timeout", "5"])
    assert result.exit_code == 2
    assert "rdfxml-billion-laughs.rdf:2: RDF/XML with a document type declaration" in result.stderr
    assert listener.connections == 0


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml"])
@pytest.mark.parametrize("attack", ["external-entity", "billion-laughs"])
def test_curation_workbooks_with_entities_are_refused(tmp_path, part, attack):
    """XLSX workbooks are zipped XML: a DTD in any part is refused, nothing is expanded or read."""
    import re
    import zipfile

    import openpyxl

    from gcmgraph.tables import read_tables

    secret = tmp_path / "secret.txt"
    secret.write_text("gcmgraph-test-secret-9a0b")
    plain = tmp_path / "plain.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "policies"
    workbook.active.append(["id", "label_es"])
    workbook.active.append(["a", "texto compartido"])
    workbook.save(plain)
    if attack == "external-entity":
        dtd, use = f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>', "&e;"
    else:
        dtd = '<!DOCTYPE x [<!ENTITY l0 "lol">' + "".join(
            f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10)) + "]>"
        use = "&l9;"
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        names = source.namelist()
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part or (part not in names and item.filename == "xl/worksheets/sheet1.xml"):
                text = data.decode("utf-8")
                text = re.sub(r"(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + dtd, text, count=1)
                text = text.replace("texto compartido", use).replace("policies", "policies" + use, 1) \
                    if item.filename != "xl/worksheets/sheet1.xml" else text.replace("<v>", "<v>" + use, 1)
                data = text.encode("utf-8")
            target.writestr(item, data)
    with pytest.raises(InputError) as caught:
        read_tables([hostile])
    assert caught.value.path == str(hostile)
    assert "gcmgraph-test-secret" not in str(caught.value) and "lollol" not in str(caught.value)


# --------------------------------------------------------------------------------------------------
# Query parameters
# --------------------------------------------------------------------------------------------------

INJECTIONS = [
    '" } ; DROP ALL ; #',
    '") . ?s ?p ?o . FILTER("',
    "x' } INSERT DATA { <http://x/a> <http://x/b> <http://x/c> } #",
    "salud\\\" } UNION { ?s ?p ?o",
    "a\" ; LOAD <file:///etc/passwd> #",
    "} SERVICE <http://127.0.0.1:1/> { ?s ?p ?o",
    "$s",
    "caf\udcff",  # what Python makes of a byte that is not UTF-8 on a command line
    "tab\there",
    "x" * 1_000_000,
]


@pytest.mark.parametrize("value", INJECTIONS, ids=lambda v: repr(v[:30]))
def test_text_carrying_syntax_or_too_long_is_refused(kg, value):
    with pytest.raises(InputError, match="parameter text: .* is refused"):
        kg.query("search", text=value)


@pytest.mark.parametrize(("name", "value"), [
    ("objective", "16; DROP ALL"), ("objective", "16 OR 1=1"), ("objective", "１６"), ("objective", "1e1"),
    ("objective", "0x10"), ("objective", -1), ("objective", 16.0), ("objective", True), ("objective", None),
    ("objective", ["16"]), ("objective", {"n": 16}), ("objective", b"16"), ("objective", "9" * 10_000),
])
def test_objective_of_every_wrong_kind_is_refused(kg, name, value):
    with pytest.raises(InputError) as caught:
        kg.query("policies-by-objective", **{name: value})
    assert "objective" in str(caught.value)


@pytest.mark.parametrize("value", ["CO' OR '1'='1", "C\u0301O", "CO\x00", "", "X" * 100_000, 57, None])
def test_country_of_every_wrong_kind_is_refused(kg, value):
    with pytest.raises(InputError, match="parameter country|needs the parameter country"):
        kg.query("actors-by-country", country=value)


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "file:///etc/passwd", "https://w3id.org/gcmgraph/id/x> } ; DROP ALL {",
    "https://w3id.org/gcmgraph/id/a\x01b", "https://w3id.org/gcmgraph/id/a\udcffb", "https://" + "a" * 5 + " b",
    "<https://w3id.org/gcmgraph/id/country/CO>",
])
def test_iri_of_every_wrong_kind_is_refused(kg, value):
    with pytest.raises(InputError, match="parameter entity"):
        kg.query("entity-provenance", entity=value)


def test_unknown_or_repeated_parameters_and_the_cli_exit_code():
    runner = CliRunner()
    result = runner.invoke(main, ["query", "search", "-p", "text", '" } ; DROP ALL ; #'])
    assert result.exit_code == 2 and "looks like SPARQL syntax" in result.stderr and result.stdout == ""
    result = runner.invoke(main, ["query", "search", "-p", "txt", "migración"])
    assert result.exit_code == 2 and "has no parameter 'txt'; did you mean text?" in result.stderr
    result = runner.invoke(main, ["query", "search", "-p", "text", "a", "-p", "text", "b"])
    assert result.exit_code == 2 and "the same parameter is given twice" in result.stderr


# --------------------------------------------------------------------------------------------------
# Query files: no SERVICE, no update, no local file
# --------------------------------------------------------------------------------------------------

QUERY_FILES = {
    "service": ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "calls SERVICE"),
    "service-silent": ("select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}", "calls SERVICE"),
    "service-nested": ("SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }}",
                       "calls SERVICE"),
    "insert": ("INSERT DATA {{ <{url}> <{url}> <{url}> }}", "SPARQL Update"),
    "delete-where": ("PREFIX x: <{url}>\nDELETE WHERE {{ ?s ?p ?o }}", "SPARQL Update"),
    "load-file": ("LOAD <file:///etc/passwd>", "SPARQL Update"),
    "load-url": ("LOAD <{url}> INTO GRAPH <{url}>", "SPARQL Update"),
    "drop-all": ("# a comment\nDROP ALL", "SPARQL Update"),
    "clear": ("CLEAR DEFAULT", "SPARQL Update"),
    "update-after-query": ("SELECT * WHERE {{ ?s ?p ?o }} ; DROP ALL", "not a valid SPARQL 1.1 query"),
}


@pytest.mark.parametrize("name", sorted(QUERY_FILES))
def test_user_query_files_that_reach_out_or_write_are_refused(tmp_path, listener, name):
    text, says = QUERY_FILES[name]
    path = tmp_path / f"{name}.rq"
    path.write_text(text.format(url=f"http://127.0.0.1:{listener.port}/sparql"))
    result = CliRunner().invoke(main, ["query", str(path)])
    assert result.exit_code == 2, result.output
    assert says in result.stderr and str(path) in result.stderr
    assert listener.connections == 0


def test_service_runs_only_when_allowed_and_then_on_every_backend(tmp_path):
    """--allow-service: a federated query of the user's own, against a real Oxigraph server."""
    from servers import start_oxigraph

    server = start_oxigraph(tmp_path / "remote")
    try:
        server.put_graph("https://w3id.org/gcmgraph/graph/test/remote",
                         f'<{TEST_IRI}r> {LABEL} "remoto"@es .\n'.encode(), "application/n-triples")
        path = tmp_path / "federated.rq"
        path.write_text(f"SELECT ?label WHERE {{ SERVICE <{server.query_url}> {{ ?s {LABEL} ?label }} }}")
        for backend in ("memory", "oxigraph"):
            refused = CliRunner().invoke(main, ["query", str(path), "--backend", backend])
            assert refused.exit_code == 2 and "refused unless allowed" in refused.stderr
            assert "--allow-service" in refused.stderr
            allowed = CliRunner().invoke(main, ["query", str(path), "--backend", backend, "--format", "csv",
                                                "--allow-service"])
            assert (allowed.exit_code, allowed.stdout) == (0, "label\nremoto\n"), allowed.output
    finally:
        server.stop()


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_from_a_local_file_reads_nothing(tmp_path, backend):
    secret = tmp_path / "secret.nt"
    secret.write_text(f'<{TEST_IRI}s> {LABEL} "gcmgraph-test-secret-7d2e" .\n')
    path = tmp_path / "from.rq"
    path.write_text(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), \"gcmgraph-test-secret\")) }}")
    result = CliRunner().invoke(main, ["query", str(path), "--backend", backend, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "gcmgraph-test-secret" not in result.output and result.stdout == "o\n"


def test_engine_failure_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "graph.rq"
    path.write_text("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    result = CliRunner().invoke(main, ["query", str(path)])
    assert result.exit_code == 2
    assert "rdflib could not run the query" in result.stderr and "--backend oxigraph" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------------------------------
# Property-based: the loaders
# --------------------------------------------------------------------------------------------------

VALID = {
    ".ttl": f'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<{TEST_IRI}a> rdfs:label "Migración"@es ;\n'
            f'  rdfs:seeAlso [ rdfs:label "x" ] , <{TEST_IRI}b> .\n'.encode(),
    ".nt": f'<{TEST_IRI}a> {LABEL} "Migración"@es .\n_:b {LABEL} "x\\n\\"y\\"" .\n'.encode(),
    ".nq": f'<{TEST_IRI}a> {LABEL} "Migración"@es <{TEST_IRI}g> .\n<{TEST_IRI}a> {LABEL} "b" .\n'.encode(),
    ".trig": f'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<{TEST_IRI}g> {{ <{TEST_IRI}a> '
             f'rdfs:label "Migración"@es . }}\n'.encode(),
    ".jsonld": f'{{"@context": {{"label": "http://www.w3.org/2000/01/rdf-schema#label"}}, "@id": "{TEST_IRI}a", '
               f'"label": {{"@value": "Migración", "@language": "es"}}}}'.encode(),
    ".rdf": ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
             'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
             f'<rdf:Description rdf:about="{TEST_IRI}a"><rdfs:label xml:lang="es">Migración</rdfs:label>'
             '</rdf:Description>\n</rdf:RDF>\n').encode(),
}
SUFFIXES = sorted(VALID)


@st.composite
def mutated(draw):
    """A valid document of one format with a few bytes replaced, inserted or removed."""
    suffix = draw(st.sampled_from(SUFFIXES))
    data = bytearray(VALID[suffix])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        piece = draw(st.sampled_from([b"<", b">", b'"', b"{", b"}", b"[", b"]", b".", b"\\", b"\n", b"\x00",
                                      b"\xff", b"&", b"@", b":", b" ", b"#", b"_:", b"\xc3", b"<!DOCTYPE x>"]))
        if action == "replace" and at < len(data):
            data[at:at + 1] = piece
        elif action == "insert":
            data[at:at] = piece
        elif at < len(data):
            del data[at]
    return suffix, bytes(data)


def _parse_bytes(suffix: str, data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return parse_rdf(path)
        except InputError as error:
            assert error.path == str(path) and error.reason
            return error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
@example((".rdf", VALID[".rdf"].replace(b"<rdf:RDF", b"<!DOCTYPE x [<!ENTITY a 'b'>]><rdf:RDF")))
def test_any_mutation_of_a_valid_file_gives_a_graph_or_a_clean_error(case):
    suffix, data = case
    outcome = _parse_bytes(suffix, data)
    assert isinstance(outcome, (Graph, InputError))
    if b"DOCTYPE" in data and suffix == ".rdf":
        assert isinstance(outcome, InputError)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SUFFIXES), st.binary(max_size=400))
def test_any_bytes_give_a_graph_or_a_clean_error(suffix, data):
    assert isinstance(_parse_bytes(suffix, data), (Graph, InputError))


def test_valid_seeds_parse():
    """The property tests mutate documents that are valid to begin with."""
    for suffix in SUFFIXES:
        assert len(_parse_bytes(suffix, VALID[suffix])) >= 1, suffix


# --------------------------------------------------------------------------------------------------
# Property-based: binding
# --------------------------------------------------------------------------------------------------

SEARCH = Query.from_text(
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?entity WHERE { ?entity rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), LCASE(?_text))) }",
    name="search-test")
ALL_TYPES = Query.from_text(
    "#+ gcmgraph_params: {id: {type: iri}}\nSELECT * WHERE {\n  ?s ?p ?_objective_iri , ?_id_iri , ?_text , "
    "?_n_integer , ?_x_number , ?_day_date , ?_lang , ?_name_en .\n}\n", name="all-types")
UNICODE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


def _values_rows(text: str) -> list[dict]:
    """The rows of the VALUES blocks of a query text, as parsed by rdflib."""
    found = []

    def walk(node):
        if getattr(node, "name", None) == "values":
            found.extend(node.res)
        if isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(translateQuery(parseQuery(text)).algebra)
    return found


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
@example('" } ; DROP ALL ; #')
@example("migración y salud")
def test_any_string_is_refused_or_bound_as_one_literal(value):
    parameter = SEARCH.parameter("text")
    try:
        term = parameter.to_term(value)
    except InputError as error:
        assert "parameter text" in str(error)
        return
    assert term == Literal(value.strip())
    final = SEARCH.bind({"text": value})
    assert final.replace(f"\n  VALUES ?_text {{ {term.n3()} }}", "", 1) == SEARCH.text
    assert _values_rows(final) == [{Variable("_text"): term}]


@settings(max_examples=150, deadline=None)
@given(UNICODE)
@example('x" } ; DROP ALL { "\n\\')
@example("\x00\r\n\t'''\"\"\"")
def test_even_unvalidated_literals_cannot_change_the_query(value):
    """bind_text writes terms in their escaped form: any literal stays one literal."""
    final = bind_text(SEARCH.text, {Variable("_text"): Literal(value)})
    assert _values_rows(final) == [{Variable("_text"): Literal(value)}]


ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), UNICODE, st.binary(max_size=20),
                      st.dates(), st.datetimes(), st.lists(st.integers(), max_size=3),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["objective", "id", "text", "n", "x", "day", "lang", "name"]), ANY_VALUE)
def test_every_parameter_type_gives_a_term_or_a_clean_refusal(name, value):
    parameter = ALL_TYPES.parameter(name)
    try:
        term = parameter.to_term(value)
    except InputError:
        return
    assert isinstance(term, (URIRef, Literal))
    final = bind_text(ALL_TYPES.text, {parameter.variable: term})
    assert _values_rows(final) == [{parameter.variable: term}]


@pytest.mark.parametrize("name", ["turtle-iri-with-space.ttl", "trig-graph-iri-with-space.trig"])
def test_an_iri_with_a_space_gives_one_message_at_the_command_line(name):
    # rdflib logs its own warning about such an IRI before gcmgraph refuses the file: only
    # gcmgraph's message (file, line, the way out) reaches the user
    result = subprocess.run([sys.executable, "-m", "gcmgraph.cli", "validate", str(CORPUS / name)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {CORPUS / name}:{CASES[name]['line']}: "), result.stderr
    assert "does not look like a valid URI" not in result.stderr
    assert result.stdout == ""
