"""Benchmark: load, validation and the whole query catalogue at 10k, 100k, 1M (and 5M) triples.

Run from the repository root::

    python benchmarks/run.py                      # 10k, 100k, 1M and 5M; writes benchmarks/README.md
    python benchmarks/run.py --sizes 10k,100k     # some sizes only
    python benchmarks/run.py --quick              # 10k only, three repetitions of nothing: a smoke test
    python benchmarks/run.py --steps validate-fast,validate-plain --sizes 1m --no-readme

Every step runs in a fresh Python process (so its peak memory, ``ru_maxrss``, is its own) with a
time limit (``--timeout``, 600 s); a step over the limit is recorded as such. The synthetic graphs
(:mod:`gcmgraph.synth`, seed 42, N-Quads with one named graph per synthetic source) are written
once to ``build/bench/`` and reused. Results go to ``benchmarks/results.json`` (kept in the
repository beside the table it makes; merged with earlier runs, newest wins) and, unless
``--no-readme``, into the table of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
README = Path(__file__).resolve().parent / "README.md"
#: every figure of the table, so that rerunning some steps or sizes keeps the others
RESULTS = Path(__file__).resolve().parent / "results.json"
SEED = 42
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
#: steps, in the order they run; the plain rdflib + pySHACL ones are skipped above 1M
STEPS = [
    "load-rdflib", "load-oxigraph", "load-oxigraph-disk", "open-oxigraph-disk",
    "validate-plain", "validate-fast", "validate-fast-rdflib",
    "catalogue-rdflib", "catalogue-oxigraph-raw", "catalogue-backend", "pipeline-fast",
]
PLAIN_STEPS = {"load-rdflib", "validate-plain", "validate-fast-rdflib", "catalogue-rdflib"}
#: above this size only load and the catalogue run (on Oxigraph)
MAX_PLAIN = 1_000_000
#: the whole catalogue on rdflib, and validate_fast on an rdflib graph, only up to this size (at
#: 100k eight queries already pass a minute each on rdflib; the plain path's parse and pySHACL
#: steps alone put it far behind at 1M)
MAX_RDFLIB_CATALOGUE = 100_000
LARGE_STEPS = {"load-oxigraph", "load-oxigraph-disk", "open-oxigraph-disk", "catalogue-oxigraph-raw",
               "catalogue-backend"}

#: values for the catalogue's parameters (the synthetic graph has national governments of every
#: one of the 52 countries; AR is the third)
PARAMS = {"country": "AR", "objective": 16, "text": "integración", "lang": "es"}


def entity(seed: int = SEED) -> str:
    return f"https://w3id.org/gcmgraph/id/org/synth-ar-gobierno-nacional-{seed}"


# --------------------------------------------------------------------------------------------------
# Steps (each runs in its own process: python benchmarks/run.py --step NAME --file F)
# --------------------------------------------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rdflib_graph(path: Path):
    from rdflib import Dataset, Graph
    t = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(path), format="nquads")
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    del dataset
    return union, time.perf_counter() - t


def _oxigraph_store(path: Path, location: Path | None = None):
    import pyoxigraph as ox
    t = time.perf_counter()
    store = ox.Store(str(location)) if location else ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store, time.perf_counter() - t


def _shapes():
    import gcmgraph
    return gcmgraph.load().shapes()


def _queries(param_graph):
    """(name, final SPARQL text) for every catalogue query, bound as the backends bind them."""
    from gcmgraph.catalogue import Catalogue
    try:
        from gcmgraph.backends import bind
    except ImportError:  # pragma: no cover - before the backends module existed
        bind = None
    out = []
    for query in Catalogue.load():
        params = {}
        for p in query.parameters:
            if p.type in PARAMS:
                params[p.name] = PARAMS[p.type]
            elif p.type == "iri" and p.required:
                params[p.name] = entity()
        text = bind(query, params, param_graph) if bind else query.bind(params, param_graph)
        out.append((query, params, text))
    return out


def _param_graph_ox(store):
    """The countries' codes, for binding country parameters (as OxigraphBackend.parameter_graph)."""
    from rdflib import Graph
    from gcmgraph.backends import PARAMETER_QUERY
    from gcmgraph.scale_validation import _Terms
    g = Graph()
    terms = _Terms()
    for t in store.query(PARAMETER_QUERY, use_default_graph_as_union=True):
        g.add((terms(t.subject), terms(t.predicate), terms(t.object)))
    return g


QUERY_TIMEOUT = 60.0


def _timed(fn, timeout: float) -> list:
    """Run ``fn()`` (which returns a row count) in a forked child with a time limit:
    [seconds, rows], or [None, "timeout"] when it takes longer (the child is killed). The child
    shares the parent's loaded graph (copy-on-write)."""
    import select
    import signal
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            t = time.perf_counter()
            rows = fn()
            payload = json.dumps([round(time.perf_counter() - t, 4), rows])
        except BaseException as err:  # noqa: BLE001
            payload = json.dumps([None, f"error: {err}"[:200]])
        os.write(write, payload.encode())
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], timeout)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return [None, f"timeout {timeout:.0f} s"]
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data)


def _count_rows(result) -> int:
    try:
        return len(result)
    except TypeError:
        return sum(1 for _ in result)


def _total(out: dict, per: dict) -> None:
    """Catalogue time: the sum over queries; a query stopped at the limit counts as the limit."""
    out["seconds"] = sum(v[0] if v[0] is not None else QUERY_TIMEOUT for v in per.values())
    out["timeouts"] = sum(1 for v in per.values() if v[0] is None)


def _catalogue_on(backend, run, same_store: dict | None = None) -> dict:
    """Every catalogue query through ``gcmgraph.backends.run`` (rows as a DataFrame).

    The codes of the countries, which country parameters are bound from, are read once first, as
    in any session (each query runs in a forked child, which would otherwise read them again)."""
    from gcmgraph.catalogue import Catalogue
    if hasattr(backend, "parameter_graph"):
        backend.parameter_graph()
    per = {}
    for query in Catalogue.load():
        params = {}
        for p in query.parameters:
            if p.type in PARAMS:
                params[p.name] = PARAMS[p.type]
            elif p.type == "iri" and p.required:
                params[p.name] = entity()
        per[query.name] = _timed(lambda: _count_rows(run(backend, query, params)), QUERY_TIMEOUT)
        if same_store is not None:
            # the same final text straight on the backend's own pyoxigraph store: what gcmgraph
            # adds (binding, checks, rows as a DataFrame) apart from the store's layout
            from gcmgraph.backends import bind
            text = bind(query, params, backend.parameter_graph())
            union = backend.union == "view"
            same_store[query.name] = _timed(
                lambda: sum(1 for _ in backend.store.query(text, use_default_graph_as_union=union)),
                QUERY_TIMEOUT)
    return per


def step(name: str, path: Path, size: int) -> dict:
    out: dict = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    t0 = time.perf_counter()
    if name == "load-rdflib":
        graph, out["load_s"] = _rdflib_graph(path)
        out["triples"] = len(graph)
        out["seconds"] = out["load_s"]
    elif name == "load-oxigraph":
        store, out["load_s"] = _oxigraph_store(path)
        out["triples"] = len(store)
        out["seconds"] = out["load_s"]
    elif name == "load-oxigraph-disk":
        location = BUILD / f"store-{size}"
        if location.exists():
            import shutil
            shutil.rmtree(location)
        store, out["load_s"] = _oxigraph_store(path, location)
        store.flush()
        out["seconds"] = out["load_s"]
    elif name == "open-oxigraph-disk":
        import pyoxigraph as ox
        location = BUILD / f"store-{size}"
        if not location.exists():
            return {"skipped": "run load-oxigraph-disk first"}
        t = time.perf_counter()
        store = ox.Store.read_only(str(location))
        n = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0]
        out["seconds"] = time.perf_counter() - t
        out["triples"] = int(n.value)
    elif name == "validate-plain":
        from gcmgraph.validation import validate_graph
        graph, out["load_s"] = _rdflib_graph(path)
        shapes = _shapes()
        t = time.perf_counter()
        report = validate_graph(graph, shapes)
        out["seconds"] = time.perf_counter() - t
        out["results"] = len(report.results)
    elif name == "validate-fast-rdflib":
        from gcmgraph.scale_validation import validate_fast
        graph, out["load_s"] = _rdflib_graph(path)
        shapes = _shapes()
        t = time.perf_counter()
        report = validate_fast(graph, shapes)
        out["seconds"] = time.perf_counter() - t
        out["results"] = len(report.results)
    elif name == "validate-fast":
        from gcmgraph.scale_validation import FastValidator
        store, out["load_s"] = _oxigraph_store(path)
        validator = FastValidator(_shapes())
        t = time.perf_counter()
        report = validator.validate(store)
        out["seconds"] = time.perf_counter() - t
        out["results"] = len(report.results)
        out["parts"] = {k: round(v, 2) for k, v in validator.timings.items()}
    elif name == "catalogue-rdflib":
        graph, out["load_s"] = _rdflib_graph(path)
        from gcmgraph.results import to_python
        per = {}
        for query, _, text in _queries(graph):
            per[query.name] = _timed(lambda: _count_rows(to_python(graph.query(text))), QUERY_TIMEOUT)
        out["queries"] = per
        _total(out, per)
    elif name == "catalogue-oxigraph-raw":
        store, out["load_s"] = _oxigraph_store(path)
        per = {}
        for query, _, text in _queries(_param_graph_ox(store)):
            per[query.name] = _timed(lambda: len(list(store.query(text, use_default_graph_as_union=True))),
                                     QUERY_TIMEOUT)
        out["queries"] = per
        _total(out, per)
    elif name == "catalogue-backend":
        from gcmgraph.backends import OxigraphBackend, run
        t = time.perf_counter()
        backend = OxigraphBackend(None)  # the default: named graphs and their merge
        backend.load_file(path)  # N-Quads: the named graphs, and their merge in the default graph
        out["load_s"] = time.perf_counter() - t
        out["raw_same_store"] = {}
        per = _catalogue_on(backend, run, out["raw_same_store"])
        out["queries"] = per
        _total(out, per)
        out["raw_same_store_s"] = sum(v[0] if v[0] is not None else QUERY_TIMEOUT
                                      for v in out["raw_same_store"].values())
    elif name == "pipeline-fast":
        # what a user runs: gcmgraph.load([FILE], backend="oxigraph") (the shipped graph parsed
        # with rdflib, FILE bulk-loaded into the store), kg.validate() (validate_fast on the
        # store's merged graph), then every catalogue query through the backend
        import gcmgraph
        from gcmgraph.backends import run
        kg = gcmgraph.load([path], backend="oxigraph")
        out["load_s"] = time.perf_counter() - t0
        t = time.perf_counter()
        report = kg.validate()
        out["validate_s"] = time.perf_counter() - t
        out["results"] = len(report.results)
        t = time.perf_counter()
        per = _catalogue_on(kg.backend, run)
        out["catalogue_s"] = time.perf_counter() - t
        out["queries"] = per
        _total(out, per)
        out["seconds"] = time.perf_counter() - t0
        out["incomplete"] = out.get("timeouts", 0)
    else:
        raise SystemExit(f"unknown step {name}")
    out["peak_mb"] = round(_peak_mb(), 1)
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


# --------------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------------

def ensure_data(label: str, size: int, seed: int) -> Path:
    from gcmgraph.synth import write_synthetic
    path = BUILD / f"synth-{label}-seed{seed}.nq"
    if not path.exists():
        t = time.perf_counter()
        summary = write_synthetic(path, size, seed, 0.001)
        print(f"  wrote {path.relative_to(ROOT)}: {summary.triples:,} triples, {summary.graphs:,} graphs, "
              f"{len(summary.defects)} seeded defects, {time.perf_counter() - t:.1f} s", flush=True)
    if not path.with_suffix(".nt").exists():
        write_synthetic(path.with_suffix(".nt"), size, seed, 0.001, manifest=False)
    return path


def run_step(name: str, path: Path, size: int, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", name, "--file", str(path),
           "--size", str(size), "--query-timeout", str(QUERY_TIMEOUT)]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout, "wall_s": round(time.perf_counter() - t, 1)}
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - t, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    global QUERY_TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1m,5m")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--quick", action="store_true", help="10k only (a smoke test of the benchmark)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--query-timeout", type=float, default=60.0,
                        help="time limit of one catalogue query (s); a query over it counts as the limit")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    QUERY_TIMEOUT = args.query_timeout
    if args.step:
        print(json.dumps(step(args.step, Path(args.file), args.size)))
        return 0

    labels = ["10k"] if args.quick else [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    BUILD.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    results.setdefault("machine", {})
    results["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform(), "date": time.strftime("%Y-%m-%d")}
    for label in labels:
        size = SIZES[label]
        path = ensure_data(label, size, args.seed)
        for name in steps:
            if size > MAX_PLAIN and name not in LARGE_STEPS:
                continue
            if size > MAX_RDFLIB_CATALOGUE and name in ("catalogue-rdflib", "validate-fast-rdflib"):
                continue
            print(f"[{label}] {name} ...", end=" ", flush=True)
            result = run_step(name, path, size, args.timeout)
            results.setdefault(label, {})[name] = result
            shown = (f"{result['seconds']:.2f} s, {result.get('peak_mb', 0):,.0f} MB" if "seconds" in result
                     else json.dumps(result))
            print(shown, flush=True)
            results_file.write_text(json.dumps(results, indent=1))
    if not args.no_readme:
        write_readme(results)
        print(f"wrote {README.relative_to(ROOT)}")
    return 0


# --------------------------------------------------------------------------------------------------
# The README table
# --------------------------------------------------------------------------------------------------

def _fmt_s(r: dict | None, key: str = "seconds") -> str:
    if not r:
        return "–"
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s (stopped)"
    if "skipped" in r:
        return "skipped"
    if "error" in r:
        return "error"
    more = f" ({r['timeouts']} q. stopped)" if r.get("timeouts") else ""
    return f"{'≥ ' if more else ''}{r[key]:.2f} s{more}"


def _fmt_mb(r: dict | None) -> str:
    return f"{r['peak_mb']:,.0f}" if r and "peak_mb" in r else "–"


NAMES = {
    "load-rdflib": "load: rdflib parse (N-Quads → union Graph)",
    "load-oxigraph": "load: pyoxigraph bulk load, in memory",
    "load-oxigraph-disk": "load: pyoxigraph bulk load, on disk",
    "open-oxigraph-disk": "load: reopen the on-disk store (+ count)",
    "validate-plain": "validate: plain pySHACL (rdflib graph)",
    "validate-fast-rdflib": "validate: validate_fast on the rdflib graph",
    "validate-fast": "validate: validate_fast on the pyoxigraph store",
    "catalogue-rdflib": "catalogue on rdflib (gcmgraph.results)",
    "catalogue-oxigraph-raw": "catalogue on raw pyoxigraph Store.query",
    "catalogue-backend": "catalogue on gcmgraph.backends OxigraphBackend",
    "pipeline-fast": "**fast path: load + validate + catalogue** (gcmgraph.load(backend=\"oxigraph\"))",
}
#: the issue's targets at 1M triples
TARGET_SECONDS, TARGET_MB, TARGET_SPEEDUP, TARGET_QUERY_RATIO = 30.0, 3 * 1024, 10.0, 2.0


def _ok(r: dict | None) -> bool:
    return bool(r) and "seconds" in r


def _plain(r: dict) -> tuple[str, float | None, bool]:
    """The plain path (rdflib parse + pySHACL + catalogue on rdflib): (shown, seconds, exact).

    A step stopped at its limit counts as the limit (a lower bound); the catalogue on rdflib is
    not run above :data:`MAX_RDFLIB_CATALOGUE`, so there the sum is of parse and pySHACL only."""
    parts = [r.get("load-rdflib"), r.get("validate-plain"), r.get("catalogue-rdflib")]
    if not parts[0] or not parts[1]:
        return "–", None, False
    total, exact = 0.0, True
    for part in parts:
        if part is None:
            exact = False
        elif "timeout" in part:
            total += part["timeout"]
            exact = False
        elif "seconds" in part:
            total += part["seconds"]
            exact = exact and not part.get("timeouts")
    return (f"{total:.2f} s" if exact else f"> {total:.0f} s"), total, exact


def table(results: dict) -> str:
    lines = []
    labels = [label for label in SIZES if label in results]
    lines.append("| step | " + " | ".join(f"{label} s | {label} MB" for label in labels) + " |")
    lines.append("|---|" + "---:|---:|" * len(labels))
    for name in STEPS:
        row = [NAMES[name]]
        for label in labels:
            r = results[label].get(name)
            row += [_fmt_s(r), _fmt_mb(r)]
        lines.append("| " + " | ".join(row) + " |")
        if name == "catalogue-backend":
            row = ["catalogue on raw pyoxigraph, on the backend's own store (same text)"]
            for label in labels:
                r = results[label].get(name) or {}
                row += [f"{r['raw_same_store_s']:.2f} s" if "raw_same_store_s" in r else "–", ""]
            lines.append("| " + " | ".join(row) + " |")
    row = ["fast path, its parts: load / validate / catalogue"]
    for label in labels:
        r = results[label].get("pipeline-fast")
        row += [f"{r['load_s']:.1f} / {r['validate_s']:.1f} / {r['catalogue_s']:.1f} s" if _ok(r) else "–", ""]
    lines.append("| " + " | ".join(row) + " |")
    row = ["**plain path: rdflib load + pySHACL + catalogue** (sum)"]
    ratio = ["**speed-up of the fast path**"]
    for label in labels:
        r = results[label]
        shown, total, exact = _plain(r)
        peak = max((p["peak_mb"] for p in (r.get("load-rdflib"), r.get("validate-plain"),
                                           r.get("catalogue-rdflib")) if p and "peak_mb" in p), default=None)
        row += [shown, f"{peak:,.0f}" if peak else "–"]
        fast = r.get("pipeline-fast")
        if total and _ok(fast):
            ratio += [f"{'' if exact else '> '}{total / fast['seconds']:.1f}×", ""]
        else:
            ratio += ["–", ""]
    lines.append("| " + " | ".join(row) + " |")
    lines.append("| " + " | ".join(ratio) + " |")
    row = ["validation speed-up (plain pySHACL / validate_fast on the store)"]
    for label in labels:
        a, b = results[label].get("validate-plain"), results[label].get("validate-fast")
        if _ok(a) and _ok(b):
            row += [f"{a['seconds'] / b['seconds']:.1f}×", ""]
        elif a and b and "timeout" in a and _ok(b):
            row += [f"> {a['timeout'] / b['seconds']:.0f}×", ""]
        else:
            row += ["–", ""]
    lines.append("| " + " | ".join(row) + " |")
    row = ["load average (1 min) while the steps ran, min–max"]
    for label in labels:
        seen = [v for r in results[label].values() if isinstance(r, dict)
                for v in (r.get("load_average", [None])[0], r.get("load_average_end", [None])[0]) if v is not None]
        row += [f"{min(seen):.1f}–{max(seen):.1f}" if seen else "–", ""]
    lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _ratios(r: dict) -> dict:
    """backend / raw pyoxigraph time per query, where both finished: raw on the backend's own store
    (the same data, the same layout) when measured, else raw on the union view."""
    raw = ((r.get("catalogue-backend") or {}).get("raw_same_store")
           or (r.get("catalogue-oxigraph-raw") or {}).get("queries", {}))
    backend = (r.get("catalogue-backend") or {}).get("queries", {})
    return {name: backend[name][0] / raw[name][0] for name in raw
            if name in backend and raw[name][0] and backend[name][0] is not None}


def targets(results: dict) -> str:
    """The issue's targets, each with what was measured."""
    lines = ["| target | measured | met |", "|---|---|---|"]
    r = results.get("1m") or {}
    fast = r.get("pipeline-fast")
    if _ok(fast):
        complete = not fast.get("timeouts")
        lines.append(f"| 1M: load + validate + catalogue < {TARGET_SECONDS:.0f} s | "
                     f"{'' if complete else '≥ '}{fast['seconds']:.1f} s ({fast['load_s']:.1f} + "
                     f"{fast['validate_s']:.1f} + {fast['catalogue_s']:.1f}) | "
                     f"{'yes' if complete and fast['seconds'] < TARGET_SECONDS else 'no'} |")
        lines.append(f"| 1M: peak memory < 3 GB | {fast['peak_mb']:,.0f} MB | "
                     f"{'yes' if fast['peak_mb'] < TARGET_MB else 'no'} |")
        shown, total, exact = _plain(r)
        if total:
            speed = total / fast["seconds"]
            lines.append(f"| 1M: ≥ {TARGET_SPEEDUP:.0f}× faster than rdflib + pySHACL | plain path {shown} "
                         f"/ fast path {fast['seconds']:.1f} s = {'' if exact else '> '}{speed:.1f}× | "
                         f"{'yes' if speed >= TARGET_SPEEDUP else ('no' if exact else 'not shown')} |")
    ratios = _ratios(r)
    if ratios:
        over = sorted((v, k) for k, v in ratios.items() if v > TARGET_QUERY_RATIO)
        worst = max(ratios.values())
        raw_q = r["catalogue-oxigraph-raw"]["queries"]
        stopped = [k for k, v in raw_q.items() if v[0] is None]
        text = f"{len(ratios) - len(over)} of {len(ratios)} within 2×, largest {worst:.1f}×"
        if over:
            text += " (" + ", ".join(f"{k} {v:.1f}×" for v, k in reversed(over)) + ")"
        if stopped:
            text += f"; stopped on raw pyoxigraph: {', '.join(stopped)}"
        lines.append(f"| 1M: each catalogue query within 2× raw pyoxigraph on the same store | {text} | "
                     f"{'yes' if not over and not stopped else 'no'} |")
    big = results.get("5m") or {}
    steps = [big.get(s) for s in ("load-oxigraph", "catalogue-oxigraph-raw", "catalogue-backend")]
    if any(steps):
        parts = []
        for s, label in zip(steps, ("load", "catalogue raw", "catalogue backend")):
            parts.append(f"{label} {_fmt_s(s)}" + (f", {s['peak_mb']:,.0f} MB" if s and "peak_mb" in s else ""))
        done = all(_ok(s) and not s.get("timeouts") for s in steps)
        lines.append(f"| 5M: load and the whole catalogue run | {'; '.join(parts)} | {'yes' if done else 'no'} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def per_query_table(results: dict) -> str:
    labels = [label for label in SIZES if label in results
              and (results[label].get("catalogue-oxigraph-raw") or {}).get("queries")]
    if not labels:
        return ""

    def cell(v):
        if not v:
            return "–"
        return f"{v[0]:.3f}; {v[1]}" if v[0] is not None else str(v[1])

    head = ["query"]
    for label in labels:
        if (results[label].get("catalogue-rdflib") or {}).get("queries"):
            head.append(f"{label} rdflib")
        head += [f"{label} raw", f"{label} raw, same store", f"{label} backend", f"{label} ratio"]
    lines = ["Per query (seconds; rows): rdflib (`gcmgraph.results`); raw pyoxigraph `Store.query` on "
             "the N-Quads loaded as they are, read as a union (`use_default_graph_as_union`: bag "
             "semantics across graphs); raw pyoxigraph on the backend's own store (the named graphs "
             "and their merge in the default graph, which the backend reads: set semantics, the "
             "answers of rdflib), the same final text; `OxigraphBackend` through "
             "`gcmgraph.backends.run` (rows as a DataFrame); the ratio backend / raw on the same "
             "store.", "", "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    names = sorted({n for label in labels for n in results[label]["catalogue-oxigraph-raw"]["queries"]})
    for name in names:
        row = [name]
        for label in labels:
            r = results[label]
            rdf = (r.get("catalogue-rdflib") or {}).get("queries")
            if rdf:
                row.append(cell(rdf.get(name)))
            x = r["catalogue-oxigraph-raw"]["queries"].get(name)
            b = (r.get("catalogue-backend") or {}).get("queries", {}).get(name)
            same = (r.get("catalogue-backend") or {}).get("raw_same_store", {}).get(name)
            ratio = _ratios(r).get(name)
            row += [cell(x), cell(same), cell(b), f"{ratio:.1f}" if ratio is not None else "–"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def write_readme(results: dict) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    machine = results.get("machine", {})
    goals = targets(results)
    block = (f"{start}\n\nMeasured {machine.get('date', '')} on {machine.get('cpus', '?')} CPUs, Python "
             f"{machine.get('python', '')} ({machine.get('platform', '')}).\n\n" + table(results) + "\n\n"
             + (f"The issue's targets:\n\n{goals}\n\n" if goals else "")
             + per_query_table(results) + f"\n\n{end}")
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text + "\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
