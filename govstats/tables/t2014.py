"""Recover tables from text: pipe-delimited lines → header + rows of cells, each with its source line.

This stage knows table layout (which header cell is the label, the unit, a value column) but nothing of
indicators: deciding what a row means is the next stage's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govstats.codebook import Codebook
from govstats.observations.values import read_cell
from govstats.text.keys import cell_key

PIPE = "|"
_NUMERIC = re.compile(r"^[+-]?[0-9][0-9,.]*$")


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: tuple[str, ...]
    raw: str
    n_raw_cells: int
    flags: tuple[str, ...] = ()  # how the row was read (split_glued_digits), passed on to its cells


@dataclass(frozen=True)
class ValueColumn:
    cell_index: int
    label: str


@dataclass
class RawTable:
    number: int
    header_line: int
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


def split_cells(line: str) -> tuple[tuple[str, ...], int]:
    """Split a pipe line into stripped cells; a leading pipe (markdown style) opens no cell."""
    text = line.strip()
    if text.startswith(PIPE):
        text = text[1:]
    parts = text.split(PIPE)
    return tuple(part.strip(" \t\u3000\u00a0") for part in parts), len(parts)


def pipe_blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of consecutive pipe lines (blank lines inside a run are skipped, prose ends it)."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if PIPE in line:
            current.append((number, line))
        elif line.strip():
            if current:
                blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def read_header(cells: tuple[str, ...], codebook: Codebook) -> tuple[int, int | None, tuple[ValueColumn, ...]] | None:
    """Roles of the header cells (label, unit, values) or None if this is not a statistics header."""
    label_index = unit_index = None
    values: list[ValueColumn] = []
    for index, cell in enumerate(cells):
        key = cell_key(cell)
        if not key:
            continue
        if _NUMERIC.match(key):  # a header names columns; a number means this is a data row
            return None
        role = codebook.header_roles.get(key)
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


def find_tables(lines: list[str], codebook: Codebook) -> TableScan:
    """All statistics tables in the text, plus the pipe lines that belong to none (with the reason)."""
    tables: list[RawTable] = []
    rejected: list[RejectedLine] = []
    max_rows = codebook.limits["max_rows_per_table"]
    blocks = pipe_blocks(lines)
    for block in blocks:
        table: RawTable | None = None
        for number, line in block:
            cells, n_raw = split_cells(line)
            header = read_header(cells, codebook)
            if header is not None:
                label_index, unit_index, values = header
                table = RawTable(len(tables) + 1, number, cells, n_raw, label_index, unit_index, values)
                tables.append(table)
            elif table is None:
                rejected.append(RejectedLine(number, line, "not_a_statistics_table",
                                             "pipe-delimited line outside any statistics table (no header above it)"))
            elif len(table.rows) >= max_rows:
                rejected.append(RejectedLine(number, line, "table_too_long",
                                             f"row beyond the limit of {max_rows:,} rows per table"))
            else:
                table.rows.append(RawRow(number, cells, line, n_raw))
    return TableScan(tables, rejected, sum(len(block) for block in blocks))


def find_spaced_tables(lines: list[str], codebook: Codebook, first_number: int) -> tuple[list[RawTable],
                                                                                       list[RejectedLine]]:
    """2014-style tables whose cells are separated by spaces only (指标名称 计量单位 2013年度 历年累计 …).

    A row is its label words, a unit, then the values; a row with more or fewer values than value columns
    is rejected: which column a value belongs to cannot be told.
    """
    tables: list[RawTable] = []
    rejected: list[RejectedLine] = []
    for number, line in enumerate(lines, start=1):
        if PIPE in line:
            continue
        tokens = line.split()
        start = next((i for i, token in enumerate(tokens) if codebook.header_roles.get(cell_key(token)) == "label"),
                     None)
        if start is None:
            continue
        is_unit = [codebook.unit_by_zh(cell_key(token)) is not None for token in tokens]
        end = next((i for i in range(start + 1, len(tokens) - 1) if is_unit[i + 1] and not is_unit[i]), None)
        if end is None:
            continue
        header = read_header(tuple(tokens[start:end]), codebook)
        if header is None or header[1] is None:
            continue
        label_index, unit_index, values = header
        table = RawTable(first_number + len(tables), number, tuple(tokens[start:end]), end - start, label_index,
                         unit_index, values)
        width = len(values)
        position = end
        while position < len(tokens):
            unit_at = next((i for i in range(position + 1, len(tokens)) if is_unit[i]), None)
            if unit_at is None:
                break
            label = " ".join(tokens[position:unit_at])
            run_end = unit_at + 1
            while run_end < len(tokens) and read_cell(tokens[run_end], codebook).status == "reported":
                run_end += 1
            found = tokens[unit_at + 1:run_end]
            if len(found) != width:
                rejected.append(RejectedLine(number, " ".join(tokens[position:run_end]), "unrecoverable_row",
                                             f"{len(found)} values for {width} value columns: which column each "
                                             "belongs to cannot be told"))
            else:
                cells = [""] * (end - start)
                cells[label_index], cells[unit_index] = label, tokens[unit_at]
                for column, value in zip(values, found, strict=True):
                    cells[column.cell_index] = value
                table.rows.append(RawRow(number, tuple(cells), " ".join(tokens[position:run_end]), end - start))
            position = run_end
        if table.rows:
            tables.append(table)
    from govstats.tables.t2014_glued import find_glued_tables  # the same table with its cells glued together

    used = {table.header_line for table in tables}
    glued, glued_rejected = find_glued_tables(lines, codebook, first_number + len(tables), used)
    return tables + glued, rejected + glued_rejected

