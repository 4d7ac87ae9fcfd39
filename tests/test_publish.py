"""``gcmgraph publish``: into a real Oxigraph server and a real Virtuoso, replacing only a complete graph.

The servers are real processes on loopback (``tests/servers.py``), started for this module alone:
the graphs published here must not reach the stores other test modules query (Virtuoso 7.2 answers
some catalogue queries differently when the same triples are also in other graphs of the store).
Failures halfway are real too: a proxy that resets the connection after a few uploads, and a store
process killed mid-upload.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from rdflib import BNode, Graph, Literal, URIRef

import gcmgraph
from gcmgraph.backends import EndpointBackend, connect
from gcmgraph.publish import DEFAULT_GRAPH, PublishError, _chunks, endpoints, publish
from servers import free_port, start_oxigraph, start_virtuoso

#: catalogue queries that agree on every store (see KNOWN_CURATED in test_backends.py)
QUERIES = [("sources", {}), ("theme-objectives", {}), ("commitments", {})]
MARKER = ("https://w3id.org/gcmgraph/test/old-release", "https://w3id.org/gcmgraph/test/marker")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """This module's own Oxigraph server (the session's one stays as other modules loaded it)."""
    server = start_oxigraph(tmp_path_factory.mktemp("publish-oxigraph"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    """This module's own Virtuoso."""
    server = start_virtuoso(tmp_path_factory.mktemp("publish-virtuoso"))
    try:
        yield server
    finally:
        server.stop()


def gcm(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    for name in ("GCMGRAPH_USER", "GCMGRAPH_PASSWORD"):
        if env is None or name not in env:
            environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "gcmgraph.cli", *args], capture_output=True, text=True,
                          env=environment, timeout=timeout)


def count(query_url: str, graph: str, **auth) -> int:
    backend = EndpointBackend(query_url, **auth)
    frame = backend.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(frame.iloc[0, 0])


def graphs(query_url: str, **auth) -> set[str]:
    frame = EndpointBackend(query_url, **auth).query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return set(frame["g"])


def has_marker(query_url: str, graph: str, **auth) -> bool:
    s, p = MARKER
    return EndpointBackend(query_url, **auth).query(f"ASK {{ GRAPH <{graph}> {{ <{s}> <{p}> ?o }} }}")


@pytest.fixture(scope="module")
def old_file(tmp_path_factory) -> Path:
    """A few triples beyond the curated graph: the 'old release' a failed publish must leave alone."""
    path = tmp_path_factory.mktemp("old") / "old-release.ttl"
    s, p = MARKER
    path.write_text("".join(f'<{s}> <{p}> "old {i}" .\n' for i in range(5)), encoding="utf-8")
    return path


def same_as_embedded(kg, backend) -> None:
    for name, params in QUERIES:
        expected = kg.query(name, **params)
        got = gcmgraph.backends.run(backend, kg.catalogue.get(name), params)
        pd.testing.assert_frame_equal(got, expected, obj=name)


# --------------------------------------------------------------------------------------------------
# Oxigraph
# --------------------------------------------------------------------------------------------------


def test_publish_to_oxigraph_and_query_through_the_cli(kg, oxigraph_servers):
    server = oxigraph_servers(union_default_graph=True)  # its default graph: our graph only
    done = gcm("publish", server.base, "--store-type", "oxigraph", "--chunk-size", "1000")
    assert done.returncode == 0, done.stderr
    assert f"published {len(kg):,} triples to <{DEFAULT_GRAPH}>" in done.stderr
    assert "4 chunk(s)" in done.stderr and "swap by MOVE" in done.stderr
    assert count(server.query_url, DEFAULT_GRAPH) == len(kg)
    assert graphs(server.query_url) == {DEFAULT_GRAPH}, "the staging graph is gone"
    for name, _ in QUERIES:
        remote = gcm("query", name, "--endpoint", server.query_url, "--format", "json")
        local = gcm("query", name, "--format", "json")
        assert remote.returncode == 0 and local.returncode == 0, remote.stderr + local.stderr
        assert json.loads(remote.stdout) == json.loads(local.stdout), name
        assert json.loads(local.stdout), f"{name} has rows"


def test_publish_twice_replaces_the_graph(kg, old_file, oxigraph_server):
    graph = "https://w3id.org/gcmgraph/graph/test/publish-twice"
    first = publish(gcmgraph.load([old_file]).graph, oxigraph_server.base, "oxigraph", target=graph)
    assert first.previous == 0 and first.triples == len(kg) + 5
    assert count(oxigraph_server.query_url, graph) == len(kg) + 5
    second = publish(kg.graph, oxigraph_server.base, "oxigraph", target=graph, chunk_size=700)
    assert second.previous == len(kg) + 5 and second.chunks == 6
    assert count(oxigraph_server.query_url, graph) == len(kg)
    assert not has_marker(oxigraph_server.query_url, graph)
    assert not [g for g in graphs(oxigraph_server.query_url) if "-staging-" in g]
    same_as_embedded(kg, connect(oxigraph_server.query_url, graphs=[graph]))


def test_generic_store_type_reads_back_and_swaps_by_put(kg, oxigraph_server):
    """generic, with the Graph Store endpoint only: the count reads the graph back, the swap is a PUT."""
    graph = "https://w3id.org/gcmgraph/graph/test/publish-generic"
    result = publish(kg.graph, oxigraph_server.base + "/store", "generic", target=graph, chunk_size=2000)
    assert result.swap == "PUT" and result.query_url is None and result.chunks == 2
    assert count(oxigraph_server.query_url, graph) == len(kg)
    assert not [g for g in graphs(oxigraph_server.query_url) if "-staging-" in g]


# --------------------------------------------------------------------------------------------------
# Virtuoso
# --------------------------------------------------------------------------------------------------


def test_publish_to_virtuoso_with_credentials_from_the_environment(kg, old_file, virtuoso_server):
    graph = "https://w3id.org/gcmgraph/graph/test/publish-virtuoso"
    env = {"GCMGRAPH_USER": virtuoso_server.user, "GCMGRAPH_PASSWORD": virtuoso_server.password}
    auth = {"user": virtuoso_server.user, "password": virtuoso_server.password, "auth": "digest"}
    for extra, expected in ((["--add", str(old_file)], len(kg) + 5), ([], len(kg))):
        done = gcm("publish", virtuoso_server.base, "--store-type", "virtuoso", "--graph", graph,
                   "--chunk-size", "1500", *extra, env=env)
        assert done.returncode == 0, done.stderr
        assert count(virtuoso_server.query_url, graph) == expected
        assert virtuoso_server.password not in done.stdout + done.stderr
    assert not has_marker(virtuoso_server.query_url, graph)
    assert not [g for g in graphs(virtuoso_server.base + "/sparql-auth", **auth) if "-staging-" in g]
    # Virtuoso's default graph is every graph: name ours
    same_as_embedded(kg, connect(virtuoso_server.query_url, graphs=[graph]))


def test_virtuoso_refuses_wrong_credentials(virtuoso_server):
    done = gcm("publish", virtuoso_server.base, "--store-type", "virtuoso", "--user", "dba",
               "--password", "not-the-password")
    assert done.returncode == 2, done.stderr
    assert "refused the credentials" in done.stderr and "Nothing was written" in done.stderr
    assert "not-the-password" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    missing = gcm("publish", virtuoso_server.base, "--store-type", "virtuoso")
    assert missing.returncode == 2 and "--user and --password" in missing.stderr


# --------------------------------------------------------------------------------------------------
# Failures halfway
# --------------------------------------------------------------------------------------------------


class ResettingProxy:
    """An HTTP proxy to ``upstream`` that resets the connection of every Graph Store write (PUT or
    POST to /store) after the first ``writes`` ones; ``writes=None`` forwards everything."""

    def __init__(self, upstream: str, writes: int | None):
        self.upstream, self.writes, self.seen = upstream, writes, 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command in ("PUT", "POST") and self.path.startswith("/store"):
                    proxy.seen += 1
                    if proxy.writes is not None and proxy.seen > proxy.writes:
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()
                        self.wfile = open(os.devnull, "wb")
                        self.close_connection = True
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(proxy.upstream + self.path, data=body, method=self.command,
                                                 headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, data, kind = response.status, response.read(), response.headers.get("Content-Type")
                except urllib.error.HTTPError as err:
                    status, data, kind = err.code, err.read(), err.headers.get("Content-Type")
                self.send_response(status)
                if kind:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_connection_reset_halfway_leaves_the_old_graph(kg, old_file, oxigraph_server):
    graph = "https://w3id.org/gcmgraph/graph/test/publish-reset"
    publish(gcmgraph.load([old_file]).graph, oxigraph_server.base, "oxigraph", target=graph)
    old = count(oxigraph_server.query_url, graph)
    proxy = ResettingProxy(oxigraph_server.base, writes=2)
    try:
        failed = gcm("publish", proxy.url, "--store-type", "oxigraph", "--graph", graph, "--chunk-size", "500")
        assert failed.returncode == 1, failed.stderr
        message = failed.stderr
        assert "failed while uploading chunk 3 of 8" in message, message
        assert "closed the connection" in message, message
        assert f"the graph <{graph}> is as it was ({old:,} triples" in message, message
        assert "staging graph" in message and "was removed" in message, message
        assert "Rerunning the command is safe" in message and "Traceback" not in message
        # the old graph, whole
        assert count(oxigraph_server.query_url, graph) == old and has_marker(oxigraph_server.query_url, graph)
        assert not [g for g in graphs(oxigraph_server.query_url) if "-staging-" in g]
        # a rerun (the store healthy again) succeeds
        proxy.writes = None
        again = gcm("publish", proxy.url, "--store-type", "oxigraph", "--graph", graph, "--chunk-size", "500")
        assert again.returncode == 0, again.stderr
    finally:
        proxy.close()
    assert count(oxigraph_server.query_url, graph) == len(kg)
    assert not has_marker(oxigraph_server.query_url, graph)


def test_store_killed_mid_upload_keeps_the_old_graph(kg, old_file, tmp_path):
    folder = tmp_path / "killed"
    server = start_oxigraph(folder)
    graph = "https://w3id.org/gcmgraph/graph/test/publish-killed"
    try:
        publish(gcmgraph.load([old_file]).graph, server.base, "oxigraph", target=graph)
        old = len(kg) + 5

        def kill_after_first_chunk(sent: int, total: int) -> None:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait(timeout=10)

        with pytest.raises(PublishError) as caught:
            publish(kg.graph, server.base, "oxigraph", target=graph, chunk_size=1000,
                    progress=kill_after_first_chunk, timeout=10)
        error = caught.value
        assert error.exit_code == 1 and error.target_intact and error.staging_removed is False
        message = str(error)
        assert "failed while uploading chunk 2 of 4" in message and "connection refused" in message
        assert f"DROP SILENT GRAPH <{error.staging}>" in message and "Rerunning the command is safe" in message
    finally:
        server.stop()
    # the store comes back from its files: the old graph is whole; the first chunk sits in staging
    server = start_oxigraph(folder)
    try:
        assert count(server.query_url, graph) == old and has_marker(server.query_url, graph)
        assert count(server.query_url, error.staging) == 1000
        result = publish(kg.graph, server.base, "oxigraph", target=graph, chunk_size=1000)
        assert result.previous == old
        assert count(server.query_url, graph) == len(kg) and not has_marker(server.query_url, graph)
    finally:
        server.stop()


def test_unreachable_store_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    done = gcm("publish", url, "--store-type", "oxigraph")
    assert done.returncode == 2
    assert "connection refused" in done.stderr and "Nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    bad = gcm("publish", "ftp://example.org/x", "--store-type", "fuseki")
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr
    iri = gcm("publish", url, "--store-type", "oxigraph", "--graph", "not an iri")
    assert iri.returncode == 2 and "not an absolute IRI" in iri.stderr


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


def test_blank_nodes_stay_in_one_chunk():
    graph = Graph()
    ex = "https://w3id.org/gcmgraph/test/"
    for i in range(20):
        graph.add((URIRef(f"{ex}s{i}"), URIRef(ex + "p"), Literal(i)))
    a, b = BNode(), BNode()
    graph.add((URIRef(ex + "x"), URIRef(ex + "q"), a))
    graph.add((a, URIRef(ex + "r"), b))
    graph.add((b, URIRef(ex + "r"), Literal("end")))
    chunks = _chunks(graph, 2)
    assert sum(len(c) for c in chunks) == len(graph)
    holding = [c for c in chunks if any(isinstance(t, BNode) for triple in c for t in triple)]
    assert len(holding) == 1 and len(holding[0]) == 3


def test_endpoints_of_each_store_type():
    ox = endpoints("http://h:7878/query", "oxigraph")
    assert (ox.gsp, ox.query, ox.update) == ("http://h:7878/store", "http://h:7878/query", "http://h:7878/update")
    vt = endpoints("http://h:8890/sparql", "virtuoso", authenticated=True)
    assert vt.graph_url("https://g") == "http://h:8890/sparql-graph-crud-auth?graph-uri=https%3A%2F%2Fg"
    assert vt.query == "http://h:8890/sparql-auth" and vt.auth == "digest"
    fu = endpoints("http://h:3030/gcm/", "fuseki")
    assert (fu.gsp, fu.query, fu.update) == ("http://h:3030/gcm/data", "http://h:3030/gcm/query",
                                             "http://h:3030/gcm/update")
    generic = endpoints("http://h/rdf-graph-store", "generic", query_url="http://h/sparql")
    assert generic.graph_url("urn:g") == "http://h/rdf-graph-store?graph=urn%3Ag" and generic.update is None
    with pytest.raises(gcmgraph.InputError, match="credentials in the URL"):
        endpoints("http://u:secret@h:7878", "oxigraph")


def test_a_store_without_a_union_default_graph_is_queried_with_endpoint_graph(kg, oxigraph_servers):
    # an Oxigraph server as it starts by default: its default graph is not the merge of its graphs
    server = oxigraph_servers(union_default_graph=False)
    graph = "https://example.org/graph/gcmgraph"
    done = gcm("publish", server.base, "--store-type", "oxigraph", "--graph", graph)
    assert done.returncode == 0, done.stderr
    assert f"--endpoint {server.query_url} --endpoint-graph {graph}" in done.stderr  # what to type next

    local = gcm("query", "policies-by-objective", "-p", "objective", "16", "--format", "json")
    names = {row["policy"] for row in json.loads(local.stdout)}
    assert "https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia" in names

    # without the graph: no rows, and a warning that names the graph to add
    plain = gcm("query", "policies-by-objective", "-p", "objective", "16", "--format", "json",
                "--endpoint", server.query_url)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == []
    assert (f"the default graph of {server.query_url} holds no gcmgraph data" in plain.stderr
            and f"add --endpoint-graph {graph}" in plain.stderr), plain.stderr

    # with it: the embedded answers, and no warning
    remote = gcm("query", "policies-by-objective", "-p", "objective", "16", "--format", "json",
                 "--endpoint", server.query_url, "--endpoint-graph", graph)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert "warning" not in remote.stderr

    # a graph that holds nothing: the warning says so and where the data is
    wrong = gcm("query", "sources", "--endpoint", server.query_url, "--endpoint-graph",
                "https://example.org/graph/empty")
    assert f"graph <https://example.org/graph/empty> of {server.query_url} holds no gcmgraph data" in wrong.stderr
    assert f"add --endpoint-graph {graph}" in wrong.stderr

    # in Python: a warning that names the graph, then graphs=[...]
    with pytest.warns(gcmgraph.GraphNotFoundWarning, match=f"named graph <{graph}>"):
        gcmgraph.connect(server.query_url)
    frame = gcmgraph.connect(server.query_url, graphs=[graph]).query("policies-by-objective", objective=16)
    assert "https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia" in set(map(str, frame["policy"]))

    # --endpoint-graph alone is a mistake
    alone = gcm("query", "sources", "--endpoint-graph", graph)
    assert alone.returncode == 2 and "--endpoint-graph without --endpoint" in alone.stderr
