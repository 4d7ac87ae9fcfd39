"""Reading RDF files handed to gcmgraph without trusting them.

Every file a user gives gcmgraph (``validate FILE``, ``--add FILE``, ``load(extra)``) and every
curated file goes through :func:`parse_rdf`. It promises, whatever the bytes:

- a graph, or an :class:`~gcmgraph.errors.InputError` naming the file, the line when it is
  known, what is wrong and what to do; never another exception;
- no file is read but the one named, and no host is called: RDF/XML with a document type
  declaration is refused before any parser expands its entities (an ``<!ENTITY x SYSTEM
  "file:///…">`` would read a local file, nested entities expand to gigabytes: the "billion
  laughs"); JSON-LD whose ``@context`` (or ``@import``) names a document, local or remote, is
  refused before rdflib would fetch it, but for a context file beside it named by its plain file
  name (``"context.jsonld"``, as ``gcmgraph release`` writes), read under the same rules;
- bounded memory: a file larger than :func:`max_file_size` (100 MiB unless the environment
  variable ``GCMGRAPH_MAX_FILE_SIZE`` says otherwise, e.g. ``500M``, ``2G``, ``0`` for no limit)
  is refused before it is read. Large N-Triples and N-Quads files are best loaded with
  ``--backend oxigraph``, which streams them into its store without this limit;
- IRIs hold no spaces or control characters (rdflib's Turtle parser lets them through; every
  store that receives them later refuses them);
- text is UTF-8 (a UTF-8 byte-order mark is accepted); a UTF-16 or Latin-1 file gets a message
  saying so. RDF/XML declares its own encoding, which is honoured.

The formats, by suffix: ``.ttl`` Turtle, ``.nt`` N-Triples, ``.nq`` N-Quads, ``.trig`` TriG,
``.jsonld`` JSON-LD, ``.rdf``/``.owl`` RDF/XML.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from gcmgraph.errors import InputError

__all__ = ["FORMATS", "MAX_FILE_SIZE_VARIABLE", "RdfFormat", "format_of", "max_file_size", "parse_rdf"]

#: the environment variable that sets the largest file read into memory
MAX_FILE_SIZE_VARIABLE = "GCMGRAPH_MAX_FILE_SIZE"
DEFAULT_MAX_FILE_SIZE = 100 * 2**20
FIX_HINT = "Fix the file and run `gcmgraph validate` again."


@dataclass(frozen=True)
class RdfFormat:
    name: str
    rdflib_name: str
    title: str
    #: whether the format can carry named graphs
    quads: bool = False


FORMATS = {
    ".ttl": RdfFormat("turtle", "turtle", "Turtle"),
    ".nt": RdfFormat("nt", "nt", "N-Triples"),
    ".nq": RdfFormat("nquads", "nquads", "N-Quads", quads=True),
    ".trig": RdfFormat("trig", "trig", "TriG", quads=True),
    ".jsonld": RdfFormat("jsonld", "json-ld", "JSON-LD", quads=True),
    ".rdf": RdfFormat("xml", "xml", "RDF/XML"),
    ".owl": RdfFormat("xml", "xml", "RDF/XML"),
}

# IRIREF of Turtle, N-Triples, TriG (and RFC 3987) excludes these; C1 controls are refused too
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_SIZE = re.compile(r"\s*([0-9]+)\s*([KMG]i?B?|B)?\s*", re.IGNORECASE)


def format_of(path: Path | str) -> RdfFormat:
    """The RDF format of a file, from its suffix; an :class:`InputError` for any other suffix."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(f"{s} ({f.title})" for s, f in FORMATS.items())
        raise InputError(f"unsupported file type {suffix or '(no suffix)'}", path=path,
                         hint=f"gcmgraph reads {known}. Rename the file if it is one of these.") from None


def max_file_size() -> int | None:
    """The largest file (bytes) gcmgraph reads into memory; None: no limit.

    ``GCMGRAPH_MAX_FILE_SIZE``: a number of bytes, or with a unit ``K``, ``M``, ``G`` (powers
    of 1024); ``0`` lifts the limit.
    """
    raw = os.environ.get(MAX_FILE_SIZE_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_SIZE
    match = _SIZE.fullmatch(raw)
    if not match:
        raise InputError(f"{MAX_FILE_SIZE_VARIABLE}={raw!r} is not a size",
                         hint="Write a number of bytes or one with a unit: 500M, 2G; 0 for no limit.")
    unit = (match.group(2) or "B").upper()[0]
    size = int(match.group(1)) * {"B": 1, "K": 2**10, "M": 2**20, "G": 2**30}[unit]
    return size or None


def _human(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def _read_bytes(path: Path, display: str) -> bytes:
    try:
        size = path.stat().st_size
        limit = max_file_size()
        if limit is not None and size > limit:
            raise InputError(
                f"the file is {_human(size)}, over the limit of {_human(limit)} for files read into memory",
                path=display,
                hint=f"Raise the limit with {MAX_FILE_SIZE_VARIABLE}=… (e.g. 500M; 0 for none), or give "
                     "a large N-Triples or N-Quads file with --backend oxigraph, which streams it into "
                     "its store.")
        if not path.is_file():
            raise InputError("not a regular file", path=display, hint="Give a file of RDF.")
        with open(path, "rb") as handle:
            return handle.read(limit + 1 if limit is not None else -1)
    except FileNotFoundError:
        raise InputError("no such file", path=display,
                         hint="Check the path; gcmgraph reads Turtle files (.ttl) and folders of them.") from None
    except PermissionError:
        raise InputError("permission denied", path=display, hint="Make the file readable.") from None
    except IsADirectoryError:
        raise InputError("is a folder", path=display, hint="Give the folder itself, not as a file.") from None


_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
         (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def _encoding_hint(title: str) -> str:
    return f"{title} files are UTF-8: re-save the file as UTF-8 (in most editors: Save as, Encoding UTF-8)."


def _refuse_other_encodings(data: bytes, display: str, title: str) -> None:
    """UTF-16 and UTF-32 (with or without a byte-order mark) and binary files."""
    hint = _encoding_hint(title)
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise InputError(f"the file is {name} text (it starts with a {name} byte-order mark), not UTF-8",
                             path=display, line=1, hint=hint)
    if b"\x00" in data[:4096]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError("the file holds NUL bytes: it is UTF-16 without a byte-order mark, or not text at all",
                         path=display, line=line, hint=hint)


def _decode(data: bytes, display: str, title: str) -> str:
    """The file's text: UTF-8, with an optional byte-order mark; anything else refused."""
    _refuse_other_encodings(data, display, title)
    hint = _encoding_hint(title)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        byte = data[err.start:err.start + 1].hex()
        raise InputError(f"not UTF-8 text (byte 0x{byte} at column {column}; Latin-1 or Windows-1252?)",
                         path=display, line=line, hint=hint) from None


def _short(text: str, size: int = 240) -> str:
    """Parser messages quote the input, which can be megabytes long."""
    return text if len(text) <= size else text[:size] + f"… ({len(text) - size:,} more characters)"


def _line_of(text: str | bytes, needle: str) -> int | None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


# --------------------------------------------------------------------------------------------------
# Per format
# --------------------------------------------------------------------------------------------------


def _notation3_family(text: str, fmt: RdfFormat, display: str, base: str) -> Graph:
    target = Dataset() if fmt.quads else Graph()
    try:
        target.parse(data=text, format=fmt.rdflib_name, publicID=base)
    except BadSyntax as err:
        reason = err._why  # the parser's own words, e.g. 'Prefix "foo:" not bound'
        hint = FIX_HINT
        if "not bound" in reason:
            hint = "Declare the prefix with @prefix at the top of the file, or write the full IRI in <...>."
        # rdflib counts the lines before the offending one
        raise InputError(f"malformed {fmt.title}: {_short(reason)}", path=display, line=err.lines + 1,
                         hint=hint) from None
    return target


class _WholeLines(io.TextIOBase):
    """A text stream that hands rdflib's N-Triples/N-Quads parser one whole line per read.

    rdflib reads 2 KiB at a time and re-scans its whole buffer after each read, which takes
    minutes on one line of a few megabytes (a long literal); whole lines make it linear. The
    stream also counts lines, so a parse error can name its line, and decodes each line as
    UTF-8 on its own.
    """

    encoding = "utf-8"

    def __init__(self, data: bytes, display: str, title: str):
        self._lines = io.BytesIO(data)
        self.display, self.title = display, title
        self.name = display  # rdflib asks the stream for its name
        self.line = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        raw = self._lines.readline()
        if not raw:
            return ""
        self.line += 1
        if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            byte = raw[err.start:err.start + 1].hex()
            raise InputError(f"not UTF-8 text (byte 0x{byte} at column {err.start + 1}; Latin-1 or "
                             "Windows-1252?)", path=self.display, line=self.line,
                             hint=f"{self.title} files are UTF-8: re-save the file as UTF-8.") from None


def _line_based(data: bytes, fmt: RdfFormat, display: str, base: str) -> Graph:
    _refuse_other_encodings(data, display, fmt.title)
    stream = _WholeLines(data, display, fmt.title)
    target = Dataset() if fmt.quads else Graph()
    try:
        target.parse(file=stream, format=fmt.rdflib_name, publicID=base)
    except InputError:
        raise
    except Exception as err:  # rdflib's ParseError: "Invalid line (reason):\n'line'"
        reason = str(err).split("\n", 1)[0]
        found = re.match(r"Invalid line \((.*)\):?$", reason, re.DOTALL)
        if found:
            reason = found.group(1)
        elif reason.startswith("Invalid line:"):
            reason = "the line is not a statement"
        raise InputError(f"malformed {fmt.title}: {_short(reason)}", path=display, line=stream.line or None,
                         hint=f"Each line holds one statement: <subject> <predicate> object"
                              f"{' <graph>' if fmt.quads else ''} . -- {FIX_HINT}") from None
    return target


class _Refused(Exception):
    pass


def _refuse_dtd(data: bytes, display: str) -> None:
    """Refuse a document type declaration before anything expands its entities; check the XML."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args) -> None:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InputError(
            "RDF/XML with a document type declaration (<!DOCTYPE …>) is refused: its entities could make "
            "a parser read local files or expand without bound", path=display,
            line=parser.CurrentLineNumber,
            hint="RDF/XML needs no DTD: remove the <!DOCTYPE …> block and write the values out in full.") from None
    except xml.parsers.expat.ExpatError as err:
        reason = xml.parsers.expat.errors.messages.get(err.code, str(err))
        raise InputError(f"malformed XML: {reason} (column {err.offset + 1})", path=display, line=err.lineno,
                         hint=FIX_HINT) from None


def _rdf_xml(data: bytes, fmt: RdfFormat, display: str, base: str) -> Graph:
    _refuse_dtd(data, display)
    graph = Graph()
    try:
        # as bytes, so the encoding the XML declaration names is honoured
        graph.parse(source=io.BytesIO(data), format="xml", publicID=base)
    except Exception as err:  # rdflib's ParserError: "<base>:LINE:COL: reason"
        text = str(err)
        found = re.search(r":(\d+):(\d+): (.*)$", text, re.DOTALL)
        line = int(found.group(1)) if found else None
        reason = found.group(3).strip() if found else text
        raise InputError(f"malformed RDF/XML: {_short(reason)}", path=display, line=line, hint=FIX_HINT) from None
    return graph


_SIBLING = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.jsonld")


def _contexts(data: object, folder: Path, display: str, text: str, depth: int = 0) -> object:
    """``data`` with every context it names put in place, or an :class:`InputError`.

    A JSON-LD processor fetches each string-valued ``@context`` entry and each ``@import``, from
    the network or from local files. Refused, except one case: a plain file name of a ``.jsonld``
    file in the same folder (``"@context": "context.jsonld"``, what ``gcmgraph release`` writes),
    which is read here, under the same rules, and put in place. Walked without recursion.
    """
    root = {"value": data}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("@import"), str):
            _refuse_context(node["@import"], text, display)
        if "@context" in node:
            value = node["@context"]
            entries = value if isinstance(value, list) else [value]
            placed = [_sibling_context(e, folder, display, text, depth) if isinstance(e, str) else e
                      for e in entries]
            node["@context"] = placed if isinstance(value, list) else placed[0]
        stack.extend(node.values())
    return root["value"]


def _refuse_context(document: str, text: str, display: str) -> None:
    raise InputError(
        f"JSON-LD that loads its context from {_short(document, 120)!r} is refused: gcmgraph reads no "
        "other file (but a context file beside it) and calls no other host while loading",
        path=display, line=_line_of(text, document),
        hint="Put the context in the file itself (\"@context\": { … }), or in a .jsonld file in the same "
             "folder named by its plain file name (\"@context\": \"context.jsonld\").")


def _sibling_context(document: str, folder: Path, display: str, text: str, depth: int) -> object:
    path = folder / document
    if not _SIBLING.fullmatch(document) or depth > 0 or not path.is_file():
        _refuse_context(document, text, display)
    shown = str(Path(display).parent / document)
    context_text = _decode(_read_bytes(path, shown), shown, "JSON-LD")
    try:
        loaded = json.loads(context_text)
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON: {err.msg} (column {err.colno})", path=shown, line=err.lineno,
                         hint=FIX_HINT) from None
    if not isinstance(loaded, dict) or "@context" not in loaded:
        raise InputError("a JSON-LD context file holds an object with \"@context\"", path=shown, hint=FIX_HINT)
    # the context file may not name further documents
    return _contexts(loaded, folder, shown, context_text, depth + 1)["@context"]


def _json_ids(data: object) -> list[str]:
    """The ``@id`` values of JSON-LD data (rdflib drops a node whose IRI is invalid, silently)."""
    found: list[str] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("@id")
            if isinstance(value, str):
                found.append(value)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _json_ld(text: str, fmt: RdfFormat, display: str, base: str, folder: Path) -> Graph:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON: {err.msg} (column {err.colno})", path=display, line=err.lineno,
                         hint=FIX_HINT) from None
    data = _contexts(data, folder, display, text)
    for identifier in _json_ids(data):
        if _BAD_IRI.search(identifier) and not identifier.startswith("_:"):
            _refuse_iri(identifier, text, display)
    dataset = Dataset()
    try:
        dataset.parse(data=json.dumps(data), format="json-ld", publicID=base)
    except Exception as err:
        raise InputError(f"malformed JSON-LD: {_short(str(err))}", path=display, hint=FIX_HINT) from None
    return dataset


def _check_iris(graph: Graph, text: str | bytes, fmt: RdfFormat, display: str) -> None:
    seen: set[str] = set()
    quads = graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else (
        (*t, None) for t in graph)
    for quad in quads:
        for term in quad:
            if isinstance(term, Literal):
                term = term.datatype
            if not isinstance(term, URIRef) or term in seen:
                continue
            seen.add(term)
            if _BAD_IRI.search(term):
                _refuse_iri(str(term), text, display)


def _refuse_iri(iri: str, text: str | bytes, display: str) -> None:
    bad = _BAD_IRI.search(iri).group(0)
    if bad == " ":
        what = "a space"
    elif bad < " " or "\x7f" <= bad <= "\x9f":
        what = f"the control character U+{ord(bad):04X}"
    else:
        what = f"the character {bad!r}"
    raise InputError(f"the IRI {_short(iri, 120)!r} holds {what}, which IRIs cannot hold",
                     path=display, line=_line_of(text, iri),
                     hint="Write a space in an IRI as %20, or mint an IRI without it "
                          "(see the IRI policy in ontology/README.md).")


def parse_rdf(path: Path | str, display: str | None = None, fmt: RdfFormat | None = None) -> Graph:
    """Read one RDF file (format from its suffix unless ``fmt``), as the module docstring promises.

    A :class:`rdflib.Dataset` for formats with named graphs (N-Quads, TriG, JSON-LD), else a
    :class:`rdflib.Graph`. Raises :class:`InputError` and nothing else for any content.
    """
    path = Path(path)
    display = display or str(path)
    fmt = fmt or format_of(path)
    data = _read_bytes(path, display)
    base = path.resolve().as_uri()
    try:
        if fmt.name == "xml":
            graph, text = _rdf_xml(data, fmt, display, base), data
        elif fmt.name in ("nt", "nquads"):
            graph, text = _line_based(data, fmt, display, base), data
        else:
            text = _decode(data, display, fmt.title)
            if fmt.name == "jsonld":
                graph = _json_ld(text, fmt, display, base, path.parent)
            else:
                graph = _notation3_family(text, fmt, display, base)
        _check_iris(graph, text, fmt, display)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"malformed {fmt.title}: nested too deeply to read", path=display,
                         hint="Flatten the nesting (name the blank nodes, or split the lists).") from None
    except MemoryError:
        raise InputError(f"not enough memory to read this {fmt.title} file", path=display,
                         hint=f"Lower {MAX_FILE_SIZE_VARIABLE}, or load it with --backend oxigraph.") from None
    except Exception as err:  # rdflib raises plain exceptions for some malformed terms
        raise InputError(f"malformed {fmt.title}: {_short(str(err))}", path=display, hint=FIX_HINT) from None
    return graph
