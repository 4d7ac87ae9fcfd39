"""A read-only SPARQL endpoint over the graph: the Oxigraph server behind a small guarding proxy.

>>> from gcmgraph.serve import Endpoint                              # doctest: +SKIP
>>> with Endpoint(kg, port=7878, timeout=30) as endpoint:             # doctest: +SKIP
...     print(endpoint.query_url)
...     endpoint.serve_forever()

How
===

1. The graph is loaded into an on-disk Oxigraph store: the named graphs, and their *merge* in the
   default graph (``union="materialized"``), so a query without ``GRAPH`` sees the union with each
   triple once, as ``gcmgraph query`` does. Without ``store`` the store lives in a temporary folder
   (the parsed dataset inserted in one bulk operation) that is removed when the endpoint stops; with
   ``store`` it is built by :meth:`gcmgraph.backends.OxigraphBackend.build`, kept, and reopened
   without reloading while the files are unchanged.
2. ``oxigraph serve-read-only --location STORE --bind 127.0.0.1:INTERNAL --timeout-s T`` (PyPI package
   ``oxigraph``) serves it on a private loopback port. Read-only mode refuses updates and Graph Store
   writes (HTTP 403).
3. A proxy on ``host:port`` (loopback by default) is what users reach. It

   - answers ``/query`` and ``/sparql`` (what the query page, Oxigraph's YASGUI, posts to): reads
     the query (GET ``query=``, POST form or ``application/sparql-query``), refuses updates (403),
     refuses any query that uses ``SERVICE`` (403: the Oxigraph server *does* execute federated
     ``SERVICE`` calls, to any host, and has no option to turn them off), and forwards the checked
     text, and only it, to Oxigraph as a fresh form POST;
   - forwards ``GET``/``HEAD`` of other paths (the query page ``/``, its scripts, Graph Store reads
     ``/store?graph=``) and refuses every other method (403: read-only);
   - runs at most twice as many queries at once as the machine has cores (at least 4); the others
     wait their turn, up to the time limit, then get 503 "busy": an overloaded endpoint sheds load
     instead of letting every query run past the limit;
   - enforces the query time limit. Oxigraph's ``--timeout-s`` stops many queries but not all
     (measured with 0.5.13: an ``ORDER BY`` over a cartesian product kept running, and growing past
     3 GB, long after it; a large streamed ``SELECT *`` ran for minutes). So the proxy gives each
     request ``timeout`` seconds plus a short grace: past that it answers 503 (or cuts a stream
     already started) and restarts the Oxigraph process, which stops the runaway query for sure.
     Queries running at that moment lose their connection to Oxigraph; the proxy sends each of them
     again to the new Oxigraph process (they are reads; up to three times, within the query's own
     time limit), so they are answered rather than failed. The endpoint answers again within a second.

Stopping (Ctrl-C, SIGTERM) stops the proxy and Oxigraph and removes the temporary store.
"""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from gcmgraph.backends import OxigraphBackend
from gcmgraph.errors import GcmgraphError, InputError

__all__ = ["Endpoint", "ServeError", "is_loopback", "oxigraph_command", "uses_service"]

#: a query's first bytes are held back up to this size, so a query stopped by the time limit can
#: still be answered with a clean 503 instead of a truncated 200
BUFFER_LIMIT = 8 << 20
#: seconds the proxy waits beyond the time limit (Oxigraph's own limit usually acts first)
GRACE = 2.0
_MAX_QUERY_BYTES = 1 << 20
#: times a read is sent again when the engine was restarted under it
RETRIES = 3


class ServeError(GcmgraphError):
    """The endpoint could not start (exit code 2 at the command line)."""


# --------------------------------------------------------------------------------------------------
# Refusing SERVICE
# --------------------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NOISE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w?$:\-])SERVICE(?![\w:\-])", re.IGNORECASE)


def _unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _ESCAPE.sub(replace, text)


def uses_service(text: str) -> bool:
    """Whether the SPARQL text holds the ``SERVICE`` keyword outside strings, IRIs and comments.

    Checked on the text as sent and with SPARQL's ``\\uXXXX`` codepoint escapes applied (the
    standard applies them before parsing), so an escaped keyword is caught too. Conservative: a
    prefixed name like ``ex:a.service`` may be refused; no federated query gets through.
    """
    return any(_SERVICE.search(_NOISE.sub(" ", candidate)) for candidate in (text, _unescape(text)))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def oxigraph_command() -> str | None:
    """The ``oxigraph`` server command of this environment (PyPI package ``oxigraph``)."""
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------------
# The Oxigraph process
# --------------------------------------------------------------------------------------------------


class _Oxigraph:
    """``oxigraph serve-read-only`` on a private loopback port; restartable."""

    def __init__(self, store: Path, timeout: float, log: Path):
        self.command = oxigraph_command()
        if self.command is None:
            raise ServeError("the `oxigraph` server command (PyPI package oxigraph) is not installed\n"
                             "  Install it: pip install 'gcmgraph[serve]'")
        self.store, self.timeout, self.log = store, timeout, log
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.generation = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        self.port = _free_port()
        args = [self.command, "serve-read-only", "--location", str(self.store),
                "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(max(1, int(round(self.timeout))))]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        self.generation += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"the Oxigraph server exited with code {self.process.returncode}: "
                                 + self.log.read_text(errors="replace")[-1000:])
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/query?query=ASK%7B%7D",
                                   headers={"Accept": "application/sparql-results+json"})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServeError("the Oxigraph server did not answer within 30 s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def restart(self, generation: int) -> None:
        """Restart unless someone already did since ``generation``."""
        with self._lock:
            if generation != self.generation:
                return
            process = self.process
            if process is not None and process.poll() is None:
                process.kill()  # a runaway query: no graceful stop
                process.wait(timeout=10)
            self.process = None
            self.start()

    def ensure(self) -> tuple[int, int]:
        """(port, generation) of a running server, restarting it if it died."""
        with self._lock:
            if self.process is None or self.process.poll() is not None:
                self.start()
            return self.port, self.generation


# --------------------------------------------------------------------------------------------------
# The proxy
# --------------------------------------------------------------------------------------------------

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authenticate", "proxy-authorization", "content-length"}


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "gcmgraph-serve"
    protocol_version = "HTTP/1.0"
    endpoint: "Endpoint"  # set on the subclass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.endpoint.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    # -- answers of the proxy itself --------------------------------------------------------------

    def _answer(self, status: int, text: str) -> None:
        body = (text.rstrip("\n") + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_only(self) -> None:
        self._answer(403, "This SPARQL endpoint is read-only: updates and Graph Store writes are refused.")

    # -- methods ----------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/query", "/sparql"):
            self._query(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        elif path == "/update":
            self._read_only()
        else:
            self._forward(self.command, self.path, None, {})

    do_HEAD = do_GET

    def do_POST(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        if split.path not in ("/query", "/sparql"):
            return self._read_only()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_QUERY_BYTES:
            return self._answer(413, f"query larger than {_MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(length) if length else b""
        params = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                                     keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8", "replace"))
        elif kind == "application/sparql-update":
            return self._read_only()
        else:
            return self._answer(415, "send the query form-encoded (query=) or as application/sparql-query")
        self._query(params)

    def _refuse(self) -> None:
        self._read_only()

    do_PUT = do_DELETE = do_PATCH = _refuse

    # -- queries ----------------------------------------------------------------------------------

    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._read_only()
        queries = params.get("query", [])
        if len(queries) != 1:
            if self.command == "GET" and not queries and urllib.parse.urlsplit(self.path).path == "/sparql":
                return self._forward("GET", "/", None, {})  # the query page under /sparql
            return self._answer(400, "give exactly one query (query=...)")
        text = queries[0]
        if uses_service(text):
            return self._answer(403, "This endpoint refuses federated queries (SERVICE): it answers from "
                                     "its own graph only and never fetches other endpoints.")
        form = [("query", text)]
        for key in ("default-graph-uri", "named-graph-uri"):
            form.extend((key, value) for value in params.get(key, []))
        body = urllib.parse.urlencode(form).encode("utf-8")
        # At most `concurrency` queries run in the engine at once; the others wait their turn (up
        # to the time limit), so an overloaded endpoint answers "busy" instead of letting every
        # query run past the limit, each forcing a restart that stops the others too.
        if not self.endpoint.slots.acquire(timeout=self.endpoint.timeout):
            return self._answer(503, f"The endpoint is busy: {self.endpoint.concurrency} queries were running "
                                     f"for the whole time limit ({self.endpoint.timeout:g} s). Try again later.")
        try:
            self._forward("POST", "/query", body, {"Content-Type": "application/x-www-form-urlencoded"})
        finally:
            self.endpoint.slots.release()

    def _forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
                 started: float | None = None, retried: int = 0) -> None:
        endpoint = self.endpoint
        started = time.monotonic() if started is None else started
        limit = endpoint.timeout + GRACE
        deadline = started + limit
        try:
            port, generation = endpoint.oxigraph.ensure()
        except GcmgraphError as error:
            return self._answer(503, f"the query engine is not available: {error}")
        for name in ("Accept", "Accept-Language"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        sent_headers = False
        try:
            connection.request("HEAD" if method == "HEAD" else method, path, body=body, headers=headers)
            connection.sock.settimeout(max(0.05, deadline - time.monotonic()))
            response = connection.getresponse()
            held: list[bytes] = []
            size = 0
            complete = False
            while True:
                connection.sock.settimeout(max(0.05, deadline - time.monotonic()))
                if time.monotonic() >= deadline:
                    raise TimeoutError
                piece = response.read1(65536) if method != "HEAD" else b""
                if not piece:
                    complete = True
                    break
                if sent_headers:
                    self.wfile.write(piece)
                    continue
                held.append(piece)
                size += len(piece)
                if size > BUFFER_LIMIT:
                    self._head(response, None)
                    sent_headers = True
                    for part in held:
                        self.wfile.write(part)
                    held = []
            elapsed = time.monotonic() - started
            if path == "/query" and elapsed >= endpoint.timeout and response.status == 200 and not sent_headers:
                # Oxigraph stopped it at its own limit: the 200 it sent carries a cut body
                return self._answer(503, self._too_long())
            if not sent_headers:
                data = b"".join(held)
                self._head(response, len(data))
                if method != "HEAD":
                    self.wfile.write(data)
        except (TimeoutError, socket.timeout):
            connection.close()
            threading.Thread(target=endpoint.oxigraph.restart, args=(generation,), daemon=True).start()
            if not sent_headers:
                self._answer(503, self._too_long())
            else:
                self.close_connection = True
        except (http.client.HTTPException, OSError) as err:
            if not sent_headers:
                # The engine went away under this request: restarted to stop another request's
                # runaway query (it kills every query running), crashed, or dropped the connection
                # while busy (seen under load: RemoteDisconnected from the same engine, no
                # restart). Requests are reads, so sending them again is safe: up to RETRIES times,
                # within this request's own time limit, after a short pause when the engine is the
                # same one.
                try:
                    _, now = endpoint.oxigraph.ensure()
                except GcmgraphError:
                    now = generation
                if retried < RETRIES and time.monotonic() < deadline - GRACE:
                    connection.close()
                    if now == generation:
                        time.sleep(0.2 * (retried + 1))
                    return self._forward(method, path, body, headers, started, retried + 1)
                if now != generation:
                    return self._answer(503, "The query engine was restarted while this query ran (to stop "
                                             "another query past the time limit). Send the query again.")
                self._answer(502, f"the query engine failed: {err.__class__.__name__}")
        finally:
            connection.close()

    def _too_long(self) -> str:
        return (f"The query was stopped: it ran longer than this endpoint's time limit of "
                f"{self.endpoint.timeout:g} s. Narrow it (LIMIT, more specific patterns) and try again.")

    def _head(self, response: http.client.HTTPResponse, length: int | None) -> None:
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP and name.lower() != "server":
                self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, family):
        self.address_family = family
        super().__init__(address, handler)


# --------------------------------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------------------------------


class Endpoint:
    """A read-only SPARQL endpoint over ``kg`` (see the module docstring).

    ``store``: a folder for the on-disk store, kept and reused; None: a temporary one, removed by
    :meth:`close`. ``port`` 0 picks a free port. ``timeout``: the query time limit in seconds.
    """

    def __init__(self, kg: Any, *, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
                 store: Path | str | None = None, verbose: bool = False, concurrency: int | None = None):
        if timeout <= 0:
            raise InputError(f"the time limit must be positive, not {timeout}")
        self.kg, self.host, self.requested_port = kg, host, port
        self.timeout, self.verbose = float(timeout), verbose
        #: queries run in the engine at once (others wait, within the time limit): twice the cores,
        #: at least 4, so that two runaway queries cannot hold every slot until they are stopped
        self.concurrency = concurrency or max(4, 2 * (os.cpu_count() or 2))
        self.slots = threading.BoundedSemaphore(self.concurrency)
        self.store_path = Path(store) if store is not None else None
        self.temporary: Path | None = None
        self.oxigraph: _Oxigraph | None = None
        self.server: _Server | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> "Endpoint":
        try:
            if self.store_path is None:
                self.temporary = Path(tempfile.mkdtemp(prefix="gcmgraph-serve-"))
                store = self.temporary / "store"
                log = self.temporary / "oxigraph.log"
            else:
                store = self.store_path
                log = Path(tempfile.mkdtemp(prefix="gcmgraph-serve-")) / "oxigraph.log"
                self.temporary = log.parent
            if self.store_path is None:
                # the graph is parsed already: one bulk insert of its quads (much faster than
                # re-reading each file twice, as build does for a store meant to be reused)
                backend = OxigraphBackend(store)
                backend.load(self.kg.dataset)
                backend.store.flush()
            else:
                from gcmgraph.graph import store_sources

                backend = OxigraphBackend.build(store, store_sources(self.kg.files))
            backend.close()  # the server opens it; one process at a time
            self.oxigraph = _Oxigraph(store, self.timeout, log)
            self.oxigraph.start()
            handler = type("Handler", (_Handler,), {"endpoint": self})
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            try:
                self.server = _Server((self.host.strip("[]"), self.requested_port), handler, family)
            except OSError as err:
                raise ServeError(f"cannot listen on {self.host}:{self.requested_port}: {err.strerror or err}"
                                 "\n  Choose another --port (0 picks a free one) or --host.") from None
        except BaseException:
            self.close()
            raise
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1] if self.server else self.requested_port

    @property
    def base(self) -> str:
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def page_url(self) -> str:
        return self.base + "/"

    def serve_forever(self) -> None:
        assert self.server is not None, "start() first"
        self.server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop serve_forever (from another thread)."""
        if self.server is not None:
            self.server.shutdown()

    def close(self) -> None:
        """Stop listening, stop Oxigraph, remove the temporary folder. Safe to call twice."""
        server, self.server = self.server, None
        if server is not None:
            server.server_close()
        if self.oxigraph is not None:
            self.oxigraph.stop()
            self.oxigraph = None
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None

    def __enter__(self) -> "Endpoint":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


def run(kg: Any, *, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
        store: Path | str | None = None, announce=print, verbose: bool = False) -> None:
    """Serve until Ctrl-C or SIGTERM, then clean up. ``announce`` gets the lines to show."""
    stop = {"signal": None}

    def on_signal(number, _frame):
        stop["signal"] = number
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    endpoint = Endpoint(kg, host=host, port=port, timeout=timeout, store=store, verbose=verbose)
    try:
        endpoint.start()
        announce(f"SPARQL endpoint: {endpoint.query_url}")
        announce(f"query page: {endpoint.page_url}")
        try:
            endpoint.serve_forever()
        except KeyboardInterrupt:
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # no second interrupt while cleaning up
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        endpoint.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
