"""The query catalogue: the ``.rq`` files of ``queries/``, their headers, typed parameters and binding.

Header convention
=================

The catalogue folder can be served unchanged by grlc (https://github.com/CLARIAH/grlc), which turns
a folder of ``.rq`` files into a web API, so headers follow grlc's:

- Every line that starts with ``#+`` (in the first column) is header; grlc strips the leading
  ``#`` and ``+`` characters and reads the rest, joined, as one YAML document. A header that is
  not valid YAML is silently dropped by grlc, so gcmgraph refuses it instead.
- ``summary`` (title) and ``description`` are strings in grlc (it appends the query text to the
  description), so both languages go into one string, English first: ``English / Español``.
- ``tags`` is a list of strings; ``defaults`` a list of one-key mappings ``- name: value``;
  ``enumerate`` a list whose items are ``- name: [values…]`` (a bare ``- name`` makes grlc ask the
  endpoint for the values; gcmgraph then has no fixed list). Names here are the plain parameter
  names (``objective``), not the variables (``?_objective_iri``).
- Parameters are the query's variables that start with an underscore, with grlc's naming:
  ``?_name`` is required, ``?__name`` optional (left unbound when not given); an optional suffix
  gives the type: ``_iri``, ``_number``, ``_literal``/``_string``, an XSD datatype
  (``_integer``, ``_date``), ``_prefix_datatype`` (``_xsd_date``), or a two-letter language tag
  (``_en``: a literal tagged ``@en``). The name itself has no underscore.
- A parameter named ``objective`` or ``country`` (with ``_iri``) or ``lang`` (no suffix) has that
  type without further ado.
- grlc ignores decorators it does not know, so gcmgraph adds one, ``gcmgraph_params``, a mapping
  from parameter name to ``type`` (one of :data:`PARAMETER_TYPES`), ``description`` (``es``/``en``),
  ``default`` and ``allowed``. Its type must agree with the grlc suffix: ``objective``, ``country``
  and ``iri`` need ``_iri``; ``integer`` needs ``_integer``, ``_xsd_integer`` or ``_number``;
  ``date`` needs ``_date`` or ``_xsd_date``; ``text`` and ``lang`` take no suffix (or
  ``_string``/``_literal``, or a language tag for ``text``). A grlc user passes the IRI, the
  number or the date as grlc expects; a gcmgraph user passes ``16`` or ``CO`` and gcmgraph turns
  it into the IRI.

The YAML is read with PyYAML, grlc's own reader, so both read a header the same way (YAML 1.1:
``yes``/``no`` are booleans, ``16`` is a number; quote a value that must stay text).

Language of results
===================

Queries that return labels declare ``?_lang`` (a variable named ``lang`` is typed ``lang``; add
``#+ defaults: [{lang: es}]`` so grlc's form is filled in too); the runner binds it from the
user's ``--lang`` (``es`` by default) and the query picks each label in that language, falling
back to Spanish, then English::

    OPTIONAL { ?x rdfs:label ?labelWanted FILTER(langMatches(lang(?labelWanted), ?_lang)) }
    OPTIONAL { ?x rdfs:label ?labelEs FILTER(langMatches(lang(?labelEs), "es")) }
    OPTIONAL { ?x rdfs:label ?labelEn FILTER(langMatches(lang(?labelEn), "en")) }
    BIND(COALESCE(?labelWanted, ?labelEs, ?labelEn) AS ?label)

``langMatches(…, "en")`` also matches the curators' translations, tagged ``@en-t-es``. Do not
write ``IF(?_lang = "en", …)``: grlc finds parameters with rdflib's algebra, which does not see a
variable used only in a comparison or a BIND (see :meth:`Catalogue.load`).

Binding
=======

See :func:`bind_text`: values are validated, turned into rdflib terms, and joined to the query as a
``VALUES`` block at the start of its outermost ``WHERE`` group, written from the terms' N-Triples
form. The same final text runs on rdflib, pyoxigraph and any SPARQL endpoint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pyparsing import ParseException, ParseResults
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import RDFS, XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from gcmgraph.errors import InputError
from gcmgraph.namespaces import GCM, objective
from gcmgraph.paths import Layout, default_layout

__all__ = [
    "PARAMETER_TYPES",
    "Catalogue",
    "Parameter",
    "Query",
    "bind_text",
    "parse_header",
]

#: What a parameter can be, in gcmgraph's words.
PARAMETER_TYPES = ("objective", "country", "iri", "text", "integer", "number", "date", "lang")

#: Query files named so are checks: they must return no rows.
CHECK_PREFIX = "check-"
QUERY_SUFFIX = ".rq"
TEXT_MAX_LENGTH = 200
LANGUAGES = ("es", "en")
OBJECTIVE_RANGE = range(1, 24)

_DEFAULT_DESCRIPTIONS = {
    "objective": {"en": "number of a GCM objective, 1 to 23", "es": "número de un objetivo del PMM, 1 a 23"},
    "country": {"en": "ISO 3166-1 country code, alpha-2 (CO) or alpha-3 (COL)",
                "es": "código ISO 3166-1 del país, alfa-2 (CO) o alfa-3 (COL)"},
    "iri": {"en": "an absolute http(s) IRI", "es": "un IRI absoluto http(s)"},
    "text": {"en": f"plain text, at most {TEXT_MAX_LENGTH} characters",
             "es": f"texto simple, como máximo {TEXT_MAX_LENGTH} caracteres"},
    "integer": {"en": "a whole number", "es": "un número entero"},
    "number": {"en": "a number", "es": "un número"},
    "date": {"en": "a date, YYYY-MM-DD", "es": "una fecha, AAAA-MM-DD"},
    "lang": {"en": "language of labels: es or en", "es": "idioma de las etiquetas: es o en"},
}

# --------------------------------------------------------------------------------------------------
# The header
# --------------------------------------------------------------------------------------------------


def parse_header(text: str, path: str | None = None) -> dict:
    """The YAML of a query's ``#+`` lines, read with PyYAML exactly as grlc reads it."""
    numbers, body = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#+"):
            numbers.append(number)
            body.append(raw.lstrip("#+"))
    if not body:
        return {}
    try:
        data = yaml.safe_load("\n".join(body))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = numbers[min(mark.line, len(numbers) - 1)] if mark is not None else numbers[0]
        raise InputError(f"the '#+' header is not valid YAML: {getattr(err, 'problem', err)}",
                         path=path, line=line,
                         hint="If a value holds ': ' or starts with a special character, quote the value; "
                              "grlc drops a header it cannot read.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("the '#+' header must be a mapping of decorators (summary:, description:, …)",
                         path=path, line=numbers[0])
    return data


# --------------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------------

# grlc's own pattern for parameter variables (src/gquery.py, get_parameters): one underscore is
# required, two optional; the name has no underscore; then a type and a user-defined part.
_GRLC_VARIABLE = re.compile(
    r"(?P<required>_{1,2})(?P<name>[^_]+)_?(?P<type>[a-zA-Z0-9]+)?_?(?P<userdefined>[a-zA-Z0-9]+)?.*$")
_GRLC_INTERNAL = re.compile(r"__agg_\d+__")
_XSD_INTEGERS = {"integer", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                 "nonNegativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                 "unsignedShort", "unsignedByte"}
# which gcmgraph types each grlc suffix admits; the first is the type when gcmgraph_params is silent
_SUFFIX_TYPES = {
    None: ("text", "lang"),
    "literal": ("text", "lang"),
    "string": ("text", "lang"),
    "iri": ("iri", "objective", "country"),
    "number": ("number", "integer"),
    "integer": ("integer",),
    "date": ("date",),
    "lang-tag": ("text",),
}
# parameters named like a gcmgraph type get that type when gcmgraph_params does not say otherwise
_TYPED_BY_NAME = ("objective", "country", "lang")
_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+$")
# IRIREF excludes spaces and controls (\x00-\x20) and these; C1 controls and lone surrogates
# (what Python makes of bytes that are not UTF-8 on a command line) are not characters of an IRI
_IRI_FORBIDDEN = re.compile(r"[\s\x00-\x20\x7f-\x9f<>\"{}|^`\\\ud800-\udfff]")
# Text values are bound as literals, so nothing in them can change the query; still, the issue
# asks that text carrying SPARQL syntax be refused, to catch values meant as injection and pasted
# queries. Refused: braces, angle brackets, double quotes, backslashes, semicolons, backticks,
# '^' and '|'; a SPARQL variable (?name, $name); and the openings of SPARQL Update operations
# (DROP ALL, CLEAR GRAPH, INSERT DATA, DELETE WHERE, CREATE GRAPH, MOVE DEFAULT, LOAD SILENT…; the
# forms that take an IRI are already caught by '<'). Apostrophes, commas, full stops, hyphens,
# parentheses, '%' and '#' pass, and so do phrases like "move to" or "add to": text needs them.
_TEXT_FORBIDDEN = re.compile(r"[{}<>\"\\;`^|]")
_TEXT_VARIABLE = re.compile(r"[?$][A-Za-z_]")
_TEXT_UPDATE = re.compile(
    r"\b((DROP|CLEAR)\s+(ALL|GRAPH|DEFAULT|NAMED|SILENT)|(INSERT|DELETE)\s+(DATA|WHERE)"
    r"|CREATE\s+(GRAPH|SILENT)|(ADD|MOVE|COPY)\s+(SILENT|DEFAULT|GRAPH)|(LOAD|SERVICE)\s+SILENT)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Parameter:
    """One parameter of a query: a ``?_name`` / ``?__name`` variable, typed."""

    name: str
    variable: Variable
    type: str
    required: bool
    default: Any = None
    allowed: tuple = ()
    description: Mapping[str, str] = field(default_factory=dict)
    #: language tag of a text parameter whose variable ends in a language suffix (``?_q_en``)
    language: str | None = None
    #: datatype IRI of a literal-valued parameter (xsd:integer, xsd:date)
    datatype: URIRef | None = None

    def describe(self, lang: str = "es") -> str:
        """One line for listings: name, type, required or default, allowed values, description."""
        bits = [self.type]
        if self.required and self.default is None:
            bits.append("required" if lang == "en" else "obligatorio")
        if self.default is not None:
            bits.append(("default " if lang == "en" else "por defecto ") + str(self.default))
        text = f"{self.name} ({', '.join(bits)})"
        if self.allowed:
            text += ": " + ", ".join(map(str, self.allowed))
        description = self.description.get(lang) or self.description.get("en" if lang == "es" else "es")
        return text + (f" - {description}" if description else "")

    def allowed_text(self) -> str:
        """What a user may give, for error messages."""
        if self.allowed:
            return "one of " + ", ".join(map(str, self.allowed))
        return _DEFAULT_DESCRIPTIONS[self.type]["en"]

    def to_term(self, value: Any, graph: Graph | None = None) -> Node:
        """Validate ``value`` and turn it into the RDF term the query is run with.

        Raises :class:`InputError` saying what is allowed.
        """
        term = _CONVERTERS[self.type](self, value, graph)
        if self.allowed:
            allowed_terms = {_allowed_term(self, a, graph) for a in self.allowed}
            if term not in allowed_terms:
                raise self._refuse(value, "not one of the values this query allows")
        return term

    def _refuse(self, value: Any, why: str, hint: str | None = None) -> InputError:
        return InputError(f"parameter {self.name}: {value!r} is refused: {why}; allowed: {self.allowed_text()}",
                          hint=hint)


def _objective_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise param._refuse(value, "a GCM objective is given by its number")
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise param._refuse(value, "a GCM objective is given by its number alone (16, not 'objective 16')")
    number = int(text)
    if number not in OBJECTIVE_RANGE:
        raise param._refuse(value, "the GCM has 23 objectives, numbered 1 to 23")
    return objective(number)


def _graph_of(graph: Any) -> Graph | None:
    return getattr(graph, "graph", graph)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")


def country_codes(graph: Graph) -> dict[str, URIRef]:
    """ISO alpha-2 and alpha-3 codes (upper case) of the graph's countries, to their IRIs."""
    codes: dict[str, URIRef] = {}
    for prop in (GCM.isoAlpha2, GCM.isoAlpha3):
        for country, code in graph.subject_objects(prop):
            if isinstance(country, URIRef):
                codes[str(code).strip().upper()] = country
    return codes


def _country_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    graph = _graph_of(graph)
    if not isinstance(value, str):
        raise param._refuse(value, "a country is given by its ISO 3166-1 code")
    code = value.strip()
    if graph is None:
        raise InputError(f"parameter {param.name}: country codes are looked up in the graph, and no graph "
                         "was given", hint="Pass the knowledge graph (or its reference data) to bind().")
    codes = country_codes(graph)
    if not re.fullmatch(r"[A-Za-z]{2,3}", code):
        hint = None
        wanted = _fold(code)
        for country in set(codes.values()):
            if any(_fold(str(label)) == wanted for label in graph.objects(country, RDFS.label)):
                alpha2 = graph.value(country, GCM.isoAlpha2)
                alpha3 = graph.value(country, GCM.isoAlpha3)
                hint = f"{code} is {alpha2} (alpha-2) or {alpha3} (alpha-3)."
        raise param._refuse(value, "not an ISO 3166-1 alpha-2 or alpha-3 code", hint=hint)
    if code.upper() not in codes:
        alpha2 = sorted(c for c in codes if len(c) == 2)
        shown = ", ".join(alpha2[:12]) + (", …" if len(alpha2) > 12 else "")
        raise InputError(
            f"parameter {param.name}: no country with ISO code {code!r} in the graph; "
            f"it has {len(alpha2)} countries: {shown}",
            hint="Use an alpha-2 or alpha-3 code of one of them, e.g. "
                 "`gcmgraph query actors-by-country -p country CO`.")
    return codes[code.upper()]


def _iri_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if not isinstance(value, str):
        raise param._refuse(value, "an IRI is given as text")
    text = value.strip()
    if _IRI_FORBIDDEN.search(text):
        raise param._refuse(value, "an IRI cannot hold spaces or any of < > \" { } | ^ ` \\ "
                                   "(nor control characters)")
    if not _IRI.fullmatch(text) or not re.match(r"https?://[^/?#]+", text):
        raise param._refuse(value, "not an absolute http:// or https:// IRI")
    return URIRef(text)


def _text_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if not isinstance(value, str):
        raise param._refuse(value, "text is expected")
    text = value.strip()
    if not text:
        raise param._refuse(value, "the text is empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise param._refuse(value[:40] + "…", f"longer than {TEXT_MAX_LENGTH} characters")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise param._refuse(value, "control characters (line breaks, tabs) are not allowed")
    if any(unicodedata.category(c) == "Cs" for c in text):
        raise param._refuse(value, "it is not Unicode text (bytes that are not UTF-8: set the terminal "
                                   "to UTF-8)")
    if _TEXT_FORBIDDEN.search(text) or _TEXT_VARIABLE.search(text) or _TEXT_UPDATE.search(text):
        raise param._refuse(value, "it looks like SPARQL syntax (braces, quotes, ';', variables or update "
                                   "keywords are not accepted in text)")
    return Literal(text, lang=param.language) if param.language else Literal(text)


def _integer_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise param._refuse(value, "a whole number is expected")
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
        raise param._refuse(value, "not a whole number")
    return Literal(int(text), datatype=XSD.integer)


def _number_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise param._refuse(value, "a number is expected")
    text = str(value).strip()
    if re.fullmatch(r"[+-]?[0-9]{1,18}", text):
        return Literal(int(text), datatype=XSD.integer)
    if not re.fullmatch(r"[+-]?[0-9]{0,18}\.[0-9]{1,18}", text):
        raise param._refuse(value, "not a number (digits, with an optional decimal point)")
    try:
        return Literal(Decimal(text), datatype=XSD.decimal)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise param._refuse(value, "not a number") from None


def _date_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if isinstance(value, dt.datetime):
        raise param._refuse(value, "a date without a time is expected")
    if isinstance(value, dt.date):
        return Literal(value, datatype=XSD.date)
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        raise param._refuse(value, "not a date in the form YYYY-MM-DD")
    try:
        return Literal(dt.date.fromisoformat(value.strip()), datatype=XSD.date)
    except ValueError:
        raise param._refuse(value, "no such day") from None


def _lang_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise param._refuse(value, "gcmgraph speaks Spanish (es) and English (en)")
    return Literal(value.strip().lower())


_CONVERTERS = {
    "objective": _objective_term,
    "country": _country_term,
    "iri": _iri_term,
    "text": _text_term,
    "integer": _integer_term,
    "number": _number_term,
    "date": _date_term,
    "lang": _lang_term,
}


def _allowed_term(param: Parameter, value: Any, graph: Graph | None) -> Node:
    # grlc's enumerate lists what grlc users pass: IRIs for _iri parameters. Accept them for
    # objective and country parameters too, so one list serves both.
    if param.type in ("objective", "country") and isinstance(value, str) and _IRI.fullmatch(value):
        return URIRef(value)
    return _CONVERTERS[param.type](param, value, graph)


# --------------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------------


def _two_languages(value: Any, what: str, path: str | None) -> dict[str, str]:
    """``"English / Español"`` -> {"en": …, "es": …}; a text without the separator serves both."""
    if value is None:
        return {"es": "", "en": ""}
    if not isinstance(value, str):
        raise InputError(f"the {what} must be text ('English / Español'); grlc shows it as a string",
                         path=path)
    parts = [p.strip() for p in value.strip().split(" / ")]
    if len(parts) == 1:
        return {"es": parts[0], "en": parts[0]}
    if len(parts) != 2:
        raise InputError(f"the {what} has {len(parts) - 1} ' / ' separators; write 'English / Español' "
                         "with one", path=path)
    return {"en": parts[0], "es": parts[1]}


def _one_key_items(value: Any, decorator: str, path: str | None) -> dict[str, Any]:
    """grlc's ``defaults`` and ``enumerate``: a list of one-key mappings (or bare names)."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise InputError(f"'#+ {decorator}:' must be a list ('#+   - name: value')", path=path)
    found: dict[str, Any] = {}
    for item in value:
        if isinstance(item, str):  # enumerate: let grlc ask the endpoint; no fixed list here
            found[item] = None
        elif isinstance(item, dict):
            found.update(item)
        else:
            raise InputError(f"'#+ {decorator}:' items are '- name: value', not {item!r}", path=path)
    return found


def _variables(node: Any, found: set[Variable]) -> set[Variable]:
    if isinstance(node, Variable):
        found.add(node)
    elif isinstance(node, (CompValue, dict)):
        for value in node.values():
            _variables(value, found)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            _variables(value, found)
    return found


_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"(\s+|#[^\n]*|(BASE|PREFIX)\s+[^<]*<[^>]*>)*", re.IGNORECASE)


def _strip_prologue(text: str) -> str:
    return text[_PROLOGUE.match(text).end():]


def _uses_service(node: Any) -> bool:
    if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
        return True
    if isinstance(node, (CompValue, dict)):
        return any(_uses_service(value) for value in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_uses_service(value) for value in node)
    return False


_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}


def _parse_sparql(text: str, path: str | None,
                  allow_service: bool = False) -> tuple[str, set[Variable], set[Variable]]:
    """(query form, every variable in the text, the variables grlc sees) or an InputError."""
    try:
        parsed = parseQuery(text)
        # walked before translateQuery, which rewrites the parse tree in place
        variables = _variables(parsed, set())
        service = _uses_service(parsed)
        algebra = translateQuery(parsed).algebra
    except ParseException as err:
        if _UPDATE.match(_strip_prologue(text)):
            raise InputError("this is a SPARQL Update: gcmgraph runs read-only queries", path=path,
                             hint="Edit the curated Turtle files instead, then `gcmgraph validate`.") from None
        raise InputError(f"not a valid SPARQL 1.1 query: {err.msg} (column {err.col})", path=path,
                         line=err.lineno,
                         hint="gcmgraph runs SELECT, ASK, CONSTRUCT and DESCRIBE queries.") from None
    except Exception as err:  # rdflib raises plain Exceptions for e.g. unknown prefixes
        raise InputError(f"not a valid SPARQL 1.1 query: {err}", path=path,
                         hint="Declare every prefix with PREFIX; gcmgraph adds none.") from None
    if service and not allow_service:
        raise InputError(
            "the query calls SERVICE, which would make gcmgraph fetch from other hosts: refused unless "
            "allowed",
            path=path, hint="To run a federated query from your own machine, give --allow-service "
                            "(gcmgraph query; Python: resolve(..., allow_service=True)): the query then "
                            "fetches from the hosts it names. A served endpoint never allows it.")
    # grlc finds parameters in rdflib's algebra `_vars` (gquery.get_metadata), which leaves out
    # some variables that appear only in expressions; gcmgraph reads every variable of the text
    return _FORMS[algebra.name], variables, set(algebra.get("_vars", ()))


# Strings, IRIs and comments are skipped so that "?" inside them is not read as a variable.
_TOKENS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s{}]*>|#[^\n]*|(?P<var>[?$][A-Za-z0-9_]+)|(?P<word>[A-Za-z]+)")


def _scan_sparql(text: str) -> tuple[str, set[Variable]]:
    """(query form, variables) read from the text without parsing it.

    rdflib's SPARQL parser takes about 0.3 s a query; the catalogue's own files are checked by
    the full parser in the test suite, so listing and running them needs only this scan.
    """
    variables, form = set(), None
    for token in _TOKENS.finditer(text):
        if token.group("var"):
            variables.add(Variable(token.group("var")[1:]))
        elif form is None and token.group("word") and token.group("word").upper() in _FORMS.values():
            form = token.group("word").upper()
    return form or "SELECT", variables


def _first_use(text: str, variable: Variable) -> int:
    found = re.search(r"[?$]" + re.escape(variable) + r"(?![\w])", text)
    return found.start() if found else len(text)


def _build_parameters(text: str, variables: set[Variable], header: dict,
                      path: str | None) -> list[Parameter]:
    defaults = _one_key_items(header.get("defaults"), "defaults", path)
    enumerations = _one_key_items(header.get("enumerate"), "enumerate", path)
    extra = header.get("gcmgraph_params") or {}
    if not isinstance(extra, dict):
        raise InputError("'#+ gcmgraph_params:' must map parameter names to {type:, description:, …}",
                         path=path)
    parameters: dict[str, Parameter] = {}
    for variable in sorted(variables, key=lambda v: (_first_use(text, v), v)):
        if _GRLC_INTERNAL.fullmatch(variable) or not (match := _GRLC_VARIABLE.match(variable)):
            continue
        name = match.group("name")
        suffix, userdefined = match.group("type"), match.group("userdefined")
        language = datatype = None
        kind: str | None = suffix
        if suffix in (None, "iri", "number", "literal", "string"):
            pass
        elif suffix in _XSD_INTEGERS or (suffix == "xsd" and userdefined in _XSD_INTEGERS):
            kind, datatype = "integer", XSD.integer
        elif suffix == "date" or (suffix == "xsd" and userdefined == "date"):
            kind, datatype = "date", XSD.date
        elif len(suffix) == 2 and not userdefined:
            kind, language = "lang-tag", suffix.lower()
        else:
            raise InputError(f"the parameter variable ?{variable} has a type gcmgraph does not bind "
                             f"({suffix}{'_' + userdefined if userdefined else ''})", path=path,
                             hint="Use _iri, _integer, _number, _date (or _xsd_date), a language tag "
                                  "like _en, or no suffix for text.")
        if name in parameters:
            raise InputError(f"two variables name the parameter {name!r} (?{parameters[name].variable} and "
                             f"?{variable}); grlc would keep only one", path=path)
        spec = extra.get(name) or {}
        if not isinstance(spec, dict):
            raise InputError(f"'#+ gcmgraph_params:' entry for {name!r} must be a mapping", path=path)
        unknown = set(spec) - {"type", "description", "default", "allowed"}
        if unknown:
            raise InputError(f"'#+ gcmgraph_params:' entry for {name!r} has unknown keys: "
                             f"{', '.join(sorted(unknown))}", path=path,
                             hint="Use type, description, default and allowed.")
        admitted = _SUFFIX_TYPES[kind]
        ptype = spec.get("type") or (name if name in _TYPED_BY_NAME and name in admitted else admitted[0])
        if ptype not in PARAMETER_TYPES:
            raise InputError(f"parameter {name!r} has the unknown type {ptype!r}", path=path,
                             hint=f"Types: {', '.join(PARAMETER_TYPES)}.")
        if ptype not in admitted:
            raise InputError(f"parameter {name!r} is typed {ptype} but its variable ?{variable} makes grlc "
                             f"bind it as {kind or 'a plain literal'}", path=path,
                             hint=f"With that suffix use one of: {', '.join(admitted)}; or rename the "
                                  "variable (see the suffixes in src/gcmgraph/catalogue.py).")
        default = defaults.get(name)
        if spec.get("default") is not None:
            if default is not None and default != spec["default"]:
                raise InputError(f"parameter {name!r} has two defaults, {default!r} ('#+ defaults:') and "
                                 f"{spec['default']!r} ('#+ gcmgraph_params:')", path=path)
            default = spec["default"]
        allowed = enumerations.get(name) or spec.get("allowed") or ()
        if not isinstance(allowed, (list, tuple)):
            raise InputError(f"allowed values of {name!r} must be a list", path=path)
        description = spec.get("description") or {}
        if isinstance(description, str):
            description = _two_languages(description, f"description of {name!r}", path)
        parameters[name] = Parameter(
            name=name, variable=variable, type=ptype, required=match.group("required") == "_",
            default=default, allowed=tuple(allowed),
            description={**_DEFAULT_DESCRIPTIONS[ptype], **description},
            language=language, datatype=datatype)
    for name in {*defaults, *enumerations, *extra} - set(parameters):
        raise InputError(f"the header mentions a parameter {name!r} that the query does not have",
                         path=path, hint="Parameters are ?_name / ?__name variables; "
                                         f"this query has: {', '.join(parameters) or 'none'}.")
    return list(parameters.values())


@dataclass(frozen=True)
class Query:
    """One query of the catalogue (or a user's own), with what its header says."""

    name: str
    text: str
    form: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    path: Path | None = None
    #: parameters grlc would not offer (its parser misses variables used only in some expressions)
    hidden_from_grlc: tuple[str, ...] = ()

    @property
    def is_check(self) -> bool:
        """A check must return no rows; its file is named ``check-*.rq``."""
        return self.name.startswith(CHECK_PREFIX)

    @classmethod
    def from_text(cls, text: str, name: str = "query", path: Path | None = None,
                  display: str | None = None, strict: bool = True, allow_service: bool = False) -> Query:
        """Read a query. ``strict`` parses the SPARQL in full (syntax, SERVICE, what grlc sees);
        without it the text is only scanned, which is what listing the catalogue needs.
        ``allow_service`` lets a federated query (``SERVICE``) through; it is refused otherwise."""
        display = display or (str(path) if path else None)
        header = parse_header(text, display)
        if strict:
            form, variables, visible = _parse_sparql(text, display, allow_service)
        else:
            form, variables = _scan_sparql(text)
            visible = variables
        parameters = _build_parameters(text, variables, header, display)
        tags = header.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        return cls(
            name=name, text=text, form=form,
            title=_two_languages(header.get("summary"), "summary", display),
            description=_two_languages(header.get("description"), "description", display),
            tags=tuple(map(str, tags)),
            parameters=tuple(parameters),
            path=path,
            hidden_from_grlc=tuple(p.name for p in parameters if p.variable not in visible),
        )

    @classmethod
    def from_file(cls, path: Path | str, display: str | None = None, strict: bool = True,
                  allow_service: bool = False) -> Query:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such query file", path=display or path,
                             hint="Give a catalogue query name (`gcmgraph queries` lists them) or a .rq file.") from None
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", path=display or path, hint="Save the query as UTF-8.") from None
        return cls.from_text(text, name=path.stem, path=path, display=display, strict=strict,
                             allow_service=allow_service)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise InputError(f"query {self.name} has no parameter {name!r}",
                         hint="Its parameters: " + (", ".join(p.describe("en") for p in self.parameters)
                                                    or "none") + ".")

    def terms(self, values: Mapping[str, Any] | None = None, graph: Any = None,
              lang: str | None = None) -> dict[Variable, Node]:
        """Validate ``values`` (by parameter name) and return the RDF term of each bound variable.

        Defaults fill what is not given; ``lang`` (else the header's default, else ``es``) fills a
        ``lang`` parameter the user left out.
        Optional parameters without a value stay unbound. Raises :class:`InputError` for an
        unknown name, a missing required value or a refused one, before anything runs.
        """
        values = dict(values or {})
        for name in values:
            if name not in {p.name for p in self.parameters}:
                close = difflib.get_close_matches(name, [p.name for p in self.parameters], n=3)
                raise InputError(
                    f"query {self.name} has no parameter {name!r}"
                    + (f"; did you mean {', '.join(close)}?" if close else ""),
                    hint="Its parameters: " + ("; ".join(p.describe("en") for p in self.parameters)
                                               or "none") + ".")
        bound: dict[Variable, Node] = {}
        for parameter in self.parameters:
            value = values.get(parameter.name)
            if value is None and parameter.type == "lang":
                value = lang or parameter.default or LANGUAGES[0]
            if value is None:
                value = parameter.default
            if value is None:
                if parameter.required:
                    raise InputError(f"query {self.name} needs the parameter {parameter.name}: "
                                     f"{parameter.allowed_text()}",
                                     hint=f"Give it with -p {parameter.name} VALUE "
                                          f"(Python: {parameter.name}=…).")
                continue
            bound[parameter.variable] = parameter.to_term(value, graph)
        return bound

    def bind(self, values: Mapping[str, Any] | None = None, graph: Any = None,
             lang: str | None = None) -> str:
        """The final SPARQL text to run: the query with its parameters bound (see :func:`bind_text`)."""
        return bind_text(self.text, self.terms(values, graph, lang), self.name)


# --------------------------------------------------------------------------------------------------
# Binding: a VALUES block at the start of the outermost WHERE group
# --------------------------------------------------------------------------------------------------

_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_NAME_CHARS = re.compile(r"[\w\-.:%]+")


def _where_brace(text: str) -> int | None:
    """Offset of the ``{`` that opens the query's outermost WHERE group, or None.

    Reads the text as SPARQL tokens, skipping comments, strings and IRIs, so braces and keywords
    inside them do not count. For CONSTRUCT, the first group is the template unless WHERE precedes it.
    """
    i, n, depth = 0, len(text), 0
    form = None
    seen_where = in_template = False
    template_done = False
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "'\"":
            quote = text[i:i + 3] if text[i:i + 3] in ("'''", '"""') else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif ch == "<" and (match := _IRIREF.match(text, i)):
            i = match.end()
        elif ch in "?$:":  # a variable, or a prefixed name with the empty prefix: not a keyword
            match = _NAME_CHARS.match(text, i + 1)
            i = match.end() if match else i + 1
        elif ch == "{":
            if depth == 0 and form is not None:
                if form == "CONSTRUCT" and not seen_where and not template_done:
                    in_template = True
                else:
                    return i
            depth += 1
            i += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and in_template:
                in_template, template_done = False, True
            i += 1
        elif ch.isalpha() or ch == "_":
            match = _NAME_CHARS.match(text, i)
            word = match.group(0).upper()
            if depth == 0:
                if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                    form = word
                elif form is not None and word == "WHERE":
                    seen_where = True
            i = match.end()
        else:
            i += 1
    return None


_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _term_text(term: Node) -> str:
    """A term as SPARQL text. Literals are written on one line with SPARQL's escapes for quotes,
    backslashes, line breaks and tabs (rdflib's ``n3()`` writes line breaks raw, in a long string,
    and rdflib's SPARQL parser turns a raw tab into spaces)."""
    if not isinstance(term, Literal):
        return term.n3()
    lexical = '"' + "".join(_ECHAR.get(c, c) for c in str(term)) + '"'
    if term.language:
        return f"{lexical}@{term.language}"
    if term.datatype:
        return f"{lexical}^^{URIRef(term.datatype).n3()}"
    return lexical


def bind_text(text: str, bindings: Mapping[Variable, Node], name: str = "query") -> str:
    """``text`` with ``bindings`` joined in as ``VALUES ?var { term }`` at the top of its WHERE group.

    Why this and not rdflib's ``initBindings``: the catalogue must run on rdflib, on pyoxigraph and
    on remote endpoints through SPARQLWrapper, and only rdflib has ``initBindings``; a final query
    text works on all three, and it is what gets logged and tested. The text is built only from the
    validated terms' SPARQL form (:func:`_term_text`: an IRI in ``<…>`` already refused if it holds
    ``<>"{}|^`\\``, spaces or controls, a literal on one line with its quotes, backslashes, line
    breaks and tabs escaped), never from what the user typed. Why a VALUES block inside the
    outermost group rather than a trailing VALUES
    clause: SPARQL 1.1 (section 18.2.4.3) joins a trailing VALUES after grouping, so FILTERs and
    OPTIONALs would not see the value and aggregates would count over every value; an inline
    VALUES at the start of the group is joined with the group's patterns, its FILTERs see it and
    OPTIONAL conditions too, and GROUP BY counts only the bound rows, on every engine.
    Not rewriting the variable into a constant (grlc's way) keeps the query valid where the
    variable is projected or used in BIND/GROUP BY, and keeps it one text to audit.

    Limit (standard SPARQL scoping): a value bound so reaches the outermost group; a parameter
    variable used only inside a sub-SELECT is a different variable there and is not restricted.
    Catalogue queries use parameters in the outer group.
    """
    if not bindings:
        return text
    brace = _where_brace(text)
    if brace is None:
        raise InputError(f"query {name} has parameters but no WHERE group to bind them in",
                         hint="Write the query with a WHERE { … } clause.")
    block = "".join(f"\n  VALUES {variable.n3()} {{ {_term_text(term)} }}" for variable, term in bindings.items())
    return text[:brace + 1] + block + text[brace + 1:]


# --------------------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------------------


class Catalogue:
    """The queries of a ``queries/`` folder, by name (the file name without ``.rq``)."""

    def __init__(self, queries: Mapping[str, Query], folder: Path | None = None):
        self._queries = dict(sorted(queries.items()))
        self.folder = folder

    @classmethod
    def load(cls, layout: Layout | None = None, *, for_grlc: bool = False) -> Catalogue:
        """Read every ``.rq`` file of the layout's ``queries/`` folder.

        With ``for_grlc`` every query is parsed in full and one with a parameter that grlc would
        not offer is refused: the folder must serve as a grlc API unchanged (the test suite checks
        the shipped folder so). Without it the files are only scanned, which is fast.
        """
        layout = layout or default_layout()
        return cls.from_folder(layout.queries, layout=layout, for_grlc=for_grlc)

    @classmethod
    def from_folder(cls, folder: Path | str, *, layout: Layout | None = None,
                    for_grlc: bool = False) -> Catalogue:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("no such query folder", path=folder)
        queries = {}
        for path in sorted(folder.glob("*" + QUERY_SUFFIX)):
            display = layout.display(path) if layout else str(path)
            query = Query.from_file(path, display, strict=for_grlc)
            if for_grlc and query.hidden_from_grlc:
                raise InputError(
                    f"grlc would not offer the parameter(s) {', '.join(query.hidden_from_grlc)}: its "
                    "parser (rdflib's algebra) misses a variable used only in some expressions",
                    path=display,
                    hint="rdflib's algebra sees a variable in a triple pattern or as an argument of a "
                         "function inside FILTER (langMatches, CONTAINS, sameTerm, BOUND…), not one used "
                         "only in a comparison (=, >=) or in BIND: e.g. "
                         "FILTER(BOUND(?_since_date) && ?date >= ?_since_date).")
            queries[query.name] = query
        return cls(queries, folder)

    def __iter__(self) -> Iterator[Query]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __repr__(self) -> str:
        return f"<Catalogue {len(self)} queries from {self.folder}>"

    def names(self) -> list[str]:
        return list(self._queries)

    def checks(self) -> list[Query]:
        """The queries that must return no rows."""
        return [q for q in self if q.is_check]

    def get(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
            raise InputError(
                f"no query named {name!r} in the catalogue"
                + (f"; did you mean {', '.join(close)}?" if close else ""),
                hint="`gcmgraph queries` lists them; a file of your own must end in .rq.") from None

    def resolve(self, name_or_file_or_sparql: str | Path, *, allow_service: bool = False) -> Query:
        """A catalogue query by name, a user's ``.rq`` file, or SPARQL text.

        A file or text that calls ``SERVICE`` (a federated query: the engine fetches from the hosts
        it names) is refused unless ``allow_service``.
        """
        if isinstance(name_or_file_or_sparql, Path) or str(name_or_file_or_sparql).endswith(QUERY_SUFFIX):
            return Query.from_file(name_or_file_or_sparql, allow_service=allow_service)
        text = str(name_or_file_or_sparql)
        if re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text, re.IGNORECASE) and (
                "{" in text or "\n" in text):
            return Query.from_text(text, allow_service=allow_service)
        return self.get(text)

    @staticmethod
    def from_file(path: Path | str) -> Query:
        """A user's own ``.rq`` file, read with the same header and parameter convention."""
        return Query.from_file(path)

    @staticmethod
    def from_text(sparql: str, name: str = "query") -> Query:
        return Query.from_text(sparql, name=name)
