"""Publishing the graph into a running triple store, replacing the old copy only once the new one is whole.

>>> from gcmgraph.publish import publish                                  # doctest: +SKIP
>>> publish(kg.graph, "http://localhost:7878", "oxigraph")              # doctest: +SKIP
>>> publish(kg.graph, "http://localhost:8890", "virtuoso", user="dba", password=...)   # doctest: +SKIP

What goes where
===============

The *merge* of the curated named graphs (``kg.graph``: a triple stated by two sources is one
triple) goes into ONE named graph of the store, :data:`DEFAULT_GRAPH`
(``https://w3id.org/gcmgraph/graph/release``) unless another is given. One graph rather than one per
source because stores read several graphs as a *bag* (Oxigraph's ``--union-default-graph``,
Virtuoso's default graph, a list of ``default-graph-uri``): the catalogue's counts would then differ
from rdflib's. Query it by naming that graph as the default graph:
``gcmgraph.connect(query_url, graphs=[graph])`` (``default-graph-uri``). On Virtuoso this is
required: its default graph is every graph, its system graphs included. On Oxigraph the default
graph is the store's own (empty) default graph unless the server runs with ``--union-default-graph``.
Keep one copy per store: Virtuoso 7.2 was seen to drop values of ``OPTIONAL`` patterns (a
dialogue held within a mechanism, a member count) from catalogue answers on one graph when the same
triples were also in other graphs of the store, even with the graph named; publish each release
into the same graph (it is replaced) rather than beside older copies.
Literals are normalised first (:func:`gcmgraph.backends.serialize_for_store`: ``"x"^^xsd:string``
becomes ``"x"``, language tags lower case), so ``"CO"`` matches the same way on every store.

How (the SPARQL 1.1 Graph Store HTTP Protocol, then a swap)
===========================================================

1. Ask the store how many triples the target graph holds (checks the URL and the credentials before
   anything is written).
2. Upload the triples, in chunks of ``chunk_size`` (N-Triples; the triples around one blank node
   stay in one chunk, as each request is its own blank-node scope), into a fresh *staging* graph
   ``{graph}-staging-{random}``: the first chunk with ``PUT``, the others with ``POST``.
3. Count the staging graph with a SPARQL ``COUNT`` (a single row, so Virtuoso's result-row cap does
   not matter) and compare with the number of distinct triples sent.
4. Swap: ``MOVE <staging> TO <graph>`` (SPARQL 1.1 Update, one atomic operation on Oxigraph) where
   the store takes updates; else one ``PUT`` of the verified content to the target. Count the target.
5. Delete the staging graph (``MOVE`` already did).

Until step 4 the target graph is never written: a failure (connection reset, store killed, HTTP
error, count mismatch, Ctrl-C) raises :class:`PublishError` saying what happened, that the target
graph is as it was, whether the staging graph could be removed, and that a rerun is safe.

Store types
===========

=========  ===============================================  =================================
type       URL given (any of)                               endpoints used
=========  ===============================================  =================================
oxigraph   ``http://host:7878`` (or .../query, /store)      ``/store?graph=``, ``/query``,
                                                            ``/update``; no authentication
virtuoso   ``http://host:8890`` (or .../sparql)             ``/sparql-graph-crud-auth?graph-uri=``
                                                            (digest), ``/sparql-auth`` for the
                                                            count and ``MOVE`` (digest)
fuseki     ``http://host:3030/dataset``                     ``/dataset/data?graph=``,
                                                            ``/dataset/query``, ``/dataset/update``
generic    the Graph Store endpoint itself                  ``?graph=``; ``query_url`` and
                                                            ``update_url`` when given (else the
                                                            count reads the graph back with GET
                                                            and the swap is a PUT)
=========  ===============================================  =================================

Virtuoso's authenticated endpoints use HTTP *digest*: a large body sent without credentials makes it
answer 401 and close the connection while the body is still being written, so every write first
fetches a challenge with a bodiless GET and carries its credentials from the start.
"""

from __future__ import annotations

import base64
import gc
import http.client
import re
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph

from gcmgraph.backends import EndpointBackend, EndpointError, normalize_graph, serialize_for_store
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import GRAPH

__all__ = ["DEFAULT_GRAPH", "STORE_TYPES", "PublishError", "PublishResult", "StoreEndpoints",
           "endpoints", "publish"]

#: the named graph the release goes to unless another is given
DEFAULT_GRAPH = str(GRAPH) + "release"
STORE_TYPES = ("oxigraph", "virtuoso", "fuseki", "generic")
#: triples per request
DEFAULT_CHUNK = 50_000

_NT = "application/n-triples"
_TURTLE = "text/turtle; charset=utf-8"
_RERUN = "Rerunning the command is safe."


class PublishError(GcmgraphError):
    """Publishing failed. ``exit_code`` 2 when nothing was written (bad URL, credentials, input),
    1 when the store failed on the way; ``target_intact`` tells whether the target graph is
    known to be as it was."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None, target_intact: bool = True,
                 staging: str | None = None, staging_removed: bool | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
        self.target_intact = target_intact
        self.staging = staging
        self.staging_removed = staging_removed


@dataclass(frozen=True)
class StoreEndpoints:
    """Where a store type takes graphs, queries and updates."""

    store_type: str
    gsp: str
    graph_param: str
    query: str | None
    update: str | None
    auth: str
    content_type: str

    def graph_url(self, graph: str) -> str:
        joiner = "&" if "?" in self.gsp else "?"
        return f"{self.gsp}{joiner}{urllib.parse.urlencode({self.graph_param: graph})}"


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` did."""

    graph: str
    triples: int
    chunks: int
    previous: int | None
    store_type: str
    query_url: str | None
    swap: str
    seconds: float


def _strip(url: str, suffixes: Sequence[str]) -> str:
    url = url.rstrip("/")
    for suffix in suffixes:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def endpoints(url: str, store_type: str, *, query_url: str | None = None, update_url: str | None = None,
              authenticated: bool = False) -> StoreEndpoints:
    """The endpoints of ``store_type`` at ``url`` (see the module docstring)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"not an http(s) URL of a store: {_display(url)!r}",
                         hint="For example http://localhost:7878 (Oxigraph) or http://localhost:8890 (Virtuoso).")
    if parsed.username or parsed.password:
        raise InputError("credentials in the URL are not accepted",
                         hint="Use --user and --password, or GCMGRAPH_USER and GCMGRAPH_PASSWORD.")
    if store_type == "oxigraph":
        base = _strip(url, ("/query", "/update", "/store", "/sparql"))
        found = StoreEndpoints("oxigraph", base + "/store", "graph", base + "/query", base + "/update",
                               "basic", _NT)
    elif store_type == "virtuoso":
        base = _strip(url, ("/sparql-graph-crud-auth", "/sparql-graph-crud", "/sparql-auth", "/sparql"))
        found = StoreEndpoints("virtuoso", base + "/sparql-graph-crud-auth", "graph-uri",
                               base + ("/sparql-auth" if authenticated else "/sparql"), base + "/sparql-auth",
                               "digest", _TURTLE)
    elif store_type == "fuseki":
        base = _strip(url, ("/data", "/query", "/sparql", "/update", "/get"))
        found = StoreEndpoints("fuseki", base + "/data", "graph", base + "/query", base + "/update",
                               "basic", _NT)
    elif store_type == "generic":
        found = StoreEndpoints("generic", url, "graph", None, None, "basic", _TURTLE)
    else:
        raise InputError(f"unknown store type {store_type!r}", hint=f"Use one of: {', '.join(STORE_TYPES)}.")
    if query_url or update_url:
        found = StoreEndpoints(found.store_type, found.gsp, found.graph_param, query_url or found.query,
                               update_url or found.update, found.auth, found.content_type)
    return found


def _display(url: str) -> str:
    """``url`` without any user information (never print credentials)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.username or parsed.password:
        netloc = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
        return urllib.parse.urlunsplit(parsed._replace(netloc=netloc))
    return url


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _check_iri(graph: str) -> str:
    if not _IRI.match(graph or ""):
        raise InputError(f"not an absolute IRI for the named graph: {graph!r}",
                         hint=f"For example {DEFAULT_GRAPH}.")
    return graph


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------


class _Failure(Exception):
    """An HTTP exchange failed: ``what`` says how, ``status`` the HTTP status when there was one."""

    def __init__(self, what: str, status: int | None = None):
        super().__init__(what)
        self.what = what
        self.status = status


class _Client:
    """Plain HTTP with time-outs and credentials sent with the request itself (basic, or digest
    from a challenge fetched bodiless first)."""

    def __init__(self, user: str | None, password: str | None, auth: str, timeout: float):
        self.user, self.password, self.auth, self.timeout = user, password, auth, timeout
        self._opener = urllib.request.build_opener()

    def _authorization(self, method: str, url: str) -> str | None:
        if self.user is None:
            return None
        if self.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            return f"Basic {token}"
        # digest: fetch a challenge without a body
        try:
            with self._opener.open(urllib.request.Request(url, method="GET"), timeout=self.timeout):
                return None  # the store did not ask for credentials
        except urllib.error.HTTPError as err:
            challenge = err.headers.get("WWW-Authenticate", "") or ""
            err.close()
            if err.code != 401:
                return None
        except Exception as err:
            raise _Failure(_describe(err)) from None
        if not challenge.lower().startswith("digest "):
            raise _Failure(f"the store asked for {challenge.split(' ')[0] or 'unknown'} authentication, "
                           "not digest (try --auth basic)", 401)
        handler = urllib.request.HTTPDigestAuthHandler(urllib.request.HTTPPasswordMgrWithDefaultRealm())
        handler.passwd.add_password(None, url, self.user, self.password or "")
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))
        value = handler.get_authorization(urllib.request.Request(url, method=method), fields)
        if value is None:
            raise _Failure("could not answer the store's digest challenge", 401)
        return "Digest " + value

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        authorization = self._authorization(method, url)
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            try:
                text = err.read()
            except Exception:
                text = b""
            raise _Failure(_http_message(err.code, err.reason, text), err.code) from None
        except Exception as err:
            raise _Failure(_describe(err)) from None


def _http_message(code: int, reason: str, body: bytes) -> str:
    detail = re.sub(r"\s+", " ", body.decode("utf-8", "replace")).strip()[:300]
    return f"HTTP {code} {reason}" + (f": {detail}" if detail else "")


def _describe(err: BaseException) -> str:
    if isinstance(err, urllib.error.URLError):
        err = err.reason if isinstance(err.reason, BaseException) else err
    if isinstance(err, ConnectionRefusedError):
        return "connection refused: nothing listens at that host and port"
    if isinstance(err, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
        return f"the store closed the connection ({err.__class__.__name__})"
    if isinstance(err, (TimeoutError, socket.timeout)):
        return "no answer in time (time-out)"
    if isinstance(err, socket.gaierror):
        return "unknown host"
    return f"{err.__class__.__name__}: {err}"


# --------------------------------------------------------------------------------------------------
# Chunks
# --------------------------------------------------------------------------------------------------


def _chunks(graph: Graph, size: int) -> list[Graph]:
    """The triples of ``graph`` in graphs of about ``size`` triples; all triples linked through
    blank nodes stay together (a blank node means one thing in one request only)."""
    plain: list = []
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        while parent.setdefault(node, node) is not node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    linked: list = []
    for triple in graph:
        nodes = [t for t in (triple[0], triple[2]) if isinstance(t, BNode)]
        if not nodes:
            plain.append(triple)
            continue
        linked.append((triple, nodes[0]))
        if len(nodes) == 2:
            a, b = find(nodes[0]), find(nodes[1])
            if a is not b:
                parent[a] = b
    groups: dict[BNode, list] = {}
    for triple, node in linked:
        groups.setdefault(find(node), []).append(triple)
    units: list[list] = [*groups.values(), *([t] for t in plain)]
    chunks: list[Graph] = []
    current = Graph(bind_namespaces="none")
    for unit in units:
        if len(current) and len(current) + len(unit) > size:
            chunks.append(current)
            current = Graph(bind_namespaces="none")
        for triple in unit:
            current.add(triple)
    if len(current) or not chunks:
        chunks.append(current)
    return chunks


# --------------------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def publish(graph: Graph, url: str, store_type: str = "generic", *, target: str = DEFAULT_GRAPH,
            user: str | None = None, password: str | None = None, auth: str | None = None,
            chunk_size: int = DEFAULT_CHUNK, timeout: float = 300.0, query_url: str | None = None,
            update_url: str | None = None, progress: Progress | None = None) -> PublishResult:
    """Load ``graph`` into the named graph ``target`` of the store at ``url``, replacing what it held
    only once the new content is complete and counted (see the module docstring).

    ``progress(triples_sent, triples_total)`` is called after each chunk. Raises
    :class:`PublishError` (or :class:`~gcmgraph.errors.InputError` for bad arguments).
    """
    started = time.monotonic()
    _check_iri(target)
    if chunk_size < 1:
        raise InputError(f"the chunk size must be a positive number of triples, not {chunk_size}")
    if password is not None and user is None:
        raise InputError("a password without a user", hint="Give --user too (or GCMGRAPH_USER).")
    if store_type == "virtuoso" and user is None:
        raise PublishError("Virtuoso takes writes on its authenticated Graph Store endpoint only "
                           "(/sparql-graph-crud-auth): give --user and --password (or GCMGRAPH_USER and "
                           "GCMGRAPH_PASSWORD).\n  Nothing was written.", exit_code=2)
    where = endpoints(url, store_type, query_url=query_url, update_url=update_url,
                      authenticated=user is not None)
    auth = auth or where.auth
    if auth not in ("basic", "digest"):
        raise InputError(f"unknown HTTP authentication {auth!r}", hint="Use basic or digest.")
    client = _Client(user, password, auth, timeout)
    data = normalize_graph(graph)
    expected = len(data)
    chunks = _chunks(data, chunk_size)
    session = _Session(where, client, user, password, auth, timeout)

    # 1. the store answers, the credentials work, and what the target holds now
    try:
        previous = session.count(target)
    except _Failure as failure:
        raise PublishError(_preflight_message(where, failure, user), exit_code=2) from None
    except EndpointError as error:
        raise PublishError(_preflight_message(where, _Failure(error.reason, _status(error.reason)), user),
                           exit_code=2) from None

    staging = f"{target}-staging-{secrets.token_hex(6)}"
    sent = 0
    step = "starting the upload"
    try:
        # 2. the staging graph, chunk by chunk
        for number, chunk in enumerate(chunks, start=1):
            step = f"uploading chunk {number} of {len(chunks)} to the staging graph <{staging}>"
            session.write("PUT" if number == 1 else "POST", staging, serialize_for_store(chunk))
            sent += len(chunk)
            if progress:
                progress(sent, expected)
        # 3. complete?
        step = f"counting the staging graph <{staging}>"
        staged = session.count(staging)
        if staged != expected:
            raise _Failure(f"the staging graph holds {staged:,} triples, {expected:,} were sent "
                           "(the store dropped or merged some)")
        # 4. swap
        step = "swap"
        swap = session.replace(staging, target, chunks, expected)
    except BaseException as err:  # noqa: BLE001 - Ctrl-C too: clean up, then say so
        signalled = getattr(err, "signal", None) if isinstance(err, KeyboardInterrupt) else None
        what = ("interrupted (SIGTERM)" if signalled == 15 else "interrupted (Ctrl-C)") if isinstance(
            err, KeyboardInterrupt) else (
            err.what if isinstance(err, _Failure) else
            err.reason if isinstance(err, EndpointError) else _describe(err))
        if isinstance(err, _Swapped):
            raise PublishError(
                f"publishing to {where.store_type} at {_display(url)} failed after the swap: {what}. "
                f"The graph <{target}> may hold an incomplete copy; {_RERUN}",
                target_intact=False) from None
        # an upload cut off by a signal leaves its connection open in the traceback's frames: close
        # it now, so the store ends that request before the staging graph is removed
        err.__traceback__ = None
        gc.collect()
        removed = session.remove(staging)
        held = "empty" if not previous else f"{previous:,} triples"
        if step == "swap":
            state = (f"  The swap is one request (MOVE or PUT) that the store refused or did not confirm: "
                     f"the graph <{target}> holds either its old content ({held}) or the complete new one.\n")
            step = f"replacing <{target}> with the staging graph"
        else:
            state = f"  Nothing was replaced: the graph <{target}> is as it was ({held} before this run).\n"
        message = (f"publishing to {where.store_type} at {_display(url)} failed while {step}: {what}.\n"
                   + state
                   + (f"  The staging graph <{staging}> was removed.\n" if removed else
                      f"  The staging graph <{staging}> could not be removed; when the store is back, "
                      f"remove it with: DROP SILENT GRAPH <{staging}>\n")
                   + f"  {_RERUN}")
        # interrupted: the shell's code for the signal (130 Ctrl-C, 143 SIGTERM), as every command
        stopped = 128 + (signalled or 2) if isinstance(err, KeyboardInterrupt) else None
        raise PublishError(message, staging=staging, staging_removed=removed, exit_code=stopped) from None

    # 5. the staging graph is gone (MOVE) or deleted now
    session.remove(staging)
    return PublishResult(target, expected, len(chunks), previous, where.store_type, where.query,
                         swap, time.monotonic() - started)


class _Swapped(_Failure):
    """A failure once the target graph may have been written."""


def _status(reason: str) -> int | None:
    match = re.match(r"HTTP (\d{3})", reason or "")
    return int(match.group(1)) if match else None


def _preflight_message(where: StoreEndpoints, failure: _Failure, user: str | None) -> str:
    target = where.query or where.gsp
    text = f"cannot publish to {where.store_type} at {_display(target)}: {failure.what}.\n"
    if failure.status == 401:
        text += ("  The store refused the credentials." if user else "  The store wants credentials: "
                 "give --user and --password (or GCMGRAPH_USER and GCMGRAPH_PASSWORD).")
        if where.store_type == "virtuoso":
            text += " Virtuoso's authenticated endpoints take digest authentication (the default)."
        text += "\n"
    elif failure.status == 403:
        text += "  The store refused this user or this operation.\n"
    elif failure.status == 404:
        text += f"  No such endpoint: is the URL right and is the store type {where.store_type}?\n"
    else:
        text += "  Check the URL and that the store is running.\n"
    return text + "  Nothing was written."


class _Session:
    """The requests of one publication."""

    _COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def __init__(self, where: StoreEndpoints, client: _Client, user: str | None, password: str | None,
                 auth: str, timeout: float):
        self.where, self.client = where, client
        self._query = None
        if where.query:
            self._query = EndpointBackend(where.query, user=user, password=password, auth=auth,
                                          timeout=(min(10.0, timeout), timeout))

    def count(self, graph: str) -> int:
        """Triples in ``graph`` (0 when it does not exist)."""
        if self._query is not None:
            frame = self._query.query(self._COUNT.format(graph=graph))
            return int(frame.iloc[0, 0]) if len(frame) else 0
        # no query endpoint: read the graph back
        try:
            _, body = self.client.request("GET", self.where.graph_url(graph), headers={"Accept": _NT})
        except _Failure as failure:
            if failure.status == 404:
                return 0
            raise
        try:
            return len(Graph().parse(data=body.decode("utf-8"), format="nt"))
        except Exception as err:
            raise _Failure(f"the store's copy of <{graph}> could not be read back as N-Triples: {err}") from None

    def write(self, method: str, graph: str, body: bytes) -> None:
        self.client.request(method, self.where.graph_url(graph), body,
                            {"Content-Type": self.where.content_type})

    def update(self, text: str) -> None:
        body = urllib.parse.urlencode({"update": text}).encode()
        self.client.request("POST", self.where.update, body,
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def replace(self, staging: str, target: str, chunks: Sequence[Graph], expected: int) -> str:
        """Make ``target`` hold what ``staging`` holds (``expected`` triples); which way it went."""
        if self.where.update:
            self.update(f"MOVE <{staging}> TO <{target}>")
            how = "MOVE"
        else:
            content = b"".join(serialize_for_store(chunk) for chunk in chunks)
            self.write("PUT", target, content)
            how = "PUT"
        try:
            got = self.count(target)
        except (_Failure, EndpointError) as err:
            raise _Swapped(f"the store did not answer after the {how}: {err}") from None
        if got != expected:
            raise _Swapped(f"after the {how} the graph holds {got:,} triples, not {expected:,}")
        return how

    def remove(self, graph: str) -> bool:
        """Delete ``graph`` if it exists; whether the store confirmed it is gone.

        An upload cut off on this side (Ctrl-C, SIGTERM) may still be completed by the store after
        the DELETE, bringing the graph back: so the graph is counted afterwards and deleted again
        when it holds anything (up to five times)."""
        for attempt in range(5):
            deleted = False
            try:
                self.client.request("DELETE", self.where.graph_url(graph))
                deleted = True
            except _Failure as failure:
                deleted = failure.status == 404
            except Exception:  # noqa: BLE001
                pass
            time.sleep(0.1 * (attempt + 1))
            try:
                if self.count(graph) == 0:
                    return True
            except Exception:  # noqa: BLE001
                return deleted
        return False
