"""SHACL validation for large graphs: the results of pySHACL, an order of magnitude sooner.

:func:`validate_fast` gives the same :class:`~gcmgraph.validation.ValidationReport` as
:func:`gcmgraph.validation.validate_graph` (plain pySHACL, ``advanced=True``, warnings and infos
allowed, no inference) for the same shapes and data: the same multiset of results, each with the
same focus node, result path, value, constraint component and severity.

How it stays correct
====================

It is not a new interpretation of SHACL: it re-runs **pySHACL's own evaluation algorithm** (version
0.40: ``Shape.validate`` and the core constraint components), step for step, with the same quirks,
over data that is indexed once instead of being looked up through rdflib for every node:

- focus nodes are found as pySHACL finds them (``rdf:type`` plus the ``rdfs:subClassOf`` closure
  *in the data graph*, ``sh:targetSubjectsOf``/``sh:targetObjectsOf``/``sh:targetNode``, implicit
  class targets);
- each constraint component reports exactly when pySHACL's does, with the same value, path and
  severity (``sh:uniqueLang`` once per repeated language, ``sh:hasValue`` without a value, the
  results nested under a failing ``sh:node`` as well as the ``sh:node`` result itself...);
- nested conformance (``sh:or``, ``sh:not``, ``sh:xone``, ``sh:node``, qualified value shapes)
  follows pySHACL with ``allow_warnings=True``: a shape of severity ``sh:Warning``/``sh:Info``
  always "conforms" when nested, a Violation shape fails only on a non-allowed result;
- literal comparisons (``sh:minInclusive`` ..., ``sh:lessThanOrEquals``) call pySHACL's and
  rdflib's own comparison functions on the same rdflib literals;
- SPARQL-based constraints (``sh:sparql``) are run **once for the whole graph** with ``$this``
  unbound, and their rows are grouped by ``?this``. This is the same as pre-binding ``$this`` for
  each focus node (what pySHACL does) when ``$this`` is projected and is bound by a triple pattern
  of the query's top-level group, with no sub-query, aggregate, ``OPTIONAL``, ``MINUS``, ``BIND``,
  ``VALUES``, ``SERVICE`` or ``LIMIT``; any other query runs once per focus node, pre-bound, as in
  pySHACL. They run on Oxigraph: on the store itself, or on an in-memory copy of an rdflib graph
  (rdflib takes seconds for one unbound query even on the curated graph).

Any feature of the shapes graph this module does not implement (``sh:closed``, complex property
paths other than predicate/inverse/alternative/sequence, SHACL-AF rules, functions and SPARQL
targets, custom constraint components, recursive shapes) makes it fall back to plain pySHACL, so
the answer is never wrong, only slower. ``tests/test_scale_validation.py`` checks the equality on
the curated graph, on every bad-input example and on synthetic graphs with seeded defects.

One deliberate difference: a SPARQL-based result keeps its ``sh:message`` per language
(``{"es": ..., "en": ...}``). pySHACL drops the language tags of those messages when it fills in
``{?value}``, so plain validation shows one of them at random.

Data can be an rdflib ``Graph``/``Dataset`` (union of named graphs) or a ``pyoxigraph.Store``
(union of its graphs), so a million-triple graph loaded with Oxigraph's bulk loader never has to
be parsed by rdflib.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from gcmgraph.namespaces import bind_prefixes
from gcmgraph.validation import Severity, ValidationReport, ValidationResult, path_text, validate_graph

__all__ = ["FastValidator", "Unsupported", "validate_fast"]

log = logging.getLogger(__name__)

SH_ALLOWED = {SH.Info, SH.Warning}  # validate_graph runs pySHACL with allow_warnings and allow_infos
RDF_LANGSTRING = RDF.langString

# The constraint parameters pySHACL 0.40 knows (pyshacl.constraints.ALL_CONSTRAINT_PARAMETERS plus
# sh:expression in advanced mode), mapped to the component each one belongs to.
_PARAM_COMPONENT = {
    SH["class"]: "class", SH.datatype: "datatype", SH.nodeKind: "nodeKind",
    SH.minCount: "minCount", SH.maxCount: "maxCount",
    SH.minExclusive: "minExclusive", SH.minInclusive: "minInclusive",
    SH.maxExclusive: "maxExclusive", SH.maxInclusive: "maxInclusive",
    SH.minLength: "minLength", SH.maxLength: "maxLength", SH.pattern: "pattern",
    SH.languageIn: "languageIn", SH.uniqueLang: "uniqueLang",
    SH.equals: "equals", SH.disjoint: "disjoint", SH.lessThan: "lessThan",
    SH.lessThanOrEquals: "lessThanOrEquals",
    SH["not"]: "not", SH["and"]: "and", SH["or"]: "or", SH.xone: "xone",
    SH.node: "node", SH.property: "property",
    SH.qualifiedValueShape: "qualified", SH.qualifiedMinCount: "qualified",
    SH.qualifiedMaxCount: "qualified", SH.qualifiedValueShapesDisjoint: "qualified",
    SH.closed: "closed", SH.ignoredProperties: "closed",
    SH.hasValue: "hasValue", SH["in"]: "in",
    SH.sparql: "sparql",
    SH.expression: "expression",
}
_UNSUPPORTED_COMPONENTS = {"closed", "expression"}
_COMPONENT_IRI = {
    "class": SH.ClassConstraintComponent, "datatype": SH.DatatypeConstraintComponent,
    "nodeKind": SH.NodeKindConstraintComponent, "minCount": SH.MinCountConstraintComponent,
    "maxCount": SH.MaxCountConstraintComponent,
    "minExclusive": SH.MinExclusiveConstraintComponent, "minInclusive": SH.MinInclusiveConstraintComponent,
    "maxExclusive": SH.MaxExclusiveConstraintComponent, "maxInclusive": SH.MaxInclusiveConstraintComponent,
    "minLength": SH.MinLengthConstraintComponent, "maxLength": SH.MaxLengthConstraintComponent,
    "pattern": SH.PatternConstraintComponent, "languageIn": SH.LanguageInConstraintComponent,
    "uniqueLang": SH.UniqueLangConstraintComponent, "equals": SH.EqualsConstraintComponent,
    "disjoint": SH.DisjointConstraintComponent, "lessThan": SH.LessThanConstraintComponent,
    "lessThanOrEquals": SH.LessThanOrEqualsConstraintComponent,
    "not": SH.NotConstraintComponent, "and": SH.AndConstraintComponent,
    "or": SH.OrConstraintComponent, "xone": SH.XoneConstraintComponent,
    "node": SH.NodeConstraintComponent, "property": SH.PropertyConstraintComponent,
    "hasValue": SH.HasValueConstraintComponent, "in": SH.InConstraintComponent,
    "sparql": SH.SPARQLConstraintComponent,
}
# shapes-graph features that change validation in advanced mode and that this module does not run
_ADVANCED_PREDICATES = {SH.rule, SH.target, SH.condition, SH.js, SH.jsFunctionName, SH.expression}
_ADVANCED_TYPES = {SH.ConstraintComponent, SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLTargetType,
                   SH.JSConstraint, SH.JSFunction, SH.JSTarget, SH.TripleRule, SH.SPARQLRule,
                   SH.SPARQLConstraintComponent}


class Unsupported(Exception):
    """The shapes use something this module does not implement; plain pySHACL must run instead."""


# --------------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Shape:
    node: Node
    is_property: bool
    path: Any = None           # the sh:path node (as in the shapes graph)
    steps: Any = None          # compiled path, see _compile_path
    severity: URIRef = SH.Violation
    messages: tuple = ()
    deactivated: bool = False
    constraints: list = field(default_factory=list)   # [(component name, params dict)]
    target_nodes: tuple = ()
    target_classes: tuple = ()
    subjects_of: tuple = ()
    objects_of: tuple = ()

    @property
    def has_targets(self) -> bool:
        return bool(self.target_nodes or self.target_classes or self.subjects_of or self.objects_of)


@dataclass
class _Sparql:
    node: Node
    query: str
    messages: tuple
    batch: bool
    #: the same query for a whole-graph run on Oxigraph, NOT EXISTS turned into MINUS where equal
    batch_query: str | None = None


class _Shapes:
    """The shapes graph, compiled once; raises :class:`Unsupported` on what is not implemented."""

    def __init__(self, sg: Graph):
        self.sg = sg
        self.shapes: dict[Node, _Shape] = {}
        self.predicates_out: set[URIRef] = {RDF.type, RDFS.subClassOf}
        self.predicates_in: set[URIRef] = {RDFS.subClassOf, RDF.type}
        self._check_advanced()
        for node in self._shape_nodes():
            self.get(node)
        self.top = [s for s in self.shapes.values() if s.has_targets]
        self._check_recursion()

    def _check_advanced(self) -> None:
        sg = self.sg
        for p in _ADVANCED_PREDICATES:
            if next(sg.subject_objects(p), None) is not None:
                raise Unsupported(f"shapes use {p} (SHACL-AF)")
        for t in _ADVANCED_TYPES:
            if next(sg.subjects(RDF.type, t), None) is not None:
                raise Unsupported(f"shapes declare a {t}")

    def _shape_nodes(self) -> list[Node]:
        sg = self.sg
        nodes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
        for p in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf):
            nodes.update(sg.subjects(p, None))
        for p in _PARAM_COMPONENT:
            nodes.update(sg.subjects(p, None))
        # shape nodes of rdfs:Class type are implicit class targets
        return sorted(nodes, key=lambda n: (isinstance(n, BNode), str(n)))

    def get(self, node: Node) -> _Shape:
        shape = self.shapes.get(node)
        if shape is not None:
            return shape
        sg = self.sg
        paths = list(sg.objects(node, SH.path))
        if len(paths) > 1:
            raise Unsupported(f"shape {node} has several sh:path")
        shape = _Shape(node=node, is_property=bool(paths))
        self.shapes[node] = shape  # before compiling children (recursion is checked later)
        if paths:
            shape.path = paths[0]
            shape.steps = self._compile_path(paths[0])
        severities = list(sg.objects(node, SH.severity))
        if len(severities) > 1:
            raise Unsupported(f"shape {node} has several sh:severity")
        shape.severity = severities[0] if severities else SH.Violation
        shape.messages = tuple(sg.objects(node, SH.message))
        deact = list(sg.objects(node, SH.deactivated))
        shape.deactivated = bool(deact and isinstance(deact[0], Literal) and deact[0].value)
        shape.target_nodes = tuple(sg.objects(node, SH.targetNode))
        classes = list(sg.objects(node, SH.targetClass))
        types = set(sg.objects(node, RDF.type))
        rdfs_classes = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
        if types & rdfs_classes:
            classes.append(node)  # implicit class target
        shape.target_classes = tuple(classes)
        shape.subjects_of = tuple(sg.objects(node, SH.targetSubjectsOf))
        shape.objects_of = tuple(sg.objects(node, SH.targetObjectsOf))
        for p in shape.subjects_of:
            self.predicates_out.add(p)
        for p in shape.objects_of:
            self.predicates_out.add(p)
        # constraint components in the order pySHACL meets them, each once
        seen: list[str] = []
        for p, _ in sg.predicate_objects(node):
            comp = _PARAM_COMPONENT.get(p)
            if comp is not None and comp not in seen:
                seen.append(comp)
        for comp in seen:
            if comp in _UNSUPPORTED_COMPONENTS:
                raise Unsupported(f"shape {node} uses {comp}")
            shape.constraints.append((comp, self._params(shape, comp)))
        return shape

    def _list(self, node: Node) -> list:
        return list(Collection(self.sg, node))

    def _params(self, shape: _Shape, comp: str) -> dict:
        sg, node = self.sg, shape.node
        objs = lambda p: list(sg.objects(node, p))  # noqa: E731
        if comp == "class":
            return {"classes": objs(SH["class"])}
        if comp == "datatype":
            dts = objs(SH.datatype)
            if len(dts) != 1:
                raise Unsupported("sh:datatype must have one value")
            return {"datatype": dts[0]}
        if comp == "nodeKind":
            return {"kind": objs(SH.nodeKind)[0]}
        if comp in ("minCount", "maxCount"):
            values = objs(SH[comp])
            if len(values) != 1 or not shape.is_property:
                raise Unsupported(f"odd sh:{comp}")
            return {"n": int(values[0].value)}
        if comp in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive"):
            return {"values": objs(SH[comp])}
        if comp in ("minLength", "maxLength"):
            values = objs(SH[comp])
            if len(values) != 1:
                raise Unsupported(f"odd sh:{comp}")
            return {"n": values[0].value}
        if comp == "pattern":
            flags = objs(SH.flags)
            re_flags = 0
            if flags:
                f = str(flags[0].value).lower()
                re_flags |= re.I if "i" in f else 0
                re_flags |= re.M if "m" in f else 0
            patterns = []
            for p in objs(SH.pattern):
                text = str(p.value) if p.value is not None and len(p.value) > 1 else str(p)
                patterns.append(re.compile(text, re_flags))
            return {"patterns": patterns}
        if comp == "languageIn":
            lists = objs(SH.languageIn)
            if len(lists) != 1:
                raise Unsupported("odd sh:languageIn")
            return {"langs": {str(x.value).lower() for x in self._list(lists[0])}}
        if comp == "uniqueLang":
            values = objs(SH.uniqueLang)
            if len(values) != 1 or not shape.is_property:
                raise Unsupported("odd sh:uniqueLang")
            return {"on": bool(values[0].value)}
        if comp in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            preds = objs(SH[comp])
            for p in preds:
                if not isinstance(p, URIRef):
                    raise Unsupported(f"sh:{comp} with a complex path")
                self.predicates_out.add(p)
            return {"preds": preds}
        if comp == "not":
            return {"shapes": [self.get(n) for n in objs(SH["not"])]}
        if comp in ("and", "or", "xone"):
            return {"lists": [[self.get(n) for n in self._list(lst)] for lst in objs(SH[comp])]}
        if comp == "node":
            nodes = [self.get(n) for n in objs(SH.node)]
            if any(n.is_property for n in nodes):
                raise Unsupported("sh:node pointing to a property shape")
            return {"shapes": nodes}
        if comp == "property":
            props = [self.get(n) for n in objs(SH.property)]
            if not all(p.is_property for p in props):
                raise Unsupported("sh:property pointing to a shape without sh:path")
            return {"shapes": props}
        if comp == "qualified":
            if not shape.is_property:
                return {"skip": True}  # pySHACL ignores it on node shapes (with a warning)
            mins, maxs = objs(SH.qualifiedMinCount), objs(SH.qualifiedMaxCount)
            disjoint = any(isinstance(d, Literal) and isinstance(d.value, bool) and d.value
                           for d in objs(SH.qualifiedValueShapesDisjoint))
            if disjoint:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            return {"shapes": [self.get(n) for n in objs(SH.qualifiedValueShape)],
                    "min": int(mins[0].value) if mins else None,
                    "max": int(maxs[0].value) if maxs else None}
        if comp == "hasValue":
            return {"values": objs(SH.hasValue)}
        if comp == "in":
            return {"values": set(self._list(objs(SH["in"])[0]))}
        if comp == "sparql":
            return {"queries": [self._sparql(shape, c) for c in objs(SH.sparql)]}
        raise Unsupported(comp)  # pragma: no cover

    def _sparql(self, shape: _Shape, node: Node) -> _Sparql | None:
        sg = self.sg
        deact = list(sg.objects(node, SH.deactivated))
        if deact and isinstance(deact[0], Literal) and deact[0].value:
            return None
        selects = list(sg.objects(node, SH.select))
        if len(selects) != 1 or next(sg.objects(node, SH.ask), None) is not None:
            raise Unsupported("sh:sparql without exactly one sh:select")
        text = str(selects[0])
        if re.search(r"\$(PATH|shapesGraph|currentShape)\b", text):
            raise Unsupported("SPARQL constraint with $PATH, $shapesGraph or $currentShape")
        prefixes = []
        for decl_owner in sg.objects(node, SH.prefixes):
            for decl in sg.objects(decl_owner, SH.declare):
                prefix = sg.value(decl, SH.prefix)
                namespace = sg.value(decl, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        head = "\n".join(sorted(set(prefixes))) + "\n"
        batch = _batchable(text)
        return _Sparql(node=node, query=head + text, messages=tuple(sg.objects(node, SH.message)),
                       batch=batch, batch_query=head + _not_exists_to_minus(text) if batch else None)

    def _compile_path(self, path: Node):
        """('p', IRI) | ('i', IRI) | ('alt', [steps]) | ('seq', [steps]); records the indexes needed."""
        sg = self.sg
        if isinstance(path, URIRef):
            self.predicates_out.add(path)
            return ("p", path)
        if isinstance(path, BNode):
            if sg.value(path, RDF.first) is not None:
                items = self._list(path)
                if len(items) < 2:
                    raise Unsupported("sequence path of one item")
                return ("seq", [self._compile_path(i) for i in items])
            inverse = sg.value(path, SH.inversePath)
            if isinstance(inverse, URIRef):
                self.predicates_in.add(inverse)
                return ("i", inverse)
            alternatives = sg.value(path, SH.alternativePath)
            if alternatives is not None:
                items = self._list(alternatives)
                if len(items) < 2:
                    raise Unsupported("alternative path of one item")
                return ("alt", [self._compile_path(i) for i in items])
        raise Unsupported(f"property path {path!r}")

    def _check_recursion(self) -> None:
        state: dict[Node, int] = {}

        def children(shape: _Shape):
            for comp, params in shape.constraints:
                for s in params.get("shapes", ()):
                    yield s
                for lst in params.get("lists", ()):
                    yield from lst

        def visit(shape: _Shape) -> None:
            mark = state.get(shape.node)
            if mark == 1:
                raise Unsupported(f"recursive shape {shape.node}")
            if mark == 2:
                return
            state[shape.node] = 1
            for child in children(shape):
                visit(child)
            state[shape.node] = 2

        for shape in self.shapes.values():
            visit(shape)


_NOT_BATCHABLE = re.compile(
    r"\b(OPTIONAL|MINUS|BIND|VALUES|SERVICE|LIMIT|OFFSET|GROUP|HAVING|COUNT|SUM|MIN|MAX|AVG|SAMPLE"
    r"|GROUP_CONCAT|UNION|GRAPH)\b", re.IGNORECASE)


def _batchable(text: str) -> bool:
    """Whether running the query once with $this unbound, rows grouped by ?this, is the same as
    running it once per focus node with $this pre-bound (see the module docstring)."""
    if len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1:
        return False
    if _NOT_BATCHABLE.search(text):
        return False
    head, _, body = text.partition("{")
    if not re.search(r"[?$]this\b", head) and "*" not in head:
        return False
    # $this must be bound by a triple pattern before any FILTER of the top-level group
    first_filter = re.search(r"\bFILTER\b", body, re.IGNORECASE)
    before = body[: first_filter.start()] if first_filter else body
    return re.search(r"[?$]this\b", before) is not None


def _closing(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """Index of the bracket closing the one at ``start``, or -1."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i
    return -1


_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_FILTER_CALL = re.compile(r"FILTER\s*(?:[A-Za-z_]+\s*)?\(", re.IGNORECASE)


def _not_exists_to_minus(text: str) -> str:
    """Rewrite ``FILTER NOT EXISTS { BGP }`` as ``MINUS { BGP }`` at the end of the group, where
    the two are equal; else return ``text`` unchanged.

    Oxigraph evaluates NOT EXISTS as a nested loop (40 s for one query on 100,000 triples) and
    MINUS as a hash anti-join (0.1 s). In a batchable query (see :func:`_batchable`) the outer
    group is a basic graph pattern with FILTERs, so every solution binds all the group's variables;
    when the inner group is a basic graph pattern sharing at least one variable with it, "there is
    no solution of the inner pattern with the outer bindings substituted" (NOT EXISTS) is "no inner
    solution is compatible with the outer one" (MINUS): the shared variables are all bound on both
    sides and the domains intersect. Filters apply to the whole group wherever they are written,
    so the MINUS goes last, after every triple pattern.
    """
    open_at = text.find("{")
    close_at = _closing(text, open_at)
    if open_at < 0 or close_at < 0:
        return text
    body = text[open_at + 1: close_at]
    inner_groups, rest, pos = [], [], 0
    for m in _NOT_EXISTS.finditer(body):
        if m.start() < pos:
            return text
        start = m.end() - 1
        end = _closing(body, start)
        inner = body[start + 1: end]
        if end < 0 or "{" in inner or re.search(r"\b(FILTER|OPTIONAL|BIND|VALUES|MINUS|GRAPH|SERVICE)\b",
                                                  inner, re.IGNORECASE):
            return text
        rest.append(body[pos: m.start()])
        inner_groups.append(inner)
        pos = end + 1
    if not inner_groups:
        return text
    rest.append(body[pos:])
    outer = "".join(rest)
    # the outer triple patterns: the group without its FILTER (...) expressions
    patterns, pos = [], 0
    for m in _FILTER_CALL.finditer(outer):
        if m.start() < pos:
            continue
        end = _closing(outer, m.end() - 1, "(", ")")
        if end < 0:
            return text
        patterns.append(outer[pos: m.start()])
        pos = end + 1
    patterns.append(outer[pos:])
    bound = set(_VARIABLE.findall("".join(patterns)))
    if re.search(r"\bFILTER\b", "".join(patterns), re.IGNORECASE):
        return text  # a FILTER this function did not understand
    for inner in inner_groups:
        if not set(_VARIABLE.findall(inner)) & bound:
            return text
    minus = "".join(f"\n    MINUS {{{inner}}}" for inner in inner_groups)
    return text[:open_at + 1] + outer.rstrip() + minus + "\n" + text[close_at:]


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------

class _Terms:
    """pyoxigraph terms to rdflib terms, as rdflib's own parsers would have made them."""

    def __init__(self):
        self.iris: dict[str, URIRef] = {}
        self.literals: dict[Any, Literal] = {}
        self.bnodes: dict[str, BNode] = {}
        import pyoxigraph as ox
        self.ox = ox

    def __call__(self, term):
        ox = self.ox
        if type(term) is ox.NamedNode:
            value = term.value
            iri = self.iris.get(value)
            if iri is None:
                iri = self.iris[value] = URIRef(value)
            return iri
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            cached = self.literals.get(term)
            if cached is None:
                dt = term.datatype.value
                if dt == _XSD_STRING:
                    cached = Literal(term.value)
                else:
                    cached = Literal(term.value, datatype=self(term.datatype))
                if len(self.literals) < 1_000_000:
                    self.literals[term] = cached
            return cached
        if isinstance(term, ox.BlankNode):
            b = self.bnodes.get(term.value)
            if b is None:
                b = self.bnodes[term.value] = BNode(term.value)
            return b
        if isinstance(term, ox.DefaultGraph):
            return None
        raise TypeError(f"unsupported term {term!r}")

    def to_ox(self, term):
        ox = self.ox
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is None:
                return ox.Literal(str(term))
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        raise TypeError(f"unsupported term {term!r}")


_XSD_STRING = str(XSD.string)


def _is_oxigraph(data) -> bool:
    mod = type(data).__module__ or ""
    return mod.startswith("pyoxigraph")


class _Data:
    """What the shapes can read of the data graph, indexed once: the objects of the predicates the
    shapes' paths and targets use, the subjects of the inverse ones, rdf:type and rdfs:subClassOf."""

    def __init__(self, data, shapes: _Shapes, sparql: str = "auto", graph=None):
        self.data = data
        self.oxigraph = _is_oxigraph(data)
        #: on a store: the one graph to read (None: the union of all its graphs)
        self.graph = graph if self.oxigraph else None
        self.terms = _Terms() if self.oxigraph else None
        self.out: dict[URIRef, dict] = {}
        self.inv: dict[URIRef, dict] = {}
        for p in shapes.predicates_out:
            self.out[p] = {}
        for p in shapes.predicates_in:
            self.inv[p] = {}
        self._size = 0
        self._index()
        self.types = self.out[RDF.type]
        self.instances = self.inv[RDF.type]
        self._supers: dict[Node, set] = {}
        self._sparql_mode = sparql
        self._ox_copy = None
        self._constants: dict = {}
        if self.oxigraph:
            ox = self.terms.ox
            self.is_literal = lambda v: type(v) is ox.Literal
            self.rdf = self.terms
            self.term = self._to_store
        else:
            self.is_literal = lambda v: isinstance(v, Literal)
            self.rdf = lambda v: v
            self.term = lambda v: v

    def _to_store(self, term):
        """A term of the shapes graph (rdflib) as a term of the data (pyoxigraph)."""
        found = self._constants.get(term)
        if found is None:
            found = self._constants[term] = self.terms.to_ox(term)
        return found

    def _pairs(self, p: URIRef):
        if self.oxigraph:
            # the store's own terms: hashed and compared in Rust, converted only when reported or
            # when a constraint needs rdflib's reading of a literal
            ox_p = self.terms.ox.NamedNode(str(p))
            for q in self.data.quads_for_pattern(None, ox_p, None, self.graph):
                yield q.subject, q.object
        else:
            yield from self.data.subject_objects(p)

    def _index(self) -> None:
        for p in set(self.out) | set(self.inv):
            out = self.out.get(p)
            inv = self.inv.get(p)
            for s, o in self._pairs(p):
                if out is not None:
                    lst = out.get(s)
                    if lst is None:
                        out[s] = [o]
                    else:
                        lst.append(o)
                if inv is not None:
                    lst = inv.get(o)
                    if lst is None:
                        inv[o] = [s]
                    else:
                        lst.append(s)
        # a triple stated in two named graphs comes twice from a store; value nodes are a set
        for index in (*self.out.values(), *self.inv.values()):
            for key, lst in index.items():
                if len(lst) > 1:
                    unique = list(dict.fromkeys(lst))
                    if len(unique) != len(lst):
                        index[key] = unique

    # -- what pySHACL asks of the data graph ------------------------------------------------------

    def objects(self, s, p):
        return self.out[p].get(s, ())

    def supers(self, cls) -> set:
        """``transitive_objects(cls, rdfs:subClassOf)``, cls included."""
        found = self._supers.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            sub = self.out[RDFS.subClassOf]
            while todo:
                for parent in sub.get(todo.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self._supers[cls] = found
        return found

    def subclasses(self, cls) -> set:
        found, todo = {cls}, [cls]
        inv = self.inv[RDFS.subClassOf]
        while todo:
            for child in inv.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def is_instance(self, v, cls) -> bool:
        """Whether v is a SHACL instance of cls (v and cls in the data's terms)."""
        for t in self.types.get(v, ()):
            if cls in self.supers(t):
                return True
        return False

    # -- SPARQL -----------------------------------------------------------------------------------

    @property
    def engine(self) -> str:
        return self._engine()

    def _engine(self) -> str:
        if self.oxigraph:
            return "oxigraph"
        if self._sparql_mode != "auto":
            return self._sparql_mode
        try:
            import pyoxigraph  # noqa: F401
        except ImportError:  # without the oxigraph extra
            return "rdflib"
        return "oxigraph"

    def _oxigraph_store(self):
        if self.oxigraph:
            return self.data
        if self._ox_copy is None:
            import pyoxigraph as ox
            terms = _Terms()
            store = ox.Store()
            store.extend(ox.Quad(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o))
                         for s, p, o in self.data.triples((None, None, None)))
            self._ox_copy = (store, terms)
        return self._ox_copy[0]

    def select(self, query: str, this=None) -> list[dict]:
        """Rows of a SELECT as dicts of rdflib terms; ``this`` pre-binds ``$this``."""
        if self._engine() == "oxigraph":
            import pyoxigraph as ox
            store = self._oxigraph_store()
            terms = (lambda t: t) if self.oxigraph else self._ox_copy[1]
            if self.graph is None:
                kwargs = {"use_default_graph_as_union": True}
            elif isinstance(self.graph, ox.DefaultGraph):
                kwargs = {}
            else:
                kwargs = {"default_graph": self.graph}
            if this is not None:
                bound = this if self.oxigraph else self._ox_copy[1].to_ox(this)
                kwargs["substitutions"] = {ox.Variable("this"): bound}
            solutions = store.query(query, **kwargs)
            names = [v.value for v in solutions.variables]
            rows = []
            for sol in solutions:
                row = {}
                for name in names:
                    value = sol[name]
                    if value is not None:
                        row[name] = terms(value)
                if this is not None and "this" in names:
                    row.setdefault("this", this)
                rows.append(row)
            return rows
        bindings = {"this": this} if this is not None else None
        return [r.asdict() for r in self.data.query(query, initBindings=bindings)]


# --------------------------------------------------------------------------------------------------
# Evaluation: pySHACL's algorithm (pyshacl/shape.py, pyshacl/constraints/core/*.py)
# --------------------------------------------------------------------------------------------------

@dataclass
class _Report:
    focus: Node
    value: Node | None
    path: Node | None
    shape: _Shape
    component: URIRef
    severity: URIRef
    messages: tuple
    details: list = field(default_factory=list)
    sparql: bool = False


class FastValidator:
    """Compiled shapes; :meth:`validate` runs them on any number of data graphs."""

    def __init__(self, shapes: Graph):
        self.shapes_graph = shapes
        self.compiled = _Shapes(shapes)
        self._sparql_rows: dict[int, dict] = {}
        self.timings: dict[str, float] = {}

    # -- entry point ------------------------------------------------------------------------------

    def validate(self, data, files_of: Mapping[Node, Iterable[str]] | None = None,
                 sparql: str = "auto", graph=None) -> ValidationReport:
        # The index holds millions of small objects; Python's cyclic collector would walk them all
        # again and again while validation allocates (quadratic time). Nothing here makes cycles
        # that must be collected before the end.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._validate(data, files_of, sparql, graph)
        finally:
            if enabled:
                gc.enable()

    def _validate(self, data, files_of, sparql, graph=None) -> ValidationReport:
        t0 = time.perf_counter()
        self.data = _Data(data, self.compiled, sparql, graph)
        self._sparql_rows = {}
        self._sparql_seconds = 0.0
        t1 = time.perf_counter()
        reports: list[_Report] = []
        for shape in self.compiled.top:
            if shape.deactivated:
                continue
            focus = self.focus_nodes(shape)
            if not focus:
                continue
            _, r = self.validate_shape(shape, focus)
            reports.extend(rep for _, rep in r)
        t2 = time.perf_counter()
        results = self._results(reports, files_of or {})
        t3 = time.perf_counter()
        self.timings = {"index": t1 - t0, "evaluate": t2 - t1 - self._sparql_seconds,
                        "sparql": self._sparql_seconds, "report": t3 - t2}
        self.data = None
        return ValidationReport(results=results, graph=None)

    # -- targets and value nodes ------------------------------------------------------------------

    def focus_nodes(self, shape: _Shape) -> list:
        d = self.data
        found = {d.term(n) for n in shape.target_nodes}
        for tc in shape.target_classes:
            for cls in d.subclasses(d.term(tc)):
                found.update(d.instances.get(cls, ()))
        for p in shape.subjects_of:
            found.update(d.out[p].keys())
        for p in shape.objects_of:
            for objs in d.out[p].values():
                found.update(objs)
        return list(found)

    def _path_values(self, steps, focus) -> set:
        kind = steps[0]
        if kind == "p":
            return set(self.data.out[steps[1]].get(focus, ()))
        if kind == "i":
            return set(self.data.inv[steps[1]].get(focus, ()))
        if kind == "alt":
            found = set()
            for step in steps[1]:
                found |= self._path_values(step, focus)
            return found
        current = {focus}
        for step in steps[1]:
            nxt = set()
            for node in current:
                nxt |= self._path_values(step, node)
            current = nxt
        return current

    def value_nodes(self, shape: _Shape, focus_list) -> dict:
        if not shape.is_property:
            return {f: (f,) for f in focus_list}
        steps = shape.steps
        if steps[0] == "p":
            index = self.data.out[steps[1]]
            return {f: index.get(f, ()) for f in focus_list}
        return {f: self._path_values(steps, f) for f in focus_list}

    # -- Shape.validate ---------------------------------------------------------------------------
    #
    # pySHACL validates a nested shape once per value node ("does v conform?"). Here a shape is
    # validated once for all the nodes at hand: validate_shape returns the set of nodes that do
    # not conform, and its reports as (owner, report) pairs, the owner being the node whose
    # validation produced the report. For each single node this is exactly pySHACL's answer:
    # its reports are those of its own evaluation, and it fails iff some constraint fails for it
    # with a report of a non-allowed severity (Shape.validate with allow_warnings/allow_infos).

    def validate_shape(self, shape: _Shape, focus_list) -> tuple[set, list]:
        if shape.deactivated or not focus_list:
            return set(), []
        allow_conform = shape.severity in SH_ALLOWED
        fvn = self.value_nodes(shape, focus_list)
        failed: set = set()
        reports: list = []
        for comp, params in shape.constraints:
            c_failed, r = getattr(self, "_c_" + comp)(shape, params, fvn)
            if c_failed and not allow_conform:
                bad = {owner for owner, rep in r if rep.severity not in SH_ALLOWED}
                failed |= c_failed & bad
            reports.extend(r)
        return failed, reports

    def _nested(self, shape: _Shape, fvn: dict) -> tuple[set, dict]:
        """Validate ``shape`` on every value node of ``fvn`` (each once): (failing nodes, reports
        by node)."""
        values = list(dict.fromkeys(v for vs in fvn.values() for v in vs))
        failed, reports = self.validate_shape(shape, values)
        by_owner: dict = {}
        for owner, rep in reports:
            by_owner.setdefault(owner, []).append(rep)
        return failed, by_owner

    def _report(self, shape: _Shape, comp: str, focus, value=None, path=None,
                component: URIRef | None = None) -> tuple:
        if path is None and shape.is_property:
            path = shape.path
        return focus, _Report(focus=focus, value=value, path=path, shape=shape,
                              component=component or _COMPONENT_IRI[comp], severity=shape.severity,
                              messages=shape.messages)

    # -- value type ------------------------------------------------------------------------------

    def _c_class(self, shape, params, fvn):
        reports = []
        is_instance, is_literal = self.data.is_instance, self.data.is_literal
        for cls in params["classes"]:
            cls = self.data.term(cls)
            for f, values in fvn.items():
                for v in values:
                    if is_literal(v) or not is_instance(v, cls):
                        reports.append(self._report(shape, "class", f, v))
        return _owners(reports), reports

    def _c_datatype(self, shape, params, fvn):
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
        rule = params["datatype"]
        check = DatatypeConstraintComponent._assert_actual_datatype
        reports = []
        R = self.data.rdf
        is_literal = self.data.is_literal
        rule_literal, rule_datatype = rule == RDFS.Literal, rule == RDFS.Datatype
        rule_string, rule_langstring = rule == XSD.string, rule == RDF_LANGSTRING
        for f, values in fvn.items():
            for v in values:
                matches = False
                if is_literal(v):
                    rv = R(v)
                    datatype, lang = rv.datatype, rv.language
                    if datatype == rule:
                        matches = False if getattr(rv, "ill_typed", None) is True else check(None, rv, rule)
                    elif rule_literal:
                        matches = True
                    elif rule_datatype and datatype:
                        matches = True
                    elif datatype is None and lang is None and rule_string:
                        matches = check(None, rv, rule)
                    elif rule_langstring and lang:
                        matches = check(None, rv, rule)
                if not matches:
                    reports.append(self._report(shape, "datatype", f, v))
        return _owners(reports), reports

    def _c_nodeKind(self, shape, params, fvn):
        rule = params["kind"]
        reports = []
        R = self.data.rdf
        bnode_ok = rule in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
        literal_ok = rule in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
        iri_ok = rule in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)
        is_literal = self.data.is_literal
        for f, values in fvn.items():
            for v in values:
                if is_literal(v):
                    match = literal_ok
                elif isinstance(R(v), BNode):
                    match = bnode_ok
                else:
                    match = iri_ok
                if not match:
                    reports.append(self._report(shape, "nodeKind", f, v))
        return _owners(reports), reports

    # -- cardinality -----------------------------------------------------------------------------

    def _c_minCount(self, shape, params, fvn):
        n = params["n"]
        reports = [self._report(shape, "minCount", f) for f, values in fvn.items() if not len(values) >= n]
        return _owners(reports), reports

    def _c_maxCount(self, shape, params, fvn):
        n = params["n"]
        reports = [self._report(shape, "maxCount", f) for f, values in fvn.items() if not len(values) <= n]
        return _owners(reports), reports

    # -- value range -----------------------------------------------------------------------------

    def _range(self, shape, params, fvn, comp, test):
        from pyshacl.rdfutil import compare_literal
        reports = []
        for m_val in params["values"]:
            m_is_string = isinstance(m_val.value, str)
            for f, values in fvn.items():
                for v in values:
                    flag = False
                    rv = self.data.rdf(v)
                    if isinstance(rv, Literal):
                        v_is_string = isinstance(rv.value, str)
                        if m_is_string != v_is_string:
                            pass
                        else:
                            try:
                                flag = test(compare_literal(rv, m_val))
                            except (TypeError, NotImplementedError):
                                flag = False
                    if not flag:
                        reports.append(self._report(shape, comp, f, v))
        return _owners(reports), reports

    def _c_minExclusive(self, shape, params, fvn):
        return self._range(shape, params, fvn, "minExclusive", lambda c: c > 0)

    def _c_minInclusive(self, shape, params, fvn):
        return self._range(shape, params, fvn, "minInclusive", lambda c: c >= 0)

    def _c_maxExclusive(self, shape, params, fvn):
        return self._range(shape, params, fvn, "maxExclusive", lambda c: c < 0)

    def _c_maxInclusive(self, shape, params, fvn):
        return self._range(shape, params, fvn, "maxInclusive", lambda c: c <= 0)

    # -- strings ---------------------------------------------------------------------------------

    @staticmethod
    def _string(v) -> str:
        if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF_LANGSTRING, XSD.string):
            return str(v.value)
        return str(v)

    def _c_minLength(self, shape, params, fvn):
        n = params["n"]
        reports = []
        for f, values in fvn.items():
            for v in values:
                rv = self.data.rdf(v)
                ok = n == 0 or (not isinstance(rv, BNode) and len(self._string(rv)) >= n)
                if not ok:
                    reports.append(self._report(shape, "minLength", f, v))
        return _owners(reports), reports

    def _c_maxLength(self, shape, params, fvn):
        n = params["n"]
        reports = []
        for f, values in fvn.items():
            for v in values:
                rv = self.data.rdf(v)
                if isinstance(rv, BNode) or not len(self._string(rv)) <= n:
                    reports.append(self._report(shape, "maxLength", f, v))
        return _owners(reports), reports

    def _c_pattern(self, shape, params, fvn):
        reports = []
        for matcher in params["patterns"]:
            for f, values in fvn.items():
                for v in values:
                    match = False
                    rv = self.data.rdf(v)
                    if not isinstance(rv, BNode):
                        s = self._string(rv)
                        match = matcher.match(s) or matcher.search(s)
                    if not match:
                        reports.append(self._report(shape, "pattern", f, v))
        return _owners(reports), reports

    def _c_languageIn(self, shape, params, fvn):
        langs = params["langs"]
        wildcard = "*" in langs
        reports = []
        is_literal = self.data.is_literal
        for f, values in fvn.items():
            for v in values:
                flag = False
                if is_literal(v):
                    lang = v.language
                    if lang:
                        low = str(lang).lower()
                        flag = wildcard or low in langs or low.split("-")[0] in langs
                if not flag:
                    reports.append(self._report(shape, "languageIn", f, v))
        return _owners(reports), reports

    def _c_uniqueLang(self, shape, params, fvn):
        if not params["on"]:
            return set(), []
        reports = []
        for f, values in fvn.items():
            seen, duplicates = set(), set()
            for v in values:
                if self.data.is_literal(v) and v.language:
                    low = str(v.language).lower()
                    (duplicates if low in seen else seen).add(low)
            for _ in duplicates:
                reports.append(self._report(shape, "uniqueLang", f))
        return _owners(reports), reports

    # -- property pairs --------------------------------------------------------------------------

    def _c_equals(self, shape, params, fvn):
        reports = []
        for p in params["preds"]:
            for f, values in fvn.items():
                values = set(values)
                compare = set(self.data.objects(f, p))
                for v in values - compare:
                    reports.append(self._report(shape, "equals", f, v))
                for v in compare - values:
                    reports.append(self._report(shape, "equals", f, v))
        return _owners(reports), reports

    def _c_disjoint(self, shape, params, fvn):
        reports = []
        for p in params["preds"]:
            for f, values in fvn.items():
                for v in set(values) & set(self.data.objects(f, p)):
                    reports.append(self._report(shape, "disjoint", f, v))
        return _owners(reports), reports

    def _pair(self, shape, params, fvn, comp, strict):
        from pyshacl.errors import ReportableRuntimeError
        reports = []
        non_conformant = False
        for p in params["preds"]:
            for f, values in fvn.items():
                compare_values = set(self.data.objects(f, p))
                compare_values = {self.data.rdf(c) for c in compare_values}
                for value_node in set(values):
                    value_node = self.data.rdf(value_node)
                    if isinstance(value_node, BNode):
                        raise ReportableRuntimeError(f"Cannot use sh:{comp} to compare a BlankNode.")
                    orig, value_is_string = value_node, False
                    if isinstance(value_node, URIRef):
                        value_node, value_is_string = str(value_node), True
                    elif isinstance(value_node, Literal) and isinstance(value_node.value, str):
                        value_node, value_is_string = value_node.value, True
                    for compare in compare_values:
                        if isinstance(compare, BNode):
                            raise ReportableRuntimeError(f"Cannot use sh:{comp} to compare a BlankNode.")
                        compare_is_string = False
                        if isinstance(compare, URIRef):
                            compare, compare_is_string = str(compare), True
                        elif isinstance(compare, Literal) and isinstance(compare.value, str):
                            compare, compare_is_string = compare.value, True
                        if value_is_string != compare_is_string:
                            non_conformant = True
                        elif strict and not value_node < compare:
                            non_conformant = True
                        elif not strict and not value_node <= compare:
                            non_conformant = True
                        else:
                            continue
                        reports.append(self._report(shape, comp, f, self.data.term(orig)))
        return _owners(reports), reports

    def _c_lessThan(self, shape, params, fvn):
        return self._pair(shape, params, fvn, "lessThan", True)

    def _c_lessThanOrEquals(self, shape, params, fvn):
        return self._pair(shape, params, fvn, "lessThanOrEquals", False)

    # -- other -----------------------------------------------------------------------------------

    def _c_hasValue(self, shape, params, fvn):
        reports = []
        for hv in params["values"]:
            hv = self.data.term(hv)
            for f, values in fvn.items():
                if not any(v == hv for v in values):
                    reports.append(self._report(shape, "hasValue", f))
        return _owners(reports), reports

    def _c_in(self, shape, params, fvn):
        allowed = {self.data.term(v) for v in params["values"]}
        reports = [self._report(shape, "in", f, v) for f, values in fvn.items() for v in values
                   if v not in allowed]
        return _owners(reports), reports

    # -- logical and shape-based -----------------------------------------------------------------

    def _c_not(self, shape, params, fvn):
        reports = []
        for other in params["shapes"]:
            failed, _ = self._nested(other, fvn)
            for f, values in fvn.items():
                for v in values:
                    if v not in failed:
                        reports.append(self._report(shape, "not", f, v))
        return _owners(reports), reports

    def _logical(self, shape, params, fvn, comp, accept):
        reports = []
        for shapes in params["lists"]:
            if not shapes:
                continue
            failed = [self._nested(s, fvn)[0] for s in shapes]
            for f, values in fvn.items():
                for v in values:
                    passed = sum(1 for fs in failed if v not in fs)
                    if not accept(passed, len(shapes)):
                        reports.append(self._report(shape, comp, f, v))
        return _owners(reports), reports

    def _c_and(self, shape, params, fvn):
        return self._logical(shape, params, fvn, "and", lambda n, total: n == total)

    def _c_or(self, shape, params, fvn):
        return self._logical(shape, params, fvn, "or", lambda n, total: n >= 1)

    def _c_xone(self, shape, params, fvn):
        return self._logical(shape, params, fvn, "xone", lambda n, total: n == 1)

    def _c_node(self, shape, params, fvn):
        if not any(len(values) for values in fvn.values()):
            return set(), []
        reports = []
        for other in params["shapes"]:
            failed, by_owner = self._nested(other, fvn)
            for f, values in fvn.items():
                for v in values:
                    nested = by_owner.get(v, [])
                    if v in failed or nested:
                        owner, rep = self._report(shape, "node", f, v)
                        rep.details = nested
                        reports.append((owner, rep))
        return _owners(reports), reports

    def _c_property(self, shape, params, fvn):
        if not any(len(values) for values in fvn.values()):
            return set(), []
        c_failed: set = set()
        reports = []
        for prop in params["shapes"]:
            failed, by_owner = self._nested(prop, fvn)
            for f, values in fvn.items():
                for v in values:
                    if v in failed:
                        c_failed.add(f)
                    for rep in by_owner.get(v, ()):
                        reports.append((f, rep))
        return c_failed, reports

    def _c_qualified(self, shape, params, fvn):
        if params.get("skip"):
            return set(), []
        count = sum(len(values) for values in fvn.values())
        if count < 1 and (params["min"] is None or params["min"] < 1):
            return set(), []
        reports = []
        for other in params["shapes"]:
            failed, _ = self._nested(other, fvn)
            for f, values in fvn.items():
                n = sum(1 for v in values if v not in failed)
                if params["max"] is not None and n > params["max"]:
                    reports.append(self._report(shape, "qualified", f,
                                                component=SH.QualifiedMaxCountConstraintComponent))
                if params["min"] is not None and n < params["min"]:
                    reports.append(self._report(shape, "qualified", f,
                                                component=SH.QualifiedMinCountConstraintComponent))
        return _owners(reports), reports

    # -- SPARQL ----------------------------------------------------------------------------------

    def _rows(self, q: _Sparql, focus) -> list[dict]:
        if q.batch:
            grouped = self._sparql_rows.get(id(q))
            if grouped is None:
                t = time.perf_counter()
                grouped = {}
                query = q.batch_query if self.data.engine == "oxigraph" else q.query
                for row in self.data.select(query):
                    grouped.setdefault(row.get("this"), []).append(row)
                self._sparql_rows[id(q)] = grouped
                self._sparql_seconds += time.perf_counter() - t
            return grouped.get(focus, [])
        t = time.perf_counter()
        rows = self.data.select(q.query, this=focus)
        self._sparql_seconds += time.perf_counter() - t
        return rows

    def _c_sparql(self, shape, params, fvn):
        reports = []
        for q in params["queries"]:
            if q is None:
                continue
            for f in fvn:
                seen = []
                for row in self._rows(q, f):
                    row = dict(row)
                    if row.pop("failure", None) is not None:
                        raise Unsupported("SPARQL constraint with ?failure")
                    p, v, t = row.pop("path", None), row.pop("value", None), row.pop("this", None)
                    if p is None and v is None and t is None:
                        continue
                    key = (t, p, v, tuple(sorted(row.items())))
                    if key in seen:
                        continue
                    seen.append(key)
                    if v is None and not shape.is_property:
                        v = f
                    R = self.data.rdf
                    path = R(p) if p is not None else None
                    _, rep = self._report(shape, "sparql", t or f, v, path=path)
                    bound = {"this": t, "path": p, "value": v, **row}
                    rep.messages = _format_messages(q.messages or shape.messages,
                                                    {k: R(x) if x is not None else None
                                                     for k, x in bound.items()})
                    rep.sparql = True
                    reports.append((f, rep))
        return _owners(reports), reports

    # -- results ---------------------------------------------------------------------------------

    def _results(self, reports: list[_Report], files_of) -> list[ValidationResult]:
        prefixed = bind_prefixes(Graph(bind_namespaces="none"))
        R = self.data.rdf
        path_texts: dict[Node, str | None] = {}
        results = []
        todo = list(reports)
        while todo:
            rep = todo.pop()
            todo.extend(rep.details)
            if rep.path not in path_texts:
                path_texts[rep.path] = _path_text(self.shapes_graph, prefixed, rep.path)
            messages = _messages(rep.messages) if rep.messages else self._generic(rep)
            focus = R(rep.focus)
            results.append(ValidationResult(
                severity=Severity.from_node(rep.severity), focus=focus, path=rep.path,
                value=R(rep.value) if rep.value is not None else None, shape=rep.shape.node,
                constraint=rep.component, messages=messages, path_text=path_texts[rep.path],
                files=tuple(sorted(files_of.get(focus, ()))),
            ))
        results.sort(key=lambda r: (-r.severity, r.files, str(r.focus), str(r.path)))
        return results

    def _generic(self, rep: _Report) -> dict[str, str]:
        """pySHACL's generic message, for a shape without sh:message (made by pySHACL itself)."""
        try:
            from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
            from pyshacl.shapes_graph import ShapesGraph
            if not hasattr(self, "_pyshacl_sg"):
                self._pyshacl_sg = ShapesGraph(self.shapes_graph)
                self._pyshacl_sg.shapes  # noqa: B018 - builds the shape cache
            shape = self._pyshacl_sg.lookup_shape_from_node(rep.shape.node)
            param = next(p for p, c in _PARAM_COMPONENT.items()
                         if c == _component_name(rep.component) and (shape.node, p, None) in self.shapes_graph)
            component = CONSTRAINT_PARAMETERS_MAP[param](shape)
            data = bind_prefixes(Graph(bind_namespaces="none"))
            R = self.data.rdf
            messages = component.make_generic_messages(
                data, R(rep.focus), R(rep.value) if rep.value is not None else None)
            return {"": str(messages[0])} if messages else {}
        except Exception:  # pragma: no cover - a message is a courtesy, never a reason to fail
            return {}


def _owners(reports: list) -> set:
    return {owner for owner, _ in reports}


def _component_name(iri: URIRef) -> str:
    if iri in (SH.QualifiedMaxCountConstraintComponent, SH.QualifiedMinCountConstraintComponent):
        return "qualified"
    for name, value in _COMPONENT_IRI.items():
        if value == iri:
            return name
    return ""


def _messages(literals) -> dict[str, str]:
    """As validation._messages: language (primary subtag) -> text, the first of each."""
    messages: dict[str, str] = {}
    for m in sorted(literals, key=lambda x: (x.language or "", str(x))) if len(literals) > 1 else literals:
        lang = m.language if isinstance(m, Literal) and m.language else ""
        messages.setdefault(lang.split("-")[0], str(m))
    return messages


def _format_messages(literals, bound: dict) -> tuple:
    out = []
    for m in literals:
        text = str(m.value) if isinstance(m, Literal) else str(m)
        for var, val in bound.items():
            if val is not None:
                text = re.sub("{[?$]%s}" % re.escape(var), str(val).replace("\\", r"\\"), text)
        out.append(Literal(text, lang=m.language) if isinstance(m, Literal) else Literal(text))
    return tuple(out)


def _path_text(shapes: Graph, prefixed: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return prefixed.namespace_manager.normalizeUri(path)
    # copy the path's structure into a graph with gcmgraph's prefixes
    todo, seen = [path], set()
    g = bind_prefixes(Graph(bind_namespaces="none"))
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            g.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return path_text(g, path)


# --------------------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------------------

def validate_fast(data, shapes: Graph, files_of: Mapping[Node, Iterable[str]] | None = None, *,
                  sparql: str = "auto", fallback: bool = True,
                  validator: FastValidator | None = None, graph=None) -> ValidationReport:
    """Validate ``data`` against ``shapes`` with the results pySHACL would give, much sooner.

    ``data``: an rdflib ``Graph`` or ``Dataset`` (its union is validated; it must include the
    ontology, for subclass checks, as for :func:`gcmgraph.validation.validate_graph`) or a
    ``pyoxigraph.Store`` (the union of its graphs, or only ``graph``, a ``pyoxigraph.DefaultGraph``
    or ``NamedNode``: a store that already holds the merge in its default graph, as
    :class:`gcmgraph.backends.OxigraphBackend` does by default, is then read once instead of twice).
    ``files_of`` maps entities to the curated files
    that describe them. ``sparql`` picks the engine of SPARQL-based constraints for rdflib data:
    ``"auto"`` (an in-memory Oxigraph copy of the data when pyoxigraph is installed: rdflib needs
    seconds for one unbound query even on the curated graph), ``"rdflib"`` or ``"oxigraph"``. When the shapes use a feature this module does not implement, it runs plain
    pySHACL instead (on a pyoxigraph store, after copying it into rdflib), unless ``fallback`` is
    False, in which case it raises :class:`Unsupported`.

    >>> import gcmgraph
    >>> kg = gcmgraph.load()
    >>> validate_fast(kg.graph, kg.shapes()).conforms
    True
    """
    try:
        validator = validator or FastValidator(shapes)
    except Unsupported as why:
        if not fallback:
            raise
        log.warning("validate_fast: %s; running plain pySHACL", why)
        return validate_graph(_as_rdflib(data, graph), shapes, files_of)
    try:
        return validator.validate(data, files_of, sparql=sparql, graph=graph)
    except Unsupported as why:
        if not fallback:
            raise
        log.warning("validate_fast: %s; running plain pySHACL", why)
        return validate_graph(_as_rdflib(data, graph), shapes, files_of)


def _as_rdflib(data, graph=None) -> Graph:
    if not _is_oxigraph(data):
        if hasattr(data, "quads") and not isinstance(data, Graph):
            return data
        if isinstance(data, Graph) and data.context_aware:
            union = Graph()
            for s, p, o in data.triples((None, None, None)):
                union.add((s, p, o))
            return union
        return data
    terms = _Terms()
    g = Graph()
    for q in data.quads_for_pattern(None, None, None, graph):
        g.add((terms(q.subject), terms(q.predicate), terms(q.object)))
    return g
