"""Recover the three tables of the 2019 and 2021 national formats (tables 2, 3 and 4) from text.

Pages render these tables in many ways: one pipe row per line, every cell or every ``|`` on its own line,
ragged rows, headers broken across cells, group labels that a rowspan put in front of the first row, whole
tables on one line. All of them are read the same way: the table region becomes a stream of cells, and the
official labels anchor it. A row label claims the value cells that follow it, in the order of the columns
its header named; a row whose values cannot be placed with certainty (too few, too many, glued together) is
recorded as unrecoverable, never guessed. This stage knows labels, not indicator ids.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from govstats.codebook import Codebook
from govstats.tables import RejectedLine
from govstats.text import cell_key, compact, label_key
from govstats.values import read_cell

_BLOCK = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
_SECTION_T2 = "主动公开政府信息情况"
_SECTION_T3 = "收到和处理政府信息公开申请情况"
_SECTION_T4 = ("行政复议、行政诉讼情况", "行政复议,行政诉讼情况", "行政复议和行政诉讼情况", "行政法复议、行政诉讼情况")
# Section titles as printed, typos seen in the wild included (行政法复议): cut out of glued text whole.
_SECTION_TITLE = re.compile(r"(?:[一二三四五六七]、)?(?:政府信息公开)?(?:行政法?复议[、,和]?行政诉讼情况|"
                            r"收到和处理政府信息公开申请情况|主动公开政府信息情况)")
_T3_NOTE = "本列数据的勾稽关系"
_T3_HEADER_WORDS = ("申请人情况", "法人或其他组织")
_END_OF_TABLES = ("存在的主要问题", "存在问题及改进", "其他需要报告的事项", "主要问题及改进")
_T4_GROUPS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")
_T4_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_T4_PATHS = ("行政复议", "行政诉讼 › 未经复议直接起诉", "行政诉讼 › 复议后起诉")
_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_NUMBER_RUN = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class StreamCell:
    text: str
    line: int

    @property
    def key(self) -> str:
        return label_key(self.text) if self.text.strip() else ""


@dataclass
class LocatedCell:
    """One value cell of a national table, located by the labels of its row and column."""

    row_label: str
    row_key: str
    column_label: str
    column_key: str
    raw: str
    line: int
    row_number: int
    column_number: int
    flags: tuple[str, ...] = ()


@dataclass
class NationalTable:
    table_code: str
    template: str | None
    first_line: int
    cells: list[LocatedCell] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    flags: tuple[str, ...] = ()
    labels: list[StreamCell] = field(default_factory=list)  # titles, headers and row labels it used


@dataclass
class NationalScan:
    tables: list[NationalTable]
    rejected: list[RejectedLine]
    region_lines: set[int]
    notes: list[str]


class Vocabulary:
    """The labels of tables 2–4, per template, taken from the codebook."""

    def __init__(self, codebook: Codebook) -> None:
        self.t2_rows: dict[str, dict[str, dict[str, str]]] = {}  # block → row key → template → printed row
        self.t2_columns: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (template, block) → [(key, label)]
        self.t3_rows: dict[str, set[str]] = {}  # row key → templates with that data row
        self.t3_groups: dict[str, set[str]] = {}  # row key → templates where it is a group label
        self.t3_columns: dict[str, str] = {}  # column key → printed label
        self.t4_columns: dict[str, str] = {}
        for indicator in codebook.indicators.values():
            key = label_key(indicator.row_label_zh)
            if indicator.table_code == "t2" and indicator.relation != "heading":
                block = indicator.indicator_id.split(".")[2]
                self.t2_rows.setdefault(block, {}).setdefault(key, {})[indicator.template] = indicator.row_label_zh
                columns = self.t2_columns.setdefault((indicator.template, block), [])
                column = (cell_key(indicator.column_label_zh), indicator.column_label_zh)
                if column not in columns:
                    columns.append(column)
            elif indicator.table_code == "t3":
                target = self.t3_groups if indicator.relation == "heading" else self.t3_rows
                target.setdefault(key, set()).add(indicator.template)
                if indicator.column_label_zh:
                    self.t3_columns[cell_key(indicator.column_label_zh)] = indicator.column_label_zh
            elif indicator.table_code == "t4":
                self.t4_columns[cell_key(indicator.column_label_zh)] = indicator.column_label_zh
        self.t2_column_keys = {key for columns in self.t2_columns.values() for key, _ in columns}
        self._t3_printed = {compact(i.row_label_zh) for i in codebook.indicators.values() if i.table_code == "t3"}
        self.t3_leaf_order = list(self.t3_columns)

    @functools.cached_property
    def printed_labels(self) -> list[str]:
        """Every label as printed on the forms (width-folded), longest first: the lexicon of glued text."""
        labels: set[str] = {"信息内容", "申请人情况", "法人或其他组织", *_T4_GROUPS, *_T4_OUTCOMES}
        for columns in self.t2_columns.values():
            labels.update(compact(label) for _, label in columns)
        for rows in self.t2_rows.values():
            for per_template in rows.values():
                labels.update(compact(label) for label in per_template.values())
        labels.update(compact(label) for label in self.t3_columns.values())
        labels.update(self._t3_printed)
        labels.update(f"第二十条第({n})项" for n in "一五六八九")
        return sorted((label for label in labels if label), key=len, reverse=True)

    @functools.cached_property
    def _labels_by_first_character(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for label in self.printed_labels:  # longest first, kept in each list
            index.setdefault(label[0], []).append(label)
        return index

    def _label_at(self, text: str, position: int, numbered: bool = False) -> str | None:
        """The longest label that starts at ``position`` (only numbered ones, 2.其他…, if asked)."""
        if position >= len(text) or (numbered and not text[position].isdigit()):
            return None
        return next((label for label in self._labels_by_first_character.get(text[position], ())
                     if text.startswith(label, position)), None)

    def _digits_end(self, text: str, start: int, end: int) -> int:
        """Where a run of digits ends: at its last digit, unless nothing label-like follows it and a numbered
        label begins inside it (…00000002.其他法律…: the 2 belongs to the label)."""
        if end == len(text) or self._label_at(text, end):
            return end
        return next((cut for cut in range(end - 1, start, -1) if self._label_at(text, cut, numbered=True)), end)

    def segment(self, text: str) -> list[str]:
        """Cut text whose cells were glued together (规章000行政规范性文件8855698…) at the labels it contains;
        nothing else is split."""
        folded = compact(text)
        pieces: list[str] = []
        other, position = "", 0
        while position < len(folded):
            title = _SECTION_TITLE.match(folded, position)
            label = title.group(0) if title else self._label_at(folded, position)
            if label:
                pieces += [other] if other else []
                pieces.append(label)
                other, position = "", position + len(label)
                continue
            number = _NUMBER_RUN.match(folded, position)
            if number and not other:
                cut = self._digits_end(folded, position, number.end())
                pieces.append(folded[position:cut])
                position = cut
                continue
            other += folded[position]
            position += 1
        if other:
            pieces.append(other)
        return pieces

    def block_of(self, key: str) -> str | None:
        match = _BLOCK.search(key)
        if not match:
            return None
        numeral = {"一": "1", "五": "5", "六": "6", "八": "8", "九": "9"}.get(match.group(1))
        return f"a20_{numeral}" if numeral else None

    def is_anchor(self, key: str) -> bool:
        """A block heading, a table title or the note that opens table 3 (titles only when short: prose
        that merely names a section is not a table)."""
        titled = len(key) <= 30 and (_SECTION_T3 in key or any(s in key for s in _SECTION_T4))
        return bool(self.block_of(key)) or titled or _T3_NOTE in key

    def is_label(self, key: str) -> bool:
        """A label of any kind: table cells that are not values."""
        return bool(key) and (
            self.is_anchor(key) or _SECTION_T2 in key or key in self.t3_rows or key in self.t3_groups
            or any(key in rows for rows in self.t2_rows.values()) or key in self.t2_column_keys
            or key in self.t3_columns or key in _T4_GROUPS or key in _T4_OUTCOMES or key == "信息内容"
            or key in _T3_HEADER_WORDS or _T3_NOTE in key)


def _is_value(cell: StreamCell, codebook: Codebook) -> bool:
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
                if any(word in probe_key for word in _END_OF_TABLES) and "|" not in text:
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
        if _MARKDOWN_RULE.match(body):
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

@dataclass
class _State:
    table: NationalTable | None = None
    block: str | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (column key, printed label)
    header_open: bool = False
    t3_seen: list[str] = field(default_factory=list)
    t4_seen: list[str] = field(default_factory=list)
    group: str | None = None
    row_number: int = 0


class Reader:
    """Walks one region's cells and fills tables 2–4."""

    def __init__(self, codebook: Codebook, vocabulary: Vocabulary) -> None:
        self.codebook, self.vocabulary = codebook, vocabulary
        self.tables: dict[str, NationalTable] = {}
        self.rejected: list[RejectedLine] = []
        self.used: set[int] = set()
        self.truncated_at: int | None = None  # line of a row label left without values at the end of a region

    def read(self, cells: list[StreamCell], piped: bool) -> None:
        state = _State()
        index = 0
        self.truncated_at = None
        while index < len(cells):
            if any(word in cells[index].key for word in _END_OF_TABLES):
                break  # 五、存在的主要问题…: the tables are over
            index = self._step(cells, index, piped, state)

    def _table(self, code: str, line: int, state: _State) -> NationalTable:
        if code not in self.tables:
            self.tables[code] = NationalTable(code, None, line)
        if state.table is not self.tables[code]:
            state.table, state.columns, state.group, state.row_number = self.tables[code], [], None, 0
            state.t3_seen, state.t4_seen = [], []
        return self.tables[code]

    def _step(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        cell = cells[index]
        key = cell.key
        vocabulary = self.vocabulary
        if not key:
            return index + 1
        block = vocabulary.block_of(key)
        if block:
            self._table("t2", cell.line, state)
            state.block, state.columns, state.header_open = block, [], True
            return self._use(state, cell, index)
        if _SECTION_T2 in key and len(key) < 16:
            return index + 1
        if (_SECTION_T3 in key and len(key) <= 30) or _T3_NOTE in key or key in _T3_HEADER_WORDS:
            self._table("t3", cell.line, state)
            state.header_open = True
            return self._use(state, cell, index)
        if len(key) <= 30 and any(section in key for section in _SECTION_T4):
            self._table("t4", cell.line, state)
            state.header_open = True
            return self._use(state, cell, index)
        code = state.table.table_code if state.table else None
        if code in (None, "t2") and self._joined_label(cells, index, self.vocabulary.t3_rows) and not (
                code == "t2" and self._joined_label(cells, index, self.vocabulary.t2_rows.get(state.block or "", {}))):
            self._table("t3", cell.line, state)  # table 3 whose header was not recognized
            code = "t3"
        if code is None:
            return index + 1  # prose that shares the region's first line, before any table
        if code == "t2":
            return self._step_t2(cells, index, piped, state)
        if code == "t3":
            return self._step_t3(cells, index, piped, state)
        if code == "t4":
            return self._step_t4(cells, index, piped, state)
        return self._unassigned(cell, index)

    def _use(self, state: _State, cell: StreamCell, index: int) -> int:
        self.used.add(index)
        if state.table is not None:
            state.table.lines.add(cell.line)
            state.table.labels.append(cell)
        return index + 1

    def _unassigned(self, cell: StreamCell, index: int) -> int:
        if cell.text.strip():
            self.rejected.append(RejectedLine(cell.line, cell.text, "unassigned_cell",
                                              "text in a table region that is neither a label nor a value "
                                              "of a recognized row"))
        return index + 1

    # table 2 ------------------------------------------------------------------------------------------------
    def _step_t2(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        cell, key = cells[index], cells[index].key
        rows = self.vocabulary.t2_rows.get(state.block or "", {})
        row_key = self._joined_label(cells, index, rows)
        if row_key is not None:
            state.header_open = False
            key_length, next_index = row_key
            return self._row(cells, index, next_index, piped, state, key_length, "t2")
        if key == "信息内容":
            state.header_open = True
            return self._use(state, cell, index)
        if state.header_open or key in self.vocabulary.t2_column_keys:
            matched = self._t2_column(cells, index, state)
            if matched is None:  # a header without its block heading: the block whose columns it names
                owners = {block for (_, block), columns in self.vocabulary.t2_columns.items()
                          if any(column == cell_key(cell.text) for column, _ in columns)}
                if len(owners) == 1 and owners != {state.block}:
                    state.block, state.columns, state.header_open = owners.pop(), [], True
                    matched = self._t2_column(cells, index, state)
            if matched is not None:
                return matched
        return self._unassigned(cell, index)

    def _t2_column(self, cells: list[StreamCell], index: int, state: _State) -> int | None:
        """A header cell naming a column of the block (joined with the next cells when it was broken)."""
        candidates = [(key, label) for template in ("t2019", "t2021")
                      for key, label in self.vocabulary.t2_columns.get((template, state.block or ""), [])]
        used = {key for key, _ in state.columns}
        joined = ""
        for probe in range(index, min(index + 3, len(cells))):
            part = cell_key(cells[probe].text)
            if not part:
                break
            joined += part
            exact = [c for c in candidates if c[0] == joined and c[0] not in used]
            if exact:
                state.columns.append(exact[0])
                for position in range(index, probe + 1):
                    self._use(state, cells[position], position)
                return probe + 1
            if not any(c[0].startswith(joined) for c in candidates):
                break
        fragment = cell_key(cells[index].text)
        prefixed = [c for c in candidates if c[0].startswith(fragment) and c[0] not in used and len(fragment) >= 2]
        if prefixed:  # a label cut short ("本年新"): the first unused column of the form that it begins
            state.columns.append((prefixed[0][0], cells[index].text.strip()))
            state.table.flags = tuple(sorted({*state.table.flags, "truncated_column_label"}))
            return self._use(state, cells[index], index)
        return None

    # table 3 ------------------------------------------------------------------------------------------------
    def _step_t3(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        cell = cells[index]
        key, column = cell.key, cell_key(cell.text)
        if state.header_open and (column in self.vocabulary.t3_columns or key in _T3_HEADER_WORDS):
            state.t3_seen.append(column)
            return self._use(state, cell, index)
        if state.header_open:  # a header word broken into pieces (商业 / 企业)
            joined = self._joined_label(cells, index, dict.fromkeys(self.vocabulary.t3_columns))
            if joined is not None and joined[1] > index + 1:
                state.t3_seen.append(joined[0])
                for position in range(index, joined[1]):
                    self._use(state, cells[position], position)
                return joined[1]
        if key in self.vocabulary.t3_groups and key not in self.vocabulary.t3_rows:
            state.group = key
            return self._use(state, cell, index)
        found = self._joined_label(cells, index, self.vocabulary.t3_rows)
        if found is not None and key in self.vocabulary.t3_groups and not self._values_follow(cells, found[1]):
            found = None  # （六）其他处理 printed as the label of its three 2021 rows
        if found is not None:
            if state.header_open or not state.columns:
                state.columns = self._t3_columns(state)
                state.header_open = False
            return self._row(cells, index, found[1], piped, state, found[0], "t3")
        if key in self.vocabulary.t3_groups:  # （六）其他处理: a data row in 2019, a group label in 2021
            state.group = key
            return self._use(state, cell, index)
        return self._unassigned(cell, index)

    def _values_follow(self, cells: list[StreamCell], index: int) -> bool:
        for cell in cells[index:index + 3]:
            if cell.text:
                return _is_value(cell, self.codebook)
        return False

    def _t3_columns(self, state: _State) -> list[tuple[str, str]]:
        """自然人, the five 法人或其他组织 columns in the order printed, 总计; the form's order otherwise."""
        leaves = [key for key in state.t3_seen if key in self.vocabulary.t3_columns]
        order = self.vocabulary.t3_leaf_order
        if sorted(leaves) == sorted(order) and len(leaves) == len(order):
            middle = [key for key in leaves if key not in (order[0], order[-1])]
            keys = [order[0], *middle, order[-1]]
        else:
            keys = order
            state.table.flags = tuple(sorted({*state.table.flags, "columns_from_form_order"}))
        return [(key, self.vocabulary.t3_columns[key]) for key in keys]

    # table 4 ------------------------------------------------------------------------------------------------
    def _step_t4(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        """Header words, then one row of values (with or without a label in front of it)."""
        cell, key = cells[index], cells[index].key
        if key in _T4_GROUPS or key in _T4_OUTCOMES:
            state.t4_seen.append(key)
            return self._use(state, cell, index)
        if state.t4_seen and _is_value(cell, self.codebook):
            state.columns = state.columns or self._t4_columns(state)
            return self._row(cells, index, index, piped, state, None, "t4")
        return self._unassigned(cell, index)

    def _t4_columns(self, state: _State) -> list[tuple[str, str]]:
        outcomes = [key for key in state.t4_seen if key in _T4_OUTCOMES]
        groups = [key for key in state.t4_seen if key in _T4_GROUPS]
        ordered = len(outcomes) == 15 and all(sorted(outcomes[i:i + 5]) == sorted(_T4_OUTCOMES)
                                              for i in (0, 5, 10))
        if not ordered or groups[:1] != ["行政复议"]:
            state.table.flags = tuple(sorted({*state.table.flags, "columns_from_form_order"}))
            outcomes = list(_T4_OUTCOMES) * 3
        labels = [f"{path} › {outcome}" for i, path in enumerate(_T4_PATHS) for outcome in outcomes[i * 5:i * 5 + 5]]
        return [(cell_key(label), label) for label in labels]

    # rows ---------------------------------------------------------------------------------------------------
    def _joined_label(self, cells: list[StreamCell], index: int, known: dict) -> tuple[str, int] | None:
        """(row key, index after the label) when the cell, or the cell joined with the next one or two
        (a label broken across lines), is a known row label."""
        joined = ""
        for probe in range(index, min(index + 3, len(cells))):
            part = cells[probe].key
            if not part:
                return None
            joined += part
            if joined in known:
                return joined, probe + 1
            if not any(label.startswith(joined) for label in known):
                return None
        return None

    def _row(self, cells: list[StreamCell], label_index: int, start: int, piped: bool, state: _State,
             row_key: str | None, code: str) -> int:
        table = state.table
        label_cells = cells[label_index:start]
        for position in range(label_index, start):
            self._use(state, cells[position], position)
        width = len(state.columns)
        run, position = [], start
        while position < len(cells) and (_is_value(cells[position], self.codebook) or not cells[position].key):
            if not piped and not cells[position].text:
                position += 1
                continue
            run.append(position)
            position += 1
        values = [cells[p] for p in run]
        placed: list[StreamCell] | None = None
        flags: tuple[str, ...] = ()
        filled = [v for v in values if v.text]
        if width and piped and len(values) >= width and not any(v.text for v in values[width:]):
            placed = values[:width]
        elif width and not piped and len(values) == width:
            placed = values
        elif width and len(filled) == 1 and filled[0].text.isdigit() and len(filled[0].text) == width:
            digits = filled[0]  # cells glued without delimiters: split only when every cell is one digit
            placed = [StreamCell(ch, digits.line) for ch in digits.text]
            flags = ("split_glued_digits",)
        printed = " ".join(c.text for c in label_cells) or None
        if placed is None and not filled and position >= len(cells) and label_cells:
            self.truncated_at = label_cells[0].line  # the text ends where this row's values should be
        if placed is None:
            text = " | ".join([printed or "", *(v.text for v in values)])
            if len(filled) == 1 and filled[0].text.isdigit() and width > 1:
                reason = (f"values glued together ({filled[0].text}): {len(filled[0].text)} digits for {width} "
                          "columns cannot be split with certainty, so none is guessed")
            else:
                reason = (f"{len(values)} cells ({len(filled)} with a value) for {width} columns: which value "
                          "belongs to which column cannot be told, so none is guessed")
            self.rejected.append(RejectedLine(
                (label_cells or values or [cells[min(start, len(cells) - 1)]])[0].line, text, "unrecoverable_row",
                reason))
            for p in run:
                self.used.add(p)
            return position
        state.row_number += 1
        table.lines.update(c.line for c in label_cells)
        for number, ((column_key, column_label), value) in enumerate(zip(state.columns, placed, strict=True),
                                                                     start=1):
            table.cells.append(LocatedCell(printed or "", row_key or "", column_label, column_key, value.text,
                                           value.line, state.row_number, number, flags))
            table.lines.add(value.line)
        for p in run:
            self.used.add(p)
        return position


def choose_template(table: NationalTable, others: list[NationalTable], vocabulary: Vocabulary,
                    year: int | None) -> tuple[str | None, str]:
    """The template of a table from its labels (本年新制作数量 vs 本年制发件数, （六）其他处理 as one row or
    three), else from the document's other tables, else from the report year."""
    votes = {"t2019": 0, "t2021": 0}
    if table.table_code == "t2":
        labels = {t: {key for (template, _), columns in vocabulary.t2_columns.items() if template == t
                      for key, _ in columns} for t in votes}
        rows = {t: {key for block in vocabulary.t2_rows.values() for key, per in block.items() if t in per}
                for t in votes}
        for cell in table.cells:
            for template, other in (("t2019", "t2021"), ("t2021", "t2019")):
                if cell.column_key in labels[template] - labels[other]:
                    votes[template] += 1
                if cell.row_key in rows[template] - rows[other]:
                    votes[template] += 1
    elif table.table_code == "t3":
        for cell in table.cells:
            templates = vocabulary.t3_rows.get(cell.row_key, set())
            if len(templates) == 1:
                votes[next(iter(templates))] += 1
    if votes["t2019"] != votes["t2021"]:
        return max(votes, key=votes.get), "labels"
    for other in others:
        if other is not table and other.template:
            return other.template, "other_table"
    if year is not None:
        return ("t2019" if year < 2021 else "t2021"), "report_year"
    return None, "unknown"


def find_national_tables(lines: list[str], codebook: Codebook, vocabulary: Vocabulary,
                         year: int | None) -> NationalScan:
    """Tables 2–4 of every national-format region of a document, with the cells nothing could claim."""
    reader = Reader(codebook, vocabulary)
    region_lines: set[int] = set()
    truncated = []
    for first, last in regions(lines, vocabulary):
        region_lines.update(range(first, last + 1))
        cells, piped = stream(lines, first, last, vocabulary)
        reader.read(cells, piped)
        if reader.truncated_at is not None:
            truncated.append(reader.truncated_at)
    tables = sorted(reader.tables.values(), key=lambda t: t.first_line)
    for table in tables:
        if not table.cells:  # a title or header with no values after it is not a table; on a line of
            # prose it is a section heading, in a pipe row it is a cell that must be accounted for
            reader.rejected += [RejectedLine(cell.line, cell.text, "table_without_values",
                                             f"label of table {table.table_code[1]}, which has no value row")
                                for cell in table.labels if cell.text and "|" in lines[cell.line - 1]]
    tables = [t for t in tables if t.cells]
    notes = [f"the text ends inside a table at line {line}: the rows above it are complete, the rest is missing"
             for line in truncated]
    for table in tables:  # first the tables whose own labels decide, then the others
        table.template, source = choose_template(table, [], vocabulary, None)
    for table in tables:
        if table.template is None:
            table.template, source = choose_template(table, tables, vocabulary, year)
            notes.append(f"table {table.table_code[1]}: format {table.template or 'unknown'} taken from the "
                         f"{source.replace('_', ' ')}")
    return NationalScan(tables, reader.rejected, region_lines, notes)
