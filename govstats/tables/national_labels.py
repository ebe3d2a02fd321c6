"""The labels of the 2019 and 2021 national tables (tables 2–4), as the codebook and real pages print them:
block headings, table titles, headers, row labels, and a lexicon that cuts glued text at those labels."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from typing import Any

from govstats.codebook import Codebook
from govstats.text.keys import cell_key, compact, label_key, remove_notes

BLOCK = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
SECTION_T2 = "主动公开政府信息情况"
SECTION_T3 = "收到和处理政府信息公开申请情况"
SECTION_T4 = ("行政复议、行政诉讼情况", "行政复议,行政诉讼情况", "行政复议和行政诉讼情况", "行政法复议、行政诉讼情况")
# Section titles as printed, typos seen in the wild included (行政法复议): cut out of glued text whole.
SECTION_TITLE = re.compile(r"(?:[一二三四五六七]、)?(?:政府信息公开)?(?:行政法?复议[、,和]?行政诉讼情况|"
                            r"收到和处理政府信息公开申请情况|主动公开政府信息情况)")
T3_NOTE = "本列数据的勾稽关系"
T3_HEADER_WORDS = ("申请人情况", "法人或其他组织")
END_OF_TABLES = ("存在的主要问题", "存在问题及改进", "其他需要报告的事项", "主要问题及改进")
T4_GROUPS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")
T4_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T4_PATHS = ("行政复议", "行政诉讼 › 未经复议直接起诉", "行政诉讼 › 复议后起诉")
NUMBER_RUN = re.compile(r"[+-]?\d+(?:\.\d+)?")
# The numbering of a label (6.属于…, 3、其他…): one or two digits, a numbering mark, then the label's first
# letter. It is part of the label even when the label is not in the lexicon (a label cut by the end of the
# text, 6.属于四类过程性信): never a value.
NUMBERING = re.compile(r"[1-9]\d?[.、](?=[^\W\d_])")
ENDS_TABLES = re.compile("|".join(map(re.escape, END_OF_TABLES)))  # searched in a key
_T4_TITLE = re.compile("|".join(map(re.escape, SECTION_T4)))
MEMO_SIZE = 16_384


MEMO_TEXT_CHARS = 200


class Memo(dict):
    """What a function gives for a text, computed the first time it is asked for. Every cell of every document
    passes through, but the same labels and values recur: a lookup replaces the work. Memory stays bounded
    however large the corpus: a long text (a line of prose) is never kept, and a full memo is emptied."""

    def __init__(self, compute: Callable[[str], Any], size: int = MEMO_SIZE) -> None:
        super().__init__()
        self.compute, self.size = compute, size

    def __missing__(self, text: str) -> Any:
        if len(text) > MEMO_TEXT_CHARS:
            return self.compute(text)
        if len(self) >= self.size:
            self.clear()
        value = self[text] = self.compute(text)
        return value


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
        self.t3_leaf_order = list(self.t3_columns)
        self._t3_printed = {compact(i.row_label_zh) for i in codebook.indicators.values() if i.table_code == "t3"}
        self.column_alias: dict[str, str] = {}  # printed column key → the form's column key
        self.row_alias: dict[tuple[str, str], str] = {}  # (table, printed row key) → the form's row key
        self._alias_printed: set[str] = set()
        self._learn_aliases(codebook)
        self.t2_column_keys = {key for columns in self.t2_columns.values() for key, _ in columns}
        self.t2_column_keys |= {alias for alias, key in self.column_alias.items() if key in self.t2_column_keys}
        # memos of what the readers ask of each key or text (the vocabulary is made once per codebook)
        self._anchors = Memo(self._is_anchor)
        self._anchor_texts = Memo(lambda text: self.is_anchor(label_key(text)))
        self._labels = Memo(self._is_label)
        self._headings = Memo(self._heading)
        self._ends = Memo(lambda key: ENDS_TABLES.search(key) is not None)
        self._header_keys = Memo(self._header_key)
        self._units = frozenset(cell_key(unit.unit_zh) for unit in codebook.units.values())
        self._prefixes: dict[int, tuple[Collection[str], frozenset[str]]] = {}

    def _learn_aliases(self, codebook: Codebook) -> None:
        """The spellings aliases.csv teaches for the 2019 and 2021 forms: a row alias is a row label of its
        target's table (and block), a column alias names the target's column. One row there, no code."""
        for alias in codebook.aliases:
            if alias.template not in ("t2019", "t2021"):
                continue
            if alias.kind == "row":
                target = codebook.indicators[alias.target]
                key = label_key(alias.alias)
                if target.table_code == "t2":
                    block = target.indicator_id.split(".")[2]
                    self.t2_rows.setdefault(block, {}).setdefault(key, {}).setdefault(alias.template, alias.alias)
                elif target.table_code == "t3":
                    groups = self.t3_groups if target.relation == "heading" else self.t3_rows
                    groups.setdefault(key, set()).add(alias.template)
                self._alias_printed.add(compact(alias.alias))
                self.row_alias[(target.table_code, key)] = label_key(target.row_label_zh)
            elif alias.kind == "column":
                self.column_alias[cell_key(alias.alias)] = cell_key(alias.target)
                self._alias_printed.add(compact(alias.alias))

    def row(self, table_code: str, key: str) -> str:
        """The form's row key of a printed row key (itself unless aliases.csv names it)."""
        return self.row_alias.get((table_code, key), key)

    def column(self, key: str) -> str:
        """The form's column key of a printed column key (itself unless aliases.csv names it)."""
        return self.column_alias.get(key, key)

    @functools.cached_property
    def printed_labels(self) -> list[str]:
        """Every label as printed on the forms (width-folded), longest first: the lexicon of glued text."""
        labels: set[str] = {"信息内容", "申请人情况", "法人或其他组织", *T4_GROUPS, *T4_OUTCOMES}
        for columns in self.t2_columns.values():
            labels.update(compact(label) for _, label in columns)
        for rows in self.t2_rows.values():
            for per_template in rows.values():
                labels.update(compact(label) for label in per_template.values())
        labels.update(compact(label) for label in self.t3_columns.values())
        labels.update(self._t3_printed)
        labels.update(self._alias_printed)
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
            title = SECTION_TITLE.match(folded, position)
            label = title.group(0) if title else self._label_at(folded, position)
            if label:
                pieces += [other] if other else []
                pieces.append(label)
                other, position = "", position + len(label)
                continue
            number = NUMBER_RUN.match(folded, position)
            if number and not other:
                cut = self._digits_end(folded, position, number.end())
                numbering = NUMBERING.match(folded, position) if cut == number.end() else None
                if numbering and numbering.end() == cut + 1:  # the numbering of a label the lexicon does not
                    other, position = numbering.group(0), numbering.end()  # hold: the label goes on with it
                    continue
                pieces.append(folded[position:cut])
                position = cut
                continue
            other += folded[position]
            position += 1
        if other:
            pieces.append(other)
        return pieces

    def header_key(self, key: str) -> tuple[str, str | None]:
        """A column header's key (``cell_key``) without its parenthetical notes (上一年项目数量(指2019年事项数)
        → 上一年项目数量), and, when a note is left open (cut short by the end of a cell or of the text:
        采购项目数量(指202), the key before it, else None. A note that names a unit ((万元), (单位:元)) is never
        removed: the unit is part of what the column counts, and the header then matches only as printed."""
        return self._header_keys[key]

    def _header_key(self, key: str) -> tuple[str, str | None]:
        if "(" not in key and ")" not in key:
            return key, None
        bare, notes = remove_notes(key)
        if any(note.removeprefix("单位").lstrip(":") in self._units for note in notes):
            return key, None
        opened = bare.rfind("(")
        if opened <= 0 or ")" in bare[opened:]:
            return bare, None
        note = bare[opened + 1:]
        names_unit = note.startswith("单位") or any(note and unit.startswith(note) for unit in self._units)
        return bare, (None if names_unit else bare[:opened])

    def block_of(self, key: str) -> str | None:
        match = BLOCK.search(key)
        if not match:
            return None
        numeral = {"一": "1", "五": "5", "六": "6", "八": "8", "九": "9"}.get(match.group(1))
        return f"a20_{numeral}" if numeral else None

    def is_anchor(self, key: str) -> bool:
        """A block heading, a table title or the note that opens table 3 (titles only when short: prose
        that merely names a section is not a table)."""
        return self._anchors[key]

    def _is_anchor(self, key: str) -> bool:
        titled = len(key) <= 30 and (SECTION_T3 in key or _T4_TITLE.search(key) is not None)
        return bool(self.block_of(key)) or titled or T3_NOTE in key

    def is_anchor_text(self, text: str) -> bool:
        """``is_anchor`` of the text's label key, looked up by the text itself (table cells recur)."""
        return self._anchor_texts[text]

    def ends_tables(self, key: str) -> bool:
        """A heading of the sections after the tables (五、存在的主要问题…)."""
        return self._ends[key]

    def heading(self, key: str) -> tuple[str, str | None] | None:
        """What a cell opens, tried in this order: ("block", its block) for a block heading of table 2,
        ("t2", None) for the title of table 2, ("t3", None) for the title, note or header words of table 3,
        ("t4", None) for the title of table 4; None for any other cell."""
        return self._headings[key]

    def _heading(self, key: str) -> tuple[str, str | None] | None:
        block = self.block_of(key)
        if block:
            return "block", block
        if SECTION_T2 in key and len(key) < 16:
            return "t2", None
        if (SECTION_T3 in key and len(key) <= 30) or T3_NOTE in key or key in T3_HEADER_WORDS:
            return "t3", None
        if len(key) <= 30 and _T4_TITLE.search(key):
            return "t4", None
        return None

    def prefixes(self, labels: Collection[str]) -> frozenset[str]:
        """Every beginning of the given labels (one of this vocabulary's collections of labels): a cell that
        begins none of them cannot be the first piece of a label broken across cells."""
        known = self._prefixes.get(id(labels))
        if known is None or known[0] is not labels:
            if len(self._prefixes) >= 256:  # only the vocabulary's own collections are expected
                self._prefixes.clear()
            known = self._prefixes[id(labels)] = (labels, frozenset(
                label[:end] for label in labels for end in range(1, len(label) + 1)))
        return known[1]

    @functools.cached_property
    def t2_own_labels(self) -> dict[str, tuple[set[str], set[str]]]:
        """Per template of table 2, the column keys and the row keys that only it prints (its votes)."""
        templates = ("t2019", "t2021")
        columns = {t: {key for (template, _), labels in self.t2_columns.items() if template == t for key, _ in labels}
                   for t in templates}
        rows = {t: {key for block in self.t2_rows.values() for key, per in block.items() if t in per}
                for t in templates}
        return {t: (columns[t] - columns[other], rows[t] - rows[other])
                for t, other in zip(templates, reversed(templates), strict=True)}

    @functools.cached_property
    def t3_own_rows(self) -> dict[str, str]:
        """The row keys of table 3 that one template only has, with that template (its votes)."""
        return {key: next(iter(templates)) for key, templates in self.t3_rows.items() if len(templates) == 1}

    @functools.cached_property
    def t3_header_labels(self) -> dict[str, None]:
        """The column keys of table 3 and the printed keys aliases.csv maps to columns."""
        return dict.fromkeys([*self.t3_columns, *self.column_alias])

    def is_label(self, key: str) -> bool:
        """A label of any kind: table cells that are not values."""
        return self._labels[key]

    def _is_label(self, key: str) -> bool:
        return bool(key) and (
            self.is_anchor(key) or SECTION_T2 in key or key in self.t3_rows or key in self.t3_groups
            or any(key in rows for rows in self.t2_rows.values()) or key in self.t2_column_keys
            or key in self.t3_columns or key in T4_GROUPS or key in T4_OUTCOMES or key == "信息内容"
            or key in T3_HEADER_WORDS or T3_NOTE in key)
