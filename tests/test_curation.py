"""Curation at scale: the templates, import with its checks, identity, new-source, export-tables.

The tables of ``tests/curation/brief-8/`` are invented TEST DATA (a made-up brief number 8); they
are imported into temporary copies of the curated tree, never into ``data/``.
"""

from __future__ import annotations

import csv
import json
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from gcmgraph.curation import TablesRefused, curated_folders, export_tables, import_tables
from gcmgraph.loading import parse_turtle
from gcmgraph.namespaces import GCM, ID, OBJECTIVE
from gcmgraph.paths import Layout
from gcmgraph.tables import Table, read_tables, xlsx_bytes
from gcmgraph.templates import columns_markdown, load_mapping

BRIEF8 = ROOT / "tests" / "curation" / "brief-8"
SOURCE8 = ID["source/test-hitos-08"]
FOLDER8 = Path("data") / "sources" / "test-hitos-08"


def copy_tree(target: Path, root: Path = ROOT) -> Layout:
    """A private copy of the curated tree (ontology, data, queries) that a test may change."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(root / name, target / name)
    return Layout(target)


def gcmgraph_cli(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GCMGRAPH_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "gcmgraph.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or home, timeout=600)


def folder_graph(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph += parse_turtle(path)
    return graph


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_isomorphic(expected: Graph, actual: Graph, what: str) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lost = "\n".join(sorted(f"  - {t}" for t in only_expected)[:20])
    gained = "\n".join(sorted(f"  + {t}" for t in only_actual)[:20])
    pytest.fail(f"{what}: not the same graph\n{lost}\n{gained}")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Brief 8 imported with one command (its tables include the source table) into a copy of the tree."""
    home = tmp_path_factory.mktemp("brief8")
    layout = copy_tree(home)
    done = gcmgraph_cli(home, "import", str(BRIEF8), "--source", "new", "--lang", "en")
    return layout, done


# --------------------------------------------------------------------------------------------
# templates


def test_templates_are_generated_from_the_mapping(repo):
    """data/templates/ is what mapping.yaml gives: a CSV per table, the workbook and COLUMNS.md."""
    mapping = load_mapping(repo)
    templates = repo.data / "templates"
    assert (templates / "COLUMNS.md").read_text(encoding="utf-8") == columns_markdown(mapping), (
        "COLUMNS.md is stale: run `gcmgraph export-tables --empty --out data/templates`")
    workbook = {t.sheet: t.headings for t in read_tables([templates / "templates.xlsx"])}
    for kind in mapping.kinds.values():
        headings = (templates / f"{kind.sheet}.csv").read_text(encoding="utf-8").splitlines()
        assert headings == [",".join(kind.headings())], f"{kind.sheet}.csv is stale"
        assert workbook[kind.sheet] == kind.headings(), f"templates.xlsx sheet {kind.sheet} is stale"
    # the six kinds curators fill most, each documented in both languages
    for sheet in ("actor", "policy", "event", "participation-figure", "lesson", "link"):
        assert f"## `{sheet}`" in columns_markdown(mapping)
    for kind in mapping.kinds.values():
        for column in kind.columns:
            assert column.note.get("en") and column.note.get("es"), f"{kind.sheet}.{column.name} has no note"


# --------------------------------------------------------------------------------------------
# brief 8 from filled tables, in one command


def test_brief8_imports_in_one_command_and_validates(imported):
    layout, done = imported
    assert done.returncode == 0, done.stderr
    assert "imported into" in done.stdout and "3 actor" in done.stdout and "2 policy" in done.stdout
    folder = layout.home / FOLDER8
    assert sorted(p.name for p in folder.glob("*.ttl")) == [
        "actors.ttl", "events.ttl", "lessons-and-recommendations.ttl", "links.ttl", "participation.ttl",
        "places.ttl", "policies.ttl", "source.ttl"]
    g = folder_graph(folder)
    # IRIs minted from the records by the IRI policy: country + name, source + position, subject--object
    municipality = ID["org/gt-municipalidad-de-villa-ejemplo"]
    assert (municipality, RDF.type, GCM.LocalAuthority) in g
    assert (municipality, DCTERMS.spatial, ID["place/gt-villa-ejemplo"]) in g
    assert (ID["place/gt-villa-ejemplo"], RDFS.label, Literal("Villa Ejemplo", lang="es")) in g
    assert (ID["recommendation/test-hitos-08-1"], GCM.sequenceNumber, Literal(1)) in g
    assert (ID["lesson/test-hitos-08-1"], RDF.type, GCM.LessonLearned) in g
    figure = ID["participation-figure/test-hitos-08-1"]
    assert (ID["event/segundo-conversatorio-mdp-2024"], GCM.participationFigure, figure) in g
    assert (figure, GCM.count, Literal(95)) in g
    # the link and its assertion, stated by the source, with labels generated from the policy's
    puentes, link = ID["policy/gt-puentes"], ID["link/policy-gt-puentes--objective-16"]
    assert (puentes, GCM.addressesObjective, OBJECTIVE["16"]) in g
    assert (link, RDF.subject, puentes) in g and (link, GCM.linkBasis, GCM.StatedBySource) in g
    assert (link, RDFS.label, Literal("Programa «Puentes de Integración» → objetivo 16 del PMM (según la fuente)",
                                      lang="es")) in g
    assert (ID["link/policy-gt-puentes--objective-18"], RDF.object, OBJECTIVE["18"]) in g
    # every record carries the source; the source is described with its series and number
    assert all((s, DCTERMS.source, SOURCE8) in g for s in g.subjects(RDF.type, None))
    assert (SOURCE8, DCTERMS.isPartOf, ID["source/unnm-hitos-clave-y-avances"]) in g
    assert (SOURCE8, GCM.sequenceNumber, Literal(8)) in g
    # a reference to an entity that exists in the shipped graph, not in the tables
    assert (ID["event/segundo-conversatorio-mdp-2024"], GCM.heldWithin, ID["org/mdp-sociedad-civil-alc"]) in g
    valid = gcmgraph_cli(layout.home, "validate", "--no-warnings", "--lang", "en")
    assert valid.returncode == 0, valid.stdout
    assert "conforms: 0 violation(s)" in valid.stdout


def test_importing_the_same_tables_twice_changes_nothing(imported):
    layout, done = imported
    assert done.returncode == 0, done.stderr
    folder = layout.home / FOLDER8
    before = snapshot(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.glob("*.ttl")}
    again = import_tables([BRIEF8], source="new", layout=layout, validate=False)
    assert not again.changed and not again.written
    assert snapshot(folder) == before
    assert {p: p.stat().st_mtime_ns for p in folder.glob("*.ttl")} == mtimes


def test_an_xlsx_workbook_gives_the_same_turtle_as_the_csv_files(imported, tmp_path):
    layout, done = imported
    assert done.returncode == 0, done.stderr
    sheets = [(t.sheet, t.headings, [[r.cells.get(h, "") for h in t.headings] for r in t.rows], {})
              for t in read_tables([BRIEF8])]
    workbook = tmp_path / "brief-8.xlsx"
    workbook.write_bytes(xlsx_bytes(sheets))
    result = import_tables([workbook], source="new", layout=layout, validate=False, dry_run=True)
    assert not result.changed, "the workbook gives other Turtle than the CSV files"


def test_editorial_links_go_to_the_editorial_folder(imported, tmp_path):
    shared, done = imported
    assert done.returncode == 0, done.stderr
    layout = copy_tree(tmp_path, shared.home)
    editorial = layout.data / "editorial"
    before = folder_graph(editorial)
    # the editorial table holds only the new link: the folder is written whole, so the existing
    # editorial links are exported first and the new row added to them, as a curator would
    export_tables(layout.home / "tables", layout=layout, only="editorial")
    links = layout.home / "tables" / "editorial" / "link.csv"
    new_row = (BRIEF8 / "editorial" / "link.csv").read_text(encoding="utf-8").splitlines()[1]
    links.write_text(links.read_text(encoding="utf-8") + new_row + "\n", encoding="utf-8")
    result = import_tables([layout.home / "tables" / "editorial"], source="editorial", layout=layout,
                           validate=False)
    assert result.changed and result.out == editorial
    after = folder_graph(editorial)
    link = ID["link/recommendation-test-hitos-08-1--objective-15"]
    assert (link, GCM.linkBasis, GCM.EditorialMapping) in after
    assert (link, URIRef("http://www.w3.org/ns/prov#wasAttributedTo"), ID["agent/gcmgraph-curators"]) in after
    assert (link, DCTERMS.source, ID["source/un-a-res-73-195"]) in after
    assert (ID["recommendation/test-hitos-08-1"], GCM.addressesObjective, OBJECTIVE["15"]) in after
    assert set(before) <= set(after) and len(after) - len(before) == 12


# --------------------------------------------------------------------------------------------
# bad rows: each refused with its sheet, row and column, and nothing written


def brief8_tables() -> dict[str, list[list[str]]]:
    return {p.stem: list(csv.reader(io.StringIO(p.read_text(encoding="utf-8")))) for p in sorted(BRIEF8.glob("*.csv"))}


def write_tables(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder


def set_cell(tables, sheet: str, row: int, column: str, value: str) -> None:
    headings = tables[sheet][0]
    tables[sheet][row - 1][headings.index(column)] = value


@pytest.fixture(scope="module")
def clean_tree(tmp_path_factory) -> Layout:
    return copy_tree(tmp_path_factory.mktemp("tree"))


def change_country(t):
    set_cell(t, "actor", 3, "country", "XX")


def change_objective(t):
    set_cell(t, "link", 2, "objective", "24")


def change_date(t):
    set_cell(t, "policy", 3, "date", "2024-02-30")


def change_reference(t):
    set_cell(t, "policy", 2, "implemented_by", "gt-municipalidad-que-no-existe")


def change_reference_typo(t):
    set_cell(t, "policy", 2, "implemented_by", "gt-municipalidad-villa-ejemplo")


def change_label(t):
    set_cell(t, "actor", 4, "label_es", "")


def change_duplicate(t):
    t["policy"].append(list(t["policy"][1]))


def change_concept(t):
    set_cell(t, "policy", 2, "themes", "empleo|integracion-economica")


def change_count(t):
    set_cell(t, "participation-figure", 2, "count", "noventa y cinco")


def change_heading(t):
    t["event"][0][t["event"][0].index("start_date")] = "fecha"


def change_same_name(t):
    t["actor"].append(["mx-otro-ayuntamiento", "LocalAuthority", "Ayuntamiento de  tapachula"] + [""] * 23)


def change_legal_id(t):
    set_cell(t, "policy", 3, "legal_id", "Decreto Legislativo Nº 106-2013")


def change_basis(t):
    set_cell(t, "link", 3, "basis", "mapeo")


BAD = {
    # name: (change, sheet, row, column, code, words in the English message)
    "unknown country code": (change_country, "actor", 3, "country", "unknown_country",
                             "'XX' is not a country of data/reference/countries.ttl; allowed: AG, AI, AR"),
    "objective outside 1-23": (change_objective, "link", 2, "objective", "bad_objective",
                               "'24' is not a GCM objective: the GCM has 23 objectives"),
    "a date that is not a date": (change_date, "policy", 3, "date", "bad_date",
                                  "'2024-02-30' is not a date; allowed: YYYY-MM-DD (a real calendar day)"),
    "reference to nothing": (change_reference, "policy", 2, "implemented_by", "not_found",
                             "there is no entity <https://w3id.org/gcmgraph/id/org/gt-municipalidad-que-no-existe>"),
    "reference with a typo": (change_reference_typo, "policy", 2, "implemented_by", "not_found",
                              "did you mean 'gt-municipalidad-de-villa-ejemplo'?"),
    "missing Spanish label": (change_label, "actor", 4, "label_es", "missing_label", "no Spanish label"),
    "duplicate record": (change_duplicate, "policy", 4, "id", "duplicate_id",
                         "duplicate: this record has the same IRI <https://w3id.org/gcmgraph/id/policy/gt-puentes>"),
    "unknown theme": (change_concept, "policy", 2, "themes", "unknown_concept",
                      "'integracion-economica' is not a concept of id/theme/; allowed: capacitacion"),
    "count that is not a number": (change_count, "participation-figure", 2, "count", "bad_integer",
                                   "'noventa y cinco' is not a whole number"),
    "unknown column": (change_heading, "event", 1, "fecha", "unknown_column", "table event has no column 'fecha'"),
    "same name as an existing actor": (change_same_name, "actor", 5, "label_es", "likely_duplicate",
                                       "likely duplicate of the existing "
                                       "<https://w3id.org/gcmgraph/id/org/mx-ayuntamiento-tapachula> "
                                       "«Ayuntamiento de Tapachula»"),
    "same legal identifier": (change_legal_id, "policy", 3, "legal_id", "likely_duplicate",
                              "<https://w3id.org/gcmgraph/id/policy/hn-ley-proteccion-hondurenos-migrantes>"),
    "basis not allowed": (change_basis, "link", 3, "basis", "bad_enum",
                          "'mapeo' is not allowed here; allowed: stated, editorial"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_row_is_refused_with_its_place_and_nothing_is_written(case, clean_tree, tmp_path):
    change, sheet, row, column, code, words = BAD[case]
    tables = brief8_tables()
    change(tables)
    folder = write_tables(tmp_path / "tables", tables)
    out = clean_tree.data / "sources" / "test-hitos-08"
    with pytest.raises(TablesRefused) as refused:
        import_tables([folder], source="new", layout=clean_tree, lang="en", validate=False)
    found = [p for p in refused.value.problems if p.code == code]
    assert found, refused.value.render("en")
    problem = found[0]
    assert (problem.where["sheet"], problem.where["row"], problem.where["column"]) == (sheet, row, column)
    assert problem.where["file"].endswith(f"{sheet}.csv")
    assert words in problem.message("en")
    assert not out.exists(), "a refused import wrote the folder"


def test_an_import_that_would_not_validate_is_refused_at_its_row(clean_tree, tmp_path):
    """A local authority placed in a country instead of its municipality breaks a shape: the
    cells read fine, so the SHACL result is reported at the row, with exit code 1."""
    tables = brief8_tables()
    set_cell(tables, "actor", 2, "place", "")
    set_cell(tables, "actor", 2, "country", "GT")
    folder = write_tables(tmp_path / "tables", tables)
    with pytest.raises(TablesRefused) as refused:
        import_tables([folder], source="new", layout=clean_tree, lang="en")
    assert refused.value.exit_code == 1
    [problem] = refused.value.problems
    assert (problem.code, problem.where["sheet"], problem.where["row"], problem.where["column"]) == (
        "shacl", "actor", 2, "country")
    assert "gt-municipalidad-de-villa-ejemplo" in problem.message("en") and "local authority" in problem.message("en")
    assert not (clean_tree.data / "sources" / "test-hitos-08").exists()


def test_refusals_are_worded_in_spanish_and_english_on_the_command_line(imported, tmp_path):
    layout, done = imported
    assert done.returncode == 0, done.stderr
    folder = layout.home / FOLDER8
    before = snapshot(folder)
    tables = brief8_tables()
    change_date(tables)
    change_country(tables)
    bad = write_tables(tmp_path / "bad", tables)
    spanish = gcmgraph_cli(layout.home, "import", str(bad), "--source", "new")
    assert spanish.returncode == 2
    assert "no se escribió nada" in spanish.stderr
    assert "policy.csv, hoja policy, fila 3, columna date (N): '2024-02-30' no es una fecha" in spanish.stderr
    assert "actor.csv, hoja actor, fila 3, columna country (H): 'XX' no es un país" in spanish.stderr
    english = gcmgraph_cli(layout.home, "import", str(bad), "--source", "new", "--lang", "en")
    assert english.returncode == 2
    assert "policy.csv, sheet policy, row 3, column date (N): '2024-02-30' is not a date" in english.stderr
    # the folder imported before is left exactly as it was
    assert snapshot(folder) == before


def test_likely_duplicates_can_be_accepted_as_the_existing_entity(clean_tree, tmp_path):
    tables = brief8_tables()
    change_same_name(tables)
    set_cell(tables, "actor", 5, "description_es", "el ayuntamiento participó en el Segundo Conversatorio")
    folder = write_tables(tmp_path / "tables", tables)
    result = import_tables([folder], source="new", layout=clean_tree, validate=False, dry_run=True,
                           accept="existing")
    assert any("mx-otro-ayuntamiento → org/mx-ayuntamiento-tapachula" in a for a in result.accepted)
    actors = Graph().parse(data=result.files["actors.ttl"], format="turtle")
    tapachula = ID["org/mx-ayuntamiento-tapachula"]
    # the source's statements go to the existing IRI; its name and class stay as they were
    assert (tapachula, DCTERMS.source, SOURCE8) in actors
    assert (tapachula, URIRef("https://schema.org/description"),
            Literal("el ayuntamiento participó en el Segundo Conversatorio", lang="es")) in actors
    assert (tapachula, RDF.type, None) not in actors
    assert (ID["org/mx-otro-ayuntamiento"], None, None) not in actors
    # «Ayuntamiento de  tapachula» differs from the existing name only in case and spacing
    assert (tapachula, SKOS.altLabel, Literal("Ayuntamiento de  tapachula", lang="es")) in actors
    kept = import_tables([folder], source="new", layout=clean_tree, validate=False, dry_run=True, accept="new")
    assert "org:mx-otro-ayuntamiento" in kept.files["actors.ttl"] or "mx-otro-ayuntamiento" in kept.files["actors.ttl"]


# --------------------------------------------------------------------------------------------
# new-source


def test_new_source_scaffolds_the_folder_and_its_tables(tmp_path):
    layout = copy_tree(tmp_path)
    done = gcmgraph_cli(tmp_path, "new-source", "--id", "test-hitos-08",
                        "--title", "Hitos clave y avances #8 (DATOS DE PRUEBA inventados)",
                        "--title-en", "Key milestones and progress #8 (invented TEST DATA)",
                        "--series", "unnm-hitos-clave-y-avances", "--number", "8",
                        "--publisher", "un-network-on-migration", "--date", "2024-06",
                        "--url", "https://test.invalid/hitos-08.pdf")
    assert done.returncode == 0, done.stderr
    folder = layout.home / FOLDER8
    assert {p.name for p in (folder / "tables").iterdir()} == {f"{k.sheet}.csv" for k in load_mapping(layout).kinds.values()}
    assert (folder / "README.md").is_file() and "gcmgraph import data/sources/test-hitos-08/tables" in (
        folder / "README.md").read_text(encoding="utf-8")
    g = folder_graph(folder)
    assert (SOURCE8, RDF.type, GCM.SourceDocument) in g
    assert (SOURCE8, DCTERMS.publisher, ID["org/un-network-on-migration"]) in g
    assert (SOURCE8, URIRef("https://schema.org/url"), URIRef("https://test.invalid/hitos-08.pdf")) in g
    assert (SOURCE8, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/SPA")) in g
    assert (SOURCE8, GCM.verificationStatus, GCM.ClaimOfSource) in g
    # the curator fills the tables and imports them; the README and the tables stay in the folder
    for table in BRIEF8.glob("*.csv"):
        if table.name != "source.csv":
            shutil.copy(table, folder / "tables" / table.name)
    again = gcmgraph_cli(tmp_path, "import", "data/sources/test-hitos-08/tables", "--source", "test-hitos-08",
                         "--no-validate")
    assert again.returncode == 0, again.stderr
    assert (folder / "README.md").is_file() and (folder / "tables" / "actor.csv").is_file()
    assert (ID["policy/gt-puentes"], GCM.addressesObjective, OBJECTIVE["16"]) in folder_graph(folder)
    # a second new-source for the same id does not overwrite it
    twice = gcmgraph_cli(tmp_path, "new-source", "--id", "test-hitos-08", "--title", "Otro")
    assert twice.returncode == 2 and "already exists" in twice.stderr


def test_new_source_checks_its_description(clean_tree):
    with pytest.raises(TablesRefused) as refused:
        from gcmgraph.curation import new_source

        new_source(title="Documento de prueba", id="test-doc", date="2024-13", publisher="nadie",
                   layout=clean_tree, lang="en")
    codes = {(p.code, p.where.get("column")) for p in refused.value.problems}
    assert codes == {("bad_date", "date"), ("not_found", "publisher")}
    assert not (clean_tree.data / "sources" / "test-doc").exists()


# --------------------------------------------------------------------------------------------
# export-tables → import reproduces the shipped graph


def test_export_tables_then_import_reproduces_the_shipped_graph(tmp_path):
    layout = copy_tree(tmp_path / "tree")
    folders = curated_folders(layout)
    assert [name for name, _, _ in folders] == [
        "sources/domain-facts-secondary", "sources/domain-facts-verified", "sources/unnm-lac-hitos-07", "editorial"]
    shipped = {name: folder_graph(folder) for name, folder, _ in folders}
    done = gcmgraph_cli(layout.home, "export-tables", "--out", str(tmp_path / "tables"))
    assert done.returncode == 0, done.stderr
    assert "sources/unnm-lac-hitos-07: " in done.stdout
    brief7 = {t.sheet: t for t in read_tables([tmp_path / "tables" / "sources" / "unnm-lac-hitos-07"])}
    ids = {r.cells["id"] for r in brief7["policy"].rows}
    assert "mx-tapachula-somos-familia" in ids and len(brief7["lesson"].rows) == 9
    assert len(brief7["link"].rows) == 5
    for name, folder, source in folders:
        # remove the folder's Turtle, so that only the tables can bring it back
        for path in folder.glob("*.ttl"):
            path.unlink()
        result = import_tables([tmp_path / "tables" / name], layout=layout, validate=False,
                               source=str(source).rsplit("/", 1)[-1] if source else "editorial")
        assert result.written
        assert_isomorphic(shipped[name], folder_graph(folder), name)
    # the folder's other files (the brief's README) are kept
    assert (layout.data / "sources" / "unnm-lac-hitos-07" / "README.md").is_file()


def test_export_tables_as_a_workbook_round_trips_too(clean_tree, tmp_path):
    export_tables(tmp_path / "xlsx", layout=clean_tree, fmt="xlsx", only="unnm-lac-hitos-07")
    workbook = tmp_path / "xlsx" / "sources" / "unnm-lac-hitos-07" / "tables.xlsx"
    result = import_tables([workbook], source="unnm-lac-hitos-07", layout=clean_tree, validate=False,
                           dry_run=True)
    produced = Graph()
    for text in result.files.values():
        produced.parse(data=text, format="turtle")
    assert_isomorphic(folder_graph(clean_tree.data / "sources" / "unnm-lac-hitos-07"), produced, "workbook")


def test_tables_read_semicolon_csv_and_report_non_utf8(tmp_path):
    (tmp_path / "actor.csv").write_text("id;type;label_es\nx;LocalAuthority;Municipalidad\n", encoding="utf-8")
    table = read_tables([tmp_path / "actor.csv"])[0]
    assert isinstance(table, Table) and table.rows[0].cells["label_es"] == "Municipalidad"
    (tmp_path / "policy.csv").write_bytes("id,label_es\nx,Pol\xedtica\n".encode("latin-1"))
    with pytest.raises(Exception) as err:
        read_tables([tmp_path / "policy.csv"])
    assert "not UTF-8" in str(err.value) and "CSV UTF-8" in str(err.value)


# --------------------------------------------------------------------------------------------
# diff


def test_diff_of_two_trees_lists_brief8_entity_by_entity(imported, clean_tree):
    from gcmgraph.diff import diff_versions, render

    layout, done = imported
    assert done.returncode == 0, done.stderr
    result = diff_versions(str(clean_tree.home), str(layout.home), layout=layout, lang="en")
    assert result.counts() == {"added": 13, "changed": 0, "removed": 0}
    assert (result.added, result.removed, result.graphs) == (168, 0, ["source/test-hitos-08"])
    # brief 8 adds no violation and no warning
    assert result.validation.verdict == "same"
    assert result.validation.old == result.validation.new and result.validation.new["violations"] == 0
    puentes = next(c for c in result.entities if c.entity == ID["policy/gt-puentes"])
    assert puentes.status == "added" and puentes.label == "«Integration Bridges» programme"
    assert any(line.startswith("+ addresses objective (gcm:addressesObjective): «Empower migrants and societies")
               for line in puentes.lines), puentes.lines
    markdown = render(result, "markdown", "en")
    assert "**13 entities added, 0 changed, 0 removed; +168 / −0 statements in 1 named graph(s)**" in markdown
    assert "**validation: unchanged (violations 0 → 0" in markdown
    assert "- **«Municipality of Villa Ejemplo»** `org/gt-municipalidad-de-villa-ejemplo` (gcm:LocalAuthority)" in markdown
    assert "```diff\n# graph source/test-hitos-08\n" in markdown
    assert "+ policy:gt-puentes gcm:addressesObjective objective:16 ." in markdown
    as_json = json.loads(render(result, "json", "en"))
    assert as_json["counts"]["added"] == 13 and as_json["validation"]["verdict"] == "same"


def test_diff_between_git_commits_says_what_changed_and_that_validation_got_worse(tmp_path):
    layout = copy_tree(tmp_path)
    git = ["git", "-c", "user.email=curator@example.invalid", "-c", "user.name=curator"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    advances = layout.data / "sources" / "unnm-lac-hitos-07" / "advances.ttl"
    text = advances.read_text(encoding="utf-8")
    text = text.replace('"Ayuntamiento de Tapachula"@es', '"Ayuntamiento Municipal de Tapachula"@es')
    text = text.replace("actor:mx-ayuntamiento-tapachula\n    a gcm:LocalAuthority ;",
                        "actor:mx-ayuntamiento-tapachula\n    a gcm:LocalAuthority ;\n    dct:spatial country:MX ;")
    advances.write_text(text, encoding="utf-8")
    done = gcmgraph_cli(tmp_path, "diff", "HEAD", "--format", "text", "--lang", "en", "--check")
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "0 entities added, 1 changed, 0 removed; +2 / −1 statements in 1 named graph(s)" in out
    assert "validation: worse (violations 0 → 1" in out
    assert "label (rdfs:label): «Ayuntamiento de Tapachula»@es → «Ayuntamiento Municipal de Tapachula»@es" in out
    assert "+ spatial coverage (dct:spatial): «Mexico» `country/MX`" in out
    assert "Violation: `org/mx-ayuntamiento-tapachula` «Tapachula City Council» (dct:spatial): A local authority" in out
    assert "+ actor:mx-ayuntamiento-tapachula dct:spatial country:MX ." in out
    nonsense = gcmgraph_cli(tmp_path, "diff", "no-such-revision")
    assert nonsense.returncode == 2 and "neither a file or folder nor a git revision" in nonsense.stderr


def test_diff_between_two_release_folders(imported, clean_tree, tmp_path):
    """Releases carry the graph as N-Quads (gcmgraph.nq); the named graphs are compared as they are."""
    import gcmgraph
    from gcmgraph.diff import diff_versions
    from gcmgraph.export import export

    layout, done = imported
    assert done.returncode == 0, done.stderr
    for name, tree in (("old", clean_tree), ("new", layout)):
        (tmp_path / name).mkdir()
        export(gcmgraph.load(layout=tree), tmp_path / name / "gcmgraph.nq", "nquads")
    result = diff_versions(str(tmp_path / "old"), str(tmp_path / "new"), layout=layout, validate=False)
    assert result.counts() == {"added": 13, "changed": 0, "removed": 0}
    assert (result.added, result.removed, result.graphs) == (168, 0, ["source/test-hitos-08"])
    assert result.validation is None
