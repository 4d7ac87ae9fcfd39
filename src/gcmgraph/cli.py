"""The ``gcmgraph`` command: a thin layer over the library.

Results go to stdout, diagnostics to stderr. Exit codes: 0 ok; 1 the data or a query found a
problem (validation violations, a check that returned rows); 2 usage or input error (unknown
command or option, unreadable file, bad parameter); 130 stopped by Ctrl-C, 143 by SIGTERM (see
gcmgraph.interrupt: nothing half-written is left).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path

import click

from gcmgraph import __version__
from gcmgraph.catalogue import Catalogue
from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.export import FORMATS
from gcmgraph.graph import GraphNotFoundWarning, KnowledgeGraph, connect, load
from gcmgraph.interrupt import InterruptibleGroup
from gcmgraph.results import FORMATS as RESULT_FORMATS
from gcmgraph.backends import run as run_on
from gcmgraph.results import render
from gcmgraph.validation import Severity

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

LANG_OPTION = click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
                           help="Language of labels and messages.")


def _fail(error: GcmgraphError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def _remember(ctx: click.Context, param: click.Parameter, value) -> None:
    """Keep an --endpoint-… option for :func:`_load` (the commands themselves do not take them)."""
    ctx.meta[f"gcmgraph.{param.name}"] = value


def backend_options(command):
    """--backend, --store, --endpoint and the --endpoint-… options: where the command's queries run."""
    command = click.option("--endpoint-auth", type=click.Choice(["basic", "digest"]), default="basic",
                           show_default=True, expose_value=False, callback=_remember,
                           help="With --endpoint-user: HTTP authentication (digest for Virtuoso's "
                                "/sparql-auth).")(command)
    command = click.option("--endpoint-user", metavar="USER", default=None, expose_value=False,
                           callback=_remember,
                           help="With --endpoint: the store's user; the password is read from "
                                "GCMGRAPH_PASSWORD, or asked for.")(command)
    command = click.option("--endpoint-graph", metavar="IRI", multiple=True, expose_value=False,
                           callback=_remember,
                           help="With --endpoint: query this named graph of the store (sent as "
                                "default-graph-uri), e.g. the one gcmgraph publish wrote. Repeatable.")(command)
    command = click.option("--endpoint", metavar="URL", default=None,
                           help="Send the queries to this SPARQL endpoint instead.")(command)
    command = click.option("--store", type=click.Path(path_type=Path), default=None,
                           help="On-disk Oxigraph store (built on first use, then reopened).")(command)
    command = click.option("--backend", type=click.Choice(["memory", "oxigraph"]), default="memory",
                           show_default=True, help="Query engine for the local graph.")(command)
    return command


def _load(extra=(), backend: str = "memory", store: Path | None = None,
          endpoint: str | None = None) -> KnowledgeGraph:
    context = click.get_current_context(silent=True)
    meta = context.meta if context else {}
    graphs = list(meta.get("gcmgraph.endpoint_graph") or [])
    user = meta.get("gcmgraph.endpoint_user")
    try:
        if endpoint:
            password = None
            if user is not None:
                password = os.environ.get("GCMGRAPH_PASSWORD")
                if password is None:
                    if not sys.stdin.isatty():
                        raise InputError(f"--endpoint-user {user} without a password",
                                         hint="Set GCMGRAPH_PASSWORD (it is read from there, never from "
                                              "the command line), or run the command at a terminal to be asked.")
                    password = click.prompt(f"password of {user} at {endpoint}", hide_input=True, err=True)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", GraphNotFoundWarning)
                kg = connect(endpoint, user=user, password=password, graphs=graphs or None,
                             auth=meta.get("gcmgraph.endpoint_auth") or "basic")
            for warning in caught:
                if issubclass(warning.category, GraphNotFoundWarning):
                    click.echo(f"warning: {warning.message}", err=True)
                else:  # not ours to reword: shown as Python would have shown it
                    warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
            return kg
        if graphs or user is not None:
            option = "--endpoint-graph" if graphs else "--endpoint-user"
            raise InputError(f"{option} without --endpoint",
                             hint=f"Give the store's SPARQL endpoint with --endpoint URL, or drop {option}.")
        return load(extra, backend=backend, store=store)
    except GcmgraphError as error:
        _fail(error)


def _load_held(paths=(), backend: str = "memory", store: Path | None = None,
               endpoint: str | None = None) -> KnowledgeGraph:
    """The graph as the backend holds it, for commands that read every triple (not a query)."""
    from gcmgraph.held import held

    if endpoint and paths:
        _fail(InputError("files and --endpoint together: the endpoint's graph is read as it is",
                         hint="Publish the files to the store first (gcmgraph publish), or drop --endpoint."))
    kg = _load(paths, backend=backend, store=store, endpoint=endpoint)
    try:
        return held(kg)
    except GcmgraphError as error:
        _fail(error)


@click.group(cls=InterruptibleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gcmgraph")
def main() -> None:
    """gcmgraph: a knowledge graph of migration governance and the Global Compact for Migration.

    \b
    Examples:
      gcmgraph validate                     check the shipped graph against its shapes
      gcmgraph validate my-new-brief/       ... together with files you are preparing
      gcmgraph stats                        entities per class, triples, sources
      gcmgraph export --format turtle --out gcmgraph.ttl

    Exit codes: 0 ok, 1 the data has problems, 2 usage or input error.
    """
    # rdflib logs "does not look like a valid URI" for an IRI with a space before gcmgraph refuses
    # the file with its own message (file, line, the way out): one message, not two
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--warnings/--no-warnings", default=True, show_default=True,
              help="Also list warnings (missing English labels and the like).")
@click.option("--engine", type=click.Choice(["pyshacl", "fast"]), default=None,
              help="pySHACL (the reference; default on --backend memory) or gcmgraph's fast "
                   "validator (the same results, much sooner on large graphs; default on oxigraph).")
@backend_options
def validate(paths: tuple[Path, ...], lang: str, fmt: str, warnings: bool, engine: str | None,
             backend: str, store: Path | None, endpoint: str | None) -> None:
    """Validate the shipped graph, plus any RDF files or folders in PATHS, against the shapes.

    \b
    With --endpoint, validate the copy a SPARQL endpoint holds instead of the local files.
    Exit 0 when there is no violation, 1 when there is (each printed with its file, entity and
    message), 2 when a file cannot be read (file and line).
    """
    # on an Oxigraph store the validator reads the store itself; only an endpoint's graph is read
    # back (into memory) first
    kg = (_load(paths, backend, store) if backend == "oxigraph" and not endpoint
          else _load_held(paths, backend, store, endpoint))
    try:
        report = kg.validate(engine or ("pyshacl" if backend == "memory" and not endpoint else "fast"))
    except GcmgraphError as error:
        _fail(error)
    shown = [r for r in report.results if warnings or r.severity is Severity.VIOLATION]
    if fmt == "json":
        click.echo(json.dumps({
            "conforms": report.conforms,
            "results": [{
                "severity": r.severity.label,
                "focus": str(r.focus),
                "label": kg.label(r.focus, lang),
                "path": None if r.path is None else str(r.path),
                "value": None if r.value is None else str(r.value),
                "shape": None if r.shape is None else str(r.shape),
                "files": list(r.files),
                "message": {"es": r.message("es"), "en": r.message("en")},
            } for r in shown],
        }, ensure_ascii=False, indent=2))
    else:
        for result in shown:
            click.echo(result.format(lang, kg.label(result.focus, lang)))
            click.echo()
        triples = kg._backend.triple_count() if backend == "oxigraph" and not endpoint else len(kg)
        origin = endpoint if endpoint else f"{len(kg.files)} files"
        click.echo(f"{triples:,} triples from {origin}: {report.summary()}")
    sys.exit(EXIT_OK if report.conforms else EXIT_PROBLEM)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@backend_options
def stats(paths: tuple[Path, ...], fmt: str, backend: str, store: Path | None, endpoint: str | None) -> None:
    """Entities per class, triples per named graph, entities per source document.

    \b
    Of the shipped graph plus any files in PATHS, or of what a store or endpoint holds:
      gcmgraph stats --backend oxigraph --store build/store big.nq   (counted by Oxigraph)
      gcmgraph stats --endpoint http://localhost:7878/query
    """
    from gcmgraph.held import stats as held_stats

    if endpoint and paths:
        _fail(InputError("files and --endpoint together: the endpoint's graph is counted as it is",
                         hint="Drop the files, or drop --endpoint."))
    kg = _load(paths, backend=backend, store=store, endpoint=endpoint)
    try:
        result = held_stats(kg)
    except GcmgraphError as error:
        _fail(error)
    if fmt == "json":
        click.echo(json.dumps(result.__dict__, ensure_ascii=False, indent=2))
        return
    click.echo(f"triples: {result.triples:,}")
    for title, table in (("entities per class", result.entities_per_class),
                         ("triples per named graph", result.triples_per_graph),
                         ("entities per source document", result.sources)):
        click.echo(f"\n{title}:")
        width = max(map(len, table), default=0)
        for key, count in table.items():
            click.echo(f"  {key:<{width}}  {count:>6,}")


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="RDF format; guessed from --out's suffix when left out.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="File to write, or - for stdout.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@backend_options
def export_command(fmt: str | None, out: Path, paths: tuple[Path, ...], backend: str,
                   store: Path | None, endpoint: str | None) -> None:
    """Write the whole graph as Turtle, N-Triples, JSON-LD, RDF/XML, TriG or N-Quads.

    TriG and N-Quads keep the named graphs (one per source document, editorial, alignments,
    ontology); the others write their union. The file is written whole or not at all.
    PATHS: more files to include. With --backend oxigraph, N-Triples and N-Quads are written by
    Oxigraph (fast on large graphs); --endpoint exports what a SPARQL endpoint holds.
    """
    from gcmgraph.export import get_format
    from gcmgraph.held import serialize as serialize_held
    from gcmgraph.held import write

    if endpoint and paths:
        _fail(InputError("files and --endpoint together: the endpoint's graph is exported as it is",
                         hint="Drop the files, or drop --endpoint."))
    kg = _load(paths, backend=backend, store=store, endpoint=endpoint)
    try:
        if str(out) == "-":
            sys.stdout.buffer.write(serialize_held(kg, get_format(fmt or "turtle"))[0])
            return
        written, triples = write(kg, out, fmt)
    except GcmgraphError as error:
        _fail(error)
    click.echo(f"wrote {triples:,} triples to {written}", err=True)



@main.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf"]), default=None,
              help="Network file format; guessed from --out's suffix (.graphml, .gexf) when left out.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--projection", type=click.Choice(["full", "actor-objective", "actor-actor"]), default="full",
              show_default=True, help="The whole graph, or actors linked to objectives or to each other.")
@LANG_OPTION
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@backend_options
def network(fmt: str | None, out: Path, projection: str, lang: str, paths: tuple[Path, ...],
            backend: str, store: Path | None, endpoint: str | None) -> None:
    """Write the graph for network analysis (Gephi, networkx, igraph) as GraphML or GEXF.

    \b
    Examples:
      gcmgraph network --out gcmgraph.graphml
      gcmgraph network --projection actor-objective --format gexf --out actors.gexf --lang en

    Nodes carry label, type and IRI; edges the relation's label, its IRI and, for links to
    objectives, how the link is known (stated or editorial). The file is written whole or not at all.
    """
    from gcmgraph.network import projection as build, write

    kg = _load_held(paths, backend, store, endpoint)
    try:
        graph = build(kg, projection, lang)
        written = write(graph, out, fmt)
    except GcmgraphError as error:
        _fail(error)
    click.echo(f"wrote {graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges "
               f"({projection}) to {written}", err=True)


@main.group()
def plot() -> None:
    """Draw pictures of the graph (needs matplotlib: pip install 'gcmgraph[plot]').

    \b
    Examples:
      gcmgraph plot coverage --out coverage.png
      gcmgraph plot network --out actors.png --lang en
    """


def _draw(draw, out: Path) -> None:
    from gcmgraph.plot import save

    try:
        written = save(draw(), out)
    except GcmgraphError as error:
        _fail(error)
    click.echo(f"wrote {written}", err=True)


@plot.command("coverage")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Picture to write: .png, .svg or .pdf.")
@LANG_OPTION
@click.option("--query", "query_name", default="objective-coverage", show_default=True,
              help="Catalogue query or .rq file giving the coverage table (same columns).")
@backend_options
def plot_coverage(out: Path, lang: str, query_name: str, backend: str, store: Path | None,
                  endpoint: str | None) -> None:
    """Heat map of countries x the 23 GCM objectives: how many policies serve each.

    Exit 1 when the query returns no rows (nothing to draw).
    """
    from gcmgraph.plot import coverage_heatmap

    kg = _load(backend=backend, store=store, endpoint=endpoint)
    _draw(lambda: coverage_heatmap(kg, lang, query=query_name), out)


@plot.command("network")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Picture to write: .png, .svg or .pdf.")
@LANG_OPTION
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@backend_options
def plot_network(out: Path, lang: str, paths: tuple[Path, ...], backend: str, store: Path | None,
                 endpoint: str | None) -> None:
    """Actors and the GCM objectives they reach through policies and bodies."""
    from gcmgraph.plot import network_figure

    kg = _load_held(paths, backend, store, endpoint)
    _draw(lambda: network_figure(kg, lang), out)


@main.command()
@LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queries(lang: str, fmt: str) -> None:
    """List the query catalogue: names, titles and parameters."""
    try:
        catalogue = Catalogue.load()
    except GcmgraphError as error:
        _fail(error)
    if fmt == "json":
        click.echo(json.dumps([{
            "name": q.name, "form": q.form, "check": q.is_check, "tags": list(q.tags),
            "title": dict(q.title), "description": dict(q.description),
            "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                            "default": p.default, "allowed": p.allowed_text(),
                            "description": p.describe(lang)} for p in q.parameters],
        } for q in catalogue], ensure_ascii=False, indent=2, default=str))
        return
    for q in catalogue:
        kind = "check" if q.is_check else q.form.lower()
        click.echo(click.style(q.name, bold=True) + f"  ({kind})")
        click.echo(f"  {q.title.get(lang) or q.title.get('en', '')}")
        for p in q.parameters:
            click.echo(f"  -p {p.name} {p.describe(lang)}")
    click.echo(f"\n{len(catalogue)} queries. Run one: gcmgraph query NAME [-p NAME VALUE ...]", err=True)


@main.command()
@click.argument("query")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A parameter of the query; repeat for several.")
@LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(list(RESULT_FORMATS)), default="table", show_default=True)
@click.option("--allow-service", is_flag=True,
              help="Let a query of your own call other SPARQL endpoints with SERVICE (a federated "
                   "query: gcmgraph then fetches from the hosts it names). Refused without it.")
@backend_options
def query(query: str, params: tuple[tuple[str, str], ...], lang: str, fmt: str, allow_service: bool,
          backend: str, store: Path | None, endpoint: str | None) -> None:
    """Run a catalogue QUERY by name, or a .rq file of your own (SELECT, ASK or CONSTRUCT).

    \b
    Examples:
      gcmgraph query policies-by-objective -p objective 16
      gcmgraph query actors-by-country -p country HN --lang en --format csv
      gcmgraph query my-question.rq

    A check (check-*.rq) exits 1 when it returns rows. CONSTRUCT writes Turtle.
    """
    kg = _load(backend=backend, store=store, endpoint=endpoint)
    values = dict(params)
    if len(values) != len(params):
        _fail(InputError("the same parameter is given twice", hint="Give each -p NAME VALUE once."))
    try:
        chosen = kg.catalogue.resolve(query, allow_service=allow_service)
        result = run_on(kg.backend, chosen, values, lang)
    except GcmgraphError as error:
        _fail(error)
    click.echo(render(result, fmt), nl=False)
    if chosen.is_check and getattr(result, "empty", True) is False:
        click.echo(f"check {chosen.name} returned {len(result)} row(s)", err=True)
        sys.exit(EXIT_PROBLEM)


@main.command()
@click.option("--check", is_flag=True, help="Only report files not in canonical form (exit 1 if any).")
def fmt(check: bool) -> None:
    """Rewrite every curated file (ontology, schemes, shapes, data) in canonical Turtle."""
    from gcmgraph.canonical import format_files
    from gcmgraph.paths import default_layout

    try:
        results = format_files(default_layout(), write=not check)
    except GcmgraphError as error:
        _fail(error)
    changed = [r for r in results if r.changed]
    for result in changed:
        click.echo(("not canonical: " if check else "reformatted: ") + result.display)
    if check and changed:
        click.echo("Run `gcmgraph fmt` to rewrite them.", err=True)
        sys.exit(EXIT_PROBLEM)
    click.echo(f"{len(results)} files checked, {len(changed)} {'to reformat' if check else 'reformatted'}",
               err=True)


@main.command()
@click.argument("url")
@click.option("--store-type", type=click.Choice(["oxigraph", "virtuoso", "fuseki", "generic"]), required=True,
              help="The kind of store: how its Graph Store, query and update endpoints are found from URL.")
@click.option("--graph", "target", metavar="IRI", default=None,
              help="Named graph to (re)place. [default: https://w3id.org/gcmgraph/graph/release]")
@click.option("--user", envvar="GCMGRAPH_USER", default=None, help="User name (or GCMGRAPH_USER).")
@click.option("--password", envvar="GCMGRAPH_PASSWORD", default=None,
              help="Password (better: GCMGRAPH_PASSWORD, or leave out to be asked).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default=None,
              help="HTTP authentication. [default: digest for virtuoso, basic otherwise]")
@click.option("--add", "extra", type=click.Path(path_type=Path), multiple=True,
              help="Also publish these RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) or folders (repeat for several).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Triples per upload request.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=300.0, show_default=True,
              help="Seconds to wait for each answer of the store.")
@click.option("--query-url", default=None, metavar="URL", help="SPARQL query endpoint (generic stores).")
@click.option("--update-url", default=None, metavar="URL", help="SPARQL update endpoint (generic stores).")
def publish(url: str, store_type: str, target: str | None, user: str | None, password: str | None,
            auth: str | None, extra: tuple[Path, ...], chunk_size: int, timeout: float,
            query_url: str | None, update_url: str | None) -> None:
    """Load the graph into a named graph of the running store at URL, replacing the old copy only
    once the new one is complete.

    \b
    Examples:
      gcmgraph publish http://localhost:7878 --store-type oxigraph
      GCMGRAPH_USER=dba GCMGRAPH_PASSWORD=... gcmgraph publish http://localhost:8890 --store-type virtuoso
      gcmgraph publish http://localhost:3030/gcm --store-type fuseki --graph https://example.org/g

    \b
    The merge of the curated graphs goes into one named graph, uploaded in chunks into a staging
    graph (Graph Store HTTP Protocol), counted, then swapped in (SPARQL MOVE, or one PUT). If the
    store fails on the way the old graph stays as it was and a rerun is safe. Query the result with
    default-graph-uri=IRI (gcmgraph query NAME --endpoint QUERY-URL --endpoint-graph IRI;
    in Python gcmgraph.connect(url, graphs=[IRI])).
    Exit codes: 0 published, 1 the store failed on the way, 2 bad input, URL or credentials.
    """
    from gcmgraph.publish import DEFAULT_GRAPH, publish as publish_graph

    if user is not None and password is None:
        if not sys.stdin.isatty():
            _fail(InputError("--user without a password",
                             hint="Give --password or set GCMGRAPH_PASSWORD."))
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    kg = _load(extra)
    target = target or DEFAULT_GRAPH
    total = len(kg)
    bar = None
    if total > chunk_size:
        bar = click.progressbar(length=total, label=f"uploading {total:,} triples", file=sys.stderr)
        bar.__enter__()
    done = [0]

    def progress(sent: int, _total: int) -> None:
        if bar is not None:
            bar.update(sent - done[0])
        done[0] = sent

    try:
        result = publish_graph(kg.graph, url, store_type, target=target, user=user, password=password,
                               auth=auth, chunk_size=chunk_size, timeout=timeout, query_url=query_url,
                               update_url=update_url, progress=progress)
    except GcmgraphError as error:
        if bar is not None:
            bar.__exit__(None, None, None)
        _fail(error)
    if bar is not None:
        bar.__exit__(None, None, None)
    before = "new graph" if not result.previous else f"replaced {result.previous:,} triples"
    click.echo(f"published {result.triples:,} triples to <{result.graph}> on {store_type} "
               f"({result.chunks} chunk(s), {before}, swap by {result.swap}, {result.seconds:.1f} s)", err=True)
    if result.query_url:
        click.echo(f"query it at {result.query_url} with default-graph-uri={result.graph}, for example:\n"
                   f"  gcmgraph query sources --endpoint {result.query_url} --endpoint-graph {result.graph}",
                   err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the endpoint to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: a free one).")
@click.option("--backend", type=click.Choice(["memory", "oxigraph"]), default="memory", show_default=True,
              help="memory: a temporary store removed on exit; oxigraph with --store: a store kept and reused.")
@click.option("--store", type=click.Path(path_type=Path), default=None,
              help="On-disk Oxigraph store to serve (built on first use, then reopened).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Query time limit in seconds.")
@click.option("--add", "extra", type=click.Path(path_type=Path), multiple=True,
              help="Also serve these RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) or folders (repeat for several).")
@click.option("--verbose", is_flag=True, help="Log every request on stderr.")
def serve(host: str, port: int, backend: str, store: Path | None, timeout: float, extra: tuple[Path, ...],
          verbose: bool) -> None:
    """Serve the graph as a read-only SPARQL endpoint (the Oxigraph server, with its query page).

    \b
    Examples:
      gcmgraph serve                          http://127.0.0.1:7878/query
      gcmgraph serve --port 8000 --timeout 10
      gcmgraph serve --backend oxigraph --store build/store

    \b
    Queries read the merge of the curated graphs (each named graph too, with GRAPH). Updates and
    federated SERVICE queries are refused (HTTP 403); a query past the time limit is stopped (503).
    Bound to loopback unless --host says otherwise. Stop with Ctrl-C.
    Exit codes: 0 stopped, 2 bad input or the endpoint could not start.
    """
    from gcmgraph.serve import is_loopback, run as run_endpoint

    if store is not None and backend != "oxigraph":
        _fail(InputError("--store needs the oxigraph backend", hint="Add --backend oxigraph."))
    if not is_loopback(host):
        click.echo(click.style(
            f"WARNING: listening on {host}, not loopback: anyone who can reach this machine can query "
            "the endpoint. gcmgraph serve has no authentication and no TLS; put a reverse proxy in "
            "front for public use.", fg="red", bold=True), err=True)
    if store is not None:
        # the files as the store holds them (large N-Triples/N-Quads not parsed in rdflib; without
        # --add, the files the store was built from), then the store is left to the server
        kg = _load(extra, backend="oxigraph", store=store)
        kg.backend.close()
    else:
        kg = _load(extra)

    def announce(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    try:
        run_endpoint(kg, host=host, port=port, timeout=timeout, store=store, announce=announce, verbose=verbose)
    except GcmgraphError as error:
        _fail(error)
    click.echo("stopped", err=True)



@main.command()
@click.option("--triples", type=click.IntRange(min=1), required=True,
              help="About how many triples to write (whole synthetic units, so a few more).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed and size give the same file.")
@click.option("--defects", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Share of synthetic entities given a seeded defect that validation must find.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .nq (one named graph per synthetic source), .nt or .ttl.")
@click.option("--no-base", is_flag=True,
              help="Only the synthetic units, without the ontology and curated graph they build on.")
def synth(triples: int, seed: int, defects: float, out: Path, no_base: bool) -> None:
    """Write a deterministic synthetic graph of this domain's shape, for benchmarks and load tests.

    \b
    It uses the real ontology, conforms to the shapes (apart from the seeded defects, listed in
    FILE.manifest.json beside it) and never touches the curated files. Example:
      gcmgraph synth --triples 1000000 --out build/synth-1m.nq
      gcmgraph validate --backend oxigraph build/synth-1m.nq   (loads it with the shipped graph)
    """
    from gcmgraph.synth import write_synthetic

    if out.suffix not in (".nq", ".nt", ".ttl"):
        _fail(InputError(f"{out}: unknown output format {out.suffix or '(no suffix)'!r}",
                         hint="Name the file .nq (N-Quads), .nt (N-Triples) or .ttl (Turtle)."))
    click.echo(f"writing about {triples:,} triples to {out} (seed {seed}) ...", err=True)
    done = [0]
    try:
        with click.progressbar(length=triples, label="triples", file=sys.stderr) as bar:
            def progress(written: int) -> None:
                bar.update(min(written, triples) - done[0])
                done[0] = min(written, triples)

            summary = write_synthetic(out, triples, seed, defects, base=not no_base, progress=progress)
            bar.update(triples - done[0])
    except OSError as error:
        _fail(InputError(f"cannot write {out}: {error.strerror}",
                         hint="Choose a folder you can write to with enough free space."))
    click.echo(f"wrote {out}: {summary.triples:,} triples, {len(summary.defects)} seeded defects",
               err=True)
@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the site into (replaced whole once the new site is complete).")
@click.option("--base-url", default=None, metavar="URL",
              help="Address the site is hosted at, for canonical links and the sitemap. "
                   "[default: https://w3id.org/gcmgraph/]")
def site(out: Path, base_url: str | None) -> None:
    """Write a static site: a page per entity in Spanish and English, with its Turtle, JSON-LD and
    N-Triples beside it, index pages, the coverage heat map, the ontology and the shapes.

    \b
    Examples:
      gcmgraph site --out build/site
      gcmgraph site --out public --base-url https://example.org/gcmgraph/
      gcmgraph serve-site build/site          then open http://127.0.0.1:8000/

    The file of an IRI is its path: https://w3id.org/gcmgraph/id/country/CO is described by
    id/country/CO.es.html, .en.html, .ttl, .jsonld and .nt. Needs Jinja2 (pip install
    'gcmgraph[site]'); the heat map needs matplotlib. Exit codes: 0 written, 2 bad input.
    """
    from gcmgraph.site import DEFAULT_BASE_URL, build_site, print_progress

    kg = _load()
    try:
        report = build_site(kg, out, base_url or DEFAULT_BASE_URL, progress=print_progress)
    except GcmgraphError as error:
        _fail(error)
    click.echo(f"wrote {report.pages:,} pages and {report.files - report.pages:,} other files "
               f"({report.bytes / 1e6:.1f} MB) for {report.entities} entities to {report.out} "
               f"in {report.seconds:.1f} s", err=True)
    click.echo(f"serve it with content negotiation: gcmgraph serve-site {out}", err=True)


@main.command("serve-site")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the site to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: a free one).")
@click.option("--verbose", is_flag=True, help="Log every request on stderr.")
def serve_site(folder: Path, host: str, port: int, verbose: bool) -> None:
    """Serve a site written by `gcmgraph site`, with content negotiation on every entity IRI.

    \b
    Examples:
      gcmgraph serve-site build/site
      curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/country/CO
      curl -L -H 'Accept-Language: en' http://127.0.0.1:8000/id/objective/16

    \b
    /id/... names a thing: 303 See Other to its page (text/html, in the language of
    Accept-Language), Turtle, JSON-LD or N-Triples, as Accept asks (q-values honoured); 406 lists
    the types when none fits. /ontology and /shapes (hash IRIs) answer 200 with Content-Location.
    GET and HEAD only. Stop with Ctrl-C. Exit codes: 0 stopped, 2 bad folder or port.
    """
    from gcmgraph.serve import is_loopback
    from gcmgraph.serve_site import run as run_site

    if not is_loopback(host):
        click.echo(click.style(f"WARNING: listening on {host}, not loopback: anyone who can reach this "
                               "machine can read the site.", fg="red", bold=True), err=True)

    def announce(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    try:
        run_site(folder, host=host, port=port, verbose=verbose, announce=announce)
    except GcmgraphError as error:
        _fail(error)
    click.echo("stopped", err=True)


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write (created, or replaced whole once the new release is complete).")
@click.option("--version", "version", default=None,
              help="Version name of the release. [default: the installed gcmgraph's version]")
@click.option("--date", "release_date", default=None, metavar="YYYY-MM-DD",
              help="Date of the release. [default: the latest date the data states, so that the "
                   "same data gives the same files]")
@click.option("--base-url", default=None, metavar="URL",
              help="Where the files will be published (download URLs in dcat.ttl and void.ttl). "
                   "[default: https://w3id.org/gcmgraph/release/VERSION/]")
@click.option("--sparql-endpoint", default=None, metavar="URL",
              help="A SPARQL endpoint serving the graph: described as a DCAT data service.")
@click.option("--no-validate", is_flag=True,
              help="Skip checking the graph against its shapes and dcat.ttl against DCAT-AP 3.0.1.")
def release(out: Path, version: str | None, release_date: str | None, base_url: str | None,
            sparql_endpoint: str | None, no_validate: bool) -> None:
    """Write a release: the graph in every RDF format, with DCAT-AP and VoID metadata.

    \b
    Examples:
      gcmgraph release --out build/release
      gcmgraph release --out build/release-0.2.0 --version 0.2.0 --date 2024-06-30 \\
          --base-url https://data.example.net/gcmgraph/0.2.0/ --sparql-endpoint https://data.example.net/sparql

    \b
    Files: gcmgraph.ttl .nt .jsonld (+ context.jsonld) .rdf .trig .nq (TriG and N-Quads keep the
    named graphs), ontology.ttl, shapes.ttl, void.ttl, dcat.ttl, README.md and SHA256SUMS. The
    same data gives byte-identical files. Exit codes: 0 written, 1 the graph or dcat.ttl has a
    violation (nothing written), 2 bad option or output folder.
    """
    from gcmgraph.release import check_out, check_url, check_version, parse_date, write_release

    try:  # options first, so that a typo is reported before the graph is loaded
        when = parse_date(release_date) if release_date else None
        version = check_version(version or __version__)
        base_url = check_url("--base-url", base_url, folder=True) if base_url else None
        sparql_endpoint = check_url("--sparql-endpoint", sparql_endpoint) if sparql_endpoint else None
        check_out(out)
    except GcmgraphError as error:
        _fail(error)
    kg = _load()

    def progress(message: str) -> None:
        click.echo(message, err=True)

    try:
        result = write_release(kg, out, version=version, release_date=when,
                               base_url=base_url, sparql_endpoint=sparql_endpoint,
                               validate=not no_validate, progress=progress)
    except GcmgraphError as error:
        _fail(error)
    total = sum(result.sizes.values())
    click.echo(f"wrote release {result.version} ({result.date.isoformat()}) of {result.triples:,} "
               f"triples to {result.out}: {len(result.sizes)} files, {total:,} bytes", err=True)
    if result.dcat is not None:
        click.echo(f"dcat.ttl: DCAT-AP 3.0.1 {len(result.dcat.violations)} violations, "
                   f"{len(result.dcat.warnings)} warnings (explained in {result.out}/README.md)", err=True)
    click.echo(f"check the files: cd {result.out} && sha256sum -c SHA256SUMS", err=True)



@main.command("import")
@click.argument("tables", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", required=True, metavar="ID|IRI|new|editorial",
              help="The source document the tables record (its id or IRI); new: the tables include a "
                   "source table describing it; editorial: the curators' own links (data/editorial).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write. [default: data/sources/ID, or data/editorial]")
@click.option("--accept", type=click.Choice(["existing", "new"]), default=None,
              help="Records that look like existing entities: use the existing IRIs, or keep them new.")
@click.option("--dry-run", is_flag=True, help="Check the tables and say what would change; write nothing.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation of the result.")
@LANG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def import_command(tables: tuple[Path, ...], source: str, out: Path | None, accept: str | None, dry_run: bool,
                   no_validate: bool, lang: str, fmt: str) -> None:
    """Turn filled templates (CSV files, XLSX workbooks, folders of them) into curated Turtle.

    \b
    Examples:
      gcmgraph import data/sources/unnm-lac-hitos-08/tables --source unnm-lac-hitos-08
      gcmgraph import brief-8.xlsx --source new
      gcmgraph import links.csv --source editorial --lang en

    \b
    Every cell is checked first (country codes, objectives 1-23, dates, references, Spanish
    labels, duplicates); every problem is listed with its file, sheet, row and column, and then
    nothing is written. The source's folder is written whole, one canonical Turtle file per kind
    of record; importing the same tables again changes nothing. Templates: data/templates/.
    Exit codes: 0 imported (or unchanged), 1 the result would not validate, 2 problems in the tables.
    """
    from gcmgraph.curation import TablesRefused, import_tables

    try:
        result = import_tables(tables, source=source, out=out, accept=accept, lang=lang,
                               validate=not no_validate, dry_run=dry_run,
                               progress=lambda m: click.echo(m, err=True))
    except TablesRefused as refused:
        if fmt == "json":
            click.echo(json.dumps({"imported": False, "problems": [p.as_dict() for p in refused.problems]},
                                  ensure_ascii=False, indent=2))
        click.echo(f"error: {refused.render(lang)}", err=True)
        sys.exit(refused.exit_code)
    except GcmgraphError as error:
        _fail(error)
    for warning in result.warnings:
        click.echo(("aviso: " if lang == "es" else "warning: ") + warning, err=True)
    for accepted in result.accepted:
        click.echo(("aceptado como existente: " if lang == "es" else "accepted as existing: ") + accepted, err=True)
    from gcmgraph.paths import default_layout

    records = ", ".join(f"{n} {k}" for k, n in result.records.items() if n)
    where = default_layout().display(result.out)
    if fmt == "json":
        click.echo(json.dumps({"imported": result.written, "changed": result.changed, "out": str(where),
                               "source": None if result.source is None else str(result.source),
                               "records": result.records, "triples": result.triples,
                               "previous_triples": result.previous_triples, "files": sorted(result.files),
                               "warnings": result.warnings, "accepted": result.accepted},
                              ensure_ascii=False, indent=2))
        return
    if not result.changed:
        click.echo(f"sin cambios: {where} ya tiene lo que dicen las tablas ({records})" if lang == "es" else
                   f"unchanged: {where} already holds what the tables say ({records})")
    elif dry_run:
        click.echo(f"se escribiría {where}: {records}; {result.triples} triples (antes {result.previous_triples})"
                   if lang == "es" else
                   f"would write {where}: {records}; {result.triples} triples (was {result.previous_triples})")
    else:
        click.echo(f"importado en {where}: {records}; {len(result.files)} archivos, {result.triples} triples "
                   f"(antes {result.previous_triples})" if lang == "es" else
                   f"imported into {where}: {records}; {len(result.files)} files, {result.triples} triples "
                   f"(was {result.previous_triples})")
        click.echo("Revise el cambio con `gcmgraph diff HEAD .` y valide con `gcmgraph validate`." if lang == "es"
                   else "Review the change with `gcmgraph diff HEAD .` and run `gcmgraph validate`.", err=True)


@main.command("new-source")
@click.option("--title", required=True, help="Title of the document in Spanish, as it prints it.")
@click.option("--id", "id_", default=None, help="Short id (lower-case words joined by -). [default: minted from the title]")
@click.option("--title-en", default=None, help="English title (the curators' translation).")
@click.option("--series", default=None, help="Id of the series it belongs to (a source, e.g. unnm-hitos-clave-y-avances).")
@click.option("--number", type=click.IntRange(min=0), default=None, help="Number in the series.")
@click.option("--publisher", default=None, help="Id of the publishing actor (e.g. un-network-on-migration).")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Publication date (YYYY-MM or YYYY when that is all it gives).")
@click.option("--language", default="es", show_default=True, help="Language of the document: es, en, pt, fr.")
@click.option("--url", default=None, help="Web address of the document.")
@click.option("--local-copy", default=None, help="Path of the copy kept in the shared folder.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to create. [default: data/sources/ID]")
@LANG_OPTION
def new_source_command(title: str, id_: str | None, title_en: str | None, series: str | None, number: int | None,
                       publisher: str | None, date: str | None, language: str, url: str | None,
                       local_copy: str | None, out: Path | None, lang: str) -> None:
    """Create the folder of a new source document: its description, a README and empty tables.

    \b
    Example:
      gcmgraph new-source --id unnm-lac-hitos-08 --title "Hitos clave y avances #8 – ..." \\
          --series unnm-hitos-clave-y-avances --number 8 --publisher un-network-on-migration \\
          --date 2024-06 --url https://example.org/hitos-8.pdf
    Then fill data/sources/ID/tables/ and run: gcmgraph import data/sources/ID/tables --source ID
    """
    from gcmgraph.curation import TablesRefused, new_source

    try:
        result = new_source(title=title, id=id_, label_en=title_en, series=series, number=number,
                            publisher=publisher, date=date, language=language, url=url,
                            local_copy=local_copy, out=out, lang=lang)
    except TablesRefused as refused:
        click.echo(f"error: {refused.render(lang)}", err=True)
        sys.exit(refused.exit_code)
    except GcmgraphError as error:
        _fail(error)
    from gcmgraph.paths import default_layout

    slug = str(result.source).rsplit("/", 1)[-1]
    where = default_layout().display(result.out)
    click.echo(f"created {where}: source.ttl, README.md, tables/ (<{result.source}>)")
    click.echo(f"Next: fill {where}/tables/*.csv, then run `gcmgraph import {where}/tables --source {slug}`",
               err=True)


@main.command("export-tables")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (replaced whole once every table is written).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
              help="One CSV file per table, or one workbook with a sheet per table, per folder.")
@click.option("--source", "only", default=None, metavar="ID|editorial", help="Only this folder.")
@click.option("--empty", is_flag=True,
              help="Write the empty templates (CSV, templates.xlsx, COLUMNS.md), keeping other files in --out.")
def export_tables_command(out: Path, fmt: str, only: str | None, empty: bool) -> None:
    """Write the curated graph back to the curation templates, one folder per source.

    \b
    Examples:
      gcmgraph export-tables --out build/tables
      gcmgraph export-tables --out build/tables --format xlsx --source unnm-lac-hitos-07
      gcmgraph export-tables --empty --out data/templates

    Importing a folder's tables back (gcmgraph import DIR/sources/ID --source ID) reproduces it.
    """
    from gcmgraph.curation import export_tables

    try:
        result = export_tables(out, fmt=fmt, empty=empty, only=only, progress=lambda m: click.echo(m, err=True))
    except GcmgraphError as error:
        _fail(error)
    if empty:
        click.echo(f"wrote the empty templates to {out}")
        return
    for folder, counts in result.folders.items():
        described = ", ".join(f"{n} {k}" for k, n in counts.items())
        click.echo(f"{out / folder}: {described}")



@main.command("diff")
@click.argument("old")
@click.argument("new", default=".")
@click.option("--format", "fmt", type=click.Choice(["markdown", "text", "json"]), default="markdown",
              show_default=True)
@click.option("--no-validate", is_flag=True, help="Do not validate the two versions (faster).")
@click.option("--check", is_flag=True, help="Exit 1 when validation got worse.")
@LANG_OPTION
def diff_command(old: str, new: str, fmt: str, no_validate: bool, check: bool, lang: str) -> None:
    """What changed from OLD to NEW, entity by entity, and whether validation got better or worse.

    \b
    OLD and NEW: git revisions (HEAD, main~1, a tag), folders with a curated tree (. is the
    working copy, the default NEW), release folders (gcmgraph.nq) or RDF files.
    Examples:
      gcmgraph diff HEAD                     your uncommitted changes, as Markdown for a review
      gcmgraph diff main curation --format text --lang en
      gcmgraph diff build/release-0.1 build/release-0.2 --format json
    """
    from gcmgraph.diff import diff_versions, render

    try:
        result = diff_versions(old, new, lang=lang, validate=not no_validate,
                               progress=lambda m: click.echo(m, err=True))
    except GcmgraphError as error:
        _fail(error)
    click.echo(render(result, fmt, lang), nl=False)
    if check and result.validation is not None and result.validation.verdict == "worse":
        sys.exit(EXIT_PROBLEM)


if __name__ == "__main__":
    main()
