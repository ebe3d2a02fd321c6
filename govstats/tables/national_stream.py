"""A national table region as a stream of cells, from the layout's units (text blocks and table rows).

Rows whose cells a parser delimited (HTML) give their cells as they are. Pipe text is read as one
pipe-separated text (a cell may go on over lines); text without pipes is split at white space and cut at
labels. Each cell keeps its source line and the position of its unit (``unit``, 1-based)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from govstats.codebook import Codebook
from govstats.tables.model import Cell, Unit
from govstats.tables.national_labels import ENDS_TABLES, Vocabulary
from govstats.text.keys import label_key
from govstats.text.values import read_cell

_WORD = re.compile(r"\S+")
MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass(slots=True)
class StreamCell:
    """One cell of the stream. Slotted, not frozen: a region makes one per cell, and nothing changes a cell
    after ``stream`` (a frozen dataclass is several times slower to create)."""

    text: str
    line: int  # source line
    unit: int = 0  # 1-based position of the unit it came from
    in_row: bool = False  # a cell of a table row (pipe text or HTML), not a word of running text
    column: int | None = None  # 1-based source column where its text starts, where known
    origin: Cell | None = None  # the grid cell it is (parsed rows)
    grid: int | None = None  # the number of that cell's grid
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The label key of the text, computed once: the reader asks for it several times per cell."""
        key = self._key
        if key is None:
            key = self._key = label_key(self.text) if self.text.strip() else ""
        return key


def is_value(cell: StreamCell, codebook: Codebook) -> bool:
    return is_value_text(cell.text, codebook)


@functools.lru_cache(maxsize=16_384)
def is_value_text(text: str, codebook: Codebook) -> bool:
    """Whether a text reads as a value (the same few texts recur in every table: read once)."""
    return read_cell(text, codebook).status in ("reported", "placeholder", "blank")


# -- regions and streams ---------------------------------------------------------------------------------------

_VALUES_AT_END = re.compile(r"(?:\s+[-—–/0-9０-９.,]+){3}\s*$")  # a PDF text row: its label, then its values


def _is_prose(unit: Unit) -> bool:
    """A sentence ends a table region: a full stop or semicolon, or a long line that is not a row of values."""
    text = unit.text.strip()
    return not unit.is_row and ("。" in text or "；" in text or (len(text) > 60 and not _VALUES_AT_END.search(text)))


def regions(units: list[Unit], vocabulary: Vocabulary) -> list[tuple[int, int]]:
    """(first, last) unit positions (1-based) of the stretches that hold national tables: from an anchor to
    prose."""
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(units):
        unit = units[index]
        # a parsed row's cells are tested one by one (_has_anchor_cell), never its joined text
        key = _line_key(unit) if unit.text.strip() and not unit.is_parsed_row else ""
        # a title, or a block heading (also inside a line: tables flattened into a prose line)
        opens = bool(key) and ((not _is_prose(unit) and vocabulary.is_anchor(key))
                               or vocabulary.block_of(key) is not None)
        if opens or (unit.is_row and _has_anchor_cell(unit, vocabulary)):
            end = index
            probe = index + 1
            while probe < len(units):
                following = units[probe]
                if not following.is_row:  # a table row never ends a region
                    probe_key = _line_key(following) if following.text.strip() else ""
                    if ENDS_TABLES.search(probe_key):
                        break
                    if _is_prose(following) and not (probe_key and vocabulary.is_anchor(probe_key)):
                        break
                if following.text.strip():
                    end = probe
                probe += 1
            found.append((index + 1, end + 1))
            index = probe
        else:
            index += 1
    return found


def _line_key(unit: Unit) -> str:
    """The label key of a unit's text (``label_key`` folds wide forms before NFKC: fast on prose too)."""
    return label_key(unit.text)


def _has_anchor_cell(unit: Unit, vocabulary: Vocabulary) -> bool:
    if unit.is_parsed_row:
        return any(vocabulary.is_anchor_text(cell.text) for cell in unit.cells or () if cell.text)
    return unit.is_row and any(vocabulary.is_anchor_text(part) for part in unit.text.split("|") if part.strip())


def _continues_into_pipe(chunk: list[Unit], offset: int) -> bool:
    """True when the next non-empty line starts with "|": this line is the first part of a cell."""
    for unit in chunk[offset + 1:]:
        if unit.text.strip():
            return unit.is_row and not unit.is_parsed_row and unit.text.strip().startswith("|")
    return False


def stream(units: list[Unit], first: int, last: int, vocabulary: Vocabulary) -> tuple[list[StreamCell], bool]:
    """The cells of a region in reading order, and whether it is delimited (pipes or parsed rows).

    A parsed row (HTML) gives its cells as they are. Pipe text is read as one pipe-separated text (a cell may
    continue on the next line, as in renderings that put every ``|`` on its own line); a line without pipes
    that is a label by itself is a cell of its own. Without delimiters, each line is split at white space.
    """
    chunk = units[first - 1:last]
    if not any(unit.is_row for unit in chunk):
        return [cell for number, unit in enumerate(chunk, start=first) for cell in _words(unit, number, vocabulary)
                ], False
    cells: list[StreamCell] = []
    append = cells.append
    text, start_line, start_unit, start_column = "", chunk[0].line, first, None
    start_in_row = chunk[0].is_row  # the unit where the open cell starts is a table row
    skip_leading_pipe = False
    for offset, unit in enumerate(chunk):
        number = first + offset
        if unit.is_parsed_row:
            if text.strip():
                append(StreamCell(text.strip(), start_line, start_unit, start_in_row, start_column))
            text, skip_leading_pipe = "", False
            grid = unit.grid
            cells += [StreamCell(cell.text, cell.line, number, True, cell.column, cell, grid)
                      for cell in unit.cells or ()]
            continue
        raw, line, is_row = unit.text, unit.line, unit.is_row
        body = raw.strip()
        at = len(raw) - len(raw.lstrip())  # 0-based source offset of body
        if "---" in body and MARKDOWN_RULE.match(body):
            continue  # |---|---| under a markdown header
        if skip_leading_pipe and body.startswith("|"):
            body, at = body[1:], at + 1
        skip_leading_pipe = False
        if not is_row and body and not text.strip():
            if vocabulary.is_label(label_key(body)):
                body += " |"  # a label alone on its line ends its cell, even if its "|" comes on the next line
                skip_leading_pipe = True
            elif not _continues_into_pipe(chunk, offset):  # a line of its own (text extracted from a PDF)
                cells += _words(unit, number, vocabulary)
                continue
        parts = body.split("|") if is_row or body.endswith(" |") else [body]
        part = parts[0]  # goes on with the open cell (a cell may go on over lines)
        if not text.strip():
            start_line, start_unit, start_in_row = line, number, is_row
            start_column = at + len(part) - len(part.lstrip()) + 1 if part.strip() else None
        text += ("\n" if text else "") + part
        if len(parts) == 1:
            continue
        at += len(part) + 1
        append(StreamCell(text.strip(), start_line, start_unit, start_in_row, start_column))
        for part in parts[1:-1]:  # cells between two pipes of this line: closed at once
            stripped = part.strip()
            append(StreamCell(stripped, line, number, is_row, at + len(part) - len(part.lstrip()) + 1
                              if stripped else None))
            at += len(part) + 1
        text, start_line, start_unit, start_in_row = parts[-1], line, number, is_row  # opens the next cell
        start_column = at + len(text) - len(text.lstrip()) + 1 if text.strip() else None
    if text.strip():
        append(StreamCell(text.strip(), start_line, start_unit, start_in_row, start_column))
    return cells, True


def _words(unit: Unit, number: int, vocabulary: Vocabulary) -> list[StreamCell]:
    """Running text split at white space, each word cut at the labels it glues together."""
    cells = []
    for match in _WORD.finditer(unit.text):
        pieces = vocabulary.segment(match.group())
        exact = "".join(pieces) == match.group()  # else folding changed the text: only the first start is known
        column: int | None = match.start() + 1
        for piece in pieces:
            cells.append(StreamCell(piece, unit.line, number, False, column))
            column = column + len(piece) if exact and column is not None else None
    return cells


# -- the reader -------------------------------------------------------------------------------------------------
