"""The Excel workbook: README, one sheet per resource, a wide sheet and the data dictionary.

Written with xlsxwriter directly (not through pandas) so that text is never turned into formulas, numbers
stay numbers, no row is dropped at the sheet limit, and two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from govstats import __version__
from govstats.codebook import Codebook, Indicator
from govstats.output import schemas
from govstats.output.sink import iter_column, iter_rows, parquet_rows

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CHARS = 32_767  # characters an Excel cell holds
CUT_FLAG = "cut_in_workbook"  # issue_codes.csv
_CUTS_LISTED = 20
_FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)
_WIDE_KEYS = ("doc_id", "agency", "report_year", "template")


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wide_headers(codebook: Codebook, templates: list[str]) -> list[tuple[Indicator, str]]:
    """Chinese header per indicator: its row label, with the column (cross tables) or the section
    (labels repeated under several sections) added where needed, and the id as a last resort."""
    chosen = [i for i in codebook.indicators.values() if i.template in templates]
    same_row: dict[tuple[str, str | None, str], int] = {}
    same_label: dict[str, set[str | None]] = {}
    for indicator in chosen:
        row_key = (indicator.template, indicator.parent_id, indicator.row_label_zh)
        same_row[row_key] = same_row.get(row_key, 0) + 1
        same_label.setdefault(indicator.row_label_zh, set()).add(indicator.parent_id)
    labels = []
    for indicator in chosen:
        label = indicator.row_label_zh
        if len(same_label[label]) > 1:
            top = codebook.indicators[codebook.ancestors(indicator.indicator_id)[0]]
            label = f"{top.row_label_zh} › {label}"
        if same_row[(indicator.template, indicator.parent_id, indicator.row_label_zh)] > 1:
            label = f"{label}｜{indicator.column_label_zh}"
        labels.append(label)
    return [(indicator, label if labels.count(label) == 1 else f"{label} [{indicator.indicator_id}]")
            for indicator, label in zip(chosen, labels, strict=False)]


def wide_rows(codebook: Codebook, data_dir: Path, headers: list[tuple[Indicator, str]]) -> Iterator[list[Any]]:
    """One row per document; each indicator's value in the unit of the official form where convertible.

    Documents and observations are both in document order, so one pass over each suffices."""
    column = {indicator.indicator_id: position for position, (indicator, _) in enumerate(headers)}
    observations = iter_rows(data_dir / "observations.parquet",
                             ["doc_id", "indicator_id", "value", "value_base", "base_unit_code"])
    pending = next(observations, None)
    for document in iter_rows(data_dir / "documents.parquet", ["doc_id", *_WIDE_KEYS[1:]]):
        values: list[Any] = [None] * len(headers)
        while pending is not None and pending[0] == document[0]:
            _, indicator_id, value, value_base, base_unit = pending
            position = column.get(indicator_id)
            if position is not None and value is not None and values[position] is None:
                values[position] = _in_form_unit(codebook, indicator_id, value, value_base, base_unit)
            pending = next(observations, None)
        yield [*document, *values]


def _in_form_unit(codebook: Codebook, indicator_id: str, value: float, value_base: float | None,
                  base_unit: str | None) -> float:
    form_unit = codebook.units.get(codebook.indicators[indicator_id].unit_code or "")
    if form_unit and value_base is not None and base_unit == form_unit.base_unit_code:
        return value_base / form_unit.multiplier
    return value


class _Sheets:
    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd", "constant_memory": True})
        self.book.set_properties({"title": "govstats", "created": _FIXED_TIMESTAMP,
                                  "comments": f"govstats {__version__}"})
        self.bold = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.bold_wrap = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                               "valign": "top"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.cuts: list[str] = []  # cells cut to what Excel holds (sheet!cell: length)

    def table(self, name: str, header_rows: list[list[str]], rows: Iterable[Sequence[Any]], n_rows: int,
              note_if_too_big: str, max_width: int = 60) -> bool:
        """Write a sheet with frozen header, filter and readable widths; False (and the note instead) if it
        cannot fit. Rows are streamed: the widths come from the first 500. Text longer than an Excel cell
        holds is cut with a visible marker, flagged in the row's ``flags`` (where the sheet has one) and listed
        on the README sheet; the CSV and Parquet files keep it whole."""
        sheet = self.book.add_worksheet(name)
        if n_rows + len(header_rows) > EXCEL_MAX_ROWS:
            sheet.write_string(0, 0, note_if_too_big)
            return False
        rows = iter(rows)
        first = list(itertools.islice(rows, 500))
        n_columns = len(header_rows[0])
        for c in range(n_columns):
            width = max([_width(h[c]) for h in header_rows] + [_width(row[c]) for row in first] + [6])
            sheet.set_column(c, c, min(width + 2, max_width))
        narrow = max_width < 60  # narrow columns: long Chinese labels wrap in a taller first header row
        if narrow:
            sheet.set_row(0, 90)  # before the row is written: rows are flushed as they are left
        for r, header in enumerate(header_rows):
            for c, text in enumerate(header):
                sheet.write_string(r, c, text, self.bold_wrap if narrow and r == 0 else self.bold)
        top = len(header_rows)
        flags = header_rows[0].index("flags") if "flags" in header_rows[0] else None
        for r, row in enumerate(itertools.chain(first, rows), start=top):
            long = [c for c, value in enumerate(row) if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS]
            if long:
                row = self._cut(name, r, list(row), long, flags)
            for c, value in enumerate(row):
                if value is not None:
                    self._write(sheet, r, c, value)
        sheet.freeze_panes(top, 1)
        sheet.autofilter(top - 1, 0, top - 1 + n_rows, n_columns - 1)
        return True

    def _cut(self, name: str, r: int, row: list[Any], long: list[int], flags: int | None) -> list[Any]:
        """Cut the cells of ``row`` at ``long`` to what Excel holds, with a marker that says so."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        for c in long:
            n_chars = len(row[c])
            marker = (f" …[cut: {n_chars:,} characters, an Excel cell holds {EXCEL_MAX_CHARS:,}; the whole text is "
                      f"in data/{name}.csv and .parquet]")
            row[c] = row[c][: EXCEL_MAX_CHARS - len(marker)] + marker
            self.cuts.append(f"{name}!{xl_rowcol_to_cell(r, c)}: {n_chars:,} characters")
        if flags is not None and flags not in long:
            row[flags] = ";".join(filter(None, [row[flags], CUT_FLAG]))
        return row

    def _write(self, sheet: Any, row: int, column: int, value: Any) -> None:
        if isinstance(value, str):
            sheet.write_string(row, column, value)
        elif isinstance(value, float) and value != value:
            return
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, column, dt.datetime(value.year, value.month, value.day), self.date)
        else:
            sheet.write_string(row, column, str(value))


def write_workbook(path: Path, codebook: Codebook, data_dir: Path, summary: list[str]) -> None:
    """All resources in one workbook, read back from the Parquet files just written (one batch in memory at a
    time); a sheet too big for Excel says where the full data is instead."""
    sheets = _Sheets(path)
    readme = sheets.book.add_worksheet("README")
    readme.set_column(0, 0, 110, sheets.wrap)
    too_big = []
    for resource in schemas.RESOURCES:
        names = [f.name for f in codebook.fields[resource]]
        source = data_dir / f"{resource}.parquet"
        n_rows = parquet_rows(source)
        note = (f"{resource} has {n_rows:,} rows, more than one Excel sheet holds: "
                f"see data/{resource}.parquet or data/{resource}.csv")
        if not sheets.table(resource, [names], iter_rows(source), n_rows, note):
            too_big.append(note)
    templates = sorted(set(iter_column(data_dir / "documents.parquet", "template")) & set(codebook.templates()))
    headers = wide_headers(codebook, templates)
    n_documents = parquet_rows(data_dir / "documents.parquet")
    wide_note = (f"{n_documents:,} documents, more than one Excel sheet holds: see data/observations.parquet "
                 "(one row per value) or data/observations_by_year/")
    if not sheets.table("wide", [list(_WIDE_KEYS) + [label for _, label in headers],
                                 ["" for _ in _WIDE_KEYS] + [i.indicator_id for i, _ in headers]],
                        wide_rows(codebook, data_dir, headers), n_documents, wide_note, max_width=24):
        too_big.append(wide_note)
    dictionary = schemas.dictionary_rows(codebook)
    names = ["section", "resource", "name", "type", "required", "allowed", "description"]
    sheets.table("dictionary", [names], [[row[n] for n in names] for row in dictionary], len(dictionary), "")
    guide = [
        codebook.package["title"], "", codebook.package["description"], "",
        "Sheets: documents, indicators (codebook), observations (one row per value cell), checks (accounting "
        "rules), rejections (source text that is not an observation, with reason), wide (one row per document, "
        "one column per indicator, values in the unit of the official form), dictionary (fields, units, "
        "missing-value tokens, flags).",
        "Blank cells are missing values, never 0: see observations.status.",
        f"govstats {__version__}, codebook {codebook.version}.", "", *summary, "", *too_big,
    ]
    if sheets.cuts:
        guide += ["", f"{len(sheets.cuts):,} cells hold more text than an Excel cell ({EXCEL_MAX_CHARS:,} characters): "
                      f"they are cut here, marked …[cut: …] and flagged {CUT_FLAG}; the CSV and Parquet files keep "
                      "the whole text:", *sheets.cuts[:_CUTS_LISTED]]
        if len(sheets.cuts) > _CUTS_LISTED:
            guide.append(f"… and {len(sheets.cuts) - _CUTS_LISTED:,} more")
    for r, line in enumerate(guide):
        readme.write_string(r, 0, line)
    sheets.book.close()
