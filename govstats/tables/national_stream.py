"""A national table region as a stream of cells, from the layout's units (text blocks and table rows).

Rows whose cells a parser delimited (HTML) give their cells as they are. Pipe text is read as one
pipe-separated text (a cell may go on over lines); text without pipes is split at white space and cut at
labels. Each cell keeps its source line and the position of its unit (``unit``, 1-based)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from govstats.codebook import Codebook
from govstats.observations.values import read_cell
from govstats.tables.model import Unit
from govstats.tables.national_labels import END_OF_TABLES, Vocabulary
from govstats.text.keys import label_key

MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass(frozen=True)
class StreamCell:
    text: str
    line: int  # source line
    unit: int = 0  # 1-based position of the unit it came from
    in_row: bool = False  # a cell of a table row (pipe text or HTML), not a word of running text

    @property
    def key(self) -> str:
        return label_key(self.text) if self.text.strip() else ""


def is_value(cell: StreamCell, codebook: Codebook) -> bool:
    return read_cell(cell.text, codebook).status in ("reported", "placeholder", "blank")


# -- regions and streams ---------------------------------------------------------------------------------------

def _is_prose(unit: Unit) -> bool:
    text = unit.text.strip()
    return not unit.is_row and ("。" in text or "；" in text or len(text) > 60)


def regions(units: list[Unit], vocabulary: Vocabulary) -> list[tuple[int, int]]:
    """(first, last) unit positions (1-based) of the stretches that hold national tables: from an anchor to
    prose."""
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(units):
        unit = units[index]
        key = label_key(unit.text) if unit.text.strip() else ""
        title = key and not _is_prose(unit) and vocabulary.is_anchor(key)
        inline = key and vocabulary.block_of(key) is not None  # tables flattened into a prose line
        if title or inline or _has_anchor_cell(unit, vocabulary):
            end = index
            probe = index + 1
            while probe < len(units):
                following = units[probe]
                probe_key = label_key(following.text) if following.text.strip() else ""
                if any(word in probe_key for word in END_OF_TABLES) and not following.is_row:
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


def _has_anchor_cell(unit: Unit, vocabulary: Vocabulary) -> bool:
    if unit.is_parsed_row:
        return any(vocabulary.is_anchor(label_key(cell.text)) for cell in unit.cells or () if cell.text)
    return unit.is_row and any(vocabulary.is_anchor(label_key(part)) for part in unit.text.split("|")
                               if part.strip())


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
        cells = []
        for number, unit in enumerate(chunk, start=first):
            for part in unit.text.split():
                cells += [StreamCell(piece, unit.line, number) for piece in vocabulary.segment(part)]
        return cells, False
    cells: list[StreamCell] = []
    text, start_line, start_unit = "", chunk[0].line, first
    skip_leading_pipe = False
    for offset, (number, unit) in enumerate(enumerate(chunk, start=first)):
        if unit.is_parsed_row:
            if text.strip():
                cells.append(StreamCell(text.strip(), start_line, start_unit, units[start_unit - 1].is_row))
            text, skip_leading_pipe = "", False
            cells += [StreamCell(cell.text, cell.line, number, True) for cell in unit.cells or ()]
            continue
        body = unit.text.strip()
        if MARKDOWN_RULE.match(body):
            continue  # |---|---| under a markdown header
        if skip_leading_pipe and body.startswith("|"):
            body = body[1:]
        skip_leading_pipe = False
        if not unit.is_row and body and not text.strip():
            if vocabulary.is_label(label_key(body)):
                body += " |"  # a label alone on its line ends its cell, even if its "|" comes on the next line
                skip_leading_pipe = True
            elif not _continues_into_pipe(chunk, offset):  # a line of its own (text extracted from a PDF)
                cells += [StreamCell(piece, unit.line, number) for part in body.split()
                          for piece in vocabulary.segment(part)]
                continue
        parts = body.split("|") if unit.is_row or body.endswith(" |") else [body]
        for index, part in enumerate(parts):
            if index > 0:
                cells.append(StreamCell(text.strip(), start_line, start_unit, units[start_unit - 1].is_row))
                text, start_line, start_unit = "", unit.line, number
            if not text.strip():
                start_line, start_unit = unit.line, number
            text += ("\n" if text else "") + part
    if text.strip():
        cells.append(StreamCell(text.strip(), start_line, start_unit, units[start_unit - 1].is_row))
    return cells, True


# -- the reader -------------------------------------------------------------------------------------------------
