"""``gcmgraph serve``: a real read-only endpoint (Oxigraph server behind gcmgraph's proxy) on loopback.

One ``gcmgraph serve`` process for the module, started as a user would; the last test stops it with
SIGTERM and checks that it leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from gcmgraph.backends import connect, run
from gcmgraph.serve import oxigraph_command, uses_service
from servers import free_port, unavailable

TIME_LIMIT = 3


def http(url: str, data: bytes | None = None, method: str | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def ask(url: str, query: str, **kwargs) -> tuple[int, bytes]:
    return http(url, urllib.parse.urlencode({"query": query}).encode(), "POST",
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json"}, **kwargs)


class Served:
    def __init__(self, process: subprocess.Popen, url: str, tmp: Path):
        self.process, self.url, self.tmp = process, url, tmp
        self.base = url.removesuffix("/query")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if oxigraph_command() is None:
        unavailable("the `oxigraph` command is not installed (pip install oxigraph)")
    tmp = tmp_path_factory.mktemp("serve-tmp")
    port = free_port()
    log = tmp.parent / f"{tmp.name}.stderr"
    env = {**os.environ, "TMPDIR": str(tmp)}
    with open(log, "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "gcmgraph.cli", "serve", "--port", str(port),
                                    "--timeout", str(TIME_LIMIT)],
                                   stdout=subprocess.PIPE, stderr=err, env=env, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in process.stdout),
                              daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            unavailable(f"gcmgraph serve exited with {process.returncode}", log)
        try:
            if ask(url, "ASK {}", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        process.kill()
        unavailable(f"gcmgraph serve did not answer at {url}", log)
    time.sleep(0.2)
    assert f"SPARQL endpoint: {url}" in lines and f"query page: http://127.0.0.1:{port}/" in lines, lines
    served = Served(process, url, tmp)
    yield served
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_answers_queries_like_the_embedded_graph(kg, served):
    status, body = ask(served.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200 and f'"value":"{len(kg)}"' in body.decode()
    backend = connect(served.url)  # the default graph is the merge: no graph to name
    for name in ("sources", "theme-objectives", "objective-coverage"):
        pd.testing.assert_frame_equal(run(backend, kg.catalogue.get(name)), kg.query(name), obj=name)
    # GET, the query page, and a Graph Store read
    status, _ = http(served.url + "?" + urllib.parse.urlencode({"query": "ASK {}"}))
    assert status == 200
    status, page = http(served.base + "/")
    assert status == 200 and b"yasgui" in page.lower()
    status, body = http(served.base + "/store?" + urllib.parse.urlencode(
        {"graph": "https://w3id.org/gcmgraph/graph/ontology"}), headers={"Accept": "application/n-triples"})
    assert status == 200 and body


def test_updates_are_refused(kg, served):
    update = "INSERT DATA { <https://w3id.org/gcmgraph/test/a> <https://w3id.org/gcmgraph/test/b> 1 }"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    attempts = [
        (served.base + "/update", urllib.parse.urlencode({"update": update}).encode(), "POST", form),
        (served.base + "/sparql", urllib.parse.urlencode({"update": update}).encode(), "POST", form),
        (served.url, urllib.parse.urlencode({"update": update}).encode(), "POST", form),
        (served.base + "/sparql", update.encode(), "POST", {"Content-Type": "application/sparql-update"}),
        (served.base + "/store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .", "PUT", {"Content-Type": "text/turtle"}),
        (served.base + "/store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .", "POST", {"Content-Type": "text/turtle"}),
        (served.base + "/store?graph=https://w3id.org/gcmgraph/graph/ontology", None, "DELETE", {}),
    ]
    for url, data, method, headers in attempts:
        status, body = http(url, data, method, headers)
        assert status == 403, (url, method, status, body)
        assert b"read-only" in body
    status, body = ask(served.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert f'"value":"{len(kg)}"' in body.decode()


@pytest.fixture
def listener():
    """A second local server that records every connection it gets."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    hits.append(connection.recv(4096))
                except OSError:
                    hits.append(b"")
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], hits
    stop.set()
    thread.join(timeout=2)
    sock.close()


def test_service_calls_never_reach_another_host(served, listener):
    port, hits = listener
    target = f"http://127.0.0.1:{port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z .SERVICE<{target}>{{?s ?p ?o}} }}",
        f"PREFIX e: <{target}>\nSELECT * WHERE {{ # comment }}\n SeRvIcE e: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        status, body = ask(served.url, query)
        assert status == 403 and b"SERVICE" in body, (query, status, body)
    # other ways of sending the query
    status, _ = http(served.url + "?" + urllib.parse.urlencode({"query": queries[0]}))
    assert status == 403
    status, _ = http(served.base + "/sparql", queries[0].encode(), "POST",
                     {"Content-Type": "application/sparql-query"})
    assert status == 403
    time.sleep(0.5)
    assert hits == [], "the endpoint called another server"
    # the word in a string, an IRI or a prefixed name is fine
    for query in ('SELECT * WHERE { ?s ?p "SERVICE" } LIMIT 1',
                  "SELECT * WHERE { ?s <https://w3id.org/gcmgraph/SERVICE> ?o } LIMIT 1",
                  "PREFIX service: <https://w3id.org/x/> SELECT ?service WHERE { ?service ?p service:x }"):
        assert ask(served.url, query)[0] == 200, query


def test_uses_service():
    assert uses_service("SELECT * { SERVICE <x:y> {} }")
    assert uses_service("select * {service\t?e {}}")
    assert uses_service("SELECT * { SERV\\u0049CE <x:y> {} }")
    assert uses_service("SELECT * { ?s ?p ?o .SERVICE <x:y> {} }")
    assert not uses_service("SELECT * { ?s ?p 'SERVICE' }")
    assert not uses_service('SELECT * { ?s ?p """a\nSERVICE""" }')
    assert not uses_service("SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE")
    assert not uses_service("SELECT ?service { ?service ex:service ?o . ?o service:a ?x }")


def test_time_limit_stops_a_pathological_query(served):
    cube = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    counted = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    for query in (cube, counted):
        started = time.monotonic()
        status, body = ask(served.url, query, timeout=60)
        elapsed = time.monotonic() - started
        assert status == 503 and b"time limit" in body, (status, body[:300])
        assert elapsed < TIME_LIMIT + 6, elapsed
        # and the endpoint answers again (at once, or after the engine restarted)
        deadline = time.monotonic() + 15
        while True:
            try:
                status, body = ask(served.url, "ASK { ?s ?p ?o }", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the endpoint does not answer after the time limit"
            time.sleep(0.2)
        assert b"true" in body


def test_non_loopback_host_is_warned_about(tmp_path):
    # a documentation address (TEST-NET-1) is not on this machine: the warning shows, then binding fails
    done = subprocess.run([sys.executable, "-m", "gcmgraph.cli", "serve", "--host", "192.0.2.1", "--port", "0"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert "WARNING: listening on 192.0.2.1, not loopback" in done.stderr
    assert done.returncode == 2 and "cannot listen on 192.0.2.1" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir()), "the temporary store is removed"


def test_sigterm_stops_it_and_leaves_no_temporary_folder(served):
    assert list(served.tmp.glob("gcmgraph-serve-*")), "the temporary store lives while it serves"
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    assert not list(served.tmp.iterdir()), list(served.tmp.iterdir())
    with pytest.raises(OSError):
        ask(served.url, "ASK {}", timeout=2)
    # no Oxigraph process left on the removed store
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        assert str(served.tmp).encode() not in text or b"pytest" in text, text
