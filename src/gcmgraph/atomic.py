"""Writing a whole output folder so that readers see the old one or the new one, never half of either.

``release``, ``site`` and every other command that writes a folder build it in a hidden sibling
folder (``.NAME.tmp-PID-RANDOM``) and swap it in by renaming once everything is written. An
interruption (Ctrl-C, SIGTERM turned into an exception, a full disk) removes the temporary folder
and leaves the previous output as it was. Two runs writing the same folder take turns for the
swap (a lock file beside it), so the result is one complete run's output, not a mix.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gcmgraph.errors import InputError


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(parent: Path, name: str) -> None:
    """Remove temporary folders left by runs that were killed outright (SIGKILL, power loss)."""
    for prefix in (f".{name}.tmp-", f".{name}.old-"):
        for leftover in parent.glob(prefix + "*"):
            try:
                pid = int(leftover.name[len(prefix):].split("-", 1)[0])
            except ValueError:
                continue
            if not _pid_alive(pid):
                shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``out`` in one rename.

    On any exception (including ``KeyboardInterrupt``) the temporary folder is removed and ``out``
    keeps its previous content.
    """
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder",
                         hint="Give --out a folder path, or move the file away.")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {parent}: {exc.strerror}",
                         hint="Choose an --out folder you can write to.") from exc
    _remove_stale(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        with open(parent / f".{out.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            old = None
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=parent))
                os.rename(out, old / "previous")
            try:
                os.rename(tmp, out)
            except BaseException:
                if old is not None:
                    os.rename(old / "previous", out)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
