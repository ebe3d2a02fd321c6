"""The Excel workbook: README, one sheet per resource, a wide sheet and the data dictionary.

Written with xlsxwriter directly (not through pandas) so that text is never turned into formulas, numbers
stay numbers, no row is dropped at the sheet limit, and two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from govstats import __version__
from govstats.codebook import Codebook, Indicator, Unit
from govstats.observations.normalize import section_unit
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


# The key columns of a wide sheet, headed like the indicators: label, unit, id.
_WIDE_KEY_LABELS = {"doc_id": "文档", "agency": "单位名称", "report_year": "报告年度", "template": "表式"}


def wide_headers(codebook: Codebook, template: str) -> list[tuple[Indicator, str, str]]:
    """(indicator, Chinese header, unit) for every indicator of one template, in the form's order. Every header
    has one style: the section it sits in, then its row label (``（六）其他处理 › 1.申请人…``), then the column
    where the row has several (``｜自然人``); the unit is the form's (for a heading, the unit its numbers are
    converted to: see ``section_unit``)."""
    chosen = [i for i in codebook.indicators.values() if i.template == template]
    same_row: dict[tuple[str | None, str], int] = {}
    for indicator in chosen:
        row_key = (indicator.parent_id, indicator.row_label_zh)
        same_row[row_key] = same_row.get(row_key, 0) + 1
    headers = []
    for indicator in chosen:
        label = indicator.row_label_zh
        parent = codebook.indicators.get(indicator.parent_id or "")
        if parent is not None:
            label = f"{parent.row_label_zh} › {label}"
        if same_row[(indicator.parent_id, indicator.row_label_zh)] > 1:
            label = f"{label}｜{indicator.column_label_zh}"
        headers.append((indicator, label, _wide_unit(codebook, indicator) or ""))
    return headers


def _wide_unit(codebook: Codebook, indicator: Indicator) -> str | None:
    return indicator.unit or section_unit(codebook, indicator.indicator_id)


def wide_panel(codebook: Codebook, data_dir: Path) -> tuple[list[list[str]], list[list[Any]]]:
    """The panel wide: one row per agency and report year, one column per comparable indicator (codebook
    order; values in the base unit, a conflict or missing value left empty); headers: label, unit, id."""
    import pyarrow.parquet as pq

    panel = pq.read_table(data_dir / "panel.parquet",
                          columns=["agency_id", "report_year", "indicator_id", "value_base", "base_unit_code",
                                   "status"]).to_pylist()
    order = {indicator_id: n for n, indicator_id in enumerate(codebook.indicators)}
    ids = sorted({row["indicator_id"] for row in panel}, key=lambda i: order.get(i, len(order)))
    units: dict[str, str] = {}
    cells: dict[tuple[str, int], dict[str, float]] = {}
    for row in panel:
        cells.setdefault((row["agency_id"], row["report_year"]), {})
        if row["status"] == "reported":
            cells[(row["agency_id"], row["report_year"])][row["indicator_id"]] = row["value_base"]
            units.setdefault(row["indicator_id"], row["base_unit_code"] or "")
    labels = [_wide_label(codebook.indicators[i]) if i in codebook.indicators else i for i in ids]
    headers = [["agency_id", "report_year", *labels], ["", "", *(units.get(i, "") for i in ids)],
               ["agency_id", "report_year", *ids]]
    rows = [[agency, year, *(values.get(i) for i in ids)] for (agency, year), values in sorted(cells.items())]
    return headers, rows


def _wide_label(indicator: Indicator) -> str:
    return " ｜ ".join(part for part in (indicator.row_label_zh, indicator.column_label_zh) if part)


def wide_rows(codebook: Codebook, data_dir: Path, headers: list[tuple[Indicator, str, str]],
              template: str) -> Iterator[list[Any]]:
    """One row per document of the template; each indicator's value in the unit of its header where
    convertible (as printed otherwise).

    Documents and observations are both in document order, so one pass over each suffices."""
    column = {indicator.indicator_id: position for position, (indicator, _, _) in enumerate(headers)}
    units = [codebook.unit_by_zh(unit) if unit else None for _, _, unit in headers]
    observations = iter_rows(data_dir / "observations.parquet",
                             ["doc_id", "indicator_id", "value", "value_base", "base_unit_code"])
    pending = next(observations, None)
    for document in iter_rows(data_dir / "documents.parquet", list(_WIDE_KEYS)):
        values: list[Any] = [None] * len(headers)
        while pending is not None and pending[0] == document[0]:
            _, indicator_id, value, value_base, base_unit = pending
            position = column.get(indicator_id)
            if position is not None and value is not None and values[position] is None:
                values[position] = _in_unit(units[position], value, value_base, base_unit)
            pending = next(observations, None)
        if document[-1] == template:
            yield [*document[:-1], *values]


def _in_unit(unit: Unit | None, value: float, value_base: float | None, base_unit: str | None) -> float:
    if unit and value_base is not None and base_unit == unit.base_unit_code:
        return value_base / unit.multiplier
    return value


def checks_failing_first(path: Path) -> Iterator[tuple]:
    """The checks, failing first (error-level, then warning-level), then not assessable, then passing; in
    document order within each. Only called for a sheet that fits in Excel, so the sort is bounded."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    status = pc.cast(table.column("status"), pa.string())
    severity = pc.cast(table.column("severity"), pa.string())
    rank = pc.if_else(pc.equal(status, "fail"), pc.if_else(pc.equal(severity, "error"), 0, 1),
                      pc.if_else(pc.equal(status, "not_assessable"), 2, 3))
    order = pc.sort_indices(pa.table({"rank": rank, "row": pa.array(range(len(table)))}),
                            sort_keys=[("rank", "ascending"), ("row", "ascending")])
    for batch in table.take(order).to_batches(65_536):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


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

    def table(self, name: str, header_rows: list[list[str]],
              rows: Iterable[Sequence[Any]] | Callable[[], Iterable[Sequence[Any]]], n_rows: int,
              note_if_too_big: str, max_width: int = 60) -> bool:
        """Write a sheet with frozen header, filter and readable widths; False (and the note instead) if it
        cannot fit. Rows are streamed: the widths come from the first 500. Text longer than an Excel cell
        holds is cut with a visible marker, flagged in the row's ``flags`` (where the sheet has one) and listed
        on the README sheet; the CSV and Parquet files keep it whole."""
        sheet = self.book.add_worksheet(name)
        if n_rows + len(header_rows) > EXCEL_MAX_ROWS:
            sheet.write_string(0, 0, note_if_too_big)
            return False
        rows = iter(rows() if callable(rows) else rows)  # a callable is only called for a sheet that fits
        first = list(itertools.islice(rows, 500))
        n_columns = len(header_rows[0])
        narrow = max_width < 60  # narrow columns: long Chinese labels wrap in a taller first header row
        fitted = header_rows[1:] if narrow and len(header_rows) > 1 else header_rows  # the label row wraps
        for c in range(n_columns):
            width = max([_width(h[c]) for h in fitted] + [_width(row[c]) for row in first] + [6])
            sheet.set_column(c, c, min(width + 2, max_width))
        if narrow:
            sheet.set_row(0, 90)  # before the row is written: rows are flushed as they are left
        for r, header in enumerate(header_rows):
            for c, text in enumerate(header):
                sheet.write_string(r, c, text, self.bold_wrap if narrow and r == 0 else self.bold)
        top = len(header_rows)
        flags = [header_rows[0].index(name) for name in ("flag_codes", "warning_codes") if name in header_rows[0]]
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

    def _cut(self, name: str, r: int, row: list[Any], long: list[int], flags: list[int]) -> list[Any]:
        """Cut the cells of ``row`` at ``long`` to what Excel holds, with a marker that says so."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        for c in long:
            n_chars = len(row[c])
            marker = (f" …[cut: {n_chars:,} characters, an Excel cell holds {EXCEL_MAX_CHARS:,}; the whole text is "
                      f"in data/{name}.csv and .parquet]")
            row[c] = row[c][: EXCEL_MAX_CHARS - len(marker)] + marker
            self.cuts.append(f"{name}!{xl_rowcol_to_cell(r, c)}: {n_chars:,} characters")
        for column in flags:  # the flag (a warning) goes in both code columns, as for any other warning
            if column not in long:
                row[column] = ";".join(sorted(filter(None, [*(row[column] or "").split(";"), CUT_FLAG])))
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
        rows = (lambda source=source: checks_failing_first(source)) if resource == "checks" else iter_rows(source)
        if not sheets.table(resource, [names], rows, n_rows, note):
            too_big.append(note)
    templates = Counter(iter_column(data_dir / "documents.parquet", "template"))
    keys = list(_WIDE_KEYS[:-1])
    for template in codebook.templates():
        headers = wide_headers(codebook, template)
        n_documents = templates.get(template, 0)
        wide_note = (f"{n_documents:,} {template} documents, more than one Excel sheet holds: see "
                     "data/observations.parquet (one row per value) or data/observations_by_year/")
        header_rows = [[_WIDE_KEY_LABELS[k] for k in keys] + [label for _, label, _ in headers],
                       ["" for _ in keys] + [unit for _, _, unit in headers],
                       keys + [indicator.indicator_id for indicator, _, _ in headers]]
        if not sheets.table(f"wide_{template}", header_rows,
                            lambda t=template, h=headers: wide_rows(codebook, data_dir, h, t), n_documents,
                            wide_note, max_width=36):
            too_big.append(wide_note)
    panel_headers, panel_rows = wide_panel(codebook, data_dir)
    panel_note = (f"{len(panel_rows):,} agency-years, more than one Excel sheet holds: see data/panel.parquet "
                  "or data/panel_by_year/")
    if not sheets.table("panel_wide", panel_headers, panel_rows, len(panel_rows), panel_note, max_width=36):
        too_big.append(panel_note)
    dictionary = schemas.dictionary_rows(codebook)
    names = ["section", "resource", "name", "type", "required", "allowed", "description"]
    sheets.table("dictionary", [names], [[row[n] for n in names] for row in dictionary], len(dictionary), "")
    guide = [
        codebook.package["title"], "", codebook.package["description"], "",
        "Sheets: documents, indicators (codebook), observations (one row per value cell), checks (accounting "
        "rules, failing first), rejections (source text that is not an observation, with reason), wide_t2014, "
        "wide_t2019, wide_t2021 (one row per document of that form, one column per indicator, values in the "
        "unit of the column; three header rows: label, unit, indicator_id), panel (agency × year × comparable "
        "indicator, 2019 values on 2021 ids), year_checks (checks between an agency's consecutive reports), "
        "panel_wide (one row per agency and year), dictionary (fields, units, "
        "missing-value tokens, flags with their kind).",
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
        wrapped = -(-_width(line) // 105)  # lines the text wraps to in the 110-character column
        if wrapped > 1:  # not every spreadsheet program grows a row for wrapped text by itself
            readme.set_row(r, 15 * wrapped)
        readme.write_string(r, 0, line)
    sheets.book.close()
