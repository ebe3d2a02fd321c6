"""A national table region as a stream of cells: pipe text read as one pipe-separated text (a cell may go on
over lines), lines without pipes split at white space and cut at labels; each cell keeps its source line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from govstats.codebook import Codebook
from govstats.observations.values import read_cell
from govstats.tables.national_labels import END_OF_TABLES, Vocabulary
from govstats.text.keys import label_key

MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass(frozen=True)
class StreamCell:
    text: str
    line: int

    @property
    def key(self) -> str:
        return label_key(self.text) if self.text.strip() else ""


def is_value(cell: StreamCell, codebook: Codebook) -> bool:
    return read_cell(cell.text, codebook).status in ("reported", "placeholder", "blank")


# -- regions and streams ---------------------------------------------------------------------------------------

def _is_prose(line: str) -> bool:
    text = line.strip()
    return "|" not in text and ("。" in text or "；" in text or len(text) > 60)


def regions(lines: list[str], vocabulary: Vocabulary) -> list[tuple[int, int]]:
    """(first, last) line numbers of the stretches that hold national tables: from an anchor to prose."""
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        key = label_key(lines[index]) if lines[index].strip() else ""
        title = key and not _is_prose(lines[index]) and vocabulary.is_anchor(key)
        inline = key and vocabulary.block_of(key) is not None  # tables flattened into a prose line
        if title or inline or _has_anchor_cell(lines[index], vocabulary):
            end = index
            probe = index + 1
            while probe < len(lines):
                text = lines[probe]
                probe_key = label_key(text) if text.strip() else ""
                if any(word in probe_key for word in END_OF_TABLES) and "|" not in text:
                    break
                if _is_prose(text) and not (probe_key and vocabulary.is_anchor(probe_key)):
                    break
                if text.strip():
                    end = probe
                probe += 1
            found.append((index + 1, end + 1))
            index = probe
        else:
            index += 1
    return found


def _has_anchor_cell(line: str, vocabulary: Vocabulary) -> bool:
    return "|" in line and any(vocabulary.is_anchor(label_key(part)) for part in line.split("|") if part.strip())


def _continues_into_pipe(chunk: list[str], offset: int) -> bool:
    """True when the next non-empty line starts with "|": this line is the first part of a cell."""
    for line in chunk[offset + 1:]:
        if line.strip():
            return line.strip().startswith("|")
    return False


def stream(lines: list[str], first: int, last: int, vocabulary: Vocabulary) -> tuple[list[StreamCell], bool]:
    """The cells of a region in reading order, and whether it is pipe-delimited.

    With pipes, the region is read as one pipe-separated text (a cell may continue on the next line, as in
    renderings that put every ``|`` on its own line); a line without pipes that is a label by itself is a cell
    of its own. Without pipes, each line is split at white space.
    """
    chunk = lines[first - 1:last]
    if not any("|" in line for line in chunk):
        cells = []
        for number, line in enumerate(chunk, start=first):
            for part in line.split():
                cells += [StreamCell(piece, number) for piece in vocabulary.segment(part)]
        return cells, False
    cells: list[StreamCell] = []
    text, start_line = "", first
    skip_leading_pipe = False
    for offset, (number, line) in enumerate(enumerate(chunk, start=first)):
        body = line.strip()
        if MARKDOWN_RULE.match(body):
            continue  # |---|---| under a markdown header
        if skip_leading_pipe and body.startswith("|"):
            body = body[1:]
        skip_leading_pipe = False
        if "|" not in body and body and not text.strip():
            if vocabulary.is_label(label_key(body)):
                body += " |"  # a label alone on its line ends its cell, even if its "|" comes on the next line
                skip_leading_pipe = True
            elif not _continues_into_pipe(chunk, offset):  # a line of its own (text extracted from a PDF)
                cells += [StreamCell(piece, number) for part in body.split() for piece in vocabulary.segment(part)]
                continue
        for index, part in enumerate(body.split("|")):
            if index > 0:
                cells.append(StreamCell(text.strip(), start_line))
                text, start_line = "", number
            if not text.strip():
                start_line = number
            text += ("\n" if text else "") + part
    if text.strip():
        cells.append(StreamCell(text.strip(), start_line))
    return cells, True


# -- the reader -------------------------------------------------------------------------------------------------
