"""Reading and writing curation tables: CSV files and XLSX workbooks, cell by cell with positions.

A table is a CSV file (its stem names the table: ``actor.csv``) or a sheet of an XLSX workbook
(the sheet name names it). Row 1 holds the column names; rows are numbered as a spreadsheet shows
them, so an error in "row 4" is on the fourth line the curator sees. CSV needs nothing beyond the
core install; XLSX needs openpyxl (``pip install "gcmgraph[tables]"``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from gcmgraph.errors import InputError

#: sheets of a workbook that hold no records (instructions, scratch work)
SKIPPED_SHEETS = ("readme", "leeme", "léeme")
XLSX_HINT = 'Reading and writing XLSX needs openpyxl: pip install "gcmgraph[tables]" (or use CSV files).'


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Row:
    """One record of a table, with where it is: file, sheet, row number, column letters."""

    file: str
    sheet: str
    number: int
    cells: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)

    def where(self, column: str | None = None) -> dict:
        place = {"file": self.file, "sheet": self.sheet, "row": self.number}
        if column is not None:
            place["column"] = column
            place["letter"] = self.letters.get(column, "")
        return place


@dataclass
class Table:
    file: str
    sheet: str
    headings: list[str]
    rows: list[Row]
    #: where the heading row is, for messages about a missing or unknown column
    letters: dict[str, str] = field(default_factory=dict)


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a curator typed (dates as ISO dates, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(file: str, sheet: str, raw_rows: list[list[str]]) -> Table:
    if not raw_rows:
        return Table(file, sheet, [], [])
    headings = [h.strip() for h in raw_rows[0]]
    # spreadsheets add empty trailing columns; they carry no name and (checked below) no data
    while headings and not headings[-1]:
        headings.pop()
    letters = {h: column_letter(i) for i, h in enumerate(headings) if h}
    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        values = [v.strip() for v in raw]
        if not any(values):
            continue
        if any(values[len(headings):]):
            extra = next(i for i, v in enumerate(values) if i >= len(headings) and v)
            raise InputError(
                f"sheet {sheet}, row {number}, column {column_letter(extra)}: a value in a column without a name",
                path=file, hint="Give the column a name in row 1 (see data/templates/COLUMNS.md) or clear the cell.")
        cells = {h: (values[i] if i < len(values) else "") for i, h in enumerate(headings) if h}
        rows.append(Row(file, sheet, number, cells, letters))
    return Table(file, sheet, headings, rows, letters)


def read_csv(path: Path, display: str | None = None) -> Table:
    display = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=display, hint="Check the path of the table.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (line {line})", path=display, line=line,
                         hint="Save the table as «CSV UTF-8» (Excel: Save as > CSV UTF-8; LibreOffice: "
                              "character set Unicode (UTF-8)), or fill templates.xlsx instead.") from None
    first = text.split("\n", 1)[0]
    # spreadsheets set to Spanish save CSV with semicolons; the heading row tells which one was used
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as err:
        raise InputError(f"malformed CSV: {err}", path=display,
                         hint="Check the quotes in the table, or re-save it from a spreadsheet.") from None
    return _table(display, path.stem, raw)


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise InputError("XLSX support is not installed", hint=XLSX_HINT) from None
    return openpyxl


def read_xlsx(path: Path, display: str | None = None) -> list[Table]:
    display = display or str(path)
    openpyxl = _openpyxl()
    if not path.is_file():
        raise InputError("no such file", path=display, hint="Check the path of the workbook.")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises zipfile, KeyError and its own errors for broken files
        raise InputError(f"not a readable XLSX workbook ({type(err).__name__}: {err})", path=display,
                         hint="Open and save it again as .xlsx (Excel 2007 or later).") from None
    tables = []
    try:
        for sheet in workbook.worksheets:
            if sheet.title.strip().lower() in SKIPPED_SHEETS or sheet.title.startswith("_"):
                continue
            try:
                # read-only workbooks parse each sheet's XML only here, row by row
                raw = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            except Exception as err:  # a sheet whose XML is broken, or carries a DTD or entities
                raise InputError(f"sheet {sheet.title}: not readable ({type(err).__name__}: {err})",
                                 path=display, hint="Open and save it again as .xlsx (Excel 2007 or later).") from None
            tables.append(_table(display, sheet.title.strip(), raw))
    finally:
        workbook.close()
    return tables


def read_tables(paths: list[Path]) -> list[Table]:
    """Every table in ``paths``: CSV files, XLSX workbooks (one table per sheet) and folders of them."""
    tables: list[Table] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx")
                           and not p.name.startswith((".", "~$")))
            if not found:
                raise InputError("no .csv or .xlsx tables in this folder", path=str(path),
                                 hint="Give the tables themselves, or the folder new-source or export-tables wrote.")
            tables.extend(read_tables(found))
        elif path.suffix.lower() == ".csv":
            tables.append(read_csv(path))
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            tables.extend(read_xlsx(path))
        else:
            raise InputError(f"unsupported table type {path.suffix or '(none)'}", path=str(path),
                             hint="Tables are CSV files (.csv, UTF-8) or XLSX workbooks (.xlsx).")
    return tables


def csv_text(headings: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list[str]], dict[str, str]]],
               readme: list[str] | None = None) -> bytes:
    """A workbook with one sheet per table: (name, headings, rows, note per heading).

    Notes become cell comments on the headings, so the explanation is where the curator types.
    """
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    first = workbook.active
    if readme:
        first.title = "README"
        for line in readme:
            first.append([line])
        first.column_dimensions["A"].width = 120
    else:
        workbook.remove(first)
    for name, headings, rows, notes in sheets:
        sheet = workbook.create_sheet(name)
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        for index, heading in enumerate(headings):
            cell = sheet.cell(row=1, column=index + 1)
            cell.font = Font(bold=True)
            if notes.get(heading):
                cell.comment = Comment(notes[heading], "gcmgraph", width=320, height=160)
            sheet.column_dimensions[column_letter(index)].width = max(12, min(40, len(heading) + 4))
        sheet.freeze_panes = "A2"
    # fixed document dates: the same tables give the same workbook content
    fixed = dt.datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "gcmgraph"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
