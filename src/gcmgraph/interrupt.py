"""Ctrl-C and SIGTERM stop every command the same clean way.

A process manager (systemd, Docker, a CI runner, ``kill``) stops a program with SIGTERM, whose
default action ends the process at once: no ``finally`` runs, and a file or folder being written
stays half-written beside the output. gcmgraph turns SIGTERM into the same exception as Ctrl-C
(:class:`Interrupted`, a ``KeyboardInterrupt``), so the code that writes outputs (temporary files
and folders renamed into place only when complete: :func:`gcmgraph.export.write_atomic`,
:func:`gcmgraph.atomic.atomic_directory`) removes what it had started and leaves the previous
output as it was. The command then says so on stderr and exits with the shell's code for the
signal: 130 after Ctrl-C (SIGINT), 143 after SIGTERM.

``gcmgraph serve`` handles both signals itself: they are its normal way to stop (exit 0).

A disk that fills up (or a file-size limit, or a read-only folder) while a command writes is
reported the same way, without a traceback: what could not be written and why, exit code 2. The
writers have removed their temporary file or folder by then, so the previous output is intact.
"""

from __future__ import annotations

import errno
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

__all__ = ["Interrupted", "InterruptibleGroup", "exit_code", "sigterm_as_interrupt"]


class Interrupted(KeyboardInterrupt):
    """A stop asked for by a signal; ``signal`` is its number."""

    def __init__(self, number: int):
        super().__init__(signal.Signals(number).name)
        self.signal = number


def exit_code(error: KeyboardInterrupt) -> int:
    """128 + the signal number, as shells report a process ended by a signal."""
    return 128 + getattr(error, "signal", signal.SIGINT)


def _raise(number: int, _frame) -> None:
    raise Interrupted(number)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Interrupted` like Ctrl-C raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: failures to write that are the machine's, not gcmgraph's: a full disk, a quota, a file-size
#: limit (RLIMIT_FSIZE), a read-only file system
WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


def _say_interrupted(error: KeyboardInterrupt) -> None:
    how = "SIGTERM" if getattr(error, "signal", None) == signal.SIGTERM else "Ctrl-C"
    click.echo(f"\ninterrupted ({how}): stopped before finishing; nothing half-written was left, "
               "and earlier output is as it was. Run the command again to finish.", err=True)


class InterruptibleGroup(click.Group):
    """The ``gcmgraph`` group: runs each command with :func:`sigterm_as_interrupt` and turns an
    interruption into a message and exit code 130 (Ctrl-C) or 143 (SIGTERM), and a failure to
    write (:data:`WRITE_ERRORS`) into a message and exit code 2."""

    def main(self, *args, **kwargs):
        # from the start, so a signal while click sets up is handled too
        with sigterm_as_interrupt():
            try:
                return super().main(*args, **kwargs)
            except KeyboardInterrupt as error:
                _say_interrupted(error)
                sys.exit(exit_code(error))

    def invoke(self, ctx: click.Context):
        with sigterm_as_interrupt():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt as error:
                _say_interrupted(error)
                ctx.exit(exit_code(error))
            except OSError as error:
                if error.errno not in WRITE_ERRORS:
                    raise
                where = f" {error.filename}" if error.filename else ""
                click.echo(f"error: cannot write{where}: {error.strerror}\n  Nothing half-written was left and "
                           "earlier output is as it was; free some space (or choose another --out) and run the "
                           "command again.", err=True)
                ctx.exit(2)
