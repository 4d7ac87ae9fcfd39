"""Reading curated Turtle files into one dataset, one named graph per source of statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from gcmgraph.errors import InputError
from gcmgraph.namespaces import bind_prefixes
from gcmgraph.paths import BULK_SUFFIXES, CURATED_SUFFIXES, Layout

FIX_HINT = "Fix the file and run `gcmgraph validate` again."


@dataclass
class LoadedFile:
    """One file read into the dataset: where it came from, its graph, the subjects it describes."""

    path: Path
    display: str
    graph: URIRef
    subjects: set = field(default_factory=set)
    #: IRIs the file points to (as objects), for entities that no file describes
    references: set = field(default_factory=set)
    triples: int = 0
    #: an N-Triples or N-Quads file (read with its own graphs; not held in rdflib on oxigraph)
    bulk: bool = False


def parse_turtle(path: Path, display: str | None = None) -> Graph:
    """Parse one Turtle file, turning parser errors into an :class:`InputError` with file and line."""
    display = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=display,
                         hint="Check the path; gcmgraph reads Turtle files (.ttl) and folders of them.") from None
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte {err.start})", path=display, line=line,
                         hint="Turtle files must be UTF-8; re-save the file as UTF-8.") from None
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as err:
        # rdflib counts the lines before the offending one
        line = err.lines + 1
        reason = err._why  # the parser's own words, e.g. 'Prefix "foo:" not bound'
        hint = FIX_HINT
        if "not bound" in reason:
            hint = "Declare the prefix with @prefix at the top of the file, or write the full IRI in <...>."
        raise InputError(f"malformed Turtle: {reason}", path=display, line=line, hint=hint) from None
    except Exception as err:  # rdflib raises plain exceptions for some malformed terms
        raise InputError(f"malformed Turtle: {err}", path=display, hint=FIX_HINT) from None
    return graph


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files given directly, plus every Turtle file under folders given."""
    files: list[Path] = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*") if p.suffix in CURATED_SUFFIXES and p.is_file()))
        elif item.exists() and item.suffix not in CURATED_SUFFIXES + BULK_SUFFIXES:
            raise InputError(f"unsupported file type {item.suffix or '(none)'}", path=item,
                             hint="gcmgraph reads Turtle files (.ttl) and folders of them, and large "
                                  "N-Triples (.nt) or N-Quads (.nq) files given by name.")
        else:
            files.append(item)
    return files


def parse_bulk(path: Path, display: str | None = None) -> Dataset:
    """Read an N-Triples or N-Quads file (N-Quads keep their named graphs)."""
    display = display or str(path)
    fmt = "nquads" if path.suffix == ".nq" else "nt"
    dataset = Dataset()
    try:
        dataset.parse(path, format=fmt, publicID=path.resolve().as_uri())
    except FileNotFoundError:
        raise InputError("no such file", path=display, hint="Check the path.") from None
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", path=display,
                         hint="N-Triples and N-Quads files must be UTF-8.") from None
    except Exception as err:  # rdflib's line parsers raise ParseError with the line in the message
        raise InputError(f"malformed {'N-Quads' if fmt == 'nquads' else 'N-Triples'}: {err}",
                         path=display, hint=FIX_HINT) from None
    return dataset


def load_dataset(layout: Layout, extra: Iterable[Path | str] = (), *,
                 bulk_in_rdflib: bool = True) -> tuple[Dataset, list[LoadedFile]]:
    """Read every curated file of ``layout`` and any ``extra`` files into a dataset.

    Each file goes into the named graph the layout assigns it; extra files (a curator's work in
    progress) go into ``graph/extra/{name}``, except N-Quads, which keep their own graphs.
    With ``bulk_in_rdflib=False`` N-Triples and N-Quads files are only listed, not read: the
    oxigraph backend loads them straight into its store, which is what makes it fast at scale.
    """
    dataset = bind_prefixes(Dataset(default_union=True))
    loaded: list[LoadedFile] = []
    curated = layout.curated_files()
    for path in [*curated, *expand_paths(extra)]:
        if path.suffix in BULK_SUFFIXES and path not in curated:
            name = layout.graph_for(path)
            if not path.is_file():
                raise InputError("no such file", path=str(path), hint="Check the path.")
            if not bulk_in_rdflib:
                loaded.append(LoadedFile(path=path, display=str(path), graph=name, bulk=True))
                continue
            bulk = parse_bulk(path)
            subjects, references, count = set(), set(), 0
            for s, p_, o, g in bulk.quads((None, None, None, None)):
                own = g is not None and not str(g).startswith("urn:x-rdflib:default")
                dataset.graph(g if own and path.suffix == ".nq" else name).add((s, p_, o))
                subjects.add(s)
                if isinstance(o, URIRef):
                    references.add(o)
                count += 1
            loaded.append(LoadedFile(path=path, display=str(path), graph=name, subjects=subjects,
                                     references=references, triples=count, bulk=True))
            continue
        # curated files are shown relative to the curated tree, a user's files as the user named them
        display = layout.display(path) if path in curated else str(path)
        graph = parse_turtle(path, display)
        name = layout.graph_for(path)
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
        loaded.append(LoadedFile(path=path, display=display, graph=name,
                                 subjects=set(graph.subjects()),
                                 references={o for o in graph.objects() if isinstance(o, URIRef)},
                                 triples=len(graph)))
    return dataset, loaded
