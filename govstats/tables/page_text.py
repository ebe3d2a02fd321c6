"""What text extracted from PDF pages puts inside a table that is not part of it: page footers and headers
(``— 4 —``, ``第 4 页``) between two rows, and notes printed beside a value (``（含自然失效 29 件）``). Their
numbers would otherwise be read as cell values; they are set aside, each with a reason, before the table is
read."""

from __future__ import annotations

import re
from collections.abc import Callable

from govstats.tables.national_labels import Memo
from govstats.tables.national_stream import StreamCell
from govstats.tables.t2014 import RejectedLine

# — 4 —, - 12 -, 第 4 页, 第4页 共10页, 4/10: a page number is never 0 and the dashes match
PAGE_MARK = re.compile(r"^(?:(?P<dash>[—–\-－~]{1,2})\s*[1-9]\d{0,3}\s*(?P=dash)|第\s*[1-9]\d{0,3}\s*页"
                       r"(?:\s*[,，/]?\s*共\s*[1-9]\d{0,3}\s*页)?|[1-9]\d{0,3}\s*/\s*[1-9]\d{0,3}\s*页?)$")
NUMBERING = re.compile(r"^[（(][一二三四五六七八九十\d]{1,3}[)）]$")
OPENING, CLOSING = "（(", "）)"
_MARK_CHARACTER = re.compile(r"[—–\-－~页/]")  # every page mark holds one (each branch of PAGE_MARK)
_OPENS = re.compile(r"\s*[（(]")
# of a cell's text: 1 when it may be part of a page mark, 2 when it may open a note, 3 both
_ROLES = Memo(lambda text: (1 if _MARK_CHARACTER.search(text) else 0) | (2 if _OPENS.match(text) else 0))


def set_aside(cells: list[StreamCell], is_label: Callable[[str], bool]) -> tuple[list[StreamCell],
                                                                                   list[RejectedLine]]:
    """The cells without page marks and notes beside values, and a rejection for each of those."""
    roles: dict[int, int] = {}  # line → what its cells may hold (_ROLES): most lines hold neither
    for cell in cells:
        role = _ROLES[cell.text]
        if role:
            roles[cell.line] = roles.get(cell.line, 0) | role
    if not roles:
        return cells, []
    by_line: dict[int, list[int]] = {}
    for index, cell in enumerate(cells):
        if cell.line in roles:
            by_line.setdefault(cell.line, []).append(index)
    dropped: set[int] = set()
    rejected: list[RejectedLine] = []
    for line, indices in by_line.items():
        texts = [cells[i].text for i in indices if cells[i].text.strip()] if roles[line] & 1 else []
        if texts and PAGE_MARK.match(" ".join(texts).strip()):
            dropped.update(indices)
            rejected.append(RejectedLine(line, " ".join(texts), "page_furniture",
                                         "a page footer or header inside a table region: not a cell"))
            continue
        position = 0 if roles[line] & 2 else len(indices)
        while position < len(indices):
            span = _note_span(cells, indices, position, is_label)
            if span is None:
                position += 1
                continue
            members = indices[position:span + 1]
            dropped.update(members)
            rejected.append(RejectedLine(line, " ".join(cells[i].text for i in members), "note_beside_value",
                                         "a note in brackets beside a value: kept as text, its numbers are not "
                                         "cell values"))
            position = span + 1
    if not dropped:
        return cells, []
    return [cell for index, cell in enumerate(cells) if index not in dropped], rejected


def _note_span(cells: list[StreamCell], indices: list[int], position: int,
               is_label: Callable[[str], bool]) -> int | None:
    """The position of the cell that closes a bracketed note opened at ``position`` on the same line, when the
    note holds a digit and no label; None otherwise."""
    first = cells[indices[position]].text.strip()
    if not first or first[0] not in OPENING or NUMBERING.match(first) or is_label(cells[indices[position]].key):
        return None
    for end in range(position, min(position + 8, len(indices))):
        cell = cells[indices[end]]
        if end > position and is_label(cell.key):
            return None
        if cell.text.strip()[-1:] in CLOSING:
            text = "".join(cells[i].text for i in indices[position:end + 1])
            return end if any(ch.isdigit() for ch in text) else None
    return None
