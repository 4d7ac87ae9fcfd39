"""The curation templates: kinds of record, their columns and how each cell becomes RDF and back.

Everything here is read from ``data/templates/mapping.yaml`` (the declarative mapping kept beside
the templates); this module only knows the *kinds of value* a column can hold (text in a language,
a date, a country code, a reference to another record…), how to check one, turn it into an RDF
term, and write that term back into a cell. :mod:`gcmgraph.curation` runs the import and export;
:mod:`gcmgraph.tables` reads and writes CSV and XLSX files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from gcmgraph.namespaces import BASE, COUNTRY, ID, OBJECTIVE, PREFIXES
from gcmgraph.paths import Layout, default_layout

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"

#: the three date forms the shapes accept (xsd:date, or less when the source gives less)
DATE_TYPES = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
_DATE_RE = {XSD.date: re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.gYearMonth: re.compile(r"^\d{4}-\d{2}$"),
            XSD.gYear: re.compile(r"^\d{4}$")}
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


class CellError(ValueError):
    """A cell that cannot be read: ``code`` names the problem, ``args`` fill its message."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def expand_curie(text: str) -> URIRef | None:
    """``prefix:local`` with one of gcmgraph's prefixes, as an IRI (None when it is not one)."""
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//"):
        return None
    return URIRef(str(PREFIXES[prefix]) + local)


def compact(iri: URIRef) -> str:
    """An IRI as a curator writes it: ``path/slug`` under ``id/``, a prefixed name, or the IRI."""
    text = str(iri)
    if text.startswith(str(ID)):
        return text[len(str(ID)):]
    best = None
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
            local = text[len(ns):]
            if local and re.fullmatch(r"[A-Za-z0-9_.\-]+", local) and not local.endswith("."):
                best = (prefix, ns, local)
    if best and not best[1].startswith(str(ID)):
        return f"{best[0]}:{best[2]}"
    return text


def parse_iri(text: str) -> URIRef | None:
    """A reference written as ``path/slug`` (under ``id/``), ``prefix:local``, ``<IRI>`` or an IRI."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"^https?://\S+$", text):
        return URIRef(text)
    curie = expand_curie(text)
    if curie is not None:
        return curie
    path, sep, rest = text.partition("/")
    if sep and re.fullmatch(r"[a-z0-9-]+", path) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", rest):
        return ID[text]
    return None


def check_date(text: str) -> Literal:
    for datatype, pattern in _DATE_RE.items():
        if pattern.match(text):
            try:
                if datatype == XSD.date:
                    dt.date.fromisoformat(text)
                elif datatype == XSD.gYearMonth:
                    dt.date.fromisoformat(text + "-01")
            except ValueError:
                raise CellError("bad_date", value=text) from None
            return Literal(text, datatype=datatype)
    raise CellError("bad_date", value=text)


@dataclass
class Column:
    """One column of a template, as ``mapping.yaml`` defines it."""

    name: str
    note: dict
    property: URIRef | None = None
    value: str = "string"
    lang: str | None = None
    kinds: tuple[str, ...] = ()
    scheme: str | None = None
    values: dict[str, URIRef] = field(default_factory=dict)
    multiple: bool = False
    required: bool = False
    inverse: bool = False
    default: str | None = None

    def describe_value(self, mapping: Mapping, lang: str) -> str:
        """What the column accepts, in words, for COLUMNS.md and error messages."""
        es = lang == "es"
        v = self.value
        if v == "text":
            return f"texto @{self.lang}" if es else f"text @{self.lang}"
        if v == "string":
            return "texto sin idioma" if es else "plain text"
        if v == "date":
            return "fecha AAAA-MM-DD, AAAA-MM o AAAA" if es else "date YYYY-MM-DD, YYYY-MM or YYYY"
        if v == "integer":
            return "número entero" if es else "whole number"
        if v == "country":
            return "código de país ISO 3166-1 alfa-2" if es else "ISO 3166-1 alpha-2 country code"
        if v == "region":
            return "código de región M49" if es else "M49 region code"
        if v == "place":
            return "id de un lugar" if es else "id of a place"
        if v == "objective":
            return "número de objetivo del PMM, 1 a 23" if es else "GCM objective number, 1 to 23"
        if v == "url":
            return "dirección http(s)" if es else "http(s) address"
        if v == "language":
            return ("código de idioma: " if es else "language code: ") + ", ".join(mapping.languages)
        if v == "enum":
            return ("uno de: " if es else "one of: ") + ", ".join(self.values)
        if v == "concept":
            return (f"id de un concepto de id/{self.scheme}/" if es else f"id of a concept under id/{self.scheme}/")
        if v == "ref":
            if self.kinds == ("any",):
                return "entidad (ruta/id, prefijo:nombre o IRI)" if es else "entity (path/id, prefix:name or IRI)"
            return ("id de " if es else "id of ") + " / ".join(self.kinds)
        return v

    def accepts(self, node, mapping: Mapping) -> bool:
        """Whether an RDF value could have come from this column (used by export-tables)."""
        v = self.value
        if v == "text":
            return isinstance(node, Literal) and node.language == self.lang
        if v == "string":
            return isinstance(node, Literal) and node.language is None and node.datatype in (None, XSD.string)
        if v == "date":
            return (isinstance(node, Literal) and node.datatype in DATE_TYPES.values()
                    and _DATE_RE[node.datatype].match(str(node)) is not None)
        if v == "integer":
            return (isinstance(node, Literal) and node.datatype == XSD.integer
                    and re.fullmatch(r"-?[0-9]+", str(node)) is not None)
        if not isinstance(node, URIRef):
            return False
        text = str(node)
        if v == "country":
            return text.startswith(str(COUNTRY)) and bool(re.fullmatch(r"[A-Z]{2}", text[len(str(COUNTRY)):]))
        if v in ("region", "place"):
            prefix = str(ID[v + "/"])
            return text.startswith(prefix) and bool(_SLUG_RE.match(text[len(prefix):]))
        if v == "objective":
            return text.startswith(str(OBJECTIVE)) and text[len(str(OBJECTIVE)):] in {str(n) for n in range(1, 24)}
        if v == "url":
            return text.startswith(("http://", "https://")) and not text.startswith(BASE)
        if v == "language":
            return text.startswith(EU_LANGUAGE) and text[len(EU_LANGUAGE):] in mapping.languages.values()
        if v == "enum":
            return node in self.values.values()
        if v == "concept":
            prefix = str(ID[self.scheme + "/"])
            return text.startswith(prefix) and bool(_SLUG_RE.match(text[len(prefix):]))
        if v == "ref":
            if "any" in self.kinds:
                return parse_iri(compact(node)) == node
            for path in mapping.paths_of(self.kinds):
                prefix = str(ID[path + "/"])
                if text.startswith(prefix) and _SLUG_RE.match(text[len(prefix):].replace("--", "-")):
                    return True
            return False
        return False

    def render(self, node, mapping: Mapping) -> str:
        """The cell text that reads back as ``node`` (the inverse of :meth:`parse`)."""
        v = self.value
        if v in ("text", "string", "date", "integer"):
            return str(node)
        text = str(node)
        if v == "country":
            return text[len(str(COUNTRY)):]
        if v in ("region", "place"):
            return text[len(str(ID[v + "/"])):]
        if v == "objective":
            return text[len(str(OBJECTIVE)):]
        if v == "url":
            return text
        if v == "language":
            code = text[len(EU_LANGUAGE):]
            return next(k for k, c in mapping.languages.items() if c == code)
        if v == "enum":
            return next(k for k, iri in self.values.items() if iri == node)
        if v == "concept":
            return text[len(str(ID[self.scheme + "/"])):]
        if v == "ref":
            paths = mapping.paths_of(self.kinds) if "any" not in self.kinds else []
            for path in paths:
                prefix = str(ID[path + "/"])
                if text.startswith(prefix) and len(paths) == 1:
                    return text[len(prefix):]
            return compact(node)
        return text

    def parse(self, text: str, mapping: Mapping) -> URIRef | Literal | Candidates:
        """One value of a cell as an RDF term; raises :class:`CellError` when it is not allowed.

        Whether a referenced entity, concept or country exists is checked by the importer, which
        knows the graph.
        """
        v = self.value
        if v == "text":
            return Literal(text, lang=self.lang)
        if v == "string":
            return Literal(text)
        if v == "date":
            return check_date(text)
        if v == "integer":
            if not re.fullmatch(r"-?[0-9]+", text):
                raise CellError("bad_integer", value=text)
            return Literal(int(text), datatype=XSD.integer)
        if v == "country":
            if not re.fullmatch(r"[A-Za-z]{2}", text):
                raise CellError("bad_country", value=text)
            return COUNTRY[text.upper()]
        if v in ("region", "place"):
            if not _SLUG_RE.match(text):
                raise CellError("bad_id", value=text)
            return ID[f"{v}/{text}"]
        if v == "objective":
            if not re.fullmatch(r"[0-9]+", text) or not 1 <= int(text) <= 23:
                raise CellError("bad_objective", value=text)
            return OBJECTIVE[str(int(text))]
        if v == "url":
            if not re.fullmatch(r"https?://[^\s<>\"]+", text):
                raise CellError("bad_url", value=text)
            return URIRef(text)
        if v == "language":
            code = mapping.languages.get(text.lower())
            if code is None and text.upper() in mapping.languages.values():
                code = text.upper()
            if code is None:
                raise CellError("bad_enum", value=text, allowed=", ".join(mapping.languages))
            return URIRef(EU_LANGUAGE + code)
        if v == "enum":
            if text not in self.values:
                raise CellError("bad_enum", value=text, allowed=", ".join(self.values))
            return self.values[text]
        if v == "concept":
            if not _SLUG_RE.match(text):
                iri = parse_iri(text)
                if iri is not None and str(iri).startswith(str(ID[self.scheme + "/"])):
                    return iri
                raise CellError("bad_id", value=text)
            return ID[f"{self.scheme}/{text}"]
        if v == "ref":
            return self._parse_ref(text, mapping)
        raise CellError("bad_value", value=text)

    def _parse_ref(self, text: str, mapping: Mapping) -> URIRef | Candidates:
        iri = parse_iri(text)
        if iri is not None:
            return iri
        if "any" in self.kinds or not _SLUG_RE.match(text.replace("--", "-")):
            raise CellError("bad_ref", value=text)
        paths = mapping.paths_of(self.kinds)
        if len(paths) == 1:
            return ID[f"{paths[0]}/{text}"]
        # a bare id for a column that takes several kinds: the importer picks the one that exists
        return Candidates(text, tuple(ID[f"{p}/{text}"] for p in paths))


@dataclass(frozen=True)
class Candidates:
    """A bare id that may name an entity of several kinds; the importer picks the one that exists."""

    text: str
    iris: tuple[URIRef, ...]


@dataclass
class Kind:
    """A kind of record: one table (CSV file or XLSX sheet), one Turtle file, one IRI pattern."""

    name: str
    sheet: str
    file: str
    title: dict
    note: dict
    columns: list[Column]
    path: str | dict | None = None
    classes: dict[str, URIRef] = field(default_factory=dict)
    default_type: list[str] = field(default_factory=list)
    mint: list[str] = field(default_factory=list)

    @property
    def has_type_column(self) -> bool:
        return bool(self.classes) and not (len(self.classes) == 1 and self.default_type)

    def headings(self) -> list[str]:
        """Column headings in table order: id, type when there is a choice, the kind's columns, sources."""
        if self.name == "statement":
            return [c.name for c in self.columns]
        names = ["id"]
        if self.has_type_column:
            names.append("type")
        names += [c.name for c in self.columns]
        names.append("sources")
        return names

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def paths(self) -> list[str]:
        if isinstance(self.path, dict):
            return list(self.path.values())
        return [self.path] if self.path else []

    def path_for(self, classes: list[URIRef]) -> str | None:
        if isinstance(self.path, dict):
            for local, path in self.path.items():
                if self.classes.get(local) in classes:
                    return path
            return None
        return self.path

    def class_name(self, iri: URIRef) -> str | None:
        return next((name for name, cls in self.classes.items() if cls == iri), None)


@dataclass
class Mapping:
    """``mapping.yaml`` read into kinds and columns."""

    kinds: dict[str, Kind]
    separator: str
    languages: dict[str, str]
    predicates: dict[str, URIRef]
    path: Path

    def kind_for_table(self, name: str) -> Kind | None:
        """The kind a table is for, from its file stem or sheet name (``actor``, ``actors.csv``)."""
        key = name.lower().strip()
        found = []
        for kind in self.kinds.values():
            for word in (kind.sheet, kind.sheet + "s"):
                if key == word or any(key.startswith(word + sep) or key.endswith(sep + word) for sep in "-_. "):
                    found.append((len(word), kind))
        # "brief-8-actor.csv", "actors.csv", "participation-figure-2024.csv": the longest table name wins
        return max(found, key=lambda item: item[0])[1] if found else None

    def paths_of(self, kinds: tuple[str, ...] | list[str]) -> list[str]:
        paths: list[str] = []
        for name in kinds:
            kind = self.kinds.get(name)
            paths.extend(kind.paths() if kind else [name])
        return paths

    def kind_of_iri(self, iri: URIRef) -> Kind | None:
        text = str(iri)
        for kind in self.kinds.values():
            for path in kind.paths():
                if text.startswith(str(ID[path + "/"])):
                    return kind
        return None


def _term(text: str) -> URIRef:
    iri = expand_curie(text)
    if iri is None:
        raise ValueError(f"mapping.yaml: {text!r} is not a prefixed name with a gcmgraph prefix")
    return iri


def _column(spec: dict) -> Column:
    return Column(
        name=spec["name"], note=spec.get("note", {}),
        property=_term(spec["property"]) if spec.get("property") else None,
        value=spec.get("value", "string"), lang=spec.get("lang"),
        kinds=tuple(spec.get("kinds", ())), scheme=spec.get("scheme"),
        values={k: _term(v) for k, v in spec.get("values", {}).items()},
        multiple=bool(spec.get("multiple")), required=bool(spec.get("required")),
        inverse=bool(spec.get("inverse")), default=spec.get("default"),
    )


def mapping_file(layout: Layout | None = None) -> Path:
    return (layout or default_layout()).data / "templates" / "mapping.yaml"


@cache
def _load(path: Path, mtime: float) -> Mapping:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {}
    for name, k in spec["kinds"].items():
        kinds[name] = Kind(
            name=name, sheet=k["sheet"], file=k["file"], title=k["title"], note=k["note"],
            columns=[_column(c) for c in k["columns"]], path=k.get("path"),
            classes={local: _term(cls) for local, cls in k.get("classes", {}).items()},
            default_type=list(k.get("default_type", [])), mint=list(k.get("mint", [])),
        )
    link = spec["kinds"].get("link", {})
    return Mapping(kinds=kinds, separator=spec["separator"], languages=spec.get("languages", {}),
                   predicates={k: _term(v) for k, v in link.get("predicates", {}).items()}, path=path)


def load_mapping(layout: Layout | None = None) -> Mapping:
    """The mapping of the curated tree (``data/templates/mapping.yaml``), read once per change."""
    path = mapping_file(layout)
    return _load(path, path.stat().st_mtime)


def columns_markdown(mapping: Mapping) -> str:
    """COLUMNS.md: every table and column, in English and Spanish (generated; never edit by hand)."""
    lines = [
        "# Curation tables, column by column / Tablas de curación, columna por columna",
        "",
        "<!-- generated from mapping.yaml by gcmgraph.templates.columns_markdown; tests/test_curation.py"
        " checks it is in step. Do not edit by hand. -->",
        "",
        "One table per kind of record: a CSV file named after the table (`actor.csv`) or a sheet of the "
        "same name in an XLSX workbook (`templates.xlsx`). The first row holds the column names below; "
        "every other row is one record. Several values in one cell are separated by "
        f"`{mapping.separator}`. Empty cells are left out.",
        "",
        "Una tabla por tipo de registro: un archivo CSV con el nombre de la tabla (`actor.csv`) o una hoja "
        "con ese nombre en un libro XLSX (`templates.xlsx`). La primera fila lleva los nombres de columna "
        "de abajo; cada fila siguiente es un registro. Varios valores en una celda se separan con "
        f"`{mapping.separator}`. Las celdas vacías se omiten.",
        "",
        "Every record table also has / Toda tabla de registros tiene además:",
        "",
        "| column | English | español |",
        "|---|---|---|",
        "| `id` | last part of the IRI (`https://w3id.org/gcmgraph/id/{path}/{id}`): lower-case ASCII words "
        "joined by `-`. Leave it empty to mint it from the record (see *id minted from*); never a row number | "
        "última parte del IRI: palabras ASCII en minúsculas unidas por `-`. Déjela vacía para acuñarla a "
        "partir del registro (ver *id acuñado de*); nunca un número de fila |",
        "| `type` | the record's class, when the table offers several (listed per table) | la clase del "
        "registro, cuando la tabla ofrece varias (listadas en cada tabla) |",
        "| `sources` | other source documents that state the record (ids of sources); the source being "
        "imported is always added | otros documentos fuente que afirman el registro (ids de fuentes); la "
        "fuente que se importa se añade siempre |",
        "",
    ]
    for kind in mapping.kinds.values():
        lines += [f"## `{kind.sheet}`: {kind.title['en']} / {kind.title['es']}", "",
                  kind.note["en"], "", kind.note["es"], ""]
        if kind.paths():
            lines.append("- IRI: " + ", ".join(f"`https://w3id.org/gcmgraph/id/{p}/{{id}}`" for p in kind.paths()))
        if kind.mint:
            lines.append("- id minted from / id acuñado de: " + " `-` ".join(f"`{m}`" for m in kind.mint))
        if kind.classes:
            types = ", ".join(f"`{n}`" for n in kind.classes)
            default = f" (default / por defecto: `{' | '.join(kind.default_type)}`)" if kind.default_type else ""
            lines.append(f"- type / tipo: {types}{default}")
        lines.append(f"- Turtle file / archivo Turtle: `{kind.file}`")
        lines += ["", "| column | property | value / valor | English | español |", "|---|---|---|---|---|"]
        for column in kind.columns:
            flags = []
            if column.required:
                flags.append("**required / obligatoria**")
            if column.multiple:
                flags.append(f"several / varios (`{mapping.separator}`)")
            if column.inverse:
                flags.append("written on the referenced entity / se escribe en la entidad referida")
            prop = f"`{compact(column.property)}`" if column.property else ""
            value = column.describe_value(mapping, "en") + " / " + column.describe_value(mapping, "es")
            extra = (" " + "; ".join(flags)) if flags else ""
            en = column.note.get("en", "").replace("|", "\\|")
            es = column.note.get("es", "").replace("|", "\\|")
            lines.append(f"| `{column.name}` | {prop} | {value}{extra} | {en} | {es} |")
        lines.append("")
    return "\n".join(lines)
