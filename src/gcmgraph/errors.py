"""The errors gcmgraph raises for its users, each naming what is wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class GcmgraphError(Exception):
    """Base class. ``str(error)`` is a complete message for a person."""

    #: exit code of the command line for this kind of error (see the README)
    exit_code = 2


class InputError(GcmgraphError):
    """Input that cannot be read: a file that does not parse, an unknown format or name.

    Carries the file and (when known) the 1-based line, so a message can point at it.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        self.hint = hint
        where = ""
        if self.path:
            where = self.path + (f":{line}" if line else "") + ": "
        text = where + message
        if hint:
            text += f"\n  {hint}"
        super().__init__(text)
