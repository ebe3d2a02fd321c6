"""Recover the three tables of the 2019 and 2021 national formats (tables 2, 3 and 4) from text.

Pages render these tables in many ways: one pipe row per line, every cell or every ``|`` on its own line,
ragged rows, headers broken across cells, group labels that a rowspan put in front of the first row, whole
tables on one line. All of them are read the same way: the table region becomes a stream of cells, and the
official labels anchor it. A row label claims the value cells that follow it, in the order of the columns
its header named; a row whose values cannot be placed with certainty (too few, too many, glued together) is
recorded as unrecoverable, never guessed. This stage knows labels, not indicator ids.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from govstats.codebook import Codebook
from govstats.tables.identity_split import Glued, Identity, resolve
from govstats.tables.model import Unit
from govstats.tables.national_labels import (
    T3_HEADER_WORDS,
    T4_GROUPS,
    T4_OUTCOMES,
    T4_PATHS,
    Vocabulary,
)
from govstats.tables.national_stream import StreamCell, is_value_text, regions, stream
from govstats.tables.page_text import set_aside
from govstats.tables.t2014 import RejectedLine
from govstats.text.keys import cell_key, label_key
from govstats.text.values import read_cell

LOCAL_ROW_KEY = ""  # the row key of a local row: it names no row of any form, so no indicator is ever found for it
MAX_LOCAL_LABEL = 30  # characters of a local row's label key (notes and numbering removed): longer text is prose
# Label keys that are never a local row: a note (注：…, （…）), a unit line, a sentence
_NOT_A_ROW_LABEL = re.compile(r"^(?:[(\[*※]|注|备注|说明|填表说明|编写说明|数据来源|单位)|[。；;]")


@dataclass(slots=True)
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
    source_column: int | None = None  # 1-based column of the cell's start in its source line
    grid_position: tuple[int, int, int] | None = None  # (grid number, row, column), 1-based, for grid cells


@dataclass
class NationalTable:
    table_code: str
    template: str | None
    first_line: int  # source line of its first label
    first_unit: int  # position of that label's unit in the layout (orders tables within a line)
    cells: list[LocatedCell] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    flags: tuple[str, ...] = ()
    labels: list[StreamCell] = field(default_factory=list)  # titles, headers and row labels it used
    glued: list[GluedRow] = field(default_factory=list)  # rows of one digit run, split later or rejected


@dataclass
class GluedRow:
    """A row whose values came as runs of digits that counting cannot split (one run, or a few separated by
    spaces): decided once the table's template (and so its identities) is known."""

    printed: str | None
    row_key: str
    runs: list[StreamCell]
    columns: list[tuple[str, str]]
    row_number: int
    text: str


@dataclass
class NationalScan:
    tables: list[NationalTable]
    rejected: list[RejectedLine]
    region_units: set[int]  # positions of the units inside national table regions
    notes: list[str]


@dataclass(slots=True)
class _ReadRow:
    """A row read into a table, to tell a row printed again: its number, its cells, what they were placed in."""

    number: int  # its row number in the table
    label_cells: list[StreamCell]
    values: list[StreamCell]  # the cells after the label
    columns: tuple[str, ...]
    placed: list[StreamCell]  # the values, one a column
    withdrawn: bool = False  # printed again with other values: its cells were taken out of the table

    @property
    def line(self) -> int:
        return (self.label_cells or self.values)[0].line

    @property
    def text(self) -> str:
        printed = " ".join(c.text for c in self.label_cells)
        return " | ".join([printed, *(v.text for v in self.values)])


@dataclass
class _State:
    table: NationalTable | None = None
    block: str | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (column key, printed label)
    header_open: bool = False
    t3_seen: list[str] = field(default_factory=list)
    t4_seen: list[str] = field(default_factory=list)
    t4_title: int | None = None  # index of the cell that titled table 4
    group: str | None = None
    row_number: int = 0


class Reader:
    """Walks one region's cells and fills tables 2–4."""

    def __init__(self, codebook: Codebook, vocabulary: Vocabulary) -> None:
        self.codebook, self.vocabulary = codebook, vocabulary
        self.tables: dict[str, NationalTable] = {}
        self.rejected: list[RejectedLine] = []
        self.truncated_at: int | None = None  # line of a row label left without values at the end of a region
        self.n_rows: Counter[str] = Counter()  # rows read per table, against max_rows_per_table
        # (table, block of table 2, form's row key) → the row read under it: a row printed again is never read
        # twice (its cells would have the same indicators)
        self.rows_read: dict[tuple[str, str | None, str], _ReadRow] = {}
        self.withdrawn: set[str] = set()  # tables that had a row taken out (renumbered at the end)
        self.unassigned_at = -1  # index in the region's cells of the latest cell rejected as unassigned
        self.valueless_end = -1  # index of the cell after the latest row label left without values
        self.headings: list[tuple[int, str]] = []  # (line, label) of form rows printed only over local sub-rows

    def read(self, cells: list[StreamCell], piped: bool) -> None:
        state = _State()
        index = 0
        self.truncated_at, self.unassigned_at, self.valueless_end = None, -1, -1
        cells, furniture = set_aside(cells, self.vocabulary.is_label)  # page footers, notes beside values
        self.rejected += furniture
        before = self._n_rows()
        ends_tables = self.vocabulary.ends_tables
        while index < len(cells):
            if ends_tables(cells[index].key) and self._n_rows() > before:
                break  # 五、存在的主要问题…: the tables are over (an introduction that lists the sections is not)
            index = self._step(cells, index, piped, state)

    def _is_value(self, cell: StreamCell) -> bool:
        """A value cell, or a run of digits too long to be one number (cells glued together)."""
        return cell.text.isdigit() or is_value_text(cell.text, self.codebook)

    def _n_rows(self) -> int:
        return sum(len(table.cells) + len(table.glued) for table in self.tables.values())

    def _table(self, code: str, line: int, state: _State, unit: int = 0) -> NationalTable:
        if code not in self.tables:
            self.tables[code] = NationalTable(code, None, line, unit)
        if state.table is not self.tables[code]:
            table = self.tables[code]  # re-entered after another table's rows: its rows go on being numbered
            last = max([c.row_number for c in table.cells] + [g.row_number for g in table.glued], default=0)
            state.table, state.columns, state.group, state.row_number = table, [], None, last
            state.t3_seen, state.t4_seen = [], []
        return self.tables[code]

    def _step(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        cell = cells[index]
        key = cell.key
        vocabulary = self.vocabulary
        if not key:
            return index + 1
        heading = vocabulary.heading(key)
        if heading is not None:
            opens, block = heading
            if opens == "block":
                self._table("t2", cell.line, state, cell.unit)
                state.block, state.columns, state.header_open = block, [], True
                return self._use(state, cell, index)
            if opens == "t2":  # the title of table 2: its block headings open it
                return index + 1
            if opens == "t3":
                self._table("t3", cell.line, state, cell.unit)
                state.header_open = True
                return self._use(state, cell, index)
            self._table("t4", cell.line, state, cell.unit)
            state.header_open, state.t4_title = True, index
            return self._use(state, cell, index)
        code = state.table.table_code if state.table else None
        if code in (None, "t2") and self._joined_label(cells, index, vocabulary.t3_rows) and not (
                code == "t2" and self._joined_label(cells, index, vocabulary.t2_rows.get(state.block or "", {}))):
            self._table("t3", cell.line, state, cell.unit)  # table 3 whose header was not recognized
            code = "t3"
        if code is None:
            if cell.in_row:
                return self._unassigned(cell, index)  # a cell of a table row before any table's label
            return index + 1  # prose that shares the region's first line, before any table
        if code == "t2":
            return self._step_t2(cells, index, piped, state)
        if code == "t3":
            return self._step_t3(cells, index, piped, state)
        if code == "t4":
            return self._step_t4(cells, index, piped, state)
        return self._unassigned(cell, index)

    def _use(self, state: _State, cell: StreamCell, index: int) -> int:
        if state.table is not None:
            state.table.lines.add(cell.line)
            state.table.labels.append(cell)
        return index + 1

    def _unassigned(self, cell: StreamCell, index: int) -> int:
        if cell.text.strip():
            self.unassigned_at = index
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
                bare = self.vocabulary.column(self.vocabulary.header_key(cell_key(cell.text))[0])
                owners = {block for (_, block), columns in self.vocabulary.t2_columns.items()
                          if any(column == bare for column, _ in columns)}
                if len(owners) == 1 and owners != {state.block}:
                    state.block, state.columns, state.header_open = owners.pop(), [], True
                    matched = self._t2_column(cells, index, state)
            if matched is not None:
                return matched
        local = self._local_row(cells, index, piped, state)
        if local is not None:
            return local
        return self._unassigned(cell, index)

    def _local_row(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int | None:
        """A row of table 2 that the form does not have (其他主动公开文件 under 第二十条第（一）项; 行政检查 and
        行政确认 under 其他对外管理服务事项): a table row whose label no form knows, followed by exactly as many
        values as its block has columns. Its cells become observations with its printed label and no indicator
        (flag ``local_row``), never an official row's. Anything less certain stays unassigned: text that is not
        a table row's cells (prose, words of a page), a note, or a row with fewer or more values."""
        if not self._is_local_label(cells, index, piped, state):
            return None
        found = self._local_values(cells, index + 1, state)
        if found is None:
            return None
        values, placed, position = found
        state.header_open = False
        label = cells[index]
        self._use(state, label, index)
        return self._add_row(state, [label], label.text, values, placed, LOCAL_ROW_KEY, ("local_row",),
                             ("t2 local", state.block, label.key), position)

    def _is_local_label(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> bool:
        """Whether a cell can be the label of a local row of table 2 (``_local_row``)."""
        cell = cells[index]
        key, vocabulary = cell.key, self.vocabulary
        if not (piped and cell.in_row and state.table is not None and state.table.table_code == "t2"
                and state.columns and key) or len(key) > MAX_LOCAL_LABEL or _NOT_A_ROW_LABEL.search(key):
            return False
        if self._is_value(cell) or vocabulary.is_label(key) or vocabulary.heading(key) is not None \
                or vocabulary.ends_tables(key) or cell_key(cell.text) in self.codebook.ignored_labels:
            return False
        before = index - 1  # the cell before it ends a row or a header: a cell left unassigned does not
        while before >= 0 and not cells[before].text.strip():
            before -= 1
        return before != self.unassigned_at

    def _local_values(self, cells: list[StreamCell], start: int,
                      state: _State) -> tuple[list[StreamCell], list[StreamCell], int] | None:
        """(the cells after a local row's label, the values placed one a column, the index after them) when
        they are exactly one a column of the block (blank cells after them only), all cells of table rows,
        and not all blank; else None."""
        width, codebook = len(state.columns), self.codebook
        values: list[StreamCell] = []
        position = start
        while position < len(cells):
            cell = cells[position]
            if cell.key and not (cell.text.isdigit() or is_value_text(cell.text, codebook)):
                break
            values.append(cell)
            position += 1
        placed = values[:width]
        if len(placed) < width or any(v.text for v in values[width:]) or not all(v.in_row for v in placed) \
                or not any(v.text for v in placed):
            return None
        return values, placed, position

    def _t2_column(self, cells: list[StreamCell], index: int, state: _State) -> int | None:
        """A header cell naming a column of the block (joined with the next cells when it was broken). A
        parenthetical note in the header (Hubei's 上一年项目数量(指2019年事项数)) does not stop it matching; the
        column then keeps the header as printed, note included."""
        candidates = [(key, label) for template in ("t2019", "t2021")
                      for key, label in self.vocabulary.t2_columns.get((template, state.block or ""), [])]
        used = {key for key, _ in state.columns}
        column, header_key = self.vocabulary.column, self.vocabulary.header_key
        joined = ""
        for probe in range(index, min(index + 3, len(cells))):
            part = cell_key(cells[probe].text)
            if not part:
                break
            joined += part
            bare, cut = header_key(joined)
            exact = [c for c in candidates if c[0] == column(bare) and c[0] not in used]
            if exact:
                printed = exact[0] if bare == joined else (
                    exact[0][0], "".join(c.text.strip() for c in cells[index:probe + 1]))
                state.columns.append(printed)
                for position in range(index, probe + 1):
                    self._use(state, cells[position], position)
                return probe + 1
            if cut is not None and any(c[0] == column(cut) for c in candidates):
                continue  # a note goes on in the next cell (上一年项目数量(指2019 / 年事项数))
            if not any(c[0].startswith(joined) for c in candidates) and not any(
                    alias.startswith(joined) for alias in self.vocabulary.column_alias):
                break
        fragment = cell_key(cells[index].text)
        cut = header_key(fragment)[1]
        whole = [c for c in candidates if cut is not None and c[0] == column(cut) and c[0] not in used]
        if whole:  # the header's note is cut short by the end of the text (采购项目数量(指202): the label is whole
            state.columns.append((whole[0][0], cells[index].text.strip()))
            return self._use(state, cells[index], index)
        prefixed = [c for c in candidates if c[0].startswith(fragment) and c[0] not in used and len(fragment) >= 2]
        if prefixed:  # a label cut short ("本年新"): the first unused column of the form that it begins
            state.columns.append((prefixed[0][0], cells[index].text.strip()))
            state.table.flags = tuple(sorted({*state.table.flags, "truncated_column_label"}))
            return self._use(state, cells[index], index)
        return None

    # table 3 ------------------------------------------------------------------------------------------------
    def _step_t3(self, cells: list[StreamCell], index: int, piped: bool, state: _State) -> int:
        cell = cells[index]
        key = cell.key
        if state.header_open:
            column = self.vocabulary.column(cell_key(cell.text))
            if column in self.vocabulary.t3_columns or key in T3_HEADER_WORDS:
                state.t3_seen.append(column)
                return self._use(state, cell, index)
            # a header word broken into pieces (商业 / 企业)
            known = self.vocabulary.t3_header_labels
            joined = self._joined_label(cells, index, known, span=6)  # 商 / 业 / 企 / 业: one piece a line
            if joined is not None and joined[1] > index + 1 and self.vocabulary.column(joined[0]) in \
                    self.vocabulary.t3_columns:
                state.t3_seen.append(self.vocabulary.column(joined[0]))
                for position in range(index, joined[1]):
                    self._use(state, cells[position], position)
                return joined[1]
            interleaved = self._interleaved_header(cells, index, state)
            if interleaved is not None:
                return interleaved
        if key in self.vocabulary.t3_groups and key not in self.vocabulary.t3_rows:
            state.group = key
            return self._use(state, cell, index)
        group = self._joined_label(cells, index, self.vocabulary.t3_groups)
        if group is not None and group[1] > index + 1 and group[0] not in self.vocabulary.t3_rows:
            state.group = group[0]  # a group label broken by a space or a line break (本年度办 / 理结果)
            for position in range(index, group[1]):
                self._use(state, cells[position], position)
            return group[1]
        found = self._joined_label(cells, index, self.vocabulary.t3_rows)
        if found is not None and key in self.vocabulary.t3_groups and not self._values_follow(cells, found[1], piped):
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

    def _interleaved_header(self, cells: list[StreamCell], index: int, state: _State) -> int | None:
        """Header words that a PDF broke over two lines column by column (商业企 科研机 社会公 法律服 其他 /
        业 构 益组织 务机构): each piece of the first line is a column, or is completed by the next unused
        piece of the second line. Taken only when every piece of both lines finds its place."""
        columns = set(self.vocabulary.t3_columns)

        def line_of(start: int) -> int:
            end = start
            while end < len(cells) and cells[end].line == cells[start].line and cells[end].key \
                    and not self._is_value(cells[end]):
                end += 1
            return end

        first_end = line_of(index)
        if first_end >= len(cells) or first_end == index:
            return None
        second_end = line_of(first_end)
        if cells[first_end].line == cells[index].line or second_end == first_end:
            return None
        pieces = [cell_key(c.text) for c in cells[first_end:second_end]]
        used, found = [False] * len(pieces), []
        for cell in cells[index:first_end]:
            head = cell_key(cell.text)
            if head in columns:
                found.append(head)
                continue
            match = next((i for i, piece in enumerate(pieces) if not used[i] and head + piece in columns), None)
            if match is None:
                return None
            used[match] = True
            found.append(head + pieces[match])
        if not all(used) or len(set(found)) != len(found):
            return None
        state.t3_seen.extend(found)
        for position in range(index, second_end):
            self._use(state, cells[position], position)
        return second_end

    def _values_follow(self, cells: list[StreamCell], index: int, piped: bool) -> bool:
        """Values after a label: a value cell first, or (in delimited rows) a whole row of blank cells."""
        width = len(self.vocabulary.t3_leaf_order)
        empties = 0
        for cell in cells[index:index + width + 3]:
            if cell.text:
                return self._is_value(cell) or (piped and empties >= width)
            empties += 1
        return piped and empties >= width

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
        if key in T4_GROUPS or key in T4_OUTCOMES:
            state.t4_seen.append(key)
            return self._use(state, cell, index)
        if self._is_value(cell) and (state.t4_seen or state.t4_title == index - 1):
            # after the header words, or right after the title (no header: the form's 15 cells in order,
            # taken only when exactly 15 values follow)
            state.columns = state.columns or self._t4_columns(state)
            return self._row(cells, index, index, piped, state, None, "t4")
        return self._unassigned(cell, index)

    def _t4_columns(self, state: _State) -> list[tuple[str, str]]:
        outcomes = [key for key in state.t4_seen if key in T4_OUTCOMES]
        groups = [key for key in state.t4_seen if key in T4_GROUPS]
        ordered = len(outcomes) == 15 and all(sorted(outcomes[i:i + 5]) == sorted(T4_OUTCOMES)
                                              for i in (0, 5, 10))
        if not ordered or groups[:1] != ["行政复议"]:
            state.table.flags = tuple(sorted({*state.table.flags, "columns_from_form_order"}))
            outcomes = list(T4_OUTCOMES) * 3
        labels = [f"{path} › {outcome}" for i, path in enumerate(T4_PATHS) for outcome in outcomes[i * 5:i * 5 + 5]]
        return [(cell_key(label), label) for label in labels]

    # rows ---------------------------------------------------------------------------------------------------
    def _joined_label(self, cells: list[StreamCell], index: int, known: dict, span: int = 3) -> tuple[str, int] | None:
        """(row key, index after the label) when the cell, or the cell joined with the next ones (up to
        ``span`` cells: a label broken across lines or spaces), is a known label."""
        if not known:
            return None
        prefixes = self.vocabulary.prefixes(known)
        joined = ""
        for probe in range(index, min(index + span, len(cells))):
            part = cells[probe].key
            if not part:
                return None
            joined += part
            if joined in known:
                return joined, probe + 1
            if joined not in prefixes:  # no label begins with it
                return None
        return None

    def _row(self, cells: list[StreamCell], label_index: int, start: int, piped: bool, state: _State,
             row_key: str | None, code: str) -> int:
        table = state.table
        label_cells = cells[label_index:start]
        for position in range(label_index, start):
            self._use(state, cells[position], position)
        width = len(state.columns)
        values: list[StreamCell] = []
        position, end, codebook = start, len(cells), self.codebook
        while position < end:  # the values after the label (_is_value); blank cells count only in delimited rows
            cell = cells[position]
            text = cell.text
            if not (text.isdigit() or is_value_text(text, codebook)) and cell.key:
                break
            if piped or text:
                values.append(cell)
            position += 1
        placed: list[StreamCell] | None = None
        flags: tuple[str, ...] = ()
        filled = [v for v in values if v.text]
        if width and piped and len(values) >= width and not any(v.text for v in values[width:]):
            placed = values[:width]
        elif width and not piped and len(values) == width:
            placed = values
        elif width and len(filled) == 1 and filled[0].text.isdigit() and len(filled[0].text) == width:
            digits = filled[0]  # cells glued without delimiters: split only when every cell is one digit
            placed = [StreamCell(ch, digits.line, digits.unit, digits.in_row,
                                 None if digits.column is None else digits.column + i)
                      for i, ch in enumerate(digits.text)]
            flags = ("split_glued_digits",)
        printed = " ".join(c.text for c in label_cells) or None
        if placed is None and not filled and code == "t2" and position < len(cells) and \
                self._is_local_label(cells, position, piped, state) and self._local_values(cells, position + 1,
                                                                                         state) is not None:
            # a heading over local sub-rows (其他对外管理服务事项 / 行政检查 …): no cells of its own, said in a note
            self.headings.append((label_cells[0].line, printed or ""))
            return position
        if label_cells and label_index == self.valueless_end and filled and filled[0].unit != label_cells[-1].unit:
            # labels stacked apart from their values (a PDF's label column: 5.属于三类内部事务信息 / 1.本机关不掌握
            # 相关政府信息 / | 1 | 0 | … |): the values after the last label may be any of theirs
            self.rejected.append(RejectedLine(
                label_cells[0].line, " | ".join([printed or "", *(v.text for v in values)]), "unrecoverable_row",
                "the row's label follows another row label printed without values, and its values stand apart from "
                "it: the page printed its labels apart from their values, so which label these values belong to "
                "cannot be told, and none is guessed"))
            return position
        if placed is None and not filled:
            self.valueless_end = position
        if placed is None and not filled and position >= len(cells) and label_cells:
            self.truncated_at = label_cells[0].line  # the text ends where this row's values should be
        # one run of digits, or (text without pipes) a few runs that spaces separate but that hold as many digits
        # as there are columns or more, so cells may be glued; a space may also stand for a vanished blank cell,
        # so several runs are split only where the identities force it, never by count
        runs = filled if placed is None and filled and len(filled) < width and all(
            v.text.isdigit() for v in filled) and (
            len(filled) == 1 or (not piped and sum(len(v.text) for v in filled) >= width)) else []
        if placed is None and runs and width > 1:
            state.row_number += 1  # its place among the rows, kept while the identities decide
            table.glued.append(GluedRow(printed, row_key or "", runs, list(state.columns), state.row_number,
                                        " | ".join([printed or "", *(v.text for v in values)])))
            return position
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
            return position
        code, key = table.table_code, row_key or ""
        identity = (code, state.block if code == "t2" else None, self.vocabulary.row(code, key))
        return self._add_row(state, label_cells, printed, values, placed, key, flags, identity, position)

    def _add_row(self, state: _State, label_cells: list[StreamCell], printed: str | None, values: list[StreamCell],
                 placed: list[StreamCell], key: str, flags: tuple[str, ...],
                 identity: tuple[str, str | None, str], position: int) -> int:
        """Put a row's placed values into its table (unless past the row limit, or printed again)."""
        table = state.table
        code, limit = table.table_code, self.codebook.limits["max_rows_per_table"]
        if self.n_rows[code] >= limit:  # bounded memory: rows beyond the limit are not read
            self.rejected.append(RejectedLine(
                (label_cells or values)[0].line, " | ".join([printed or "", *(v.text for v in values)]),
                "rows_over_limit", f"row beyond the limit of {limit:,} rows per table (max_rows_per_table)"))
            return position
        columns = tuple(column for column, _ in state.columns)
        self.n_rows[code] += 1  # a row printed again counts against the limit too: the work stays bounded
        row = _ReadRow(state.row_number + 1, label_cells, values, columns, placed)
        earlier = self.rows_read.get(identity)
        if earlier is not None:
            self._printed_again(table, earlier, row)
            return position
        state.row_number += 1
        self.rows_read[identity] = row
        row_number, label = state.row_number, printed or ""
        table.lines.update(c.line for c in label_cells)
        table.cells += [LocatedCell(label, key, column_label, column_key, value.text, value.line, row_number, number,
                                    flags, value.column, None if value.origin is None else _grid_position(value))
                        for number, ((column_key, column_label), value)
                        in enumerate(zip(state.columns, placed, strict=True), start=1)]
        table.lines.update(value.line for value in placed)
        return position

    def _printed_again(self, table: NationalTable, earlier: _ReadRow, row: _ReadRow) -> None:
        """A row of the table printed again (a page repeats a line, a row of another report slipped in): with
        the same values it is read once; with other values neither is read, since which are the table's
        cannot be told. Either way the repeat is a rejection, never a second row with the same indicators."""
        if earlier.withdrawn:
            reason = (f"the row is printed more than once with other values (first at line {earlier.line}): "
                      "which are the table's cannot be told, so none is read")
        elif earlier.columns == row.columns and [c.text for c in earlier.placed] == [c.text for c in row.placed]:
            reason = f"the row is printed again with the same values (first at line {earlier.line}): read once"
        else:
            earlier.withdrawn = True
            table.cells = [cell for cell in table.cells if cell.row_number != earlier.number]
            self.withdrawn.add(table.table_code)
            self.rejected.append(RejectedLine(
                earlier.line, earlier.text, "unrecoverable_row",
                f"the row is printed again at line {row.line} with other values: which are the table's cannot be "
                "told, so neither is read"))
            reason = (f"the row is printed before (line {earlier.line}) with other values: which are the "
                      "table's cannot be told, so neither is read")
        self.rejected.append(RejectedLine(row.line, row.text, "unrecoverable_row", reason))


def _grid_position(cell: StreamCell) -> tuple[int, int, int] | None:
    if cell.origin is None or cell.grid is None:
        return None
    return cell.grid, cell.origin.row + 1, cell.origin.col + 1


def choose_template(table: NationalTable, others: list[NationalTable], vocabulary: Vocabulary,
                    year: int | None) -> tuple[str | None, str]:
    """The template of a table from its labels (本年新制作数量 vs 本年制发件数, （六）其他处理 as one row or
    three), else from the document's other tables, else from the report year."""
    votes = {"t2019": 0, "t2021": 0}
    if table.table_code == "t2":
        for template, (columns, rows) in vocabulary.t2_own_labels.items():
            votes[template] += sum((cell.column_key in columns) + (cell.row_key in rows) for cell in table.cells)
    elif table.table_code == "t3":
        only = vocabulary.t3_own_rows
        for cell in table.cells:
            template = only.get(cell.row_key)
            if template is not None:
                votes[template] += 1
    if votes["t2019"] != votes["t2021"]:
        return max(votes, key=votes.get), "labels"
    for other in others:
        if other is not table and other.template:
            return other.template, "other_table"
    if year is not None:
        return ("t2019" if year < 2021 else "t2021"), "report_year"
    return None, "unknown"


def find_national_tables(units: list[Unit], codebook: Codebook, vocabulary: Vocabulary,
                         year: int | None) -> NationalScan:
    """Tables 2–4 of every national-format region of a document, with the cells nothing could claim."""
    reader = Reader(codebook, vocabulary)
    region_units: set[int] = set()
    truncated = []
    for first, last in regions(units, vocabulary):
        region_units.update(range(first, last + 1))
        cells, piped = stream(units, first, last, vocabulary)
        reader.read(cells, piped)
        if reader.truncated_at is not None:
            truncated.append(reader.truncated_at)
    tables = sorted(reader.tables.values(), key=lambda t: t.first_unit)
    for table in tables:
        if not table.cells and not table.glued:  # a title or header with no values after it is not a table;
            # on a line of prose it is a section heading, in a pipe row it is a cell that must be accounted for
            reader.rejected += [RejectedLine(cell.line, cell.text, "table_without_values",
                                             f"label of table {table.table_code[1]}, which has no value row")
                                for cell in table.labels if cell.text and units[cell.unit - 1].is_row]
    tables = [t for t in tables if t.cells or t.glued]
    notes = [f"the text ends inside a table at line {line}: the rows above it are complete, the rest is missing"
             for line in truncated]
    notes += [f"table 2: the row {label} (line {line}) prints no cells of its own, only local rows under it: none "
              "of its cells is read" for line, label in reader.headings]
    for table in tables:  # first the tables whose own labels decide, then the others
        table.template, source = choose_template(table, [], vocabulary, None)
    for table in tables:
        if table.template is None:
            table.template, source = choose_template(table, tables, vocabulary, year)
            notes.append(f"table {table.table_code[1]}: format {table.template or 'unknown'} taken from the "
                         f"{source.replace('_', ' ')}")
    for table in tables:
        reader.rejected += split_glued_rows(table, codebook, vocabulary)
        if table.table_code in reader.withdrawn:
            _renumber(table)  # rows taken out leave no gaps
    return NationalScan([t for t in tables if t.cells], reader.rejected, region_units, notes)


def split_glued_rows(table: NationalTable, codebook: Codebook, vocabulary: Vocabulary) -> list[RejectedLine]:
    """Place the glued rows whose split the form's identities force (flag ``split_by_identity``); the others
    become unrecoverable rows that say how many readings were left. Rows are then numbered in order again."""
    if not table.glued:
        return []
    limits = codebook.limits
    identities = form_identities(codebook, table.template, table.table_code) if table.template else []
    canonical = {id(g): vocabulary.row(table.table_code, g.row_key) for g in table.glued}
    known: dict[tuple[str, str], float] = {}
    for cell in table.cells:
        if "local_row" in cell.flags:  # no cell of the form: no identity holds it
            continue
        reading = read_cell(cell.raw, codebook)
        if reading.status == "reported" and reading.value is not None:
            known[(vocabulary.row(table.table_code, cell.row_key), cell.column_key)] = reading.value
    rows = [Glued(canonical[id(g)], tuple(v.text for v in g.runs), tuple(key for key, _ in g.columns))
            for g in table.glued]
    unique = len({g.row for g in rows}) == len(rows)
    outcomes = resolve(rows, known, identities, limits["max_split_cell_digits"], limits["max_split_candidates"]) \
        if unique else {}
    rejected = []
    for g in table.glued:
        outcome = outcomes.get(canonical[id(g)])
        if outcome is not None and outcome.values is not None:
            for number, ((column_key, column_label), value) in enumerate(zip(g.columns, outcome.values,
                                                                             strict=True), start=1):
                table.cells.append(LocatedCell(g.printed or "", g.row_key, column_label, column_key, str(value),
                                               g.runs[0].line, g.row_number, number, ("split_by_identity",)))
            table.lines.add(g.runs[0].line)
            continue
        why = outcome.reason if outcome is not None else "the row is printed twice"
        digits = " ".join(v.text for v in g.runs)
        rejected.append(RejectedLine(g.runs[0].line, g.text, "unrecoverable_row",
                                     f"values glued together ({digits}): {len(digits.replace(' ', ''))} digits for "
                                     f"{len(g.columns)} columns cannot be split with certainty ({why}), so none "
                                     "is guessed"))
    table.glued = []
    _renumber(table)
    return rejected


def _renumber(table: NationalTable) -> None:
    """The table's rows numbered 1, 2, 3 … in the order of their numbers, its cells in that order."""
    order = {number: rank for rank, number in enumerate(sorted({c.row_number for c in table.cells}), start=1)}
    table.cells.sort(key=lambda c: (c.row_number, c.column_number))
    for cell in table.cells:
        cell.row_number = order[cell.row_number]


def form_identities(codebook: Codebook, template: str, table_code: str) -> list[Identity]:
    """The rules of rules.csv (sum, equal_sums) among the cells of one table, as (row key, column key) cells;
    table 4 has one label-less row."""
    cells = {i.indicator_id: ("" if table_code == "t4" else label_key(i.row_label_zh), cell_key(i.column_label_zh))
             for i in codebook.indicators.values() if i.template == template and i.table_code == table_code}
    found = []
    for rule in codebook.rules:
        ids = (*rule.left_ids, *rule.right_ids)
        if rule.template != template or rule.kind not in ("sum", "equal_sums") or not all(i in cells for i in ids):
            continue
        found.append(Identity(rule.rule_id, tuple(cells[i] for i in rule.left_ids),
                              tuple(cells[i] for i in rule.right_ids)))
    return found
