"""The 2014–2018 统计表 reader: grid rows (pipe lines, HTML rows) → header + rows of cells, each with its source
line; and tables whose cells are separated by spaces only, from text blocks.

This stage knows table layout (which header cell is the label, the unit, a value column) but nothing of
indicators: deciding what a row means is the next stage's job.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from govstats.codebook import Codebook
from govstats.tables.model import Cell, Unit
from govstats.text.keys import cell_key
from govstats.text.values import read_cell

_NUMERIC = re.compile(r"^[+-]?[0-9][0-9,.]*$")
@dataclass(frozen=True)
class RawRow:
    line: int
    cells: tuple[str, ...]
    raw: str
    n_raw_cells: int
    located: tuple[Cell, ...] = ()  # the cells as the reader located them (source column, grid position)
    grid: int | None = None  # the number of the grid the row belongs to
    flags: tuple[str, ...] = ()  # how the row was read (split_glued_digits), passed on to its cells


@dataclass(frozen=True)
class ValueColumn:
    cell_index: int
    label: str


@dataclass
class RawTable:
    number: int
    header_line: int  # source line of the header row
    header_unit: int  # position of the header's unit in the layout (orders tables within a line)
    header: tuple[str, ...]
    n_header_cells: int
    label_index: int
    unit_index: int | None
    value_columns: tuple[ValueColumn, ...]
    rows: list[RawRow] = field(default_factory=list)


@dataclass(frozen=True)
class RejectedLine:
    line: int
    raw: str
    reason_code: str
    message: str


def row_blocks(units: list[Unit]) -> list[list[tuple[int, Unit]]]:
    """Runs of consecutive table rows (blank text inside a run is skipped, other text ends it)."""
    blocks: list[list[tuple[int, Unit]]] = []
    current: list[tuple[int, Unit]] = []
    for number, unit in enumerate(units, start=1):
        if unit.is_row:
            current.append((number, unit))
        elif unit.text.strip():
            if current:
                blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


_BLANK, _DATA = object(), object()


@functools.lru_cache(maxsize=16_384)
def _header_role(cell: str, codebook: Codebook) -> object:
    """A cell's role in a header (label_columns.csv), _BLANK, or _DATA for a number; looked up once per text
    (every row of every table is tried as a header)."""
    key = cell_key(cell)
    if not key:
        return _BLANK
    if _NUMERIC.match(key):
        return _DATA
    return codebook.header_roles.get(key)


def read_header(cells: tuple[str, ...], codebook: Codebook) -> tuple[int, int | None, tuple[ValueColumn, ...]] | None:
    """Roles of the header cells (label, unit, values) or None if this is not a statistics header."""
    label_index = unit_index = None
    values: list[ValueColumn] = []
    for index, cell in enumerate(cells):
        role = _header_role(cell, codebook)
        if role is _BLANK:
            continue
        if role is _DATA:  # a header names columns; a number means this is a data row
            return None
        if role == "label" and label_index is None:
            label_index = index
        elif role == "unit" and unit_index is None:
            unit_index = index
        elif role == "number":
            continue
        elif label_index is not None:
            values.append(ValueColumn(index, cell))
    if label_index is None or not values:
        return None
    return label_index, unit_index, tuple(values)


@dataclass
class TableScan:
    """What table recovery found: tables, pipe lines it rejected, and how many pipe lines it read."""

    tables: list[RawTable]
    rejected: list[RejectedLine]
    n_pipe_lines: int


def find_tables(units: list[Unit], codebook: Codebook) -> TableScan:
    """All statistics tables among the layout's rows, plus the rows that belong to none (with the reason)."""
    tables: list[RawTable] = []
    rejected: list[RejectedLine] = []
    max_rows = codebook.limits["max_rows_per_table"]
    blocks = row_blocks(units)
    for block in blocks:
        table: RawTable | None = None
        for position, unit in block:
            located = unit.row_cells()
            cells, n_raw = tuple(cell.text for cell in located), len(located)
            number, line = unit.line, unit.text
            header = read_header(cells, codebook)
            if header is not None:
                label_index, unit_index, values = header
                table = RawTable(len(tables) + 1, number, position, cells, n_raw, label_index, unit_index, values)
                tables.append(table)
            elif table is None:
                rejected.append(RejectedLine(number, line, "not_a_statistics_table",
                                             "pipe-delimited line outside any statistics table (no header above it)"))
            elif len(table.rows) >= max_rows:
                rejected.append(RejectedLine(number, line, "table_too_long",
                                             f"row beyond the limit of {max_rows:,} rows per table"))
            else:
                table.rows.append(RawRow(number, cells, line, n_raw, located, unit.grid))
    return TableScan(tables, rejected, sum(len(block) for block in blocks))


def _is_prose(text: str) -> bool:
    return "。" in text or "；" in text


def _token_run(units: list[Unit], first: int, cap: int) -> tuple[list[str], list[int], int]:
    """The words of the text blocks from ``first`` (0-based) on, with their source lines, up to a table row or
    a prose sentence; and the index after the last block taken. The table may be on one line, a row a line, or
    a cell a line: the words are the same."""
    tokens: list[str] = []
    lines: list[int] = []
    index = first
    while (index < len(units) and len(tokens) < cap and not units[index].is_row
           and (index == first or not _is_prose(units[index].text))):
        words = units[index].text.split()
        tokens += words
        lines += [units[index].line] * len(words)
        index += 1
    return tokens, lines, index


def find_spaced_tables(units: list[Unit], codebook: Codebook, first_number: int) -> tuple[list[RawTable],
                                                                                       list[RejectedLine]]:
    """2014-style tables whose cells are separated by white space only (指标名称 计量单位 2013年度 历年累计 …),
    whether the table is one line, a row per line or a cell per line.

    A row is its label words, a unit, then the values; a row with more or fewer values than value columns
    is rejected: which column a value belongs to cannot be told.
    """
    tables: list[RawTable] = []
    rejected: list[RejectedLine] = []
    index = 0
    while index < len(units):
        unit = units[index]
        index += 1
        if not unit.text or unit.is_row:  # most units are rows or blank (the national regions are blanked)
            continue
        start = next((i for i, token in enumerate(unit.text.split())
                      if codebook.header_roles.get(cell_key(token)) == "label"), None)
        if start is None:
            continue
        position = index
        # at most a table's worth of words: bounded work however many lines name a header
        tokens, token_lines, after = _token_run(units, index - 1, 20 * codebook.limits["max_rows_per_table"])
        is_unit = [codebook.unit_by_zh(cell_key(token)) is not None for token in tokens]
        end = next((i for i in range(start + 1, len(tokens) - 1) if is_unit[i + 1] and not is_unit[i]), None)
        if end is None:
            continue
        header = read_header(tuple(tokens[start:end]), codebook)
        if header is None or header[1] is None:
            continue
        label_index, unit_index, values = header
        table = RawTable(first_number + len(tables), unit.line, position, tuple(tokens[start:end]), end - start,
                         label_index, unit_index, values)
        width = len(values)
        at = end
        while at < len(tokens):
            unit_at = next((i for i in range(at + 1, len(tokens)) if is_unit[i]), None)
            if unit_at is None:
                break
            label = " ".join(tokens[at:unit_at])
            run_end = unit_at + 1
            while run_end < len(tokens) and read_cell(tokens[run_end], codebook).status in ("reported",
                                                                                              "placeholder"):
                run_end += 1
            found = tokens[unit_at + 1:run_end]
            line = token_lines[at]
            if len(found) != width:
                rejected.append(RejectedLine(line, " ".join(tokens[at:run_end]), "unrecoverable_row",
                                             f"{len(found)} values for {width} value columns: which column each "
                                             "belongs to cannot be told"))
            else:
                cells = [""] * (end - start)
                cells[label_index], cells[unit_index] = label, tokens[unit_at]
                for column, value in zip(values, found, strict=True):
                    cells[column.cell_index] = value
                table.rows.append(RawRow(line, tuple(cells), " ".join(tokens[at:run_end]), end - start))
            at = run_end
        if table.rows:
            tables.append(table)
            index = max(index, after)
    return tables, rejected
