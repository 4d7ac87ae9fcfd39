"""Serving a site written by ``gcmgraph site`` with HTTP content negotiation on the entity IRIs.

The IRI policy (``ontology/README.md``) makes ``id/…`` IRIs name things (a country, a policy), not
documents, so, following *Cool URIs for the Semantic Web* (303 URIs), a request for such an IRI
path is answered **303 See Other** to the document that describes the thing in the format the
client accepts (``Accept``, q-values honoured) and, for HTML, in the language it prefers
(``Accept-Language``)::

    GET /id/country/CO          Accept: text/turtle           303 → /id/country/CO.ttl
    GET /id/country/CO          Accept: text/html  Accept-Language: en   303 → /id/country/CO.en.html

Ontology terms and shapes are hash IRIs (``ontology#LocalAuthority``): the client asks for the
document ``/ontology``, which *is* a document, so it is answered **200** with the chosen variant
and ``Content-Location`` naming it (Cool URIs, hash URIs with content negotiation). Both answers
carry ``Vary: Accept, Accept-Language``; a request no variant satisfies gets **406** with the list
of available types. Files are served as they are, with their media type and charset. Only ``GET``
and ``HEAD`` are allowed (405 otherwise); paths that leave the site's folder are refused (403) and
folders are not listed (404).

>>> negotiate("text/html;q=0.5, text/turtle", ["text/html", "text/turtle"])
'text/turtle'
>>> negotiate("application/xml", ["text/html", "text/turtle"]) is None
True
>>> choose_language("en-GB,en;q=0.9,es;q=0.5", ["es", "en"], "es")
'en'
"""

from __future__ import annotations

import http.server
import json
import posixpath
import socketserver
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from gcmgraph.errors import GcmgraphError, InputError

__all__ = ["SiteHandler", "choose_language", "make_server", "negotiate", "parse_accept", "run"]

#: media types of the files a site holds; text types are UTF-8
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".xml": "application/xml",
}
#: what a client can ask an entity IRI for, in the server's order of preference for ties
VARIANTS = ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
SUFFIX_OF = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
             "application/n-triples": "nt"}
#: other names clients use for the same formats
ALIASES = {"application/xhtml+xml": "text/html", "application/x-turtle": "text/turtle",
           "application/json": "application/ld+json"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept``/``Accept-Language`` as (range, q) pairs; a malformed q counts as 0 (RFC 9110 §12.4.2)."""
    if not header:
        return []
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        name = pieces[0].lower()
        if not name:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((name, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q the most specific matching range gives ``media`` (RFC 9110 §12.5.1)."""
    kind = media.split("/")[0]
    best, specificity = 0.0, -1
    for name, q in ranges:
        name = ALIASES.get(name, name) if name != media else name
        if name == media:
            level = 2
        elif name == f"{kind}/*":
            level = 1
        elif name == "*/*":
            level = 0
        else:
            continue
        if level > specificity or (level == specificity and q > best):
            best, specificity = q, level
    return best


def negotiate(accept: str | None, available: Sequence[str]) -> str | None:
    """The available media type the client prefers (server order breaks ties), or None (406).

    No ``Accept`` header means anything goes: the first available type.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return available[0] if available else None
    scored = [(_quality(media, ranges), -i, media) for i, media in enumerate(available)]
    q, _, media = max(scored)
    return media if q > 0 else None


def choose_language(header: str | None, available: Sequence[str], default: str) -> str:
    """The available language the client prefers by ``Accept-Language`` (primary subtags), else
    ``default``: a page in some language beats a 406 for people."""
    best, best_q = default, 0.0
    for name, q in parse_accept(header):
        primary = name.split("-")[0]
        candidates = available if primary == "*" else [primary] if primary in available else []
        for lang in candidates:
            if q > best_q:
                best, best_q = lang, q
    return best


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Answers requests for one site folder (``root``)."""

    server_version = "gcmgraph-site"
    protocol_version = "HTTP/1.1"
    root: Path
    languages: tuple[str, ...] = ("es", "en")
    default_language = "es"
    thing_folders: tuple[str, ...] = ("id/", "graph/")
    hash_documents: tuple[str, ...] = ("ontology", "shapes")
    verbose = False

    def __init__(self, *args, root: Path, manifest: dict, verbose: bool = False, **kwargs):
        self.root = root
        self.languages = tuple(manifest.get("languages", self.languages))
        self.default_language = manifest.get("default_language", self.default_language)
        self.thing_folders = tuple(manifest.get("thing_folders", self.thing_folders))
        self.hash_documents = tuple(manifest.get("hash_documents", self.hash_documents))
        self.verbose = verbose
        super().__init__(*args, **kwargs)

    # every method but GET and HEAD: 405 with Allow (BaseHTTPRequestHandler would say 501)
    def __getattr__(self, name: str):
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        if self.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _not_allowed(self) -> None:
        self._send(405, b"Only GET and HEAD are allowed.\n", "text/plain; charset=utf-8",
                   {"Allow": "GET, HEAD"}, body=self.command != "HEAD")

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None,
              body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _error(self, status: int, message: str, body: bool, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers, body)

    def _resolve(self, path: str) -> Path | None:
        """The file or folder ``path`` names inside the site, or None when it would leave it."""
        candidate = (self.root / path).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None
        return candidate

    def _answer(self, body: bool) -> None:
        raw = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw)
        segments = path.split("/")
        if "\x00" in path or "\\" in path or ".." in segments or any(s.startswith(".") for s in segments if s):
            self._error(403, "Forbidden: the path leaves the site or names a hidden file.", body)
            return
        relative = posixpath.normpath(path).lstrip("/")
        relative = "" if relative == "." else relative
        target = self._resolve(relative)
        if target is None:
            self._error(403, "Forbidden: the path leaves the site.", body)
            return
        if relative == "":
            self._negotiate("index", body, html_only=True, redirect=False)
        elif target.is_file():
            self._file(target, body)
        elif (self.root / f"{relative}.ttl").is_file() and self._resolve(f"{relative}.ttl") is not None:
            self._negotiate(relative, body, redirect=relative.startswith(self.thing_folders))
        else:
            self._error(404, f"Not found: {path}", body)

    def _file(self, target: Path, body: bool, headers: dict[str, str] | None = None,
              status: int = 200) -> None:
        content_type = MEDIA_TYPES.get(target.suffix, "application/octet-stream")
        self._send(status, target.read_bytes(), content_type, headers, body)

    def _variants(self, relative: str, html_only: bool) -> dict[str, str]:
        """Media type → file of each variant that exists (HTML in the language chosen later)."""
        found = {}
        for media in VARIANTS:
            if media == "text/html":
                if (self.root / f"{relative}.{self.default_language}.html").is_file():
                    found[media] = "html"
            elif not html_only and (self.root / f"{relative}.{SUFFIX_OF[media]}").is_file():
                found[media] = SUFFIX_OF[media]
        return found

    def _negotiate(self, relative: str, body: bool, redirect: bool, html_only: bool = False) -> None:
        variants = self._variants(relative, html_only)
        vary = {"Vary": "Accept, Accept-Language"}
        links = ", ".join(
            f'</{relative}.{self.default_language if s == "html" else s}{".html" if s == "html" else ""}>; '
            f'rel="alternate"; type="{m}"' for m, s in variants.items())
        if links:
            vary["Link"] = links
        media = negotiate(self.headers.get("Accept"), list(variants))
        if media is None:
            listing = "\n".join(f"  {m}" for m in variants)
            self._error(406, f"Not Acceptable. /{relative} is available as:\n{listing}", body, vary)
            return
        suffix = variants[media]
        if suffix == "html":
            lang = choose_language(self.headers.get("Accept-Language"), self.languages, self.default_language)
            document = f"{relative}.{lang}.html"
        else:
            document = f"{relative}.{suffix}"
        if redirect:
            location = "/" + urllib.parse.quote(document)
            message = f"See Other: {location} describes /{relative} as {media}.\n"
            self._send(303, message.encode("utf-8"), "text/plain; charset=utf-8",
                       {**vary, "Location": location}, body)
            return
        self._file(self.root / document, body, {**vary, "Content-Location": "/" + urllib.parse.quote(document)})


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _manifest(root: Path) -> dict:
    manifest = root / "site.json"
    if not root.is_dir():
        raise InputError(f"{root} is not a folder", hint="Build the site first: gcmgraph site --out DIR.")
    if not manifest.is_file():
        raise InputError(f"{root} is not a site written by gcmgraph (no site.json in it)",
                         hint="Build it with: gcmgraph site --out DIR, then serve that DIR.")
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {manifest}: {exc}", path=manifest,
                         hint="Rebuild the site with gcmgraph site --out DIR.") from exc


def make_server(root: Path | str, host: str = "127.0.0.1", port: int = 8000,
                verbose: bool = False) -> http.server.HTTPServer:
    """A threaded HTTP server for the site in ``root`` (not started: call ``serve_forever``)."""
    root = Path(root).resolve()
    manifest = _manifest(root)
    handler = partial(SiteHandler, root=root, manifest=manifest, verbose=verbose)
    try:
        return _Server((host, port), handler)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint="Choose another --port (0 picks a free one) or stop what uses it.") from exc


def run(root: Path | str, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False,
        announce: Callable[[str], None] = print) -> None:
    """Serve the site until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    server = make_server(root, host, port, verbose)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"serving {Path(root)} at http://{shown}:{bound_port}/")

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


if __name__ == "__main__":  # pragma: no cover
    try:
        run(sys.argv[1])
    except GcmgraphError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
