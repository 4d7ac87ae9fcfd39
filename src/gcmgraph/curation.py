"""Curation at scale: tables in, canonical curated Turtle out, and the curated graph back to tables.

``import_tables`` reads filled templates (CSV or XLSX), checks every cell against the graph before
anything is written, mints each record's IRI from the record, reports likely duplicates of existing
entities, and writes the source's folder whole (one Turtle file per kind of record, canonical form)
or not at all. ``export_tables`` writes the curated folders back to the same templates, so that
importing them reproduces the graph. ``new_source`` scaffolds the folder of the next source
document. The templates themselves are defined in ``data/templates/mapping.yaml``
(:mod:`gcmgraph.templates`).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from gcmgraph import messages
from gcmgraph.atomic import atomic_directory
from gcmgraph.canonical import canonical_text
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.identity import legal_key, name_key, slug
from gcmgraph.loading import parse_turtle
from gcmgraph.namespaces import CURATORS, ELI, GCM, GRAPH, ID, OBJECTIVE, PREFIXES, SDG, bind_prefixes
from gcmgraph.paths import Layout, default_layout
from gcmgraph.tables import Row, Table, csv_text, read_tables, xlsx_bytes
from gcmgraph.templates import (
    CellError,
    Candidates,
    Column,
    Kind,
    Mapping,
    check_date,
    compact,
    expand_curie,
    load_mapping,
    parse_iri,
)

SOURCE_NS = Namespace(str(ID) + "source/")
EDITORIAL = "editorial"
#: datatypes the statement table checks before writing a typed value
_STATEMENT_TYPES = {XSD.date, XSD.gYearMonth, XSD.gYear, XSD.integer, XSD.boolean, XSD.decimal}
_SLUG = re.compile(r"^[a-z0-9]+(?:(?:-|--|\.)[a-z0-9]+)*$")
_LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# problems


@dataclass
class Problem:
    """One thing wrong with the tables: where (file, sheet, row, column) and what."""

    code: str
    where: dict
    details: dict = field(default_factory=dict)

    def message(self, lang: str = "es") -> str:
        words = messages.WHERE.get(lang, messages.WHERE["en"])
        parts = [self.where.get("file", "")]
        if self.where.get("sheet"):
            parts.append(f"{words['sheet']} {self.where['sheet']}")
        if self.where.get("row"):
            parts.append(f"{words['row']} {self.where['row']}")
        if self.where.get("column"):
            letter = self.where.get("letter")
            parts.append(f"{words['column']} {self.where['column']}" + (f" ({letter})" if letter else ""))
        return ", ".join(p for p in parts if p) + ": " + messages.text(self.code, lang, **self.details)

    def hint(self, lang: str = "es") -> str | None:
        return messages.hint(self.code, lang)

    def as_dict(self) -> dict:
        return {"code": self.code, **self.where,
                "message": {"es": self.message("es"), "en": self.message("en")},
                "hint": {"es": self.hint("es"), "en": self.hint("en")}}


class TablesRefused(GcmgraphError):
    """The tables have problems; nothing was written. ``problems`` lists every one found."""

    exit_code = 2

    def __init__(self, problems: list[Problem], lang: str = "es"):
        self.problems = problems
        self.lang = lang
        # only SHACL results left: the tables read fine but the data they give would not validate
        self.exit_code = 1 if problems and all(p.code == "shacl" for p in problems) else 2
        super().__init__(self.render(lang))

    def render(self, lang: str = "es") -> str:
        count = len(self.problems)
        head = (f"las tablas no se importaron: {count} problema(s); no se escribió nada" if lang == "es"
                else f"the tables were not imported: {count} problem(s); nothing was written")
        lines = [head]
        hints: list[str] = []
        for problem in self.problems:
            lines.append("  " + problem.message(lang))
            h = problem.hint(lang)
            if h and h not in hints:
                hints.append(h)
        lines += ["  → " + h for h in hints]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# what the graph already holds


@dataclass
class GraphIndex:
    """What the importer checks a table against: the graph outside the folder being written."""

    graph: Graph
    files_of: dict
    mapping: Mapping

    def __post_init__(self):
        g = self.graph
        self.subjects = set(g.subjects())
        self.concepts = set(g.subjects(RDF.type, SKOS.Concept)) | set(g.subjects(SKOS.inScheme, None))
        self.countries = {s for s in g.subjects(RDF.type, URIRef("https://schema.org/Country"))}
        self.names: dict[tuple[str, str], list[URIRef]] = defaultdict(list)
        self.legal_ids: dict[str, list[URIRef]] = defaultdict(list)
        for kind in self.mapping.kinds.values():
            for cls in kind.classes.values():
                for entity in g.subjects(RDF.type, cls):
                    for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title):
                        for label in g.objects(entity, prop):
                            key = name_key(str(label))
                            if key and entity not in self.names[(kind.name, key)]:
                                self.names[(kind.name, key)].append(entity)
        for entity, identifier in g.subject_objects(ELI.id_local):
            key = legal_key(str(identifier))
            if key and entity not in self.legal_ids[key]:
                self.legal_ids[key].append(entity)

    def label(self, node, lang: str = "es") -> str:
        labels = [o for p in (RDFS.label, SKOS.prefLabel) for o in self.graph.objects(node, p)]
        for wanted in (lang, "es", "en"):
            for label in labels:
                if label.language and label.language.split("-")[0] == wanted:
                    return str(label)
        return str(labels[0]) if labels else compact(node)

    def files(self, node) -> str:
        return ", ".join(sorted(self.files_of.get(node, []))) or "the graph"

    def concepts_under(self, scheme: str) -> list[str]:
        prefix = str(ID[scheme + "/"])
        return sorted(str(c)[len(prefix):] for c in self.concepts if str(c).startswith(prefix))


def _short_list(items: Iterable[str], limit: int = 12) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items)})" if len(items) > limit else "")


# --------------------------------------------------------------------------------------------
# import


@dataclass
class _Record:
    """A row of a record table on its way to RDF."""

    kind: Kind
    row: Row
    iri: URIRef | None = None
    classes: list[URIRef] = field(default_factory=list)
    #: the row describes an entity that exists already (accepted by the curator)
    existing: bool = False


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    out: Path
    source: URIRef | None
    files: dict[str, str]
    records: dict[str, int]
    triples: int
    changed: bool
    written: bool
    accepted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    previous_triples: int = 0


class _Importer:
    def __init__(self, tables: list[Table], *, layout: Layout, source: str, out: Path | None,
                 accept: str | None, lang: str, progress: Callable[[str], None]):
        self.layout = layout
        self.mapping = load_mapping(layout)
        self.tables = tables
        self.source_arg = source
        self.out_arg = out
        self.accept = accept
        self.lang = lang
        self.progress = progress
        self.problems: list[Problem] = []
        self.records: list[_Record] = []
        self.statements: list[Row] = []
        self.by_iri: dict[URIRef, _Record] = {}
        self.alias: dict[URIRef, URIRef] = {}
        self.accepted: list[str] = []
        self.source: URIRef | None = None
        self.editorial = source == EDITORIAL

    # -- problems ------------------------------------------------------------------------------

    def problem(self, code: str, row: Row | None = None, at: str | None = None, /, *,
                where: dict | None = None, **details) -> None:
        """Record a problem at ``row`` and column ``at`` (or at ``where``); ``details`` fill its message."""
        place = where if where is not None else (row.where(at) if row else {})
        self.problems.append(Problem(code, place, details))

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise TablesRefused(self.problems, self.lang)

    # -- step 1: tables and kinds ----------------------------------------------------------------

    def sort_tables(self) -> None:
        kinds = self.mapping.kinds
        for table in self.tables:
            kind = self.mapping.kind_for_table(table.sheet)
            if kind is None:
                self.problem("unknown_table", where={"file": table.file, "sheet": table.sheet},
                             sheet=table.sheet, allowed=", ".join(k.sheet for k in kinds.values()))
                continue
            headings = [h for h in table.headings if h]
            allowed = kind.headings()
            seen = set()
            for heading in headings:
                where = {"file": table.file, "sheet": table.sheet, "row": 1, "column": heading,
                         "letter": table.letters.get(heading, "")}
                if heading in seen:
                    self.problem("duplicate_column", where=where, column=heading)
                seen.add(heading)
                if heading not in allowed:
                    self.problem("unknown_column", where=where, sheet=kind.sheet, column=heading,
                                 allowed=", ".join(allowed))
            for column in kind.columns:
                if column.required and column.name not in seen and table.rows and kind.name != "link":
                    self.problem("missing_column", where={"file": table.file, "sheet": table.sheet, "row": 1},
                                 sheet=kind.sheet, column=column.name)
            for row in table.rows:
                if kind.name == "statement":
                    self.statements.append(row)
                else:
                    self.records.append(_Record(kind, row))

    # -- step 2: the source and the folder -------------------------------------------------------

    def settle_source(self) -> Path:
        source_rows = [r for r in self.records if r.kind.name == "source"]
        arg = self.source_arg
        if arg == "new":
            if len(source_rows) != 1:
                where = source_rows[1].row.where() if len(source_rows) > 1 else {"file": "--source new"}
                self.problem("source_rows", where=where, value=len(source_rows))
                self.refuse_if_problems()
            record = source_rows[0]
            record.iri = self.mint(record)
            self.source = record.iri
        elif arg == EDITORIAL:
            self.source = None
        else:
            iri = parse_iri(arg) if ("/" in arg or ":" in arg) else SOURCE_NS[arg]
            if iri is None or not str(iri).startswith(str(SOURCE_NS)):
                raise InputError(f"--source {arg!r} is not a source document",
                                 hint="Give the id of a source (unnm-lac-hitos-07), its IRI, new (with a "
                                      "source table) or editorial.")
            self.source = iri
        if self.out_arg is not None:
            return Path(self.out_arg)
        if self.source is None:
            return self.layout.data / "editorial"
        return self.layout.data / "sources" / self.source_slug()

    def source_slug(self) -> str:
        return str(self.source)[len(str(SOURCE_NS)):] if self.source else ""

    # -- step 3: the graph outside the folder ----------------------------------------------------

    def load_index(self, out: Path) -> tuple[GraphIndex, Graph]:
        self.progress("reading the graph ...")
        out_resolved = out.resolve()
        outside, previous = Graph(), Graph()
        files_of: dict = defaultdict(list)
        for path in self.layout.curated_files():
            display = self.layout.display(path)
            graph = parse_turtle(path, display)
            if out_resolved in path.resolve().parents:
                previous += graph
                continue
            outside += graph
            for subject in set(graph.subjects()):
                files_of[subject].append(display)
        return GraphIndex(outside, files_of, self.mapping), previous

    # -- step 4: IRIs ----------------------------------------------------------------------------

    def classes_of(self, record: _Record) -> list[URIRef]:
        kind = record.kind
        text = record.row.cells.get("type", "").strip()
        names = [t.strip() for t in text.split(self.mapping.separator) if t.strip()] if text else list(kind.default_type)
        if not names:
            self.problem("missing_value", record.row, "type", allowed=", ".join(kind.classes))
            return []
        classes = []
        for name in names:
            if name not in kind.classes:
                self.problem("bad_type", record.row, "type", value=name, sheet=kind.sheet,
                             allowed=", ".join(kind.classes))
                continue
            classes.append(kind.classes[name])
        return classes

    def mint(self, record: _Record) -> URIRef | None:
        kind, row = record.kind, record.row
        if not record.classes:
            record.classes = self.classes_of(record)
        path = kind.path_for(record.classes)
        if path is None:
            return None
        given = row.cells.get("id", "").strip()
        if given:
            if not _SLUG.match(given):
                self.problem("bad_id", row, "id", value=given)
                return None
            return ID[f"{path}/{given}"]
        parts, missing = [], []
        for part in kind.mint:
            value = self.mint_part(record, part.rstrip("?"))
            if value:
                parts.append(value)
            elif not part.endswith("?"):
                missing.append(part.split(":")[-1].rstrip("?"))
        if missing:
            names = ["label_es" if m == "label" else m for m in missing]
            self.problem("cannot_mint", row, "id", allowed=", ".join(names))
            return None
        # link ids join subject and object with a double dash (id/link/{subject}--{object})
        joiner = "--" if kind.name == "link" else "-"
        return ID[f"{path}/{joiner.join(parts)}"]

    def mint_part(self, record: _Record, part: str) -> str:
        cells = record.row.cells
        if part == "label":
            return slug(cells.get("label_es", ""))
        if part == "source":
            return self.source_slug()
        if part == "position":
            text = cells.get("position", "").strip()
            return text if text.isdigit() else ""
        if part == "country":
            for column in record.kind.columns:
                value = cells.get(column.name, "").strip()
                if not value:
                    continue
                if column.value == "country" and re.fullmatch(r"[A-Za-z]{2}", value.split(self.mapping.separator)[0].strip()):
                    return value.split(self.mapping.separator)[0].strip().lower()
                if column.value == "place" and re.match(r"^[a-z]{2}-", value):
                    return value[:2]
            return ""
        if part.startswith("year:"):
            value = cells.get(part[5:], "").strip()
            return value[:4] if re.match(r"^\d{4}", value) else ""
        if part.startswith("ref:"):
            value = cells.get(part[4:], "").strip()
            return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if value else ""
        if part in ("subject", "object"):
            return self.link_part(record, part)
        return ""

    def link_part(self, record: _Record, part: str) -> str:
        cells = record.row.cells
        if part == "subject":
            iri = parse_iri(cells.get("subject", ""))
            return compact(iri).replace("/", "-") if iri is not None else ""
        objective = cells.get("objective", "").strip()
        if objective:
            return f"objective-{objective}" if objective.isdigit() else ""
        iri = self.link_object(cells.get("object", ""))
        if iri is None:
            return ""
        if str(iri).startswith(str(SDG)):
            return "sdg-" + str(iri)[len(str(SDG)):]
        text = compact(iri)
        return text.replace("/", "-") if str(iri).startswith(str(ID)) else slug(text)

    @staticmethod
    def link_object(text: str) -> URIRef | None:
        text = text.strip()
        if re.fullmatch(r"\d{1,2}\.[0-9a-z]{1,2}", text):
            return SDG[text]
        return parse_iri(text) if text else None

    def assign_iris(self, index: GraphIndex) -> None:
        for record in self.records:
            if record.iri is None:
                record.iri = self.mint(record)
            if record.iri is None:
                continue
            other = self.by_iri.get(record.iri)
            if other is not None:
                self.problem("duplicate_id", record.row, "id", iri=record.iri,
                             other=self.describe_row(other.row))
                continue
            self.by_iri[record.iri] = record
            if record.kind.name == "source" and self.source is not None and record.iri != self.source:
                self.problem("source_mismatch", record.row, "id", iri=record.iri, other=self.source)

    def describe_row(self, row: Row) -> str:
        words = messages.WHERE.get(self.lang, messages.WHERE["en"])
        return f"{row.file}, {words['sheet']} {row.sheet}, {words['row']} {row.number}"

    # -- step 5: identity ------------------------------------------------------------------------

    def check_identity(self, index: GraphIndex) -> None:
        seen_names: dict[tuple[str, str], _Record] = {}
        for record in self.records:
            if record.iri is None or record.kind.name in ("link", "source"):
                continue
            label = record.row.cells.get("label_es", "").strip()
            key = name_key(label) if label else ""
            if record.iri in index.subjects and self.is_entity(index, record.iri):
                if self.accept == "existing":
                    record.existing = True
                    self.accepted.append(f"{compact(record.iri)} ({self.describe_row(record.row)})")
                else:
                    self.problem("exists", record.row, "id", iri=record.iri,
                                 label=index.label(record.iri, "es"), files=index.files(record.iri))
                continue
            matches = []
            why, column = "", "label_es"
            if key:
                matches = [m for m in index.names.get((record.kind.name, key), []) if m != record.iri]
                why = ("mismo nombre salvo tildes, mayúsculas o espacios" if self.lang == "es"
                       else "same name but for accents, case or spacing")
            legal = record.row.cells.get("legal_id", "").strip()
            if not matches and legal:
                matches = [m for m in index.legal_ids.get(legal_key(legal), []) if m != record.iri]
                why = ("mismo identificador legal" if self.lang == "es" else "same legal identifier")
                column = "legal_id"
            if matches:
                existing = matches[0]
                if self.accept == "existing":
                    self.alias[record.iri] = existing
                    self.accepted.append(f"{compact(record.iri)} → {compact(existing)} "
                                         f"({self.describe_row(record.row)})")
                    record.iri = existing
                    record.existing = True
                elif self.accept != "new":
                    self.problem("likely_duplicate", record.row, column, iri=existing,
                                 label=index.label(existing, "es"), files=index.files(existing), why=why)
                continue
            if key:
                other = seen_names.get((record.kind.name, key))
                if other is not None and self.accept != "new":
                    self.problem("likely_duplicate_import", record.row, "label_es",
                                 other=self.describe_row(other.row),
                                 why=("mismo nombre" if self.lang == "es" else "same name"))
                seen_names.setdefault((record.kind.name, key), record)

    def is_entity(self, index: GraphIndex, iri: URIRef) -> bool:
        return (iri, RDF.type, None) in index.graph

    # -- step 6: cells ---------------------------------------------------------------------------

    def known(self, index: GraphIndex, iri: URIRef) -> bool:
        iri = self.alias.get(iri, iri)
        return iri in index.subjects or iri in self.by_iri or iri in self.statement_subjects

    def resolve(self, value, index: GraphIndex, row: Row, column: Column, text: str):
        """The RDF term of a parsed value, or None (with a problem recorded) when it is not allowed."""
        if isinstance(value, Candidates):
            found = [i for i in value.iris if self.known(index, i)]
            if len(found) == 1:
                return self.alias.get(found[0], found[0])
            if len(found) > 1:
                self.problem("ambiguous_ref", row, column.name, value=text,
                             allowed=", ".join(compact(f) for f in found))
                return None
            self.problem("not_found", row, column.name, value=text, iri=value.iris[0],
                         allowed=column.describe_value(self.mapping, self.lang),
                         suggest=self.suggest(value.iris[0], index))
            return None
        if not isinstance(value, URIRef):
            return value
        value = self.alias.get(value, value)
        if column.value == "country":
            if value not in index.countries:
                allowed = _short_list(sorted(str(c).rsplit("/", 1)[-1] for c in index.countries), 60)
                self.problem("unknown_country", row, column.name, value=text, allowed=allowed)
                return None
        elif column.value == "concept":
            if value not in index.concepts:
                self.problem("unknown_concept", row, column.name, value=text, scheme=column.scheme,
                             allowed=_short_list(index.concepts_under(column.scheme), 30))
                return None
        elif column.value in ("ref", "region", "place", "objective"):
            if self.needs_existence(value) and not self.known(index, value):
                self.problem("not_found", row, column.name, value=text, iri=value,
                             allowed=column.describe_value(self.mapping, self.lang),
                             suggest=self.suggest(value, index))
                return None
        return value

    def suggest(self, iri: URIRef, index: GraphIndex) -> str:
        """"; did you mean 'x'?" when an entity of the same kind has a close id (a typo)."""
        text = str(iri)
        prefix = text.rsplit("/", 1)[0] + "/"
        known = {str(i)[len(prefix):] for i in (*index.subjects, *self.by_iri)
                 if isinstance(i, URIRef) and str(i).startswith(prefix)}
        close = difflib.get_close_matches(text[len(prefix):], sorted(known), n=1, cutoff=0.8)
        if not close:
            return ""
        return f"; ¿quiso decir {close[0]!r}?" if self.lang == "es" else f"; did you mean {close[0]!r}?"

    @staticmethod
    def needs_existence(iri: URIRef) -> bool:
        return str(iri).startswith(str(ID)) or str(iri).startswith(str(SDG))

    def cell_values(self, row: Row, column: Column, index: GraphIndex) -> list:
        text = row.cells.get(column.name, "").strip()
        if not text and column.default:
            text = column.default
        if not text:
            return []
        pieces = [p.strip() for p in text.split(self.mapping.separator)] if column.multiple else [text]
        values = []
        for piece in pieces:
            if not piece:
                continue
            try:
                parsed = column.parse(piece, self.mapping)
            except CellError as err:
                details = dict(err.details)
                if err.code == "bad_country":
                    details["allowed"] = _short_list(sorted(str(c).rsplit("/", 1)[-1] for c in index.countries), 60)
                if err.code == "bad_value":
                    details.setdefault("allowed", column.describe_value(self.mapping, self.lang))
                self.problem(err.code, row, column.name, **details)
                continue
            value = self.resolve(parsed, index, row, column, piece)
            if value is not None:
                values.append(value)
        return values

    def record_triples(self, record: _Record, index: GraphIndex) -> Graph:
        g = Graph()
        kind, row, iri = record.kind, record.row, record.iri
        if kind.name == "link":
            return self.link_triples(record, index)
        if not row.cells.get("label_es", "").strip() and kind.column("label_es") is not None:
            self.problem("missing_label", row, "label_es")
        for column in kind.columns:
            if column.property is None:
                continue
            values = self.cell_values(row, column, index)
            if column.required and not values and column.name != "label_es" and not row.cells.get(column.name, "").strip():
                self.problem("missing_value", row, column.name,
                             allowed=column.describe_value(self.mapping, self.lang))
            for value in values:
                if column.inverse:
                    g.add((value, column.property, iri))
                else:
                    g.add((iri, column.property, value))
        if iri is None:
            return Graph()
        for cls in record.classes:
            g.add((iri, RDF.type, cls))
        self.add_sources(g, record, index)
        if record.existing:
            # an entity that exists already keeps its name and class; a different Spanish name the
            # source uses becomes another name of it
            for label in list(g.objects(iri, RDFS.label)):
                g.remove((iri, RDFS.label, label))
                if label.language == "es" and label not in set(index.graph.objects(iri, RDFS.label)):
                    g.add((iri, SKOS.altLabel, label))
            for cls in list(g.objects(iri, RDF.type)):
                g.remove((iri, RDF.type, cls))
        return g

    def add_sources(self, g: Graph, record: _Record, index: GraphIndex) -> None:
        column = Column(name="sources", note={}, property=DCTERMS.source, value="ref", kinds=("source",),
                        multiple=True)
        for value in self.cell_values(record.row, column, index):
            g.add((record.iri, DCTERMS.source, value))
        if self.source is not None:
            g.add((record.iri, DCTERMS.source, self.source))

    def link_triples(self, record: _Record, index: GraphIndex) -> Graph:
        g = Graph()
        kind, row, iri = record.kind, record.row, record.iri
        cells = row.cells
        subject_column = kind.column("subject")
        subjects = self.cell_values(row, subject_column, index)
        if not cells.get("subject", "").strip():
            self.problem("missing_value", row, "subject", allowed=subject_column.describe_value(self.mapping, self.lang))
        predicate_column = kind.column("predicate")
        predicates = self.cell_values(row, predicate_column, index)
        predicate = predicates[0] if predicates else None
        objective_text = cells.get("objective", "").strip()
        object_text = cells.get("object", "").strip()
        obj = None
        if predicate == GCM.addressesObjective:
            if object_text or not objective_text:
                self.problem("link_object", row, "objective", value="addresses-objective",
                             wanted="objective", other="object")
            else:
                found = self.cell_values(row, kind.column("objective"), index)
                obj = found[0] if found else None
        elif predicate is not None:
            if objective_text or not object_text:
                self.problem("link_object", row, "object", value=cells.get("predicate", ""),
                             wanted="object", other="objective")
            else:
                parsed = self.link_object(object_text)
                if parsed is None:
                    self.problem("bad_ref", row, "object", value=object_text)
                else:
                    obj = self.resolve(parsed, index, row, kind.column("object"), object_text)
        basis_column = kind.column("basis")
        basis_text = cells.get("basis", "").strip() or ("editorial" if self.editorial else "stated")
        basis = basis_column.values.get(basis_text)
        if basis is None:
            self.problem("bad_enum", row, "basis", value=basis_text, allowed=", ".join(basis_column.values))
        for name in ("label_es", "label_en", "description_es", "description_en", "justification_es",
                     "justification_en"):
            column = kind.column(name)
            for value in self.cell_values(row, column, index):
                g.add((iri, column.property, value))
        source_column = Column(name="sources", note={}, property=DCTERMS.source, value="ref",
                               kinds=("source",), multiple=True)
        sources = self.cell_values(row, source_column, index)
        if basis == GCM.EditorialMapping and not self.editorial:
            self.problem("editorial_here", row, "basis")
        if basis == GCM.EditorialMapping:
            if not cells.get("justification_es", "").strip():
                self.problem("needs_justification", row, "justification_es")
            g.add((iri, PROV.wasAttributedTo, CURATORS))
        elif basis == GCM.StatedBySource and self.source is None and not sources:
            self.problem("needs_source", row, "sources")
        if iri is None or not subjects or predicate is None or obj is None or basis is None:
            return Graph()
        subject = subjects[0]
        g.add((iri, RDF.type, GCM.LinkAssertion))
        g.add((iri, RDF.subject, subject))
        g.add((iri, RDF.predicate, predicate))
        g.add((iri, RDF.object, obj))
        g.add((iri, GCM.linkBasis, basis))
        for value in sources:
            g.add((iri, DCTERMS.source, value))
        if self.source is not None:
            g.add((iri, DCTERMS.source, self.source))
        g.add((subject, predicate, obj))
        editorial = basis == GCM.EditorialMapping
        if not cells.get("label_es", "").strip():
            g.add((iri, RDFS.label, Literal(self.link_label(subject, predicate, obj, "es", editorial, index), lang="es")))
        if not cells.get("label_en", "").strip():
            g.add((iri, RDFS.label, Literal(self.link_label(subject, predicate, obj, "en", editorial, index),
                                            lang="en-t-es")))
        return g

    def entity_label(self, node, lang: str, index: GraphIndex) -> str:
        record = self.by_iri.get(node)
        if record is not None:
            cells = record.row.cells
            return (cells.get(f"label_{lang}") or cells.get("label_es") or compact(node)).strip()
        return index.label(node, lang)

    def link_label(self, subject, predicate, obj, lang: str, editorial: bool, index: GraphIndex) -> str:
        name = self.entity_label(subject, lang, index)
        if predicate == GCM.addressesObjective:
            number = str(obj)[len(str(OBJECTIVE)):]
            target = f"objetivo {number} del PMM" if lang == "es" else f"GCM objective {number}"
        else:
            target = self.entity_label(obj, lang, index)
        if lang == "es":
            basis = "mapeo editorial" if editorial else "según la fuente"
        else:
            basis = "editorial mapping" if editorial else "as the source states"
        return f"{name} → {target} ({basis})"

    # -- the statement table ----------------------------------------------------------------------

    def statement_subjects_defined(self) -> set[URIRef]:
        """Subjects the statement table describes from scratch (it gives them an rdf:type)."""
        defined = set()
        for row in self.statements:
            if row.cells.get("property", "").strip() in ("rdf:type", "a") and row.cells.get("subject"):
                iri = parse_iri(row.cells["subject"])
                if iri is not None:
                    defined.add(iri)
        return defined

    def statement_triples(self, index: GraphIndex) -> Graph:
        g = Graph()
        seen: dict[tuple, Row] = {}
        kind = self.mapping.kinds["statement"]
        for row in self.statements:
            cells = {k: v.strip() for k, v in row.cells.items()}
            missing = [c.name for c in kind.columns if c.required and not cells.get(c.name)]
            for name in missing:
                self.problem("missing_value", row, name, allowed=kind.column(name).note.get(self.lang, ""))
            if missing:
                continue
            subject = parse_iri(cells["subject"])
            if subject is None:
                self.problem("bad_ref", row, "subject", value=cells["subject"])
                continue
            subject = self.alias.get(subject, subject)
            if self.needs_existence(subject) and not self.known(index, subject):
                self.problem("not_found", row, "subject", value=cells["subject"], iri=subject,
                             allowed="path/id", suggest=self.suggest(subject, index))
                continue
            prop_text = cells["property"]
            prop = RDF.type if prop_text == "a" else expand_curie(prop_text)
            if prop is None or (str(prop).startswith(str(GCM._NS)) and prop not in index.subjects):
                self.problem("bad_property", row, "property", value=prop_text,
                             allowed=", ".join(p for p in PREFIXES if not str(PREFIXES[p]).startswith(str(ID))))
                continue
            value = self.statement_value(row, cells, index)
            if value is None:
                continue
            triple = (subject, prop, value)
            if triple in seen:
                self.problem("duplicate_row", row, "value", other=self.describe_row(seen[triple]))
                continue
            seen[triple] = row
            g.add(triple)
        return g

    def statement_value(self, row: Row, cells: dict, index: GraphIndex):
        text, kind_text, lang = cells["value"], cells["value_type"], cells.get("lang", "")
        if kind_text == "iri":
            iri = parse_iri(text)
            if iri is None:
                self.problem("bad_ref", row, "value", value=text)
                return None
            iri = self.alias.get(iri, iri)
            if self.needs_existence(iri) and not self.known(index, iri):
                self.problem("not_found", row, "value", value=text, iri=iri, allowed="path/id",
                             suggest=self.suggest(iri, index))
                return None
            return iri
        if kind_text == "text":
            if not lang:
                self.problem("missing_lang", row, "lang")
                return None
            if not _LANG_TAG.match(lang):
                self.problem("bad_lang", row, "lang", value=lang)
                return None
            return Literal(text, lang=lang)
        if kind_text == "string":
            return Literal(text)
        datatype = expand_curie(kind_text)
        if datatype is None or datatype not in _STATEMENT_TYPES:
            self.problem("bad_enum", row, "value_type", value=kind_text,
                         allowed="iri, text, string, " + ", ".join(compact(t) for t in sorted(_STATEMENT_TYPES)))
            return None
        try:
            if datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
                literal = check_date(text)
                if literal.datatype != datatype:
                    raise CellError("bad_date", value=text)
                return literal
            if datatype == XSD.integer:
                if not re.fullmatch(r"-?[0-9]+", text):
                    raise CellError("bad_integer", value=text)
                return Literal(int(text), datatype=XSD.integer)
            if datatype == XSD.boolean:
                if text not in ("true", "false"):
                    raise CellError("bad_enum", value=text, allowed="true, false")
                return Literal(text == "true")
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
                raise CellError("bad_value", value=text, allowed="xsd:decimal")
            return Literal(text, datatype=XSD.decimal)
        except CellError as err:
            self.problem(err.code, row, "value", **err.details)
            return None

    # -- everything ------------------------------------------------------------------------------

    def run(self, *, validate: bool, dry_run: bool) -> ImportResult:
        self.sort_tables()
        self.refuse_if_problems()
        out = self.settle_source()
        self.refuse_if_problems()
        index, previous = self.load_index(out)
        self.statement_subjects = self.statement_subjects_defined()
        self.progress("checking the tables ...")
        self.assign_iris(index)
        if self.source is not None and self.source not in self.by_iri and self.source not in index.subjects:
            self.problem("source_missing", where={"file": "--source"}, iri=self.source)
        if self.editorial:
            for record in self.records:
                if "source" in record.kind.mint and not record.row.cells.get("id", "").strip():
                    self.problem("no_source_here", record.row, "id")
        self.check_identity(index)
        triples: dict[str, list] = defaultdict(list)
        for record in self.records:
            triples[record.kind.file].extend(self.record_triples(record, index))
        triples[self.mapping.kinds["statement"].file].extend(self.statement_triples(index))
        self.refuse_if_problems()
        files: dict[str, Graph] = {}
        merged = Graph()
        for name, found in triples.items():
            if found:
                files[name] = Graph()
                files[name].addN((s, p, o, files[name]) for s, p, o in found)
                merged.addN((s, p, o, merged) for s, p, o in found)
        warnings: list[str] = []
        if validate:
            warnings = self.validate(index, merged)
            self.refuse_if_problems()
        texts = {name: canonical_text(g) for name, g in sorted(files.items())}
        changed = self.differs(out, texts)
        counts: dict[str, int] = defaultdict(int)
        for record in self.records:
            counts[record.kind.sheet] += 1
        counts["statement"] = len(self.statements)
        result = ImportResult(out=out, source=self.source, files=texts, records=dict(counts),
                              triples=len(merged), changed=changed, written=False,
                              accepted=self.accepted, warnings=warnings, previous_triples=len(previous))
        if changed and not dry_run:
            write_folder(out, {name: text.encode("utf-8") for name, text in texts.items()},
                         keep=lambda p: p.suffix != ".ttl")
            result.written = True
        return result

    def differs(self, out: Path, texts: dict[str, str]) -> bool:
        current = {p.name: p for p in out.glob("*.ttl")} if out.is_dir() else {}
        if set(current) != set(texts):
            return True
        return any(current[name].read_text(encoding="utf-8") != text for name, text in texts.items())

    def validate(self, index: GraphIndex, merged: Graph) -> list[str]:
        from gcmgraph.validation import Severity, validate_graph

        self.progress("validating against the shapes ...")
        shapes = Graph()
        for path in self.layout.shape_files():
            shapes += parse_turtle(path, self.layout.display(path))
        data = Graph()
        data += index.graph
        data += merged
        report = validate_graph(data, shapes)
        touched = set(merged.subjects())
        rows_of: dict[URIRef, Row] = {r.iri: r.row for r in self.records if r.iri is not None}
        for row in self.statements:
            iri = parse_iri(row.cells.get("subject", ""))
            if iri is not None:
                rows_of.setdefault(self.alias.get(iri, iri), row)
        warnings = []
        for result in report.results:
            if result.focus not in touched:
                continue
            row = rows_of.get(result.focus)
            column = None
            if row is not None and result.path is not None:
                record = self.by_iri.get(result.focus)
                if record is not None:
                    column = next((c.name for c in record.kind.columns if c.property == result.path), None)
            where = row.where(column) if row is not None else {"file": compact(result.focus)}
            if result.severity is Severity.VIOLATION:
                self.problem("shacl", where=where, value=f"<{result.focus}>: {result.message(self.lang)}")
            elif result.severity is Severity.WARNING:
                place = Problem("shacl", where, {"value": ""}).message(self.lang).rsplit(": ", 2)[0]
                warnings.append(f"{place}: <{compact(result.focus)}> {result.message(self.lang)}")
        return warnings


def write_folder(out: Path, files: dict[str, bytes], keep: Callable[[Path], bool]) -> None:
    """Replace ``out`` whole with ``files``, carrying over the entries of the old folder ``keep`` selects.

    A README, the tables a curator fills, anything but what this write produces stays as it was.
    """
    with atomic_directory(out) as tmp:
        if out.is_dir():
            for entry in out.iterdir():
                if entry.name in files or not keep(entry):
                    continue
                if entry.is_dir():
                    shutil.copytree(entry, tmp / entry.name)
                else:
                    shutil.copy2(entry, tmp / entry.name)
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.chmod(target, 0o644)


def import_tables(paths: Iterable[Path | str] = (), *, source: str = "new", out: Path | str | None = None,
                  layout: Layout | None = None, accept: str | None = None, lang: str = "es",
                  validate: bool = True, dry_run: bool = False, tables: list[Table] | None = None,
                  progress: Callable[[str], None] | None = None) -> ImportResult:
    """Turn filled templates into the curated Turtle of one source's folder, or refuse them all.

    ``source``: the id or IRI of an existing source document, ``"new"`` (the tables include a
    ``source`` table with one row describing it) or ``"editorial"`` (the curators' own links, written
    to ``data/editorial``). ``out`` defaults to ``data/sources/{id}``. The folder is written whole:
    one canonical Turtle file per kind of record, other files in it (README, tables) kept. Nothing is
    written when any cell has a problem (:class:`TablesRefused` lists them all) or when the result
    would not validate; importing the same tables again changes nothing.

    ``accept``: what to do with records that look like entities the graph has already (same name
    but for accents, case or spacing; same legal identifier): ``None`` reports them, ``"existing"``
    uses the existing IRIs, ``"new"`` keeps them as new entities.
    """
    if accept not in (None, "existing", "new"):
        raise InputError(f"--accept {accept!r}", hint="Use --accept existing or --accept new.")
    layout = layout or default_layout()
    if tables is None:
        tables = read_tables([Path(p) for p in paths])
    importer = _Importer(tables, layout=layout, source=source, out=Path(out) if out else None,
                         accept=accept, lang=lang, progress=progress or (lambda _m: None))
    return importer.run(validate=validate, dry_run=dry_run)


# --------------------------------------------------------------------------------------------
# export


@dataclass
class ExportResult:
    out: Path
    folders: dict[str, dict[str, int]]


def curated_folders(layout: Layout) -> list[tuple[str, Path, URIRef | None]]:
    """The folders the templates describe: each source's folder, and the editorial one."""
    folders = []
    sources = layout.data / "sources"
    if sources.is_dir():
        for folder in sorted(p for p in sources.iterdir() if p.is_dir()):
            if any(folder.glob("*.ttl")):
                folders.append((f"sources/{folder.name}", folder, SOURCE_NS[folder.name]))
    editorial = layout.data / "editorial"
    if editorial.is_dir() and any(editorial.glob("*.ttl")):
        folders.append(("editorial", editorial, None))
    return folders


class _Exporter:
    """The curated graph of one folder as template rows (the inverse of :class:`_Importer`)."""

    def __init__(self, graph: Graph, mapping: Mapping, source: URIRef | None):
        self.g = graph
        self.mapping = mapping
        self.source = source
        self.consumed: set = set()
        self.rows: dict[str, list[dict[str, str]]] = defaultdict(list)

    def take(self, triples) -> None:
        self.consumed.update(triples)

    def free(self, s, p, o) -> bool:
        return (s, p, o) in self.g and (s, p, o) not in self.consumed

    def run(self) -> dict[str, list[dict[str, str]]]:
        for assertion in sorted(self.g.subjects(RDF.type, GCM.LinkAssertion)):
            self.link_row(assertion)
        for subject in sorted({s for s in self.g.subjects() if isinstance(s, URIRef)}):
            self.entity_row(subject)
        for s, p, o in sorted(self.g, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            if (s, p, o) in self.consumed:
                continue
            self.rows["statement"].append(self.statement_row(s, p, o))
        return self.rows

    def sources_cell(self, subject, row_triples: list) -> str | None:
        """The ``sources`` cell, or None when the record's sources cannot be written in it."""
        sources = sorted(o for o in self.g.objects(subject, DCTERMS.source) if self.free(subject, DCTERMS.source, o))
        if self.source is not None:
            if self.source not in sources:
                return None
            sources.remove(self.source)
            row_triples.append((subject, DCTERMS.source, self.source))
        column = Column(name="sources", note={}, property=DCTERMS.source, value="ref", kinds=("source",), multiple=True)
        cells = []
        for value in sources:
            if not column.accepts(value, self.mapping):
                return None
            cells.append(column.render(value, self.mapping))
            row_triples.append((subject, DCTERMS.source, value))
        return self.mapping.separator.join(cells) if not any(self.mapping.separator in c for c in cells) else None

    def fill_columns(self, subject, kind: Kind, columns: list[Column], row: dict, row_triples: list) -> bool:
        for column in columns:
            if column.property is None:
                continue
            if column.inverse:
                found = sorted(s for s in self.g.subjects(column.property, subject)
                               if self.free(s, column.property, subject) and column.accepts(s, self.mapping))
                triples = [(s, column.property, subject) for s in found]
            else:
                found = sorted(o for o in self.g.objects(subject, column.property)
                               if self.free(subject, column.property, o) and column.accepts(o, self.mapping)
                               and not any(o == t[2] and column.property == t[1] for t in row_triples))
                triples = [(subject, column.property, o) for o in found]
            if not column.multiple:
                found, triples = found[:1], triples[:1]
            rendered = [column.render(v, self.mapping) for v in found]
            if column.multiple and any(self.mapping.separator in r for r in rendered):
                keep = [i for i, r in enumerate(rendered) if self.mapping.separator not in r]
                rendered = [rendered[i] for i in keep]
                triples = [triples[i] for i in keep]
            if any(r != r.strip() or not r for r in rendered):
                # a value with surrounding spaces would not read back the same from a cell
                keep = [i for i, r in enumerate(rendered) if r == r.strip() and r]
                rendered = [rendered[i] for i in keep]
                triples = [triples[i] for i in keep]
            if (column.required or column.default) and not rendered:
                return False
            if rendered:
                row[column.name] = self.mapping.separator.join(rendered)
                row_triples.extend(triples)
        return True

    def entity_row(self, subject: URIRef) -> None:
        types = sorted(o for o in self.g.objects(subject, RDF.type) if self.free(subject, RDF.type, o))
        for kind in self.mapping.kinds.values():
            if kind.name in ("statement", "link"):
                continue
            classes = [t for t in types if t in kind.classes.values()]
            if not classes:
                continue
            path = kind.path_for(classes)
            if path is None or not str(subject).startswith(str(ID[path + "/"])):
                continue
            local = str(subject)[len(str(ID[path + "/"])):]
            if not _SLUG.match(local):
                continue
            if not kind.has_type_column and {kind.classes[n] for n in kind.default_type} != set(classes):
                continue
            row: dict[str, str] = {"id": local}
            if kind.has_type_column:
                row["type"] = self.mapping.separator.join(sorted(kind.class_name(c) for c in classes))
            row_triples = [(subject, RDF.type, c) for c in classes]
            sources = self.sources_cell(subject, row_triples)
            if sources is None:
                continue
            if sources:
                row["sources"] = sources
            if not self.fill_columns(subject, kind, kind.columns, row, row_triples):
                continue
            self.take(row_triples)
            self.rows[kind.name].append(row)
            return

    def link_row(self, assertion: URIRef) -> None:
        kind = self.mapping.kinds["link"]
        g = self.g
        one = {}
        for prop in (RDF.subject, RDF.predicate, RDF.object, GCM.linkBasis):
            values = list(g.objects(assertion, prop))
            if len(values) != 1:
                return
            one[prop] = values[0]
        subject, predicate, obj, basis = one[RDF.subject], one[RDF.predicate], one[RDF.object], one[GCM.linkBasis]
        if predicate not in self.mapping.predicates.values() or not self.free(subject, predicate, obj):
            return
        if set(g.objects(assertion, RDF.type)) != {GCM.LinkAssertion}:
            return
        if not str(assertion).startswith(str(ID["link/"])) or not _SLUG.match(str(assertion)[len(str(ID["link/"])):]):
            return
        if not isinstance(subject, URIRef) or parse_iri(compact(subject)) != subject:
            return
        row: dict[str, str] = {"id": str(assertion)[len(str(ID["link/"])):], "subject": compact(subject)}
        predicate_column = kind.column("predicate")
        row["predicate"] = predicate_column.render(predicate, self.mapping)
        if predicate == GCM.addressesObjective:
            if not kind.column("objective").accepts(obj, self.mapping):
                return
            row["objective"] = kind.column("objective").render(obj, self.mapping)
        else:
            if not isinstance(obj, URIRef):
                return
            text = compact(obj)
            if str(obj).startswith(str(SDG)) and re.fullmatch(r"\d{1,2}\.[0-9a-z]{1,2}", str(obj)[len(str(SDG)):]):
                text = str(obj)[len(str(SDG)):]
            if _Importer.link_object(text) != obj:
                return
            row["object"] = text
        basis_column = kind.column("basis")
        if basis not in basis_column.values.values():
            return
        row["basis"] = basis_column.render(basis, self.mapping)
        row_triples = [(assertion, RDF.type, GCM.LinkAssertion), (assertion, RDF.subject, subject),
                       (assertion, RDF.predicate, predicate), (assertion, RDF.object, obj),
                       (assertion, GCM.linkBasis, basis), (subject, predicate, obj)]
        if basis == GCM.EditorialMapping:
            if not self.free(assertion, PROV.wasAttributedTo, CURATORS):
                return
            row_triples.append((assertion, PROV.wasAttributedTo, CURATORS))
        sources = self.sources_cell(assertion, row_triples)
        if sources is None:
            return
        if sources:
            row["sources"] = sources
        text_columns = [kind.column(n) for n in ("label_es", "label_en", "description_es", "description_en",
                                                 "justification_es", "justification_en")]
        if not self.fill_columns(assertion, kind, text_columns, row, row_triples):
            return
        # labels left empty are generated on import: only links that have both can be written back
        if "label_es" not in row or "label_en" not in row:
            return
        if basis == GCM.EditorialMapping and "justification_es" not in row:
            return
        self.take(row_triples)
        self.rows["link"].append(row)

    def statement_row(self, s, p, o) -> dict[str, str]:
        prop = "rdf:type" if p == RDF.type else compact(p)
        row = {"subject": compact(s) if isinstance(s, URIRef) else str(s), "property": prop}
        if isinstance(o, URIRef):
            row.update(value=compact(o), value_type="iri")
        elif o.language:
            row.update(value=str(o), value_type="text", lang=o.language)
        elif o.datatype is None or o.datatype == XSD.string:
            row.update(value=str(o), value_type="string")
        else:
            row.update(value=str(o), value_type=compact(o.datatype))
        return row


def folder_rows(folder: Path, mapping: Mapping, source: URIRef | None, layout: Layout) -> dict[str, list[dict]]:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph += parse_turtle(path, layout.display(path))
    return _Exporter(graph, mapping, source).run()


def table_files(mapping: Mapping, rows: dict[str, list[dict]] | None, fmt: str) -> dict[str, bytes]:
    """The files of one folder of tables: a CSV per kind, or one workbook with a sheet per kind."""
    rows = rows or {}
    sheets = []
    for kind in mapping.kinds.values():
        headings = kind.headings()
        records = [[r.get(h, "") for h in headings] for r in rows.get(kind.name, [])]
        notes = {c.name: f"{c.note.get('es', '')}\n\n{c.note.get('en', '')}" for c in kind.columns}
        notes.setdefault("id", "id (última parte del IRI; vacío: se acuña)\n\nid (last part of the IRI; empty: minted)")
        notes.setdefault("type", "tipo: " + ", ".join(kind.classes) + "\n\ntype: " + ", ".join(kind.classes))
        notes.setdefault("sources", "otras fuentes (ids)\n\nother sources (ids)")
        sheets.append((kind.sheet, headings, records, notes))
    if fmt == "xlsx":
        readme = ["gcmgraph: tablas de curación / curation tables",
                  "Una hoja por tipo de registro; la fila 1 lleva los nombres de columna (ver COLUMNS.md).",
                  "One sheet per kind of record; row 1 holds the column names (see COLUMNS.md).",
                  f"Varios valores en una celda / several values in one cell: {mapping.separator}",
                  "gcmgraph import TABLES.xlsx --source ID"]
        return {"tables.xlsx": xlsx_bytes(sheets, readme)}
    return {f"{name}.csv": csv_text(headings, records).encode("utf-8") for name, headings, records, _ in sheets}


def export_tables(out: Path | str, *, layout: Layout | None = None, fmt: str = "csv", empty: bool = False,
                  only: str | None = None, progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write the curated folders back to the templates (``out/sources/{id}/``, ``out/editorial/``).

    With ``empty``, write the empty templates instead (one CSV per kind, ``templates.xlsx`` and
    ``COLUMNS.md``), keeping the other files of ``out`` (a README, the mapping). Importing the
    exported tables of a folder into it reproduces its graph.
    """
    from gcmgraph.templates import columns_markdown

    if fmt not in ("csv", "xlsx"):
        raise InputError(f"unknown table format {fmt!r}", hint="Use csv or xlsx.")
    layout = layout or default_layout()
    mapping = load_mapping(layout)
    progress = progress or (lambda _m: None)
    out = Path(out)
    if empty:
        files = {**table_files(mapping, None, "csv"), **table_files(mapping, None, "xlsx")}
        files = {("templates.xlsx" if n == "tables.xlsx" else n): d for n, d in files.items()}
        files["COLUMNS.md"] = columns_markdown(mapping).encode("utf-8")
        write_folder(out, files, keep=lambda p: True)
        return ExportResult(out, {".": {k: 0 for k in mapping.kinds}})
    folders = curated_folders(layout)
    if only:
        folders = [f for f in folders if f[0] in (only, f"sources/{only}")]
        if not folders:
            raise InputError(f"no curated folder {only!r}",
                             hint="Give the id of a source folder in data/sources/, or editorial.")
    files: dict[str, bytes] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, folder, source in folders:
        progress(f"exporting {name} ...")
        rows = folder_rows(folder, mapping, source, layout)
        counts[name] = {k: len(rows[k]) for k in mapping.kinds if rows.get(k)}
        for file, data in table_files(mapping, rows, fmt).items():
            files[f"{name}/{file}"] = data
    write_folder(out, files, keep=lambda p: False)
    return ExportResult(out, counts)


# --------------------------------------------------------------------------------------------
# new source


def new_source(*, title: str, layout: Layout | None = None, id: str | None = None, label_en: str | None = None,
               series: str | None = None, number: int | None = None, publisher: str | None = None,
               date: str | None = None, language: str = "es", url: str | None = None,
               local_copy: str | None = None, out: Path | str | None = None, lang: str = "es",
               progress: Callable[[str], None] | None = None) -> ImportResult:
    """Scaffold the folder of a new source document: its description, a README and empty tables.

    The description is checked like any imported row (the publisher and series must exist, the
    date must be a date) and written as ``source.ttl``; ``tables/`` holds every template, with
    ``source.csv`` already filled, so that adding the source is filling the tables and running
    ``gcmgraph import data/sources/{id}/tables --source {id}``.
    """
    layout = layout or default_layout()
    mapping = load_mapping(layout)
    cells = {"id": id or "", "label_es": title, "label_en": label_en or "", "title_es": title,
             "series": series or "", "number": "" if number is None else str(number),
             "publisher": publisher or "", "date": date or "", "language": language or "",
             "url": url or "", "local_copy": local_copy or "", "status": "claim"}
    kind = mapping.kinds["source"]
    headings = kind.headings()
    letters = {h: chr(65 + i) if i < 26 else h for i, h in enumerate(headings)}
    row = Row("new-source", "source", 2, {h: cells.get(h, "") for h in headings}, letters)
    table = Table("new-source", "source", headings, [row], letters)
    # the description is checked cell by cell; one row of literals and references cannot break a shape
    plan = import_tables(tables=[table], source="new", layout=layout, out=out, lang=lang, dry_run=True,
                         validate=False, progress=progress)
    target = plan.out
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{layout.display(target)} already exists",
                         hint="Edit its tables/source.csv and run `gcmgraph import` again, or choose another --id.")
    slug_ = str(plan.source)[len(str(SOURCE_NS)):]
    files = {name: text.encode("utf-8") for name, text in plan.files.items()}
    rows = {"source": [{h: v for h, v in row.cells.items() if v}]}
    for name, data in table_files(mapping, rows, "csv").items():
        files[f"tables/{name}"] = data
    files["README.md"] = _source_readme(slug_, title).encode("utf-8")
    write_folder(target, files, keep=lambda p: True)
    plan.written = True
    return plan


def _source_readme(slug_: str, title: str) -> str:
    return f"""# {title}

This folder holds what the source document `{slug_}` states (named graph
`https://w3id.org/gcmgraph/graph/source/{slug_}`); `source.ttl` describes the document itself.

Fill the tables in `tables/` (one CSV per kind of record; `data/templates/COLUMNS.md` explains every
column, in Spanish and English), then run:

```sh
gcmgraph import data/sources/{slug_}/tables --source {slug_}
gcmgraph validate
```

The import checks every cell before writing, writes one canonical Turtle file per kind of record
here, and keeps this README and the tables. Record each statement in the source's own words
(Spanish, `@es`); translations are marked `@en-t-es`.

Esta carpeta guarda lo que afirma el documento fuente `{slug_}`. Complete las tablas de `tables/`
(`data/templates/COLUMNS.md` explica cada columna) y ejecute las dos órdenes de arriba.
"""
