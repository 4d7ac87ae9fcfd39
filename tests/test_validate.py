"""`gcmgraph validate` and `KnowledgeGraph.validate()`: the shipped graph conforms, and every kind of
bad input a curator may hand in gets a clear answer naming the file, the line or the entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

import gcmgraph
from gcmgraph import InputError, Severity

BAD = Path(__file__).parent / "bad-input"
ID = "https://w3id.org/gcmgraph/id/"


def test_shipped_graph_conforms(report):
    assert report.conforms, "\n\n".join(r.format("en") for r in report.violations)


def test_shipped_graph_warnings_are_the_known_gaps(report):
    # the brief and the outside sources say nothing of these; each warning is a gap, not an error
    assert {str(r.focus).removeprefix(ID) for r in report.warnings} == {
        "policy/co-etpv-preguntas-respuestas",   # the brief names no author of the Q&A document
        "policy/co-ppt",                         # no source names who issues the permit
        "policy/hn-proteccion-desplazados-internos",
        "policy/hn-ley-desplazados-internos",    # only the month of approval is known
        "policy/hn-ley-proteccion-hondurenos-migrantes",  # only the year is known
    }


def test_cli_validate_ok(cli):
    result = cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms: 0 violation(s)" in result.stdout


# (file, exit code, what the output must name)
SHAPE_CASES = {
    "date-as-text.ttl": ["event/test-dialogo-2023", "schema:startDate", "8 de agosto de 2023"],
    "objective-24.ttl": ["objective/24", "1 to 23"],
    "no-spanish-label.ttl": ["org/test-ngo", "Spanish label missing"],
    "bad-iso-code.ttl": ["country/ZZ", "gcm:isoAlpha2", '"Colombia"'],
    "wrong-class.ttl": ["policy/co-test-programa", "gcm:implementedBy", "policy/co-etpv"],
    "second-spanish-label.ttl": ["org/ar-municipalidad-quilmes", "data/sources/unnm-lac-hitos-07/advances.ttl",
                                 "second-spanish-label.ttl", "rdfs:label"],
}


@pytest.mark.parametrize("name", SHAPE_CASES)
def test_bad_data_is_a_violation_naming_file_and_entity(cli, name):
    result = cli("validate", "--lang", "en", "--no-warnings", str(BAD / name))
    assert result.returncode == 1, result.stdout + result.stderr
    assert name in result.stdout
    for expected in SHAPE_CASES[name]:
        assert expected in result.stdout, f"{expected!r} not in:\n{result.stdout}"
    assert "Traceback" not in result.stderr


def test_messages_come_in_spanish_by_default(cli):
    result = cli("validate", "--no-warnings", str(BAD / "no-spanish-label.ttl"))
    assert "Falta la etiqueta en español" in result.stdout


PARSE_CASES = {
    "malformed.ttl": ("malformed.ttl:5", "newline found in string literal"),
    "undefined-prefix.ttl": ("undefined-prefix.ttl:4", 'Prefix "gcm:" not bound'),
    "latin1.ttl": ("latin1.ttl:2", "not UTF-8"),
    "notes.txt": ("notes.txt", "unsupported file type .txt"),
    "missing.ttl": ("missing.ttl", "no such file"),
}


@pytest.mark.parametrize("name", PARSE_CASES)
def test_unreadable_input_exits_2_with_file_and_line(cli, name):
    result = cli("validate", str(BAD / name))
    assert result.returncode == 2, result.stdout + result.stderr
    where, why = PARSE_CASES[name]
    assert where in result.stderr and why in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_folder_of_extra_files_is_read_recursively(cli, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.ttl").write_bytes((BAD / "wrong-class.ttl").read_bytes())
    result = cli("validate", "--no-warnings", str(tmp_path))
    assert result.returncode == 1 and "policy/co-test-programa" in result.stdout


def test_json_report(cli):
    result = cli("validate", "--format", "json", str(BAD / "wrong-class.ttl"))
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    [violation] = [r for r in report["results"] if r["severity"] == "Violation"]
    assert violation["focus"] == ID + "policy/co-test-programa"
    assert violation["files"] == [str(BAD / "wrong-class.ttl")]
    assert violation["message"]["es"] and violation["message"]["en"]


@pytest.mark.parametrize("args", [["frobnicate"], ["validate", "--frobnicate"], ["export"],
                                  ["export", "--format", "pdf", "--out", "x.pdf"]])
def test_usage_errors_exit_2(cli, args):
    result = cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr


def test_library_report_is_typed():
    kg = gcmgraph.load(extra=[BAD / "wrong-class.ttl"])
    report = kg.validate()
    assert not report.conforms
    [violation] = report.violations
    assert violation.severity is Severity.VIOLATION
    assert str(violation.focus) == ID + "policy/co-test-programa"
    assert violation.path_text == "gcm:implementedBy"
    assert violation.files == (str(BAD / "wrong-class.ttl"),)
    assert "implementedBy" in violation.message("en") and violation.message("es") != violation.message("en")


def test_library_raises_input_error_with_line():
    with pytest.raises(InputError) as caught:
        gcmgraph.load(extra=[BAD / "malformed.ttl"])
    assert caught.value.line == 5 and caught.value.path.endswith("malformed.ttl")
