"""Load on the endpoint: many concurrent clients against `gcmgraph serve`, on loopback only.

Run from the repository root::

    python benchmarks/load.py                          # 16 clients, 3000 requests or 180 s
    python benchmarks/load.py --clients 32 --requests 6000 --timeout 5
    python benchmarks/load.py --triples 100000         # with a synthetic graph added (gcmgraph synth)

It starts ``gcmgraph serve`` (the real command, a free port on 127.0.0.1, ``--timeout`` seconds
of query time limit), waits until it answers, and runs ``--clients`` threads that send, until
``--requests`` requests are done or ``--duration`` seconds have passed (whichever comes first):

- **catalogue** queries: every query of ``queries/``, bound with its parameters as
  ``gcmgraph query`` binds them (POST, SPARQL JSON results), in turn;
- **pathological** queries, one in ``--pathological-every`` requests: a cartesian product of the
  whole graph with itself three times (counted, and sorted), and unbounded property paths
  (``(<>|!<>)*`` from every node, and ``^rdf:type*/rdf:type*``): each must be stopped by the time
  limit (HTTP 503) while the endpoint keeps answering the others;
- **refused** requests, as often: an update and a ``SERVICE`` query (HTTP 403).

It reports throughput (answered catalogue queries per second), p50/p99 latency of each kind,
errors by kind and status, and the resident memory of the server (the gcmgraph process and its
Oxigraph server, summed from ``/proc``) before and after, and checks that the endpoint still
answers ``ASK {}`` at the end. Results: printed as a table and written to
``build/bench/load.json``. Requests go to 127.0.0.1 only; the script refuses any other address.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"

PATHOLOGICAL = {
    "cartesian-count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "cartesian-sorted": "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    "unbounded-path": "SELECT (COUNT(*) AS ?n) WHERE { ?s (<urn:x:p>|!<urn:x:p>)* ?o }",
    "unbounded-inverse-path": ("SELECT ?s ?o WHERE { ?s ^<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>*"
                               "/<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>* ?o } ORDER BY ?s ?o"),
}
REFUSED = {
    "update": ("update", "DROP ALL"),
    "service": ("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
}


@dataclass
class Sample:
    kind: str
    name: str
    status: int
    seconds: float
    rows: int | None = None
    note: str = ""


@dataclass
class Report:
    clients: int
    requests: int
    seconds: float
    time_limit: float
    triples: int
    throughput: float
    latency: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    catalogue_errors: int = 0
    #: catalogue queries answered 503, by why: stopped at the time limit, the engine restarted under
    #: them (to stop another query), the endpoint busy (every slot taken for the whole time limit)
    catalogue_503: dict = field(default_factory=dict)
    pathological_stopped: int = 0
    pathological_total: int = 0
    refused: int = 0
    refused_total: int = 0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    rss_peak_mb: float = 0.0
    answers_after: bool = False
    restarts: int = 0


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found.extend([child, *_children(child)])
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (the endpoint and its Oxigraph), MB."""
    total = 0
    for each in (pid, *_children(pid)):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Server:
    """``gcmgraph serve`` in a subprocess on a free loopback port."""

    def __init__(self, time_limit: float, extra: list[str] = (), log: Path | None = None):
        self.log = log or Path(os.devnull)
        args = [sys.executable, "-m", "gcmgraph.cli", "serve", "--host", "127.0.0.1", "--port", "0",
                "--timeout", f"{time_limit:g}", *extra]
        self._err = open(self.log, "ab")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._err, text=True)
        self.url = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            found = re.match(r"SPARQL endpoint: (\S+)", line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError(f"gcmgraph serve did not start (log: {self.log})")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        if urllib.parse.urlsplit(self.url).hostname != "127.0.0.1":
            self.stop()
            raise RuntimeError(f"not loopback: {self.url}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def oxigraph_pid(self) -> int | None:
        children = _children(self.pid)
        return children[0] if children else None

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._err.close()
        return self.process.returncode


# --------------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------------


def post(url: str, field_name: str, text: str, timeout: float) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({field_name: text}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def catalogue_mix(triples_added: bool = False) -> list[tuple[str, str]]:
    """(name, final SPARQL) of every catalogue query, bound as `gcmgraph query` binds them."""
    import gcmgraph
    from gcmgraph.backends import bind

    kg = gcmgraph.load()
    samples = {"objective": 16, "country": "CO", "text": "integración", "entity":
               "https://w3id.org/gcmgraph/id/policy/mx-tapachula-somos-familia", "lang": "es"}
    mix = []
    for query in kg.catalogue:
        values = {p.name: samples[p.name] for p in query.parameters
                  if p.required and p.default is None and p.name in samples}
        mix.append((query.name, bind(query, values, kg.graph, "es")))
    return mix


def plan(total: int, every: int, catalogue: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """The requests, in order: (kind, name, form field, text)."""
    requests = []
    pathological = list(PATHOLOGICAL.items())
    refused = list(REFUSED.items())
    p = r = c = 0
    for number in range(total):
        if every and number % every == every - 1:
            name, text = pathological[p % len(pathological)]
            requests.append(("pathological", name, "query", text))
            p += 1
        elif every and number % every == every // 2:
            name, (field_name, text) = refused[r % len(refused)]
            requests.append(("refused", name, field_name, text))
            r += 1
        else:
            name, text = catalogue[c % len(catalogue)]
            requests.append(("catalogue", name, "query", text))
            c += 1
    return requests


def run_load(url: str, requests: list[tuple[str, str, str, str]], clients: int, duration: float,
             time_limit: float, on_sample=None) -> tuple[list[Sample], float]:
    """Send ``requests`` from ``clients`` threads; stop taking new ones after ``duration`` s."""
    if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load benchmark runs on loopback only")
    base = url.rsplit("/", 1)[0]
    samples: list[Sample] = []
    lock = threading.Lock()
    position = [0]
    started = time.monotonic()

    def worker():
        while True:
            with lock:
                if position[0] >= len(requests) or time.monotonic() - started > duration:
                    return
                kind, name, field_name, text = requests[position[0]]
                position[0] += 1
            target = base + "/update" if field_name == "update" else url
            began = time.monotonic()
            rows, note = None, ""
            try:
                status, body = post(target, field_name, text, timeout=time_limit + 30)
                if status == 200 and kind == "catalogue":
                    rows = len(json.loads(body).get("results", {}).get("bindings", []))
                elif status != 200:
                    note = body[:160].decode("utf-8", "replace")
            except OSError as err:
                status, note = 0, f"{err.__class__.__name__}: {err}"
            sample = Sample(kind, name, status, time.monotonic() - began, rows, note)
            with lock:
                samples.append(sample)
            if on_sample:
                on_sample(sample)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.monotonic() - started


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarise(samples: list[Sample], seconds: float, clients: int, time_limit: float, triples: int,
              rss: tuple[float, float, float], answers_after: bool, restarts: int) -> Report:
    latency = {}
    statuses: dict[str, dict[str, int]] = {}
    for kind in ("catalogue", "pathological", "refused"):
        mine = [s for s in samples if s.kind == kind]
        ok = [s.seconds for s in mine if (s.status == 200 if kind == "catalogue" else True)]
        latency[kind] = {"p50_s": percentile(ok, 0.50), "p99_s": percentile(ok, 0.99),
                         "max_s": max(ok) if ok else None, "count": len(mine)}
        counts: dict[str, int] = {}
        for s in mine:
            counts[str(s.status)] = counts.get(str(s.status), 0) + 1
        statuses[kind] = dict(sorted(counts.items()))
    catalogue = [s for s in samples if s.kind == "catalogue"]
    failed = [s for s in catalogue if s.status != 200]
    why: dict[str, int] = {}
    for s in failed:
        if s.status == 503:
            reason = ("time limit" if "time limit" in s.note else "restarted" if "restarted" in s.note
                      else "busy" if "busy" in s.note else "other")
            why[reason] = why.get(reason, 0) + 1
    answered = len(catalogue) - len(failed)
    pathological = [s for s in samples if s.kind == "pathological"]
    refused = [s for s in samples if s.kind == "refused"]
    return Report(
        clients=clients, requests=len(samples), seconds=round(seconds, 2), time_limit=time_limit,
        triples=triples, throughput=round(answered / seconds, 2) if seconds else 0.0, latency=latency,
        statuses=statuses, catalogue_errors=len(failed), catalogue_503=why,
        pathological_stopped=sum(1 for s in pathological if s.status == 503 and "time limit" in s.note),
        pathological_total=len(pathological),
        refused=sum(1 for s in refused if s.status == 403), refused_total=len(refused),
        rss_before_mb=round(rss[0], 1), rss_after_mb=round(rss[1], 1), rss_peak_mb=round(rss[2], 1),
        answers_after=answers_after, restarts=restarts)


def table(report: Report) -> str:
    def ms(value):
        return "-" if value is None else f"{value * 1000:,.0f} ms"

    lines = [
        f"clients {report.clients}, requests {report.requests} in {report.seconds:g} s, time limit "
        f"{report.time_limit:g} s, graph {report.triples:,} triples",
        f"throughput: {report.throughput:g} catalogue queries answered per second",
        "| kind | requests | p50 | p99 | max | statuses |",
        "|---|---|---|---|---|---|",
    ]
    for kind, figures in report.latency.items():
        statuses = ", ".join(f"{k}: {v}" for k, v in report.statuses[kind].items())
        lines.append(f"| {kind} | {figures['count']} | {ms(figures['p50_s'])} | {ms(figures['p99_s'])} | "
                     f"{ms(figures['max_s'])} | {statuses} |")
    lines += [
        f"catalogue queries not answered: {report.catalogue_errors} (503: "
        + (", ".join(f"{k} {v}" for k, v in sorted(report.catalogue_503.items())) or "none") + ")",
        f"pathological queries stopped by the time limit: {report.pathological_stopped} of "
        f"{report.pathological_total}; refused (update, SERVICE): {report.refused} of {report.refused_total}",
        f"engine restarts: {report.restarts}",
        f"server memory (gcmgraph + Oxigraph, RSS): {report.rss_before_mb:g} MB before, "
        f"{report.rss_peak_mb:g} MB peak, {report.rss_after_mb:g} MB after",
        f"answers after the load: {'yes' if report.answers_after else 'NO'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="at most this many requests")
    parser.add_argument("--duration", type=float, default=180.0, help="at most this many seconds")
    parser.add_argument("--timeout", type=float, default=5.0, help="the endpoint's query time limit (s)")
    parser.add_argument("--pathological-every", type=int, default=50,
                        help="one pathological and one refused request in this many (0: none)")
    parser.add_argument("--triples", type=int, default=0, help="add a synthetic graph of about N triples")
    parser.add_argument("--out", type=Path, default=BUILD / "load.json")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.duration <= 0:
        parser.error("clients, requests and duration must be positive")

    BUILD.mkdir(parents=True, exist_ok=True)
    extra: list[str] = []
    if args.triples:
        synthetic = BUILD / f"load-synth-{args.triples}.nq"
        if not synthetic.exists():
            subprocess.run([sys.executable, "-m", "gcmgraph.cli", "synth", "--triples", str(args.triples),
                            "--no-base", "--out", str(synthetic)], check=True)
        extra = ["--add", str(synthetic)]
    print("preparing the catalogue mix ...", file=sys.stderr)
    catalogue = catalogue_mix()
    requests = plan(args.requests, args.pathological_every, catalogue)
    print(f"starting gcmgraph serve (time limit {args.timeout:g} s) ...", file=sys.stderr)
    server = Server(args.timeout, extra, log=BUILD / "load-serve.log")
    try:
        status, body = post(server.url, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", 60)
        triples = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        before = rss_mb(server.pid)
        peak = [before]
        oxigraph = [server.oxigraph_pid()]
        restarts = [0]
        done = [0]

        def watch(sample: Sample) -> None:
            done[0] += 1
            now = server.oxigraph_pid()
            if now is not None and now != oxigraph[0]:
                restarts[0] += 1
                oxigraph[0] = now
            if done[0] % 50 == 0:
                peak[0] = max(peak[0], rss_mb(server.pid))
                print(f"  {done[0]} requests", file=sys.stderr)

        print(f"{args.clients} clients, up to {len(requests)} requests or {args.duration:g} s ...", file=sys.stderr)
        samples, seconds = run_load(server.url, requests, args.clients, args.duration, args.timeout, watch)
        time.sleep(1.0)
        after = rss_mb(server.pid)
        try:
            answers = post(server.url, "query", "ASK {}", 30)[0] == 200
        except OSError:
            answers = False
    finally:
        server.stop()
    report = summarise(samples, seconds, args.clients, args.timeout, triples,
                       (before, after, max(peak[0], after)), answers, restarts[0])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"report": asdict(report), "samples": [asdict(s) for s in samples]},
                                   indent=1), encoding="utf-8")
    print(table(report))
    print(f"\nresults: {args.out}", file=sys.stderr)
    return 0 if report.answers_after else 1


if __name__ == "__main__":
    sys.exit(main())
