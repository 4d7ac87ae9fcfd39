"""Documentation that runs: the README's catalogue and commands match the code, and every
docstring example executes."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import pytest
from conftest import ROOT

import gcmgraph
from gcmgraph.catalogue import Catalogue
from gcmgraph.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_catalogue_query():
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", README, flags=re.MULTILINE))
    assert listed == set(Catalogue.load().names()), "regenerate the catalogue table in README.md"


def test_readme_documents_every_command():
    for name in main.commands:
        assert f"gcmgraph {name}" in README, f"`gcmgraph {name}` is not in README.md"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    commands = [line for line in blocks[0].splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2 and "gcmgraph validate" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]"' in ci and "python -m pytest" in ci


MODULES = [m.name for m in pkgutil.iter_modules(gcmgraph.__path__, "gcmgraph.")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
