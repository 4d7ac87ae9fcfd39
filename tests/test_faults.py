"""Faults, with nothing lost: real processes stopped halfway, a full disk, concurrent writers, a
store killed while it is being published to, an endpoint that never answers.

Every case runs the real ``gcmgraph`` command in a subprocess (through :func:`command`, which says
"ready" on stderr once gcmgraph is imported, so a signal reaches the command and not the Python
start-up) and sends real signals. The full disk is a real tmpfs of a few hundred KiB when the
tests run as root (as CI does); elsewhere a real file-size limit (RLIMIT_FSIZE, which makes
writes fail with EFBIG) stands in for it.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

import gcmgraph
from gcmgraph.backends import EndpointBackend, EndpointError
from servers import start_oxigraph

TEST_GRAPH = "https://w3id.org/gcmgraph/graph/test/faults"
MARKER = ("<https://w3id.org/gcmgraph/test/old-release> <https://w3id.org/gcmgraph/test/marker> "
          "\"old\" .\n")

#: runs the command line in a fresh Python that first says it is ready
READY = ("import sys, gcmgraph.cli\nsys.stderr.write('ready\\n'); sys.stderr.flush()\n"
         "gcmgraph.cli.main(sys.argv[1:], prog_name='gcmgraph')\n")


def command(*args: str, env: dict | None = None, limit_file_size: int | None = None) -> subprocess.Popen:
    def limit():
        # Ctrl-C as at a terminal, however the tests were started (a shell running them in the
        # background hands SIGINT down as ignored, and Python then keeps ignoring it)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.Popen([sys.executable, "-c", READY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, preexec_fn=limit)


def wait_ready(process: subprocess.Popen) -> list[str]:
    lines = []
    while True:
        line = process.stderr.readline()
        assert line, f"the command ended before it was ready: {process.wait()}"
        lines.append(line)
        if line == "ready\n":
            return lines


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def leftovers(parent: Path) -> list[str]:
    """Temporary files and folders of gcmgraph's writers (the lock file stays, by design)."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def previous_output(folder: Path) -> dict[str, str]:
    """A previous output folder with a few files; its snapshot."""
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text("previous output\n")
    (folder / "sub" / "data.ttl").write_text("# previous output\n")
    return snapshot(folder)


# --------------------------------------------------------------------------------------------------
# Signals: SIGTERM behaves like Ctrl-C
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_export_stopped_by_a_signal_keeps_the_old_file(tmp_path, sig, code):
    target = tmp_path / "graph.ttl"
    target.write_text("# the previous export\n")
    outcomes = []
    for delay in (0.2, 0.8, 1.6):  # while the graph loads, while it is written, or after
        process = command("export", "--out", str(target))
        wait_ready(process)
        time.sleep(delay)
        process.send_signal(sig)
        returncode, err = finish(process)
        # -sig: the signal came once the command had finished, as Python exited
        assert returncode in (code, 0, -sig), err
        if returncode == code:
            assert "interrupted (" + ("SIGTERM" if sig == signal.SIGTERM else "Ctrl-C") + ")" in err
            assert target.read_text() == "# the previous export\n"
        else:
            assert "wrote" in err and len(Graph().parse(target)) > 3000
            target.write_text("# the previous export\n")
        assert leftovers(tmp_path) == []
        outcomes.append(returncode)
    assert code in outcomes, "no run was stopped by the signal"


def wait_for_writing(process: subprocess.Popen, parent: Path, name: str, files: int,
                     timeout: float = 240) -> Path:
    """The temporary folder of a run once it holds ``files`` files (the run is writing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the command ended before writing: {process.communicate()}"
        for folder in parent.glob(f".{name}.tmp-{process.pid}-*"):
            try:
                if sum(1 for p in folder.rglob("*") if p.is_file()) >= files:
                    return folder
            except FileNotFoundError:
                pass
        time.sleep(0.01)
    process.kill()
    raise AssertionError("the command never started writing")


@pytest.mark.parametrize(("args", "name", "sig", "code"), [
    (("site",), "site", signal.SIGTERM, 143),
    (("release", "--no-validate"), "release", signal.SIGINT, 130),
])
def test_folder_writers_stopped_while_writing_keep_the_previous_output(tmp_path, args, name, sig, code):
    out = tmp_path / name
    before = previous_output(out)
    process = command(*args, "--out", str(out))
    wait_ready(process)
    partial = wait_for_writing(process, tmp_path, name, files=3)
    process.send_signal(sig)
    returncode, err = finish(process)
    assert returncode == code, err
    assert "nothing half-written was left" in err
    assert snapshot(out) == before
    assert not partial.exists() and leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------------
# Out of disk space
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real 320 KiB file system (tmpfs) when mounting is allowed; else None (RLIMIT_FSIZE then)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(disk)], capture_output=True).returncode == 0
    try:
        yield disk if mounted else None, disk
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize(("args", "name"), [
    (("export", "--format", "nt"), "graph.nt"),
    (("site",), "site"),
    (("release", "--no-validate"), "release"),
])
def test_a_full_disk_keeps_the_previous_output(small_disk, args, name):
    mounted, disk = small_disk
    out = disk / name
    if name.endswith(".nt"):
        out.write_text("# the previous export\n")
        before = {"": out.read_text()}
    else:
        before = previous_output(out)
    limit = None if mounted else 320 * 1024
    returncode, err = finish(command(*args, "--out", str(out), limit_file_size=limit))
    assert returncode == 2, err
    assert "error: cannot write" in err
    assert ("No space left on device" if mounted else "File too large") in err
    assert "Traceback" not in err
    assert (snapshot(out) if out.is_dir() else {"": out.read_text()}) == before
    assert leftovers(disk) == []


# --------------------------------------------------------------------------------------------------
# Two runs writing the same output
# --------------------------------------------------------------------------------------------------


def test_two_releases_into_one_folder_give_one_complete_release(tmp_path):
    out = tmp_path / "release"
    runs = [command("release", "--no-validate", "--out", str(out), "--version", version)
            for version in ("9.0.1", "9.0.2")]
    for run in runs:
        returncode, err = finish(run)
        assert returncode == 0, err
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert len(sums) >= 10
    for line in sums:  # every file is the one its run's checksums name: no mix of the two runs
        digest, file = line.split(maxsplit=1)
        assert hashlib.sha256((out / file.lstrip("*")).read_bytes()).hexdigest() == digest, file
    versions = {v for v in ("9.0.1", "9.0.2") if v in (out / "dcat.ttl").read_text()}
    assert len(versions) == 1
    assert leftovers(tmp_path) == []


def test_two_exports_to_one_file_give_one_complete_file(tmp_path):
    target = tmp_path / "graph.nt"
    runs = [command("export", "--out", str(target)) for _ in range(3)]
    for run in runs:
        returncode, err = finish(run)
        assert returncode == 0, err
    assert len(Graph().parse(target, format="nt")) > 3000
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------------
# A store killed while it is published to
# --------------------------------------------------------------------------------------------------


def _graphs(query_url: str) -> set[str]:
    return set(EndpointBackend(query_url).query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")["g"])


def _count(query_url: str, graph: str) -> int:
    frame = EndpointBackend(query_url).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(frame.iloc[0, 0])


def test_store_killed_in_the_middle_of_publish(tmp_path):
    folder = tmp_path / "store"
    server = start_oxigraph(folder)
    try:
        server.put_graph(TEST_GRAPH, MARKER.encode(), "application/n-triples")
        process = command("publish", server.base, "--store-type", "oxigraph", "--graph", TEST_GRAPH,
                          "--chunk-size", "40", "--timeout", "10")
        wait_ready(process)
        deadline = time.monotonic() + 240
        while not any("-staging-" in g for g in _graphs(server.query_url)):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        server.process.kill()  # the store dies while chunks are being uploaded
        server.process.wait()
        returncode, err = finish(process)
    finally:
        server.stop()
    assert returncode == 1, err
    assert "failed while uploading chunk" in err
    assert f"Nothing was replaced: the graph <{TEST_GRAPH}> is as it was (1 triples before this run)" in err
    assert "Rerunning the command is safe" in err
    assert "Traceback" not in err

    server = start_oxigraph(folder)  # the store comes back with what it had
    try:
        assert _count(server.query_url, TEST_GRAPH) == 1
        left = {g for g in _graphs(server.query_url) if "-staging-" in g}
        assert all(g in err for g in left), "a staging graph left behind is named, with how to remove it"
        returncode, err = finish(command("publish", server.base, "--store-type", "oxigraph",
                                         "--graph", TEST_GRAPH, "--chunk-size", "1000"))
        assert returncode == 0, err
        assert "replaced 1 triples" in err
        assert _count(server.query_url, TEST_GRAPH) == len(gcmgraph.load())
    finally:
        server.stop()


def test_publish_stopped_by_sigterm_cleans_up_and_keeps_the_old_graph(tmp_path):
    server = start_oxigraph(tmp_path / "store")
    try:
        server.put_graph(TEST_GRAPH, MARKER.encode(), "application/n-triples")
        process = command("publish", server.base, "--store-type", "oxigraph", "--graph", TEST_GRAPH,
                          "--chunk-size", "40", "--timeout", "10")
        wait_ready(process)
        deadline = time.monotonic() + 240
        while not any("-staging-" in g for g in _graphs(server.query_url)):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        returncode, err = finish(process)
        assert returncode == 143, err
        assert "failed while uploading chunk" in err and "interrupted (SIGTERM)" in err
        assert "Nothing was replaced" in err and "was removed" in err
        assert _count(server.query_url, TEST_GRAPH) == 1
        assert not any("-staging-" in g for g in _graphs(server.query_url))
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# An endpoint that accepts and never answers
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def silent_endpoint():
    """A real socket that accepts connections, reads, and never replies."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    stop.set()
    sock.close()
    for conn in held:
        conn.close()


def test_a_silent_endpoint_times_out_in_python(silent_endpoint):
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"no answer within 1 s \(read time-out\)"):
        gcmgraph.connect(silent_endpoint, timeout=(1, 1))
    assert time.monotonic() - started < 60  # a bound on a hang, not a timing measurement


def test_a_silent_endpoint_times_out_at_the_command_line(silent_endpoint):
    returncode, err = finish(command("query", "sources", "--endpoint", silent_endpoint,
                                     env={"GCMGRAPH_ENDPOINT_TIMEOUT": "1,1"}), timeout=120)
    assert returncode == 2, err
    assert f"SPARQL endpoint {silent_endpoint}: no answer within 1 s (read time-out)" in err
    assert "GCMGRAPH_ENDPOINT_TIMEOUT" in err


def test_publish_to_a_silent_store_times_out_and_writes_nothing(silent_endpoint):
    base = silent_endpoint.rsplit("/", 1)[0]
    returncode, err = finish(command("publish", base, "--store-type", "oxigraph", "--timeout", "1"), timeout=120)
    assert returncode == 2, err
    assert "no answer within 1 s" in err or "time-out" in err
    assert "Nothing was written" in err
