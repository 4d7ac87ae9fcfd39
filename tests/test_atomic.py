"""atomic_directory: the previous output survives any failure, and a success replaces it whole."""

from __future__ import annotations

import os

import pytest

from gcmgraph.atomic import atomic_directory


def _hidden(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def test_success_replaces_the_folder_whole(tmp_path):
    out = tmp_path / "release"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with atomic_directory(out) as tmp:
        (tmp / "new.txt").write_text("new")
        assert (out / "old.txt").read_text() == "old"  # readers still see the old folder
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]
    assert _hidden(tmp_path) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_failure_keeps_the_previous_output_and_leaves_nothing(tmp_path, error):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous")
    with pytest.raises(type(error) if isinstance(error, BaseException) else error):
        with atomic_directory(out) as tmp:
            (tmp / "index.html").write_text("half")
            raise error
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert _hidden(tmp_path) == []


def test_first_run_failure_leaves_no_folder(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(RuntimeError):
        with atomic_directory(out):
            raise RuntimeError("boom")
    assert not out.exists()
    assert _hidden(tmp_path) == []


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    dead = tmp_path / ".out.tmp-999999999-abc"
    dead.mkdir()
    mine = tmp_path / f".out.tmp-{os.getpid()}-live"
    mine.mkdir()
    with atomic_directory(tmp_path / "out") as tmp:
        (tmp / "a").write_text("a")
    assert not dead.exists()
    assert mine.exists()  # a live process's folder is not touched
