"""SHACL validation with typed results: which entity, which file, what is wrong, in Spanish and English."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from gcmgraph.namespaces import bind_prefixes


class Severity(enum.IntEnum):
    """SHACL severities, ordered so that ``max()`` gives the worst."""

    INFO = 0
    WARNING = 1
    VIOLATION = 2

    @classmethod
    def from_node(cls, node: Node | None) -> Severity:
        return {SH.Info: cls.INFO, SH.Warning: cls.WARNING}.get(node, cls.VIOLATION)

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the curated files that describe its focus entity."""

    severity: Severity
    focus: Node
    path: Node | None
    value: Node | None
    shape: Node | None
    constraint: Node | None
    messages: Mapping[str, str]
    files: tuple[str, ...] = ()
    #: the SHACL path in SPARQL property-path syntax, e.g. ``(rdfs:label|skos:prefLabel)``
    path_text: str | None = None

    def message(self, lang: str = "es") -> str:
        """The message in ``lang`` ("es" or "en"), falling back to the other, then to any."""
        for candidate in (lang, "en" if lang == "es" else "es", ""):
            if candidate in self.messages:
                return self.messages[candidate]
        return next(iter(self.messages.values()), "")

    def format(self, lang: str = "es", label: str | None = None) -> str:
        where = ", ".join(self.files) if self.files else "(no curated file)"
        entity = f"<{self.focus}>" + (f" «{label}»" if label else "")
        lines = [f"{self.severity.label}: {where}: {entity}"]
        detail = []
        if self.path_text:
            detail.append(f"path {self.path_text}")
        if self.value is not None:
            detail.append(f"value {self.value.n3() if hasattr(self.value, 'n3') else self.value}")
        if detail:
            lines.append("  " + "; ".join(detail))
        lines.append("  " + self.message(lang))
        return "\n".join(lines)


@dataclass
class ValidationReport:
    """What :func:`validate_graph` found. ``conforms`` is False only when there is a Violation."""

    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph | None = None

    @property
    def conforms(self) -> bool:
        return not any(r.severity is Severity.VIOLATION for r in self.results)

    def of_severity(self, severity: Severity) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is severity]

    @property
    def violations(self) -> list[ValidationResult]:
        return self.of_severity(Severity.VIOLATION)

    @property
    def warnings(self) -> list[ValidationResult]:
        return self.of_severity(Severity.WARNING)

    def for_entity(self, focus: Node) -> list[ValidationResult]:
        return [r for r in self.results if r.focus == focus]

    def __bool__(self) -> bool:
        return self.conforms

    def summary(self) -> str:
        counts = {s: len(self.of_severity(s)) for s in Severity}
        return (f"{'conforms' if self.conforms else 'does not conform'}: "
                f"{counts[Severity.VIOLATION]} violation(s), {counts[Severity.WARNING]} warning(s), "
                f"{counts[Severity.INFO]} info")


def _messages(report: Graph, result: Node) -> dict[str, str]:
    messages: dict[str, str] = {}
    for message in report.objects(result, SH.resultMessage):
        lang = message.language if isinstance(message, Literal) and message.language else ""
        messages.setdefault(lang.split("-")[0], str(message))
    return messages


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path (SHACL section 2.3.1) written as a SPARQL property path, with prefixes."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return graph.namespace_manager.normalizeUri(path)
    first = graph.value(path, RDF.first)
    if first is not None:
        return "/".join(path_text(graph, step) for step in Collection(graph, path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, a) for a in Collection(graph, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"({path_text(graph, inner)}){suffix}"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    return str(path)


def validate_graph(data: Graph, shapes: Graph,
                   files_of: Mapping[Node, Iterable[str]] | None = None) -> ValidationReport:
    """Validate ``data`` (which must include the ontology, for subclass checks) against ``shapes``.

    ``files_of`` maps an entity to the curated files that describe it, so each result can name them.
    """
    _, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        allow_infos=True,
    )
    bind_prefixes(report_graph)
    files_of = files_of or {}
    results = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        results.append(ValidationResult(
            severity=Severity.from_node(report_graph.value(result, SH.resultSeverity)),
            focus=focus,
            path=report_graph.value(result, SH.resultPath),
            value=report_graph.value(result, SH.value),
            shape=report_graph.value(result, SH.sourceShape),
            constraint=report_graph.value(result, SH.sourceConstraintComponent),
            messages=_messages(report_graph, result),
            path_text=path_text(report_graph, report_graph.value(result, SH.resultPath)),
            files=tuple(sorted(files_of.get(focus, ()))),
        ))
    results.sort(key=lambda r: (-r.severity, r.files, str(r.focus), str(r.path)))
    return ValidationReport(results=results, graph=report_graph)
