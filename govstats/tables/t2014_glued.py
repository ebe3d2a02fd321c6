"""Pre-2019 statistics tables whose cells were glued together when the page was flattened to text:
``指标名称计量单位2011年度历年累计主动公开信息数条4251516其中：1.网站公开条41815092.政府公报公开条77…``.

The header is read from the codebook's words (label and unit headers of label_columns.csv, value-column
names and patterns of aliases.csv and indicators.csv). A row is its label, then a unit of units.csv, then
the digits of its values. The unit is what separates label from values. A row number glued to the digits
before it (``…41815092.政府…``) belongs to the next label when it is the number that label should carry
(one more than the row before). The digits are split only where the count forces it (one digit a value
column, flagged ``split_glued_digits``); any other run is an unrecoverable row, never guessed.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from govstats.codebook import Codebook
from govstats.tables.model import Unit
from govstats.tables.t2014 import RawRow, RawTable, RejectedLine, ValueColumn
from govstats.text.keys import compact

_NUMBERING = re.compile(r"^(?:其中[:：]?)?(\d{1,2})[.．、]")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


class _Patterns(NamedTuple):
    label: re.Pattern[str]  # any label header word, as printed
    header: re.Pattern[str]  # a label header glued to a unit header
    columns: re.Pattern[str]  # one value-column header
    row: re.Pattern[str]  # label, unit, digits


@functools.lru_cache(maxsize=4)
def _patterns(codebook: Codebook) -> _Patterns:
    """The patterns of a codebook, made once (not once a document)."""
    labels = [h for h, role in codebook.header_roles.items() if role == "label"]
    units = [h for h, role in codebook.header_roles.items() if role == "unit"]
    return _Patterns(
        re.compile(_alternation(labels) or "(?!)"),  # (?!) never matches: no label header, no table
        re.compile(f"(?P<label>{_alternation(labels)})(?P<unit>{_alternation(units)})"),
        _value_columns(codebook),
        re.compile(r"(?P<label>(?:其中[:：]?)?(?:\d{1,2}[.．、])?[^\d|]+?)"
                   f"(?P<unit>{_alternation(list(codebook.units_by_zh))})"
                   r"(?P<number>\d[\d.]*\d|\d)"))  # digits and decimal points, as glued


def find_glued_tables(blocks: list[Unit], codebook: Codebook, first_number: int,
                      skip: set[int]) -> tuple[list[RawTable], list[RejectedLine]]:
    """Tables of text blocks (whose lines are not in ``skip``) that hold a glued 指标名称计量单位… header and
    rows."""
    patterns = _patterns(codebook)
    header, columns, row = patterns.header, patterns.columns, patterns.row
    tables: list[RawTable] = []
    rejected: list[RejectedLine] = []
    for position_in_layout, unit in enumerate(blocks, start=1):
        number, line = unit.line, unit.text
        if not patterns.label.search(line) or unit.is_row or number in skip or "|" in line:
            continue  # most lines name no label header
        text = compact(line)
        found = header.search(text)
        if not found:
            continue
        values, position = [], found.end()
        while True:
            column = columns.match(text, position)
            if not column or not column.group(0):
                break
            values.append(column.group(0))
            position = column.end()
        if not values:
            continue
        head = (found.group("label"), found.group("unit"), *values)
        table = RawTable(first_number + len(tables), number, position_in_layout, head, len(head), 0, 1,
                         tuple(ValueColumn(2 + i, value) for i, value in enumerate(values)))
        rejected += _rows(text, position, row, table, number)
        if table.rows:
            tables.append(table)
    return tables, rejected


def _value_columns(codebook: Codebook) -> re.Pattern[str]:
    """One value-column header as printed: a declared column name or a column pattern (2011年度)."""
    names = [a.alias for a in codebook.aliases if a.kind == "column" and a.template == "t2014"]
    names += [i.column_label_zh for i in codebook.indicators.values() if i.template == "t2014" and i.column_label_zh]
    patterns = [a.alias.removeprefix("^").removesuffix("$") for a in codebook.aliases
                if a.kind == "column_pattern" and a.template == "t2014"]
    return re.compile("|".join([*patterns, _alternation(names)]))


def _rows(text: str, position: int, row: re.Pattern[str], table: RawTable, line: int) -> list[RejectedLine]:
    """Read rows from ``position`` until text that is not a row; return the rows that could not be read."""
    width = len(table.value_columns)
    rejected: list[RejectedLine] = []
    while True:
        found = row.match(text, position)
        if not found:
            return rejected
        label, unit, digits = found.group("label"), found.group("unit"), found.group("number")
        end = found.end()
        if text[end:end + 1] in (".", "．", "、") and end + 1 < len(text) and not text[end + 1].isdigit():
            numbered = _NUMBERING.match(label)  # the next label's number is glued to these digits
            expected = str(int(numbered.group(1)) + 1 if numbered else 1)
            if not digits.endswith(expected) or len(digits) == len(expected) or "." in digits:
                rejected.append(RejectedLine(line, text[found.start():end + 1], "unrecoverable_row",
                                             "the row's digits run into the next row's number: where they end "
                                             "cannot be told, so the table is not read further"))
                return rejected
            digits, end = digits[:-len(expected)], end - len(expected)
        raw = f"{label}{unit}{digits}"
        if width == 1 and digits.count(".") <= 1:
            cells, flags = [digits], ()
        elif len(digits) == width and digits.isdigit():
            cells, flags = list(digits), ("split_glued_digits",)
        else:
            rejected.append(RejectedLine(line, raw, "unrecoverable_row",
                                         f"values glued together ({digits}): {len(digits)} characters for {width} "
                                         "value columns cannot be split with certainty, so none is guessed"))
            position = end
            continue
        table.rows.append(RawRow(line, (label, unit, *cells), raw, len(table.header), flags=flags))
        position = end
