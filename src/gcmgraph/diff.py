"""What changed between two versions of the graph, entity by entity, for a code review.

A version is a git revision of the repository (``HEAD``, ``main~3``, a tag), a folder holding a
curated tree (``ontology/`` and ``data/``, e.g. ``.`` for the working copy), a release folder
(its ``gcmgraph.nq`` or ``gcmgraph.trig``) or one RDF file. Statements are compared with their named
graph, so a statement that moves from one source's graph to another shows as removed from one and
added to the other. Each side is validated against its own shapes (a release or a file, against
the current ones), so the review also says whether validation got better or worse.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from gcmgraph.errors import InputError
from gcmgraph.loading import load_dataset, parse_turtle
from gcmgraph.namespaces import GRAPH, bind_prefixes
from gcmgraph.paths import Layout, default_layout
from gcmgraph.templates import compact

RDF_SUFFIXES = {".nq": "nquads", ".trig": "trig", ".ttl": "turtle", ".nt": "nt"}


@dataclass
class Version:
    """One side of a diff: its statements per named graph, its shapes, and how the user named it."""

    name: str
    quads: set
    shapes: Graph
    shapes_from: str

    def union(self) -> Graph:
        graph = bind_prefixes(Graph(bind_namespaces="none"))
        for s, p, o, _ in self.quads:
            graph.add((s, p, o))
        return graph


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)


def _tree_quads(layout: Layout) -> set:
    dataset, _ = load_dataset(layout)
    return {(s, p, o, g.identifier if hasattr(g, "identifier") else g)
            for s, p, o, g in dataset.quads((None, None, None, None))}


def _shapes(layout: Layout) -> Graph:
    shapes = Graph()
    for path in layout.shape_files():
        shapes += parse_turtle(path, layout.display(path))
    return shapes


def _file_quads(path: Path) -> set:
    fmt = RDF_SUFFIXES[path.suffix]
    dataset = Dataset()
    try:
        dataset.parse(path, format=fmt)
    except Exception as err:  # rdflib's parsers raise several kinds of errors
        raise InputError(f"cannot read {path.name}: {err}", path=str(path),
                         hint="Give a release folder, an N-Quads/TriG/Turtle file, a curated tree or a git revision.") from None
    default = GRAPH["release"]
    quads = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        if name is None or str(name).startswith("urn:x-rdflib:"):
            name = default
        quads.add((s, p, o, name))
    return quads


def resolve(spec: str, work: Path, current: Layout) -> Version:
    """Read one side of the diff from a path or a git revision."""
    path = Path(spec)
    if path.exists():
        if path.is_dir() and ((path / "data").is_dir() or (path / "ontology").is_dir()):
            layout = Layout(path.resolve())
            return Version(spec, _tree_quads(layout), _shapes(layout), spec)
        if path.is_dir():
            for name in ("gcmgraph.nq", "gcmgraph.trig"):
                if (path / name).is_file():
                    return Version(spec, _file_quads(path / name), _shapes(current), "current shapes")
            raise InputError(f"{spec} holds neither a curated tree (ontology/, data/) nor a release "
                             "(gcmgraph.nq or gcmgraph.trig)", path=spec,
                             hint="Give a checkout, a folder written by `gcmgraph release`, an RDF file or a git revision.")
        if path.suffix in RDF_SUFFIXES:
            return Version(spec, _file_quads(path), _shapes(current), "current shapes")
        raise InputError(f"unsupported file type {path.suffix or '(none)'}", path=spec,
                         hint="Give an .nq, .trig, .ttl or .nt file, a folder, or a git revision.")
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd())
    if top.returncode != 0:
        raise InputError(f"{spec!r} is neither a file or folder nor a git revision (not inside a git repository)",
                         hint="Run gcmgraph diff inside the repository, or give two folders.")
    repo = Path(top.stdout.decode().strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], repo)
    if commit.returncode != 0:
        raise InputError(f"{spec!r} is neither a file or folder nor a git revision of {repo}",
                         hint="Use a commit, branch or tag (HEAD, main~1, v0.1.0), or a path.")
    sha = commit.stdout.decode().strip()
    names = [n for n in ("ontology", "data", "queries")
             if _git(["cat-file", "-e", f"{sha}:{n}"], repo).returncode == 0]
    if "data" not in names:
        raise InputError(f"revision {spec} has no data/ folder", hint="Choose a revision of the gcmgraph repository.")
    archive = _git(["archive", "--format=tar", sha, *names], repo)
    if archive.returncode != 0:
        raise InputError(f"git archive {spec} failed: {archive.stderr.decode().strip()}",
                         hint="Check the revision.")
    target = work / sha[:12]
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(target, filter="data")
        except TypeError:  # Python before 3.11.4 has no extraction filters; git archive holds plain files
            tar.extractall(target)
    layout = Layout(target)
    return Version(f"{spec} ({sha[:10]})", _tree_quads(layout), _shapes(layout), f"{spec}'s shapes")


# --------------------------------------------------------------------------------------------


@dataclass
class EntityChange:
    entity: Node
    status: str  # added, removed, changed
    label: str | None
    types: list[str]
    added: list[tuple] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    graphs: set = field(default_factory=set)


@dataclass
class ValidationDelta:
    old: dict[str, int]
    new: dict[str, int]
    appeared: list[str]
    resolved: list[str]

    @property
    def verdict(self) -> str:
        old_v, new_v = self.old["violations"], self.new["violations"]
        if new_v != old_v:
            return "worse" if new_v > old_v else "better"
        old_w, new_w = self.old["warnings"], self.new["warnings"]
        if new_w != old_w:
            return "worse" if new_w > old_w else "better"
        return "same"


@dataclass
class Diff:
    old: str
    new: str
    entities: list[EntityChange]
    added: int
    removed: int
    graphs: list[str]
    validation: ValidationDelta | None

    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "changed": 0, "removed": 0}
        for change in self.entities:
            counts[change.status] += 1
        return counts


class _Words:
    """Labels of entities and properties, for a change said in words."""

    def __init__(self, old: Graph, new: Graph, lang: str):
        self.old, self.new, self.lang = old, new, lang

    def label(self, node: Node) -> str | None:
        for graph in (self.new, self.old):
            labels = [o for p in (SKOS.prefLabel, RDFS.label) for o in graph.objects(node, p) if isinstance(o, Literal)]
            for wanted in (self.lang, "es", "en"):
                for label in labels:
                    if label.language and label.language.split("-")[0] == wanted:
                        return str(label)
            if labels:
                return str(labels[0])
        return None

    def prop(self, predicate: Node) -> str:
        if predicate == RDF.type:
            return "tipo" if self.lang == "es" else "type"
        name = self.label(predicate)
        return f"{name} ({compact(predicate)})" if name else compact(predicate)

    def value(self, node: Node) -> str:
        if isinstance(node, Literal):
            tag = f"@{node.language}" if node.language else (f" ({compact(node.datatype)})" if node.datatype else "")
            return f"«{node}»{tag}"
        name = self.label(node)
        return f"«{name}» `{compact(node)}`" if name else f"`{compact(node)}`"


def _term(node: Node, graph: Graph) -> str:
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node) if _prefixable(node, graph) else node.n3()
    return node.n3(graph.namespace_manager)


def _prefixable(node: URIRef, graph: Graph) -> bool:
    text = graph.namespace_manager.normalizeUri(node)
    return not text.startswith("<") and "/" not in text.split(":", 1)[1]


def _validate(version: Version) -> list:
    from gcmgraph.validation import validate_graph

    return validate_graph(version.union(), version.shapes).results


def _result_key(result) -> tuple:
    # the path as text: a SHACL path that is not a single property is a blank node, new on each run
    return (result.severity.label, str(result.focus), result.path_text or "", result.message("en"))


def compare(old: Version, new: Version, *, lang: str = "es", validate: bool = True,
            progress=lambda _m: None) -> Diff:
    """The changes from ``old`` to ``new``: entities, statements, validation counts."""
    added_quads = new.quads - old.quads
    removed_quads = old.quads - new.quads
    old_union, new_union = old.union(), new.union()
    words = _Words(old_union, new_union, lang)
    by_entity: dict[Node, EntityChange] = {}
    old_subjects, new_subjects = set(old_union.subjects()), set(new_union.subjects())
    for quads, side in ((added_quads, "added"), (removed_quads, "removed")):
        for s, p, o, g in quads:
            change = by_entity.get(s)
            if change is None:
                status = ("added" if s not in old_subjects else "removed" if s not in new_subjects else "changed")
                source = new_union if status != "removed" else old_union
                types = sorted(compact(t) for t in source.objects(s, RDF.type))
                change = by_entity[s] = EntityChange(s, status, words.label(s), types)
            getattr(change, side).append((s, p, o, g))
            change.graphs.add(str(g).removeprefix(str(GRAPH)))
    for change in by_entity.values():
        change.lines = _describe(change, words, lang)
    order = {"added": 0, "changed": 1, "removed": 2}
    entities = sorted(by_entity.values(), key=lambda c: (order[c.status], str(c.entity)))
    delta = None
    if validate:
        progress(f"validating {old.name} ...")
        old_results = _validate(old)
        progress(f"validating {new.name} ...")
        new_results = _validate(new)
        old_keys = {_result_key(r): r for r in old_results}
        new_keys = {_result_key(r): r for r in new_results}

        def count(results):
            return {"violations": sum(r.severity.label == "Violation" for r in results),
                    "warnings": sum(r.severity.label == "Warning" for r in results)}

        def say(result):
            name = words.label(result.focus)
            entity = f"`{compact(result.focus)}`" + (f" «{name}»" if name else "")
            path = f" ({result.path_text})" if result.path_text else ""
            return f"{result.severity.label}: {entity}{path}: {result.message(lang)}"

        delta = ValidationDelta(count(old_results), count(new_results),
                                [say(new_keys[k]) for k in sorted(set(new_keys) - set(old_keys))],
                                [say(old_keys[k]) for k in sorted(set(old_keys) - set(new_keys))])
    graphs = sorted({str(g).removeprefix(str(GRAPH)) for *_, g in added_quads | removed_quads})
    return Diff(old.name, new.name, entities, len(added_quads), len(removed_quads), graphs, delta)


def _describe(change: EntityChange, words: _Words, lang: str) -> list[str]:
    """The change of one entity in words: one line per property, old → new where one value replaced another."""
    added: dict = defaultdict(list)
    removed: dict = defaultdict(list)
    for s, p, o, g in change.added:
        added[p].append(o)
    for s, p, o, g in change.removed:
        removed[p].append(o)
    lines = []
    for prop in sorted(set(added) | set(removed), key=lambda p: (p != RDF.type, words.prop(p))):
        new_values = sorted(added.get(prop, []), key=str)
        old_values = sorted(removed.get(prop, []), key=str)
        name = words.prop(prop)
        # one value replaced by another in the same language: say it as a change
        for old_value in list(old_values):
            same = [v for v in new_values if isinstance(v, Literal) == isinstance(old_value, Literal)
                    and getattr(v, "language", None) == getattr(old_value, "language", None)]
            if len(same) == 1 and len(old_values) == 1:
                lines.append(f"{name}: {words.value(old_value)} → {words.value(same[0])}")
                new_values.remove(same[0])
                old_values.remove(old_value)
        if new_values:
            lines.append(f"+ {name}: " + ", ".join(words.value(v) for v in new_values))
        if old_values:
            lines.append(f"− {name}: " + ", ".join(words.value(v) for v in old_values))
    return lines


# --------------------------------------------------------------------------------------------


def _summary(diff: Diff, lang: str) -> tuple[str, str | None]:
    c = diff.counts()
    if lang == "es":
        head = (f"{c['added']} entidades nuevas, {c['changed']} cambiadas, {c['removed']} eliminadas; "
                f"+{diff.added} / −{diff.removed} afirmaciones en {len(diff.graphs)} grafo(s)")
    else:
        head = (f"{c['added']} entities added, {c['changed']} changed, {c['removed']} removed; "
                f"+{diff.added} / −{diff.removed} statements in {len(diff.graphs)} named graph(s)")
    if diff.validation is None:
        return head, None
    v = diff.validation
    verdict = {"es": {"better": "mejor", "worse": "peor", "same": "igual"},
               "en": {"better": "better", "worse": "worse", "same": "unchanged"}}[lang][v.verdict]
    if lang == "es":
        line = (f"validación: {verdict} (violaciones {v.old['violations']} → {v.new['violations']}, "
                f"avisos {v.old['warnings']} → {v.new['warnings']})")
    else:
        line = (f"validation: {verdict} (violations {v.old['violations']} → {v.new['violations']}, "
                f"warnings {v.old['warnings']} → {v.new['warnings']})")
    return head, line


def _statements(diff: Diff, graph: Graph) -> list[str]:
    lines = []
    by_graph: dict[str, list] = defaultdict(list)
    for change in diff.entities:
        for sign, quads in (("+", change.added), ("-", change.removed)):
            for s, p, o, g in quads:
                by_graph[str(g).removeprefix(str(GRAPH))].append((sign, s, p, o))
    for name in sorted(by_graph):
        lines.append(f"# graph {name}")
        for sign, s, p, o in sorted(by_graph[name], key=lambda t: (str(t[1]), t[0] != "-", str(t[2]), str(t[3]))):
            lines.append(f"{sign} {_term(s, graph)} {_term(p, graph)} {_term(o, graph)} .")
    return lines


def render(diff: Diff, fmt: str = "markdown", lang: str = "es") -> str:
    """The diff as Markdown (for a pull request), plain text, or JSON."""
    graph = bind_prefixes(Graph(bind_namespaces="none"))
    if fmt == "json":
        return json.dumps({
            "old": diff.old, "new": diff.new, "counts": diff.counts(), "statements_added": diff.added,
            "statements_removed": diff.removed, "graphs": diff.graphs,
            "validation": None if diff.validation is None else {
                "old": diff.validation.old, "new": diff.validation.new, "verdict": diff.validation.verdict,
                "new_results": diff.validation.appeared, "resolved_results": diff.validation.resolved},
            "entities": [{"entity": str(c.entity), "status": c.status, "label": c.label, "types": c.types,
                          "graphs": sorted(c.graphs), "changes": c.lines,
                          "added": [" ".join(_term(t, graph) for t in q[:3]) for q in c.added],
                          "removed": [" ".join(_term(t, graph) for t in q[:3]) for q in c.removed]}
                         for c in diff.entities],
        }, ensure_ascii=False, indent=2) + "\n"
    head, validation = _summary(diff, lang)
    titles = {"es": {"added": "Entidades nuevas", "changed": "Entidades cambiadas", "removed": "Entidades eliminadas",
                     "statements": "Afirmaciones", "new_results": "Resultados nuevos de la validación",
                     "resolved": "Resultados resueltos"},
              "en": {"added": "Added entities", "changed": "Changed entities", "removed": "Removed entities",
                     "statements": "Statements", "new_results": "New validation results",
                     "resolved": "Resolved validation results"}}[lang]
    md = fmt == "markdown"
    out = [f"## gcmgraph diff `{diff.old}` → `{diff.new}`" if md else f"gcmgraph diff {diff.old} -> {diff.new}", ""]
    out.append(f"**{head}**" if md else head)
    if validation:
        out.append(f"**{validation}**" if md else validation)
    if not diff.entities:
        out += ["", "sin cambios" if lang == "es" else "no change"]
    for status in ("added", "changed", "removed"):
        group = [c for c in diff.entities if c.status == status]
        if not group:
            continue
        out += ["", f"### {titles[status]} ({len(group)})" if md else f"{titles[status]} ({len(group)}):", ""]
        for change in group:
            types = f" ({', '.join(change.types)})" if change.types else ""
            graphs = ", ".join(sorted(change.graphs))
            if md:
                name = f"**«{change.label}»** " if change.label else ""
                out.append(f"- {name}`{compact(change.entity)}`{types} · {graphs}")
            else:
                name = f"«{change.label}» " if change.label else ""
                out.append(f"* {name}{compact(change.entity)}{types} [{graphs}]")
            for line in change.lines:
                out.append(f"  - {line}" if md else f"    {line}")
    if diff.validation is not None and (diff.validation.appeared or diff.validation.resolved):
        for key, results in (("new_results", diff.validation.appeared), ("resolved", diff.validation.resolved)):
            if results:
                out += ["", f"### {titles[key]} ({len(results)})" if md else f"{titles[key]} ({len(results)}):", ""]
                out += [f"- {r}" if md else f"* {r}" for r in results]
    statements = _statements(diff, graph)
    if statements:
        summary = f"{titles['statements']} (+{diff.added} −{diff.removed})"
        if md:
            out += ["", f"<details><summary>{summary}</summary>", "", "```diff", *statements, "```", "", "</details>"]
        else:
            out += ["", summary + ":", *statements]
    return "\n".join(out) + "\n"


def diff_versions(old: str, new: str, *, layout: Layout | None = None, lang: str = "es", validate: bool = True,
                  progress=lambda _m: None) -> Diff:
    """Compare two versions named as on the command line (git revisions, folders, releases, files)."""
    current = layout or default_layout()
    work = Path(tempfile.mkdtemp(prefix="gcmgraph-diff-"))
    try:
        progress(f"reading {old} ...")
        before = resolve(old, work, current)
        progress(f"reading {new} ...")
        after = resolve(new, work, current)
        return compare(before, after, lang=lang, validate=validate, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
