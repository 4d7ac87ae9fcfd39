"""The graph as networkx: curated entities as nodes, their relations as labelled edges.

What becomes a node: every described IRI under ``https://w3id.org/gcmgraph/id/`` and every SDG
target or indicator of the UN SDG KOS, except

- concept schemes, link assertions (``rdf:Statement``), source documents and curator agents:
  they describe the graph rather than migration governance. A node's sources are its ``sources``
  attribute (source slugs), an edge's named graphs its ``graph`` attribute; a source as a node
  would be a hub linked to nearly everything, and every "shortest path" would run through it.
- concepts of the small classifying schemes (instrument types, governance levels, counting units,
  participant roles, breakdown categories…): they become node attributes named after their
  scheme (``instrument_type="Programa"``, ``governance_level="Local"``), for the same reason.

Link assertions are not nodes either: they put ``basis`` (``stated`` or ``editorial``) and
``assertion`` (the assertion's IRI) on the edge they reify.

Every attribute is a plain string or number, so ``networkx.write_graphml`` and
``networkx.write_gexf`` both work and the files open in Gephi. Node keys are IRIs.

>>> import gcmgraph
>>> G = gcmgraph.load().to_networkx(lang="en")
>>> G.nodes["https://w3id.org/gcmgraph/id/org/mx-ayuntamiento-tapachula"]["type"]
'Local authority'
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, SDO, SKOS

from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import ELI, GCM, GRAPH, ID, OBJECTIVES_SCHEME, PRINCIPLES_SCHEME, SDG, SDGO

if TYPE_CHECKING:
    from gcmgraph.graph import KnowledgeGraph

__all__ = [
    "FORMATS",
    "PROJECTIONS",
    "ExplainedPath",
    "Hop",
    "NoPathError",
    "actor_actor",
    "actor_objective",
    "centrality",
    "explain_path",
    "find_entity",
    "projection",
    "serialize",
    "to_networkx",
    "write",
]

LANGUAGES = ("es", "en")
FORMATS = ("graphml", "gexf")
PROJECTIONS = ("full", "actor-objective", "actor-actor")
CENTRALITIES = ("degree", "betweenness", "pagerank")
#: separator of multi-valued attributes (GraphML and GEXF hold one plain value per attribute)
SEPARATOR = "; "

SDG_SCHEME = URIRef(str(SDG).rstrip("/"))
THEMES_SCHEME = ID["scheme/themes"]
ACTOR_TYPES_SCHEME = ID["scheme/actor-types"]

# Concepts of these schemes are things a researcher asks about, so they are nodes; concepts of
# every other scheme classify a node and become its attributes.
NODE_SCHEMES = {OBJECTIVES_SCHEME: "objective", PRINCIPLES_SCHEME: "principle",
                THEMES_SCHEME: "theme", ACTOR_TYPES_SCHEME: "actor_type", SDG_SCHEME: "sdg"}
# Everything under these paths describes the graph itself (see the module docstring).
EXCLUDED = (*(str(ID[kind]) for kind in ("scheme/", "link/", "source/", "agent/")), str(SDGO))
EXCLUDED_CLASSES = {SKOS.ConceptScheme, RDF.Statement, GCM.LinkAssertion, GCM.SourceDocument, PROV.Agent}
PROVENANCE = {DCTERMS.source, PROV.wasDerivedFrom}
# Statements about a node that are neither relations nor attributes of the network. The SDG KOS
# states its hierarchy both ways; only the upward direction (broader, target of…) is kept.
NOT_RELATIONS = ({RDF.type, SKOS.inScheme, SKOS.topConceptOf, OWL.sameAs, SKOS.narrower}
                 | {SDGO.hasTarget, SDGO.hasIndicator} | PROVENANCE)
# Broad categories (fixed English tokens, for filtering and colouring), by class, in order.
CATEGORY_CLASSES = ((ORG.Organization, "actor"), (GCM.PolicyInstrument, "policy"),
                    (SDO.Event, "event"), (SDO.Place, "place"))
BASIS = {GCM.StatedBySource: "stated", GCM.EditorialMapping: "editorial"}

# What one concept of a node scheme is called; a scheme's own label names the whole set
# ("Objetivos del Pacto…"). Labels of reused standard terms are in ontology/labels.ttl.
MEMBER_TYPE_LABELS: dict[URIRef, tuple[str, str]] = {
    OBJECTIVES_SCHEME: ("Objetivo del PMM", "GCM objective"),
    PRINCIPLES_SCHEME: ("Principio rector del PMM", "GCM guiding principle"),
    THEMES_SCHEME: ("Tema", "Theme"),
    ACTOR_TYPES_SCHEME: ("Tipo de actor", "Actor type"),
}

# Relations through which an actor carries a policy instrument or a body (actor-objective projection).
ACTOR_OF_ITEM = (GCM.implementedBy, ELI.passed_by, ORG.linkedTo)


class NoPathError(GcmgraphError):
    """The two entities are in the graph but no chain of relations joins them."""

    exit_code = 1


# --------------------------------------------------------------------------------------------------
# The full graph
# --------------------------------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r}", hint="Use es or en.")
    return lang


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a label, for finding an entity by name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class _Reader:
    """Reads, once per call of :func:`to_networkx`, what nodes and edges need from the graph."""

    def __init__(self, kg: KnowledgeGraph, lang: str):
        self.kg = kg
        self.graph = kg.graph
        self.lang = lang
        self._superclasses: dict[URIRef, set[URIRef]] = {}

    def term_label(self, term: URIRef) -> str:
        return self.kg.label(term, self.lang) or _local_name(str(term))

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        if cls not in self._superclasses:
            self._superclasses[cls] = set(self.graph.transitive_objects(cls, RDFS.subClassOf))
        return self._superclasses[cls]

    def schemes(self, node: URIRef) -> set[URIRef]:
        return set(self.graph.objects(node, SKOS.inScheme))

    def is_classifier(self, node: URIRef) -> bool:
        """A concept of a classifying scheme (becomes an attribute, not a node)."""
        schemes = self.schemes(node)
        return bool(schemes) and not (schemes & NODE_SCHEMES.keys())

    def is_node(self, node) -> bool:
        if not isinstance(node, URIRef):
            return False
        iri = str(node)
        if not (iri.startswith(str(ID)) or iri.startswith(str(SDG))) or iri.startswith(EXCLUDED):
            return False
        classes = set(self.graph.objects(node, RDF.type))
        if not classes and self.kg.label(node) is None:
            return False  # referenced, never described
        if classes & EXCLUDED_CLASSES:
            return False
        return not self.is_classifier(node)

    def classes(self, node: URIRef) -> tuple[list[URIRef], set[URIRef]]:
        """The node's most specific classes, and all its classes with their superclasses."""
        asserted = set(self.graph.objects(node, RDF.type))
        closure = set().union(*(self.superclasses(c) for c in asserted)) if asserted else set()
        specific = [c for c in asserted
                    if not any(c != other and c in self.superclasses(other) for other in asserted)]
        return sorted(specific), closure

    def type_and_category(self, node: URIRef) -> tuple[str, str]:
        specific, closure = self.classes(node)
        category = next((name for cls, name in CATEGORY_CLASSES if cls in closure), None)
        node_schemes = sorted(self.schemes(node) & NODE_SCHEMES.keys())
        if GCM.DialogueTheme in closure:
            category = category or "theme"
        if node_schemes:
            category = category or NODE_SCHEMES[node_schemes[0]]
        own = [c for c in specific if str(c).startswith(str(GCM._NS))]
        if own:
            return self.term_label(own[0]), category or "other"
        if node_schemes and node_schemes[0] in MEMBER_TYPE_LABELS:
            return MEMBER_TYPE_LABELS[node_schemes[0]][LANGUAGES.index(self.lang)], category or "other"
        labelled = [c for c in specific if self.kg.label(c)]
        chosen = (labelled or specific or [None])[0]
        return (self.term_label(chosen) if chosen is not None else ""), category or "other"

    def notation(self, node: URIRef) -> str | None:
        notations = sorted((str(n) for n in self.graph.objects(node, SKOS.notation)), key=lambda n: (len(n), n))
        return notations[0] if notations else None

    def short_label(self, node: URIRef) -> str | None:
        """skos:altLabel in the language (the short labels of the objectives), else the label."""
        for literal in self.graph.objects(node, SKOS.altLabel):
            if isinstance(literal, Literal) and (literal.language or "").split("-")[0] == self.lang:
                return str(literal)
        return self.kg.label(node, self.lang)

    def node_label(self, node: URIRef, type_label: str, category: str) -> str:
        notation = self.notation(node)
        if notation and category in ("objective", "principle", "sdg"):
            # "Objetivo del PMM 16: Inclusión y cohesión social": the official titles are long
            return f"{type_label} {notation}: {self.short_label(node)}"
        return self.kg.label(node, self.lang) or _local_name(str(node))


def to_networkx(kg: KnowledgeGraph, lang: str = "es") -> nx.MultiDiGraph:
    """The curated entities and their relations as a :class:`networkx.MultiDiGraph`.

    Nodes are keyed by IRI and carry ``label`` (in ``lang``, falling back to the other language),
    ``type`` (the label of the most specific gcmgraph class, else of the reused class),
    ``category`` (actor, policy, event, place, objective, principle, theme, actor_type, sdg,
    other), ``iri``, ``sources`` (slugs of the source documents), and, where they apply,
    ``notation``, ``iso2`` and one attribute per classifying scheme (``instrument_type``,
    ``governance_level``…). Edges go from subject to object and carry ``relation`` (the
    property's label in ``lang``; also as ``label`` for Gephi), ``property`` (its IRI), ``graph``
    (the named graphs that state it), and for reified links ``basis`` and ``assertion``.
    """
    _check_lang(lang)
    reader = _Reader(kg, lang)
    g = kg.graph
    nodes = sorted({s for s in g.subjects() if reader.is_node(s)}, key=str)
    is_node = set(nodes)

    G = nx.MultiDiGraph(name="gcmgraph", lang=lang)
    for node in nodes:
        type_label, category = reader.type_and_category(node)
        attributes: dict[str, str] = {
            "label": reader.node_label(node, type_label, category),
            "type": type_label,
            "category": category,
            "iri": str(node),
        }
        sources = sorted(str(o).removeprefix(str(ID["source/"]))
                         for p in PROVENANCE for o in g.objects(node, p))
        if sources:
            attributes["sources"] = SEPARATOR.join(sources)
        notation = reader.notation(node)
        if notation:
            attributes["notation"] = notation
        iso2 = g.value(node, GCM.isoAlpha2)
        if iso2 is not None:
            attributes["iso2"] = str(iso2)
        classifiers: dict[str, set[str]] = defaultdict(set)
        for p, o in g.predicate_objects(node):
            if isinstance(o, URIRef) and o not in is_node and p not in NOT_RELATIONS:
                if reader.is_classifier(o):
                    for scheme in reader.schemes(o):
                        classifiers[_scheme_attribute(str(scheme))].add(reader.term_label(o))
                elif str(o).startswith(str(GCM._NS)):  # a named individual: gcm:MoreThan…
                    classifiers[_property_attribute(str(p))].add(reader.term_label(o))
        for key, values in sorted(classifiers.items()):
            if key not in attributes:
                attributes[key] = SEPARATOR.join(sorted(values))
        G.add_node(str(node), **attributes)

    graphs = _named_graphs(kg, is_node)
    assertions = _assertions(kg)
    for s in nodes:
        for p, o in sorted(g.predicate_objects(s)):
            if o not in is_node or p in NOT_RELATIONS:
                continue
            relation = reader.term_label(p)
            edge = {"relation": relation, "label": relation, "property": str(p),
                    "graph": SEPARATOR.join(sorted(graphs.get((s, p, o), ())))}
            if (s, p, o) in assertions:
                bases, iris = assertions[(s, p, o)]
                edge["basis"] = SEPARATOR.join(sorted(bases))
                edge["assertion"] = " ".join(sorted(iris))
            G.add_edge(str(s), str(o), key=str(p), **edge)
    return G


def _scheme_attribute(scheme: str) -> str:
    """``…/scheme/governance-levels`` → ``governance_level``."""
    name = _local_name(scheme).replace("-", "_")
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name.removesuffix("s")


def _property_attribute(prop: str) -> str:
    """``gcm:countQualifier`` → ``count_qualifier``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _local_name(prop)).lower()


def _named_graphs(kg: KnowledgeGraph, nodes: set) -> dict[tuple, set[str]]:
    found: dict[tuple, set[str]] = defaultdict(set)
    for s, p, o, name in kg.dataset.quads((None, None, None, None)):
        if s in nodes and o in nodes:
            found[(s, p, o)].add(str(name).removeprefix(str(GRAPH)))
    return found


def _assertions(kg: KnowledgeGraph) -> dict[tuple, tuple[set[str], set[str]]]:
    """Each reified triple with its bases (stated/editorial) and the IRIs of its assertions."""
    g = kg.graph
    found: dict[tuple, tuple[set[str], set[str]]] = {}
    for assertion in set(g.subjects(RDF.type, GCM.LinkAssertion)) | set(g.subjects(RDF.type, RDF.Statement)):
        triple = (g.value(assertion, RDF.subject), g.value(assertion, RDF.predicate),
                  g.value(assertion, RDF.object))
        if None in triple:
            continue
        bases, iris = found.setdefault(triple, (set(), set()))
        iris.add(str(assertion))
        for basis in g.objects(assertion, GCM.linkBasis):
            bases.add(BASIS.get(basis, _local_name(str(basis))))
    return found


def _as_network(source: KnowledgeGraph | nx.Graph, lang: str) -> nx.Graph:
    if isinstance(source, nx.Graph):
        return source
    return to_networkx(source, lang)


# --------------------------------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------------------------------


def _nodes_of(G: nx.Graph, category: str) -> list[str]:
    return sorted(n for n, c in G.nodes(data="category") if c == category)


def _out(G: nx.MultiDiGraph, node: str, prop: URIRef) -> list[tuple[str, dict]]:
    return [(target, data) for _, target, data in G.out_edges(node, data=True)
            if data.get("property") == str(prop)]


def _objectives_of(G: nx.MultiDiGraph, item: str) -> dict[str, tuple[str, str]]:
    """The objectives an item addresses, directly or through a theme: objective → (via, basis)."""
    found: dict[str, tuple[str, str]] = {}
    for objective, data in _out(G, item, GCM.addressesObjective):
        found[objective] = ("direct", data.get("basis", ""))
    # the same theme path as the catalogue's policies-by-objective and objective-coverage:
    # dct:subject or org:purpose, then skos:broader* to a theme that addresses the objective
    themes = [t for prop in (DCTERMS.subject, ORG.purpose) for t, _ in _out(G, item, prop)]
    seen: set[str] = set()
    while themes:
        theme = themes.pop()
        if theme in seen:
            continue
        seen.add(theme)
        themes += [broader for broader, _ in _out(G, theme, SKOS.broader)]
        for objective, data in _out(G, theme, GCM.addressesObjective):
            found.setdefault(objective, ("theme", data.get("basis", "")))
    return {o: v for o, v in found.items() if G.nodes[o].get("category") == "objective"}


def _copy_node(target: nx.Graph, G: nx.Graph, node: str, **extra) -> None:
    keep = ("label", "type", "category", "iri", "notation", "iso2")
    target.add_node(node, **{k: G.nodes[node][k] for k in keep if k in G.nodes[node]}, **extra)


def actor_objective(kg: KnowledgeGraph | nx.MultiDiGraph, lang: str = "es") -> nx.Graph:
    """Bipartite actor ↔ GCM objective graph.

    An actor reaches an objective through an item: a policy instrument it implements
    (``gcm:implementedBy``) or passed (``eli:passed_by``), a body linked to it (``org:linkedTo``),
    or the actor itself; the item addresses the objective (``gcm:addressesObjective``) or has a
    theme that does (``dct:subject`` or ``org:purpose``, ``skos:broader*``, then
    ``gcm:addressesObjective``, as in the catalogue's ``objective-coverage``). Edge ``weight`` is the number of
    distinct items; ``items`` their labels, ``item_iris`` their IRIs, ``via`` direct and/or theme,
    ``basis`` stated and/or editorial; ``actor`` and ``objective`` name the ends (an undirected
    edge's ends come in either order). Node attribute ``bipartite`` is 0 for actors, 1 for objectives.
    """
    G = _as_network(kg, lang)
    P = nx.Graph(name="gcmgraph actor-objective", lang=G.graph.get("lang", lang))
    links: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    actors = set(_nodes_of(G, "actor"))
    for actor in sorted(actors):
        items = {actor}
        for prop in ACTOR_OF_ITEM:
            items |= {s for s, _, d in G.in_edges(actor, data=True) if d.get("property") == str(prop)}
        for item in items:
            for objective, how in _objectives_of(G, item).items():
                links[(actor, objective)][item] = how
    for (actor, objective), items in sorted(links.items()):
        _copy_node(P, G, actor, bipartite=0)
        _copy_node(P, G, objective, bipartite=1)
        P.add_edge(actor, objective, actor=actor, objective=objective, weight=len(items),
                   items=SEPARATOR.join(sorted(G.nodes[i]["label"] for i in items)),
                   item_iris=" ".join(sorted(items)),
                   via=SEPARATOR.join(sorted({via for via, _ in items.values()})),
                   basis=SEPARATOR.join(sorted({b for _, basis in items.values()
                                                for b in basis.split(SEPARATOR) if b})))
    return P


def actor_actor(kg: KnowledgeGraph | nx.MultiDiGraph, lang: str = "es") -> nx.Graph:
    """Actors linked when they share a policy instrument or an event.

    An actor shares an item when any relation joins them, in either direction (implemented by,
    passed by, part of, held within, related to…). Edge ``weight`` is the number of shared
    items; ``items`` their labels, ``item_iris`` their IRIs.
    """
    G = _as_network(kg, lang)
    P = nx.Graph(name="gcmgraph actor-actor", lang=G.graph.get("lang", lang))
    actors = set(_nodes_of(G, "actor"))
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in _nodes_of(G, "policy") + _nodes_of(G, "event"):
        neighbours = (set(G.successors(item)) | set(G.predecessors(item))) & actors
        for a, b in itertools.combinations(sorted(neighbours), 2):
            shared[(a, b)].add(item)
    for (a, b), items in sorted(shared.items()):
        _copy_node(P, G, a)
        _copy_node(P, G, b)
        P.add_edge(a, b, weight=len(items),
                   items=SEPARATOR.join(sorted(G.nodes[i]["label"] for i in items)),
                   item_iris=" ".join(sorted(items)))
    return P


def projection(kg: KnowledgeGraph, name: str = "full", lang: str = "es") -> nx.Graph:
    """The full graph or one of its projections, by the name the command line uses."""
    builders = {"full": to_networkx, "actor-objective": actor_objective, "actor-actor": actor_actor}
    if name not in builders:
        raise InputError(f"unknown projection {name!r}", hint=f"Use one of: {', '.join(PROJECTIONS)}.")
    return builders[name](kg, lang)


# --------------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------------


def centrality(G: nx.Graph | KnowledgeGraph, kind: str = "degree", top: int | None = 10,
               lang: str = "es") -> pd.DataFrame:
    """The ``top`` nodes by ``kind`` of centrality (degree, betweenness or pagerank), ranked.

    Degree and betweenness are computed on the undirected simple graph (parallel edges and
    direction collapsed); PageRank on the graph as given, with ``weight`` where edges have it.
    Columns: rank, label, type, category, score, iri.
    """
    if kind not in CENTRALITIES:
        raise InputError(f"unknown centrality {kind!r}", hint=f"Use one of: {', '.join(CENTRALITIES)}.")
    G = _as_network(G, lang)
    simple = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() or G.is_multigraph() else G
    if kind == "degree":
        scores = nx.degree_centrality(simple)
    elif kind == "betweenness":
        scores = nx.betweenness_centrality(simple)
    else:
        try:
            scores = nx.pagerank(G)
        except ImportError:  # networkx computes PageRank with SciPy
            raise InputError("PageRank needs SciPy", hint="pip install 'gcmgraph[network]'") from None
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], G.nodes[kv[0]].get("label", kv[0])))
    if top is not None:
        ranked = ranked[:top]
    frame = pd.DataFrame([{
        "rank": position,
        "label": G.nodes[node].get("label", node),
        "type": G.nodes[node].get("type", ""),
        "category": G.nodes[node].get("category", ""),
        "score": score,
        "iri": G.nodes[node].get("iri", node),
    } for position, (node, score) in enumerate(ranked, start=1)],
        columns=["rank", "label", "type", "category", "score", "iri"])
    return frame.set_index("rank")


@dataclass(frozen=True)
class Hop:
    """One statement on a path, as the graph states it (subject —relation→ object)."""

    subject: str
    subject_label: str
    relation: str
    property: str
    object: str
    object_label: str
    #: True when the path walks the statement from its subject to its object
    forward: bool
    #: stated/editorial for reified links, else ""
    basis: str = ""

    def __str__(self) -> str:
        return f"{self.subject_label} —{self.relation}→ {self.object_label}"


class ExplainedPath(list):
    """A shortest path as a list of :class:`Hop`; ``str()`` reads it from start to end."""

    def __init__(self, hops: Iterable[Hop], start: str, start_label: str):
        super().__init__(hops)
        self.start = start
        self.start_label = start_label

    @property
    def labels(self) -> list[str]:
        """The labels of the entities along the path, from start to end."""
        return [self.start_label] + [h.object_label if h.forward else h.subject_label for h in self]

    def __str__(self) -> str:
        text = self.start_label
        for hop in self:
            text += (f" —{hop.relation}→ {hop.object_label}" if hop.forward
                     else f" ←{hop.relation}— {hop.subject_label}")
        return text


def find_entity(G: nx.Graph, entity: str | URIRef, kg: KnowledgeGraph | None = None) -> str:
    """The node for an IRI, or for a label (any language, ignoring case and accents)."""
    key = str(entity).strip()
    if key in G:
        return key
    wanted = _fold(key)
    matches = {n for n, label in G.nodes(data="label") if label and _fold(label) == wanted}
    if not matches and kg is not None:
        for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for s, label in kg.graph.subject_objects(p):
                if str(s) in G and isinstance(label, Literal) and _fold(str(label)) == wanted:
                    matches.add(str(s))
    if len(matches) == 1:
        return matches.pop()
    hint = (f"Give the entity's IRI or its exact label. Find IRIs with: "
            f"gcmgraph query search -p text '{key[:40]}'  (in Python: kg.query('search', text=...))")
    if matches:
        listed = ", ".join(sorted(matches)[:5])
        raise InputError(f"{key!r} names {len(matches)} entities: {listed}", hint=hint)
    raise InputError(f"unknown entity {key!r}: no node of the graph has that IRI or label", hint=hint)


# Among paths of equal length, prefer the ones through gcmgraph's own and ELI relations: they are
# the specific relations the model is built around (implemented by, addresses objective, passed
# by), where generic DCTERMS/ORG/schema.org links (linked to, spatial coverage) say less.
def _hop_cost(data: dict) -> int:
    prop = data.get("property", "")
    return 0 if prop.startswith((str(GCM._NS), str(ELI))) else 1


def explain_path(kg: KnowledgeGraph | nx.MultiDiGraph, source: str | URIRef, target: str | URIRef,
                 lang: str = "es", max_candidates: int = 500) -> ExplainedPath:
    """The shortest chain of relations between two entities, each hop named.

    Direction is ignored when searching (a programme implemented by an authority joins them
    either way) and kept in each :class:`Hop`. ``source`` and ``target`` are IRIs or labels.

    >>> import gcmgraph
    >>> kg = gcmgraph.load()
    >>> path = explain_path(kg, "Ayuntamiento de Tapachula", gcmgraph.objective(16))
    >>> for hop in path:
    ...     print(hop)
    Programa «Somos Familia» —implementado por→ Ayuntamiento de Tapachula
    Programa «Somos Familia» —tema→ Integración socioeconómica de las personas migrantes
    Integración socioeconómica de las personas migrantes —aborda el objetivo→ Objetivo del PMM 16: Inclusión y cohesión social
    >>> path.labels[:2]
    ['Ayuntamiento de Tapachula', 'Programa «Somos Familia»']
    """
    G = _as_network(kg, lang)
    knowledge = None if isinstance(kg, nx.Graph) else kg
    start, end = find_entity(G, source, knowledge), find_entity(G, target, knowledge)
    label = lambda n: G.nodes[n].get("label", n)  # noqa: E731
    if start == end:
        return ExplainedPath([], start, label(start))
    undirected = nx.Graph()
    undirected.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        cost = _hop_cost(data)
        if not undirected.has_edge(u, v) or cost < undirected[u][v]["cost"]:
            undirected.add_edge(u, v, cost=cost)
    try:
        candidates = list(itertools.islice(nx.all_shortest_paths(undirected, start, end), max_candidates))
    except nx.NetworkXNoPath:
        raise NoPathError(f"no chain of relations joins {label(start)} and {label(end)}") from None
    best = min(candidates, key=lambda path: (
        sum(undirected[a][b]["cost"] for a, b in zip(path, path[1:])), [label(n) for n in path]))
    hops = []
    for a, b in zip(best, best[1:]):
        options = [(a, b, d, True) for d in G.get_edge_data(a, b, default={}).values()]
        options += [(b, a, d, False) for d in G.get_edge_data(b, a, default={}).values()]
        s, o, data, forward = min(options, key=lambda opt: (_hop_cost(opt[2]), opt[2]["relation"]))
        hops.append(Hop(subject=s, subject_label=label(s), relation=data["relation"],
                        property=data["property"], object=o, object_label=label(o),
                        forward=forward, basis=data.get("basis", "")))
    return ExplainedPath(hops, start, label(start))


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def serialize(G: nx.Graph, fmt: str) -> bytes:
    """``G`` as GraphML or GEXF bytes."""
    if fmt not in FORMATS:
        raise InputError(f"unknown network format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}.")
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(G, buffer, encoding="utf-8")
    else:
        nx.write_gexf(G, buffer, encoding="utf-8")
    return buffer.getvalue()


def write(G: nx.Graph, path: Path | str, fmt: str | None = None) -> Path:
    """Write ``G`` to ``path`` as GraphML or GEXF (from the suffix when ``fmt`` is not given),
    whole or not at all."""
    from gcmgraph.export import write_atomic  # export imports graph, which imports this lazily

    path = Path(path)
    if fmt is None:
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise InputError(f"cannot tell the network format from the suffix {path.suffix or '(none)'}",
                             path=path, hint=f"Pass --format, one of: {', '.join(FORMATS)}.")
    write_atomic(path, serialize(G, fmt))
    return path
