"""Running catalogue queries on the in-memory graph, and turning their results into typed tables.

A SELECT gives a :class:`pandas.DataFrame` whose columns keep the SELECT's order and are typed from
the RDF terms they hold: integers as ``Int64`` (nullable), decimals and doubles as ``Float64``,
``xsd:date`` and ``xsd:dateTime`` as ``datetime64``, booleans as ``boolean``, everything else
(IRIs, labels, mixed columns) as ``string``; an unbound cell is ``<NA>``. The IRI columns are
listed in ``DataFrame.attrs["iri_columns"]``. An ASK gives a ``bool``; CONSTRUCT and DESCRIBE an
rdflib :class:`~rdflib.Graph`.

:func:`rows`, :func:`records` and :func:`render` prepare a table for csv, tsv, json or a terminal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from gcmgraph.catalogue import Query
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import PREFIXES

__all__ = ["FORMATS", "records", "render", "rows", "run", "run_select", "to_dataframe", "to_python"]

#: Output formats of :func:`render`.
FORMATS = ("table", "csv", "tsv", "json")

_INTEGERS = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
             XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedLong,
             XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte}
_FLOATS = {XSD.decimal, XSD.double, XSD.float}


def _graph_of(graph: Any) -> Graph:
    return getattr(graph, "graph", graph)


def run(graph: Any, query: Query, params: Mapping[str, Any] | None = None,
        lang: str = "es") -> pd.DataFrame | bool | Graph:
    """Run ``query`` on ``graph`` (an rdflib graph or a :class:`~gcmgraph.KnowledgeGraph`).

    Parameters are validated and bound first (:meth:`Query.bind`), so a bad value raises
    :class:`~gcmgraph.InputError` before anything runs.
    """
    rdf = _graph_of(graph)
    text = query.bind(params, rdf, lang)
    try:
        result = rdf.query(text)
        return to_python(result)
    except GcmgraphError:
        raise
    except Exception as err:  # the engine's own failure on a query it accepted
        raise InputError(f"the query {query.name!r} failed while running: {type(err).__name__}: {err}",
                         path=query.path,
                         hint="Simplify the query (an aggregate over an unbound variable is a known "
                              "cause with rdflib), or run it on another backend.") from None


def run_select(graph: Any, query: Query, params: Mapping[str, Any] | None = None,
               lang: str = "es") -> pd.DataFrame:
    """Run a SELECT query and return its typed DataFrame."""
    if query.form != "SELECT":
        raise InputError(f"query {query.name} is a {query.form} query, not a SELECT",
                         hint="Use gcmgraph.results.run() for ASK, CONSTRUCT and DESCRIBE.")
    return run(graph, query, params, lang)


def to_python(result: Result) -> pd.DataFrame | bool | Graph:
    """An rdflib query result as a DataFrame (SELECT), a bool (ASK) or a Graph (CONSTRUCT, DESCRIBE)."""
    if result.type == "SELECT":
        return to_dataframe(result)
    if result.type == "ASK":
        return bool(result.askAnswer)
    return result.graph


def _column_kind(values: Sequence[Node | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    if all(isinstance(v, URIRef) for v in present):
        return "iri"
    if not all(isinstance(v, Literal) for v in present):
        return "string"
    datatypes = {v.datatype for v in present}
    ill_typed = any(v.ill_typed for v in present)
    if ill_typed:
        return "string"
    if datatypes <= _INTEGERS:
        return "integer"
    if datatypes <= _INTEGERS | _FLOATS:
        return "float"
    if datatypes == {XSD.date}:
        return "date"
    if datatypes == {XSD.dateTime}:
        return "datetime"
    if datatypes == {XSD.boolean}:
        return "boolean"
    return "string"


def _series(name: str, values: Sequence[Node | None], kind: str) -> pd.Series:
    if kind == "integer":
        return pd.Series([None if v is None else int(v.toPython()) for v in values], name=name, dtype="Int64")
    if kind == "float":
        return pd.Series([None if v is None else float(v.toPython()) for v in values], name=name,
                         dtype="Float64")
    if kind == "boolean":
        return pd.Series([None if v is None else bool(v.toPython()) for v in values], name=name,
                         dtype="boolean")
    if kind in ("date", "datetime"):
        # to_datetime of naive dates; a dateTime with a time zone keeps it (as UTC)
        python = [None if v is None else v.toPython() for v in values]
        return pd.Series(pd.to_datetime(python, utc=kind == "datetime" and any(
            getattr(p, "tzinfo", None) for p in python)), name=name)
    return pd.Series([None if v is None else str(v) for v in values], name=name, dtype="string")


def to_dataframe(result: Result) -> pd.DataFrame:
    """A SELECT result as a typed DataFrame, columns in the order of the SELECT."""
    names = [str(v) for v in (result.vars or [])]
    table = [[row.get(v) for v in result.vars] for row in result.bindings] if names else []
    columns = {}
    iri_columns = []
    for index, name in enumerate(names):
        values = [row[index] for row in table]
        kind = _column_kind(values)
        if kind == "iri":
            iri_columns.append(name)
        columns[name] = _series(name, values, kind)
    frame = pd.DataFrame(columns, columns=names)
    frame.attrs["iri_columns"] = iri_columns
    return frame


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def _native(value: Any) -> Any:
    """A cell as a JSON-ready Python value: numbers stay numbers, dates become ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _text(value: Any) -> str:
    value = _native(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dictionaries of JSON-ready values (unbound cells are None)."""
    return [{column: _native(value) for column, value in zip(frame.columns, row)}
            for row in frame.itertuples(index=False, name=None)]


def rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """(header, rows) with every cell as text: what csv, tsv and the terminal table print."""
    return [str(c) for c in frame.columns], [[_text(v) for v in row]
                                             for row in frame.itertuples(index=False, name=None)]


_PREFIXES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


def compact_iri(iri: str) -> str:
    """``https://w3id.org/gcmgraph/id/country/CO`` as ``country:CO``, for a terminal table."""
    for namespace, prefix in _PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _table(header: list[str], body: list[list[str]], max_width: int) -> str:
    def wrap(cell: str) -> list[str]:
        return textwrap.wrap(cell, max_width, break_long_words=True, break_on_hyphens=False) or [""]

    wrapped = [[wrap(cell) for cell in row] for row in body]
    widths = [max([len(h)] + [len(line) for row in wrapped for line in row[i]]) for i, h in enumerate(header)]
    rule = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), rule]
    for row in wrapped:
        for k in range(max(len(cell) for cell in row) if row else 1):
            out.append("  ".join((cell[k] if k < len(cell) else "").ljust(w)
                                 for cell, w in zip(row, widths)).rstrip())
    return "\n".join(out)


def render(result: pd.DataFrame | bool | Graph, fmt: str = "table", max_width: int = 40) -> str:
    """``result`` as text in ``fmt`` (one of :data:`FORMATS`); a Graph is written as Turtle.

    ``table`` writes IRIs with the project's prefixes (``country:CO``) and wraps cells longer than
    ``max_width`` over several lines; ``csv`` and ``tsv`` (full IRIs) have
    a header row; ``json`` is a list of objects (an ASK gives ``true``/``false``).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown output format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}.")
    if isinstance(result, Graph):
        return result.serialize(format="turtle")
    if isinstance(result, bool):
        return (json.dumps(result) if fmt == "json" else ("true" if result else "false")) + "\n"
    if fmt == "json":
        return json.dumps(records(result), ensure_ascii=False, indent=2) + "\n"
    header, body = rows(result)
    if fmt == "table":
        iri_columns = {header.index(c) for c in result.attrs.get("iri_columns", ()) if c in header}
        body = [[compact_iri(cell) if i in iri_columns else cell for i, cell in enumerate(row)]
                for row in body]
        return _table(header, body, max_width) + f"\n({len(body)} row{'s' if len(body) != 1 else ''})\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()
