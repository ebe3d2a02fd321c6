"""Raw table → tidy observations: one per value cell, with indicator, unit, value, status and flags.

Every row of a recovered table ends as observations or as rejections (with reason and line): nothing is
dropped silently, and a blank cell is missing with status ``blank``, never 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govstats.codebook import Codebook, Indicator
from govstats.observations.matching import LabelMatcher
from govstats.records import Observation
from govstats.tables.national import NationalTable
from govstats.tables.t2014 import RawRow, RawTable
from govstats.text.keys import SplitLabel, cell_key, split_label
from govstats.text.values import Cell, read_cell


@dataclass
class Rejection:
    source_line: int | None
    stage: str
    reason_code: str
    raw_text: str | None
    message: str


@dataclass
class TableResult:
    template: str | None
    observations: list[Observation] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class _RowState:
    """What the rows above tell the next one: matched context and numbering level."""

    context: tuple[str, ...] = ()
    level: int | None = None
    seen: set[str] = field(default_factory=set)
    used: frozenset[int] = frozenset()  # the cell positions the table reads (label, unit, values): the same each row
    header_width: int = 0  # cells up to the header's last non-empty cell


def normalize_table(table: RawTable, doc_id: str, year: int | None, matcher: LabelMatcher) -> TableResult:
    """Turn every row of a raw table into observations or rejections."""
    codebook = matcher.codebook
    labels = [row.cells[table.label_index] for row in table.rows if len(row.cells) > table.label_index]
    template = matcher.choose_template(labels, year)
    result = TableResult(template)
    used = {table.label_index, *(column.cell_index for column in table.value_columns)}
    if table.unit_index is not None:
        used.add(table.unit_index)
    header_width = max((i for i, cell in enumerate(table.header) if cell.strip()), default=-1) + 1
    state = _RowState(used=frozenset(used), header_width=header_width)
    for row_number, row in enumerate(table.rows, start=1):
        _normalize_row(table, row, row_number, doc_id, template, matcher, codebook, state, result)
    return result


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _normalize_row(table: RawTable, row: RawRow, row_number: int, doc_id: str, template: str | None,
                   matcher: LabelMatcher, codebook: Codebook, state: _RowState, result: TableResult) -> None:
    if not any(row.cells):
        result.rejections.append(Rejection(row.line, "normalize", "empty_row", row.raw, "row has no text in any cell"))
        return
    printed_label = _cell(row.cells, table.label_index)
    split = split_label(printed_label)
    label_cell_key = cell_key(split.label)
    if label_cell_key in codebook.ignored_labels:
        result.rejections.append(Rejection(row.line, "normalize", "page_metadata", row.raw,
                                           f"{codebook.ignored_labels[label_cell_key]}, not a statistic"))
        return
    row_flags: list[str] = list(row.flags)
    if row.n_raw_cells != table.n_header_cells:
        row_flags.append("ragged_row")

    used, header_width = state.used, state.header_width
    for index, text in enumerate(row.cells):
        if text and index not in used and index >= header_width:
            row_flags.append("extra_cells")
            result.rejections.append(Rejection(row.line, "normalize", "extra_cell", text,
                                               f"cell {index + 1} lies beyond the header's {header_width} columns"))

    unit_cell = _cell(row.cells, table.unit_index)
    unit_reading = read_cell(unit_cell, codebook) if unit_cell else None
    number_in_unit = unit_reading is not None and unit_reading.status == "reported"
    if number_in_unit and len(table.value_columns) > 1:
        result.rejections.append(Rejection(row.line, "normalize", "value_in_unit_column_ambiguous", unit_cell,
                                           "number in the unit column of a table with several value columns"))

    node, match_flag = None, None
    if template is not None:
        match = matcher.match_row(template, printed_label, state.context)
        node, match_flag = match.node, match.flag
    else:
        match_flag = "unmatched_label"
    if node is not None:
        state.context = node.path

    if split.is_of_which:
        level = (state.level or 0) + 1 if split.level is None else split.level + 1
    else:
        level = split.level
        if level is not None:
            state.level = level

    for column_number, column in enumerate(table.value_columns, start=1):
        flags = list(row_flags)
        index = column.cell_index
        value_text = _cell(row.cells, index)
        printed_unit = unit_cell if unit_cell and not number_in_unit else None
        if number_in_unit and len(table.value_columns) == 1 and not value_text.strip():
            value_text, flags = unit_cell, [*flags, "value_in_unit_column"]
            index = table.unit_index if table.unit_index is not None else index
        reading = read_cell(value_text, codebook)
        indicator = _indicator_for(node, column.label, template, matcher, flags, match_flag)
        if indicator is not None:
            if indicator.indicator_id in state.seen:
                flags.append("duplicate_indicator")
                indicator = None
            else:
                state.seen.add(indicator.indicator_id)
        cell = row.located[index] if index < len(row.located) else None
        place = CellPlace(doc_id, table.number, row_number, column_number, row.line,
                          cell.column if cell else None,
                          (row.grid, cell.row + 1, cell.col + 1) if cell and row.grid else None)
        result.observations.append(_observation(place, column.label, template, split, level, indicator, reading,
                                                value_text, printed_unit, flags, codebook))


def _indicator_for(node, column_label: str, template: str | None, matcher: LabelMatcher,
                   flags: list[str], match_flag: str | None) -> Indicator | None:
    if node is None:
        flags.append(match_flag or "unmatched_label")
        return None
    indicator_id = node.columns.get(matcher.column_key(template or "", column_label))
    if indicator_id is None:
        flags.append("unknown_column")
        return None
    return matcher.codebook.indicators[indicator_id]


@functools.cache
def section_unit(codebook: Codebook, indicator_id: str) -> str | None:
    """The unit of a heading that prints a number: the unit of the first row under it on the form, provided
    every row under it measures the same quantity (counts, or money); else None (no unit is guessed)."""
    units: list[str] = []
    pending = list(codebook.children(indicator_id))
    while pending:
        child = pending.pop(0)
        if child.unit:
            units.append(child.unit)
        pending[:0] = codebook.children(child.indicator_id)  # depth first: the form's order
    quantities = {codebook.units_by_zh[unit].quantity for unit in units}
    return units[0] if len(quantities) == 1 else None


@dataclass(frozen=True)
class CellPlace:
    """Where a value cell sits: document, table, row, column; source line and column; the cell's place in the
    grid the reader found (grid number, row, column, 1-based), for cells of a grid."""

    doc_id: str
    table_number: int
    row_number: int
    column_number: int
    line: int
    column: int | None = None  # source column of the cell's start, where the reader knows it
    grid: tuple[int, int, int] | None = None


@dataclass(frozen=True, slots=True)
class _UnitOutcome:
    """What a cell's unit comes to: the unit, its codebook record (multiplier as a Decimal) and the flags that
    say where it came from. A pure function of a few keys that repeat across cells, so computed once each."""

    unit: str | None
    unit_code: str | None
    multiplier: Decimal | None
    base_unit_code: str | None
    flags: tuple[str, ...]


@functools.lru_cache(maxsize=65_536)
def _unit_outcome(codebook: Codebook, indicator_id: str | None, reported: bool, has_value: bool,
                  unit_text: str | None, printed_unit: str | None) -> _UnitOutcome:
    indicator = codebook.indicators[indicator_id] if indicator_id is not None else None
    flags: list[str] = []
    if unit_text and printed_unit and cell_key(printed_unit) != cell_key(unit_text):
        flags.append("unit_conflict")
    printed = unit_text or (cell_key(printed_unit) if printed_unit else None)
    form_unit = indicator.unit if indicator else None
    unit = printed or form_unit
    if printed is None and form_unit is not None:
        flags.append("unit_from_codebook")
    elif printed is None and indicator is not None and reported:
        unit = section_unit(codebook, indicator.indicator_id)
        if unit is not None:
            flags.append("unit_from_section")
    if indicator is not None and printed is not None and printed != form_unit:
        flags.append("unit_differs_from_codebook")
    unit_record = codebook.unit_by_zh(unit) if unit else None
    if unit and unit_record is None:
        flags.append("unknown_unit")
    if indicator is not None and indicator.relation == "heading" and reported:
        flags.append("value_on_heading")
    if has_value and unit_record is None and not unit:
        flags.append("no_unit")
    if unit_record is None:
        return _UnitOutcome(unit, None, None, None, tuple(flags))
    return _UnitOutcome(unit, unit_record.unit_code, Decimal(unit_record.multiplier), unit_record.base_unit_code,
                        tuple(flags))


@functools.lru_cache(maxsize=4_096)
def _codes(flags: tuple[str, ...], warnings: frozenset[str]) -> tuple[str | None, str | None]:
    """``flag_codes`` and ``warning_codes`` of a cell's flags: sorted, distinct, ``;``-joined (None if none)."""
    distinct = sorted(set(flags))
    return ";".join(distinct) or None, ";".join(code for code in distinct if code in warnings) or None


def _content(codebook: Codebook, template: str | None, indicator: Indicator | None, split: SplitLabel,
             level: int | None, column_label: str, reading: Cell, value_text: str, printed_unit: str | None,
             flags: tuple[str, ...]) -> dict[str, Any]:
    """The fields of an observation that follow from what the cell says and where it was matched (not from
    where it sits): indicator, labels, value, unit, status and flags."""
    value = reading.value
    indicator_id = indicator.indicator_id if indicator is not None else None
    outcome = _unit_outcome(codebook, indicator_id, reading.status == "reported", value is not None,
                            reading.unit_text, printed_unit)
    flag_codes, warning_codes = _codes((*flags, *reading.flags, *outcome.flags), codebook.warnings)
    value_base = value * outcome.multiplier if value is not None and outcome.multiplier is not None else None
    return {
        "indicator_id": indicator_id,
        "table_template": template,
        "row_label": (f"{split.prefix}{split.label}" if split.prefix else split.label) or None,
        "row_note": split.note,
        "row_prefix": split.prefix,
        "row_level": level,
        "column_label": column_label,
        "raw_value": value_text if value_text.strip() else None,
        "value": float(value) if value is not None else None,
        "unit": outcome.unit,
        "unit_code": outcome.unit_code,
        "value_base": float(value_base) if value_base is not None else None,
        "base_unit_code": outcome.base_unit_code if value_base is not None else None,
        "status": reading.status,
        "flag_codes": flag_codes,
        "warning_codes": warning_codes,
    }


def _observation(place: CellPlace, column_label: str, template: str | None, split: SplitLabel,
                 level: int | None, indicator: Indicator | None, reading: Cell, value_text: str,
                 printed_unit: str | None, flags: list[str], codebook: Codebook) -> Observation:
    content = _content(codebook, template, indicator, split, level, column_label, reading, value_text,
                       printed_unit, tuple(flags))
    grid = place.grid
    return Observation(doc_id=place.doc_id, table_number=place.table_number, row_number=place.row_number,
                       column_number=place.column_number, source_line=place.line, source_column=place.column,
                       grid_number=grid[0] if grid else None, grid_row=grid[1] if grid else None,
                       grid_column=grid[2] if grid else None, **content)


@functools.lru_cache(maxsize=65_536)
def _national_content(codebook: Codebook, template: str | None, indicator_id: str | None, row_label: str,
                      column_label: str, raw: str, flags: tuple[str, ...]) -> dict[str, Any]:
    """``_content`` of a national-table cell: the same labels and text recur in every report of a format,
    so each distinct cell is worked out once (the dict is shared: it is only ever unpacked, never changed)."""
    split = split_label(row_label)
    indicator = codebook.indicators[indicator_id] if indicator_id is not None else None
    return _content(codebook, template, indicator, split, split.level, column_label, read_cell(raw, codebook), raw,
                    None, flags)


def normalize_national(table: NationalTable, number: int, doc_id: str, matcher: LabelMatcher) -> TableResult:
    """Observations of a national table: its cells were located by labels; here they meet their indicators."""
    codebook = matcher.codebook
    template, table_code, table_flags = table.template, table.table_code, tuple(table.flags)
    result = TableResult(template)
    observations = result.observations
    seen: set[str] = set()
    for cell in table.cells:
        indicator = matcher.national_indicator(template, table_code, cell.row_key, cell.column_key)
        indicator_id = indicator.indicator_id if indicator is not None else None
        flags = (*cell.flags, *table_flags)
        if indicator_id is None:
            flags = (*flags, "unmatched_label")
        elif indicator_id in seen:
            flags, indicator_id = (*flags, "duplicate_indicator"), None
        else:
            seen.add(indicator_id)
        content = _national_content(codebook, template, indicator_id, cell.row_label, cell.column_label, cell.raw,
                                    flags)
        grid = cell.grid_position
        observations.append(Observation(
            doc_id=doc_id, table_number=number, row_number=cell.row_number, column_number=cell.column_number,
            source_line=cell.line, source_column=cell.source_column, grid_number=grid[0] if grid else None,
            grid_row=grid[1] if grid else None, grid_column=grid[2] if grid else None, **content))
    return result
