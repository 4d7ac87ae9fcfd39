"""Real SPARQL servers on loopback for the tests: an Oxigraph server and an OpenLink Virtuoso.

Session fixtures ``oxigraph_server`` and ``virtuoso_server`` start each server once on free
127.0.0.1 ports, in a temporary folder, wait until it answers, and stop it at the end. A server
that cannot start makes its tests FAIL in CI (``CI=true``), with the server's log, and skip
elsewhere, with the reason.

Recipes (also what ``gcmgraph publish`` builds on):

Oxigraph (PyPI package ``oxigraph``, command ``oxigraph``)
    start   ``oxigraph serve --location DIR --bind 127.0.0.1:PORT --union-default-graph``
    load    ``POST /store?graph=IRI`` (add) or ``PUT /store?graph=IRI`` (replace), body Turtle or
            N-Triples (``Content-Type: text/turtle`` / ``application/n-triples``); 201/204
    query   ``POST /query`` (form-encoded ``query=``; ``default-graph-uri=`` to pick graphs)
    union   without ``--union-default-graph`` the default graph is the (empty) store default graph
    auth    none (put a proxy in front)

Virtuoso 7.2 (Debian ``virtuoso-opensource-7-bin``: ``virtuoso-t``, ``isql-vt``)
    start   ``virtuoso-t +foreground +configfile virtuoso.ini`` (ini below; ~4 s for a new database)
    load    ``PUT /sparql-graph-crud-auth?graph-uri=IRI`` (replace; ``POST`` adds) with HTTP
            *digest* auth ``dba``/``dba`` (a new database's password), body Turtle/N-Triples with
            ``Content-Type: text/turtle``; 201 created, 200/204 replaced
    query   ``POST /sparql`` (form-encoded; ``default-graph-uri=`` per graph); ``/sparql-auth``
            with digest auth
    union   without ``default-graph-uri`` the default graph is every graph, Virtuoso's system
            graphs (``http://www.openlinksw.com/schemas/virtrdf#``, ...) included
    cap     ``[SPARQL] ResultSetMaxRows``: longer results are cut, with the header
            ``X-SPARQL-MaxRows: N``
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"

#: Virtuoso's default administrator of a new database
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"
#: the row cap the test Virtuoso runs with (small, so the tests page through it)
VIRTUOSO_MAX_ROWS = 1000
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable(reason: str, log: Path | None = None) -> None:
    """Fail in CI (with the log), skip elsewhere."""
    text = reason
    if log is not None and log.exists():
        text += "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
    if IN_CI:
        pytest.fail(text, pytrace=False)
    pytest.skip(reason)


@dataclass
class Server:
    """A running server: ``query_url`` is its SPARQL endpoint."""

    name: str
    process: subprocess.Popen
    base: str
    query_url: str
    log: Path
    folder: Path
    user: str | None = None
    password: str | None = None
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def put_graph(self, graph: str, data: bytes, content_type: str = "text/turtle; charset=utf-8") -> int:
        """Replace ``graph`` with ``data`` through the server's Graph Store endpoint; the HTTP status."""
        raise NotImplementedError


def _request(opener, url: str, data: bytes | None = None, method: str = "GET",
             headers: dict | None = None, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _wait(process: subprocess.Popen, url: str, log: Path, name: str, timeout: float = START_TIMEOUT) -> None:
    opener = urllib.request.build_opener()
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            unavailable(f"{name} exited with code {process.returncode} while starting", log)
        try:
            status, _ = _request(opener, url, body, "POST", {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json"}, timeout=2)
            if status == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    process.kill()
    unavailable(f"{name} did not answer at {url} within {timeout:g} s", log)


class OxigraphServer(Server):
    def put_graph(self, graph: str, data: bytes, content_type: str = "text/turtle; charset=utf-8") -> int:
        url = f"{self.base}/store?{urllib.parse.urlencode({'graph': graph})}"
        status, body = _request(urllib.request.build_opener(), url, data, "PUT", {"Content-Type": content_type})
        assert status in (200, 201, 204), f"Oxigraph refused the graph: {status} {body[:500]!r}"
        return status


class VirtuosoServer(Server):
    def opener(self):
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, self.base, self.user, self.password)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))

    def digest_header(self, method: str, url: str) -> str:
        """An ``Authorization: Digest`` value for one request, from a challenge fetched bodiless.

        Sending a large body unauthenticated makes Virtuoso answer 401 and close the connection
        while the body is still being written (``BrokenPipeError``), so the challenge is fetched
        with a GET first and the PUT carries its credentials from the start.
        """
        probe = urllib.request.Request(url, method="GET")
        try:
            urllib.request.urlopen(probe, timeout=30).close()
            raise AssertionError(f"{url} did not ask for credentials")
        except urllib.error.HTTPError as err:
            challenge = err.headers.get("WWW-Authenticate", "")
            err.close()
        assert challenge.lower().startswith("digest "), f"no digest challenge from {url}: {challenge!r}"
        handler = urllib.request.HTTPDigestAuthHandler(urllib.request.HTTPPasswordMgrWithDefaultRealm())
        handler.passwd.add_password(None, self.base, self.user, self.password)
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))
        return "Digest " + handler.get_authorization(urllib.request.Request(url, method=method), fields)

    def put_graph(self, graph: str, data: bytes, content_type: str = "text/turtle; charset=utf-8") -> int:
        url = f"{self.base}/sparql-graph-crud-auth?{urllib.parse.urlencode({'graph-uri': graph})}"
        headers = {"Content-Type": content_type, "Authorization": self.digest_header("PUT", url)}
        status, body = _request(urllib.request.build_opener(), url, data, "PUT", headers)
        assert status in (200, 201, 204), f"Virtuoso refused the graph: {status} {body[:500]!r}"
        return status


def _oxigraph_command() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, *, union_default_graph: bool = True) -> OxigraphServer:
    """Start ``oxigraph serve`` on a free loopback port with its store in ``folder``."""
    command = _oxigraph_command()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    if command is None:
        unavailable("the `oxigraph` command is not installed (pip install oxigraph)")
    port = free_port()
    args = [command, "serve", "--location", str(folder / "store"), "--bind", f"127.0.0.1:{port}",
            "--timeout-s", "60"]
    if union_default_graph:
        args.append("--union-default-graph")
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    server = OxigraphServer("oxigraph", process, base, f"{base}/query", log, folder)
    try:
        _wait(process, server.query_url, log, "oxigraph serve")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[OxigraphServer]:
    """``oxigraph serve --union-default-graph`` on a free loopback port, for the session."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_servers(tmp_path_factory) -> Iterator:
    """A factory of further Oxigraph servers (``start(union_default_graph=...)``), all stopped at the end."""
    started: list[OxigraphServer] = []

    def start(union_default_graph: bool = True) -> OxigraphServer:
        server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server"),
                                union_default_graph=union_default_graph)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ServerThreads = 10
ThreadsPerQuery = 2
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


def start_virtuoso(folder: Path, *, max_rows: int = VIRTUOSO_MAX_ROWS) -> VirtuosoServer:
    """Start ``virtuoso-t`` with a small ini: database in ``folder``, loopback ports, a row cap."""
    command = shutil.which("virtuoso-t")
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    if command is None:
        unavailable("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port,
                                       max_rows=max_rows), encoding="utf-8")
    with open(log, "wb") as out:
        process = subprocess.Popen([command, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    server = VirtuosoServer("virtuoso", process, base, f"{base}/sparql", log, folder,
                            VIRTUOSO_USER, VIRTUOSO_PASSWORD, {"sql_port": sql_port, "max_rows": max_rows})
    try:
        _wait(process, server.query_url, log, "virtuoso-t")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[VirtuosoServer]:
    """Virtuoso for the session (row cap :data:`VIRTUOSO_MAX_ROWS`)."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()
