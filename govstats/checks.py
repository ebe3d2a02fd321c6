"""Accounting checks derived from the codebook relations, one result row per rule and table.

Sound under missing data: a rule passes only if the reported cells prove it, fails only if they disprove
it whatever the blanks hide (counts are non-negative), and is ``not_assessable`` otherwise.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

from govstats.codebook import Codebook
from govstats.records import CheckRow, Observation


@dataclass(frozen=True)
class _Cell:
    value: float | None
    line: int | None
    label: str
    prefix: str | None = None  # the row's printed numbering ((二), 1.), used to name it in messages


class _Table:
    """One table's cells as the rules read them: value (value_base, else value) by indicator, the source line
    and printed numbering of each, the values as shown in messages, and how messages name each indicator."""

    __slots__ = ("labels", "lines", "named", "prefixes", "shown", "values")

    def __init__(self, values: dict[str, float | None], lines: dict[str, int], prefixes: dict[str, str | None],
                 labels: dict[str, str]) -> None:
        self.values, self.lines, self.prefixes, self.labels = values, lines, prefixes, labels
        self.shown = {i: f"{v:.15g}" for i, v in values.items() if v is not None}  # a cell is in several rules
        self.named: dict[str, str] = {}

    def name(self, indicator_id: str) -> str:
        """How messages name an indicator: its English label (without "of which:"), after the numbering the
        document printed on its row, e.g. "(二) disclosure by channel"."""
        named = self.named.get(indicator_id)
        if named is None:
            label = self.labels.get(indicator_id)
            if label is None:  # not in the codebook
                label = _message_label(indicator_id)
            prefix = self.prefixes.get(indicator_id)
            named = f"{prefix.strip()} {label}" if prefix and "其中" not in prefix else label
            self.named[indicator_id] = named
        return named

    def terms(self, ids: Sequence[str]) -> str:
        return " + ".join(map(self.shown.get, ids, repeat("blank")))

    def reported(self, ids: Sequence[str]) -> list[float]:
        return list(filter(_present, map(self.values.get, ids)))

    def source_lines(self, ids: Sequence[str]) -> str | None:
        lines = set(map(self.lines.get, ids))
        lines.discard(None)
        return " ".join(map(str, sorted(lines))) or None


_present = functools.partial(operator.is_not, None)


def _table(cells: dict[str, _Cell], name: Callable[[str], str]) -> tuple[_Table, Callable[[str], str]]:
    """A table made from ``_Cell``s (the check functions' public form, used by tests)."""
    table = _Table({i: c.value for i, c in cells.items()},
                   {i: c.line for i, c in cells.items() if c.line is not None},
                   {i: c.prefix for i, c in cells.items()}, {})
    return table, name


@functools.cache
def _labels(codebook: Codebook) -> dict[str, str]:
    """Each indicator's English label as messages use it: without "of which: ", its first letter lower case
    unless the label starts with an abbreviation."""
    return {indicator_id: _message_label(indicator.label_en) for indicator_id, indicator in codebook.indicators.items()}


def _message_label(label: str) -> str:
    label = label.removeprefix("of which: ")
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        label = label[0].lower() + label[1:]
    return label


def _show(value: float | None) -> str:
    if value is None:
        return "blank"
    return f"{value:.15g}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


Namer = Callable[[str], str]  # indicator id → how a message names it


def check_sum(parent: str, addends: list[str], cells: dict[str, _Cell],
              name: Namer = str) -> tuple[str, float | None, int, str]:
    """parent = Σ addends. Returns (status, sum of reported addends, number missing, message): the message is
    a sentence naming the total and showing every part, blanks included."""
    return _sum(parent, addends, *_table(cells, name))


def _sum(parent: str, addends: Sequence[str], table: _Table, name: Namer) -> tuple[str, float | None, int, str]:
    total = table.values.get(parent)
    reported = table.reported(addends)
    n_missing = len(addends) - len(reported) + (total is None)
    actual = sum(reported) if reported else None
    terms, whole = table.terms(addends), name(parent)
    if total is None:
        return ("not_assessable", actual, n_missing,
                f"{whole}: its total is blank, so its parts {terms} = {_show(actual)} cannot be checked against it")
    if actual is None:
        return ("not_assessable", None, n_missing,
                f"{whole}: every part is blank ({terms}), so its total {_show(total)} cannot be checked")
    parts = f"{whole}: {terms} = {_show(actual)}"
    if len(reported) == len(addends):
        if _close(actual, total):
            return "pass", actual, n_missing, f"{parts} equals its total {_show(total)}"
        return "fail", actual, n_missing, f"{parts} does not equal its total {_show(total)}"
    if actual > total and not _close(actual, total):
        return ("fail", actual, n_missing,
                f"{parts} exceeds its total {_show(total)} whatever the blank parts hold")
    if _close(actual, total):
        return ("pass", actual, n_missing,
                f"{parts} equals its total {_show(total)} (the blank parts add nothing)")
    return ("not_assessable", actual, n_missing,
            f"{parts} is below its total {_show(total)}; the blank parts could make up the difference")


# (status, expected, actual, number of missing cells, message)
_Comparison = tuple[str, float | None, float | None, int, str]


def check_at_most(part: str, whole: list[str], cells: dict[str, _Cell], name: Namer = str,
                  whole_name: str | None = None) -> _Comparison:
    """part ≤ Σ whole. Returns (status, bound, part value, number missing, message); the message names both
    sides, e.g. "normative documents disclosed (6) exceed normative documents issued (1)"."""
    return _at_most(part, whole, *_table(cells, name), whole_name)


def _at_most(part: str, whole: Sequence[str], table: _Table, name: Namer,
             whole_name: str | None = None) -> _Comparison:
    part_value = table.values.get(part)
    reported = table.reported(whole)
    n_missing = (part_value is None) + len(whole) - len(reported)
    bound = sum(reported) if reported else None
    small = f"{name(part)} ({_show(part_value)})"
    if len(whole) == 1:
        large = f"{name(whole[0])} ({_show(bound)})"
    else:
        large = f"{whole_name or ' + '.join(map(name, whole))} ({table.terms(whole)} = {_show(bound)})"
    if part_value is None:
        return ("not_assessable", bound, part_value, n_missing,
                f"{name(part)} is blank, so it cannot be compared with {large}")
    if bound is None:
        blank = name(whole[0]) if len(whole) == 1 else f"{whole_name or 'every cell it is compared with'}"
        return ("not_assessable", bound, part_value, n_missing,
                f"{blank} {'is' if len(whole) == 1 else 'are all'} blank, so {small} cannot be compared with it")
    if part_value <= bound or _close(part_value, bound):
        return "pass", bound, part_value, n_missing, f"{small} do not exceed {large}"
    if len(reported) == len(whole):
        return "fail", bound, part_value, n_missing, f"{small} exceed {large}"
    return ("not_assessable", bound, part_value, n_missing,
            f"{small} exceed the reported part of {large}; the blank cells could make up the difference")


def check_equal_sums(left: list[str], right: list[str], cells: dict[str, _Cell],
                     sides: str = "") -> _Comparison:
    """Σ left = Σ right; assessable only when every cell is reported. Returns (status, Σ left, Σ right, …).
    ``sides`` names the identity (e.g. "一 + 二 = （七）总计 + 四")."""
    return _equal_sums(left, right, _table(cells, str)[0], sides)


def _equal_sums(left: Sequence[str], right: Sequence[str], table: _Table, sides: str = "") -> _Comparison:
    left_reported, right_reported = table.reported(left), table.reported(right)
    involved = dict.fromkeys((*left, *right))  # each cell counted once
    n_missing = len(involved) - len(table.reported(involved))
    left_sum, right_sum = sum(left_reported), sum(right_reported)
    shown_left = f"{table.terms(left)} = {_show(left_sum)}"
    shown_right = f"{table.terms(right)} = {_show(right_sum)}"
    prefix = f"{sides}: " if sides else ""
    if n_missing:
        return ("not_assessable", left_sum, right_sum, n_missing,
                f"{prefix}{shown_left} cannot be compared with {shown_right}: a cell the rule needs is blank")
    if _close(left_sum, right_sum):
        return "pass", left_sum, right_sum, 0, f"{prefix}{shown_left} equals {shown_right}"
    return "fail", left_sum, right_sum, 0, f"{prefix}{shown_left} does not equal {shown_right}"


@dataclass(frozen=True)
class _Relation:
    """A rule implied by the codebook relations: (kind, constrained indicator, the indicators it involves)."""

    kind: str  # sum | of_which | dedup_total | cumulative
    indicator_id: str
    others: tuple[str, ...]  # the addends, the parent, or the channels


@functools.cache
def _relations(codebook: Codebook, template: str) -> tuple[_Relation, ...]:
    """The codebook relations of one template, in codebook order (computed once per template)."""
    found = []
    for indicator in codebook.indicators.values():
        if indicator.template != template:
            continue
        addends = tuple(c.indicator_id for c in codebook.children(indicator.indicator_id) if c.relation == "sum")
        if addends:
            found.append(_Relation("sum", indicator.indicator_id, addends))
        if indicator.relation == "of_which" and indicator.parent_id:
            found.append(_Relation("of_which", indicator.indicator_id, (indicator.parent_id,)))
        if indicator.relation == "cumulative" and indicator.compare_id:  # the year's count <= the running total
            found.append(_Relation("cumulative", indicator.compare_id, (indicator.indicator_id,)))
        if indicator.relation == "dedup_total" and indicator.compare_id:
            channels = tuple(c.indicator_id for c in codebook.children(indicator.compare_id)
                             if c.relation == "sum")
            found.append(_Relation("dedup_total", indicator.indicator_id, channels))
    return tuple(found)


@dataclass(frozen=True)
class _Check:
    """One check row of a table, all of it that does not depend on the table's values (prepared once per
    template): what it compares, how it is named, and when a table has no such row."""

    check_id: str
    rule_kind: str
    severity: str
    indicator_id: str  # the total or the part (Σ left for equal_sums: its first id)
    others: tuple[str, ...]  # the addends, the whole (the right side for equal_sums)
    involved: tuple[str, ...]
    involved_ids: str
    test: str  # sum | at_most | equal_sums
    left: tuple[str, ...] = ()  # equal_sums: the left side
    whole_of: str | None = None  # dedup_total: the whole is named "the parts of" this indicator
    description: str | None = None  # a rule's sentence, after its message (equal_sums: before it)
    needs: str | None = None  # the row exists only where this indicator is in the table
    any_of: frozenset[str] | None = None  # the row exists only where one of these is in the table


@functools.cache
def _checks(codebook: Codebook, template: str) -> tuple[_Check, ...]:
    """The codebook relations, then the rules of ``rules.csv``, of one template, in order."""
    found = []
    for relation in _relations(codebook, template):
        indicator_id, others, kind = relation.indicator_id, relation.others, relation.kind
        involved = (indicator_id, *others)
        if kind == "sum":
            found.append(_Check(f"sum:{indicator_id}", "sum", "error", indicator_id, others, involved,
                                " ".join(involved), "sum"))
            continue
        compare = codebook.indicators[indicator_id].compare_id
        found.append(_Check(
            f"{kind}:{indicator_id}", "dedup_total" if kind == "dedup_total" else "at_most",
            "warning" if kind == "cumulative" else "error",  # a local column, not the form
            indicator_id, others, involved, " ".join(involved), "at_most",
            whole_of=compare if kind == "dedup_total" else None,
            needs=others[0] if kind == "cumulative" else None))  # most tables have no 历年累计 column
    for rule in codebook.rules:
        if rule.template != template:
            continue
        involved = (*rule.left_ids, *rule.right_ids)
        found.append(_Check(rule.rule_id, rule.kind, rule.severity, rule.left_ids[0], rule.right_ids, involved,
                            " ".join(involved), rule.kind if rule.kind in ("sum", "at_most") else "equal_sums",
                            left=rule.left_ids, description=rule.description,
                            any_of=frozenset(involved)))  # else a rule about another table of the form
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def _applicable(codebook: Codebook, template: str, present: frozenset[str]) -> tuple[_Check, ...]:
    """The checks of a table with these indicators (tables of one template mostly have the same ones)."""
    return tuple(check for check in _checks(codebook, template)
                 if (check.needs is None or check.needs in present)
                 and (check.any_of is None or not present.isdisjoint(check.any_of)))


def run_checks(doc_id: str, table_number: int, template: str | None, observations: list[Observation],
               codebook: Codebook) -> list[CheckRow]:
    """Every rule of the table's template, applied to its observations."""
    if template is None:
        return []
    values: dict[str, float | None] = {}
    lines: dict[str, int] = {}
    prefixes: dict[str, str | None] = {}
    negative: list[Observation] = []
    for obs in observations:
        indicator_id = obs.indicator_id
        if indicator_id:
            values[indicator_id] = obs.value_base if obs.value_base is not None else obs.value
            lines[indicator_id] = obs.source_line
            prefixes[indicator_id] = obs.row_prefix
            if obs.value is not None and obs.value < 0:
                negative.append(obs)
    table = _Table(values, {i: line for i, line in lines.items() if line is not None}, prefixes, _labels(codebook))
    name = table.name
    results: list[CheckRow] = []
    for check in _applicable(codebook, template, frozenset(values)):
        if check.test == "sum":
            status, actual, n_missing, message = _sum(check.indicator_id, check.others, table, name)
            expected = values.get(check.indicator_id)
        elif check.test == "at_most":
            whole_name = f"the parts of {name(check.whole_of)}" if check.whole_of else None
            status, expected, actual, n_missing, message = _at_most(check.indicator_id, check.others, table, name,
                                                                   whole_name)
        else:
            status, expected, actual, n_missing, message = _equal_sums(check.left, check.others, table,
                                                                       check.description)
        if check.description is not None and check.test != "equal_sums":
            message = f"{message} ({check.description})"
        results.append(CheckRow(
            doc_id=doc_id, table_number=table_number, check_id=check.check_id, rule_kind=check.rule_kind,
            severity=check.severity, indicator_id=check.indicator_id, involved_ids=check.involved_ids,
            expected=expected, actual=actual, n_missing=n_missing, status=status, message=message,
            source_lines=table.source_lines(check.involved)))
    for obs in negative:
        indicator_id = obs.indicator_id
        if not codebook.indicators[indicator_id].allow_negative:
            results.append(CheckRow(
                doc_id=doc_id, table_number=table_number, check_id=f"non_negative:{indicator_id}",
                rule_kind="non_negative", severity="error", indicator_id=indicator_id, involved_ids=indicator_id,
                expected=0.0, actual=obs.value, n_missing=0, status="fail",
                message=f"{name(indicator_id)} ({_show(obs.value)}) is negative, but the form counts things",
                source_lines=table.source_lines((indicator_id,))))
    return results
