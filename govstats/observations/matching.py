"""Match printed labels to codebook indicators, the way PUDL's Encoder maps codes: canonical labels,
declared aliases, and context from the rows above; anything else is reported, never forced onto an id."""

from __future__ import annotations

import re
from dataclasses import dataclass

from govstats.codebook import Codebook, Indicator
from govstats.text.keys import cell_key, label_key


@dataclass(frozen=True)
class RowNode:
    """One printed row of an official form: its indicators by column key, and where it sits on the form."""

    template: str
    path: tuple[str, ...]
    columns: dict[str, str]


@dataclass(frozen=True)
class RowMatch:
    node: RowNode | None
    flag: str | None


class LabelMatcher:
    """Index of the codebook's row and column labels; one per process, lookups are dictionary hits."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        nodes: dict[tuple[str, str, str, str | None], dict[str, str]] = {}
        first_id: dict[tuple[str, str, str, str | None], str] = {}
        for indicator in codebook.indicators.values():
            key = (indicator.template, indicator.table_code, indicator.row_label_zh, indicator.parent_id)
            nodes.setdefault(key, {})[cell_key(indicator.column_label_zh)] = indicator.indicator_id
            first_id.setdefault(key, indicator.indicator_id)
        self._rows: dict[tuple[str, str], list[RowNode]] = {}
        node_of_indicator: dict[str, RowNode] = {}
        for key, columns in nodes.items():
            node = RowNode(key[0], codebook.ancestors(first_id[key]), columns)
            self._rows.setdefault((key[0], label_key(key[2])), []).append(node)
            for indicator_id in columns.values():
                node_of_indicator[indicator_id] = node
        for alias in codebook.aliases:
            if alias.kind == "row":
                bucket = self._rows.setdefault((alias.template, label_key(alias.alias)), [])
                if node_of_indicator[alias.target] not in bucket:
                    bucket.append(node_of_indicator[alias.target])
        self._national = {
            (i.template, i.table_code, "" if i.table_code == "t4" else label_key(i.row_label_zh),
             cell_key(i.column_label_zh)): i
            for i in codebook.indicators.values() if i.table_code in ("t2", "t3", "t4") and i.relation != "heading"}
        self._national_aliases = {
            (a.template, codebook.indicators[a.target].table_code, label_key(a.alias)):
                label_key(codebook.indicators[a.target].row_label_zh)
            for a in codebook.aliases if a.kind == "row" and codebook.indicators[a.target].table_code != "t2014"}
        self._columns = {(a.template, cell_key(a.alias)): cell_key(a.target)
                         for a in codebook.aliases if a.kind == "column"}
        self._column_patterns = [(a.template, re.compile(a.alias), cell_key(a.target))
                                 for a in codebook.aliases if a.kind == "column_pattern"]

    def national_indicator(self, template: str | None, table_code: str, row_key: str,
                           column_key: str) -> Indicator | None:
        """The cell of a national table (2019/2021 formats) named by its row and column labels."""
        if template is None:
            return None
        row_key = "" if table_code == "t4" else self._national_aliases.get((template, table_code, row_key), row_key)
        return self._national.get((template, table_code, row_key, column_key))

    def known_label(self, template: str, printed: str) -> bool:
        return (template, label_key(printed)) in self._rows

    def choose_template(self, labels: list[str], year: int | None) -> str | None:
        """The template whose row labels the table's labels match most often (ties: the report year)."""
        scores = {t: sum(self.known_label(t, label) for label in labels) for t in self.codebook.templates()}
        best = max(scores.values(), default=0)
        if best == 0:
            return None
        tied = [t for t, score in scores.items() if score == best]
        if len(tied) > 1 and year is not None:
            by_year = "t2014" if year < 2019 else "t2019" if year < 2021 else "t2021"
            if by_year in tied:
                return by_year
        return tied[0] if len(tied) == 1 else None

    def match_row(self, template: str, printed: str, context: tuple[str, ...]) -> RowMatch:
        """Row node for a printed label; several candidates are decided by the rows above, or not at all."""
        candidates = self._rows.get((template, label_key(printed)), [])
        if not candidates:
            return RowMatch(None, "unmatched_label")
        if len(candidates) == 1:
            return RowMatch(candidates[0], None)
        scored = sorted(((_shared_prefix(node.path, context), node) for node in candidates),
                        key=lambda pair: pair[0], reverse=True)
        if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
            return RowMatch(scored[0][1], None)
        return RowMatch(None, "ambiguous_label")

    def column_key(self, template: str, printed: str) -> str:
        """Canonical column key of a printed value-column header."""
        key = cell_key(printed)
        if (template, key) in self._columns:
            return self._columns[(template, key)]
        for pattern_template, pattern, target in self._column_patterns:
            if pattern_template == template and pattern.match(key):
                return target
        return key


def _shared_prefix(path: tuple[str, ...], context: tuple[str, ...]) -> int:
    shared = 0
    for mine, theirs in zip(path, context, strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared
