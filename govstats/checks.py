"""Accounting checks derived from the codebook relations, one result row per rule and table.

Sound under missing data: a rule passes only if the reported cells prove it, fails only if they disprove
it whatever the blanks hide (counts are non-negative), and is ``not_assessable`` otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from govstats.codebook import Codebook
from govstats.records import CheckRow, Observation


@dataclass(frozen=True)
class _Cell:
    value: float | None
    line: int | None
    label: str
    prefix: str | None = None  # the row's printed numbering ((二), 1.), used to name it in messages


def _cells(observations: list[Observation]) -> dict[str, _Cell]:
    cells: dict[str, _Cell] = {}
    for obs in observations:
        if obs.indicator_id:
            amount = obs.value_base if obs.value_base is not None else obs.value
            cells[obs.indicator_id] = _Cell(amount, obs.source_line, obs.row_label or "", obs.row_prefix)
    return cells


def _namer(codebook: Codebook, cells: dict[str, _Cell]) -> Callable[[str], str]:
    """How messages name an indicator: its English label (without "of which:"), after the numbering the
    document printed on its row, e.g. "(二) disclosure by channel"."""

    named: dict[str, str] = {}  # a table's messages name the same indicators many times

    def name(indicator_id: str) -> str:
        if indicator_id in named:
            return named[indicator_id]
        indicator = codebook.indicators.get(indicator_id)
        label = indicator.label_en if indicator else indicator_id
        label = label.removeprefix("of which: ")
        if len(label) > 1 and label[0].isupper() and not label[1].isupper():
            label = label[0].lower() + label[1:]
        cell = cells.get(indicator_id)
        prefix = cell.prefix if cell and cell.prefix and "其中" not in cell.prefix else None
        named[indicator_id] = f"{prefix.strip()} {label}" if prefix else label
        return named[indicator_id]

    return name


def _show(value: float | None) -> str:
    if value is None:
        return "blank"
    return f"{value:.15g}"


def _result(doc_id: str, table_number: int, check_id: str, kind: str, severity: str, indicator_id: str,
            involved: list[str], expected: float | None, actual: float | None, n_missing: int, status: str,
            message: str, cells: dict[str, _Cell]) -> CheckRow:
    lines = sorted({cells[i].line for i in involved if i in cells and cells[i].line is not None})
    return CheckRow(
        doc_id=doc_id, table_number=table_number, check_id=check_id, rule_kind=kind,
        severity=severity, indicator_id=indicator_id, involved_ids=" ".join(involved),
        expected=expected, actual=actual, n_missing=n_missing, status=status, message=message,
        source_lines=" ".join(str(line) for line in lines) or None,
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


Namer = Callable[[str], str]  # indicator id → how a message names it


def _terms(ids: list[str], cells: dict[str, _Cell]) -> str:
    return " + ".join(_show(cells[i].value if i in cells else None) for i in ids)


def check_sum(parent: str, addends: list[str], cells: dict[str, _Cell],
              name: Namer = str) -> tuple[str, float | None, int, str]:
    """parent = Σ addends. Returns (status, sum of reported addends, number missing, message): the message is
    a sentence naming the total and showing every part, blanks included."""
    total = cells.get(parent)
    reported = [cells[a].value for a in addends if a in cells and cells[a].value is not None]
    n_missing = len(addends) - len(reported) + (0 if total and total.value is not None else 1)
    actual = sum(reported) if reported else None
    terms, whole = _terms(addends, cells), name(parent)
    if total is None or total.value is None:
        return ("not_assessable", actual, n_missing,
                f"{whole}: its total is blank, so its parts {terms} = {_show(actual)} cannot be checked against it")
    if actual is None:
        return ("not_assessable", None, n_missing,
                f"{whole}: every part is blank ({terms}), so its total {_show(total.value)} cannot be checked")
    parts = f"{whole}: {terms} = {_show(actual)}"
    if len(reported) == len(addends):
        if _close(actual, total.value):
            return "pass", actual, n_missing, f"{parts} equals its total {_show(total.value)}"
        return "fail", actual, n_missing, f"{parts} does not equal its total {_show(total.value)}"
    if actual > total.value and not _close(actual, total.value):
        return ("fail", actual, n_missing,
                f"{parts} exceeds its total {_show(total.value)} whatever the blank parts hold")
    if _close(actual, total.value):
        return ("pass", actual, n_missing,
                f"{parts} equals its total {_show(total.value)} (the blank parts add nothing)")
    return ("not_assessable", actual, n_missing,
            f"{parts} is below its total {_show(total.value)}; the blank parts could make up the difference")


# (status, expected, actual, number of missing cells, message)
_Comparison = tuple[str, float | None, float | None, int, str]


def check_at_most(part: str, whole: list[str], cells: dict[str, _Cell], name: Namer = str,
                  whole_name: str | None = None) -> _Comparison:
    """part ≤ Σ whole. Returns (status, bound, part value, number missing, message); the message names both
    sides, e.g. "normative documents disclosed (6) exceed normative documents issued (1)"."""
    part_cell = cells.get(part)
    part_value = part_cell.value if part_cell else None
    reported = [cells[w].value for w in whole if w in cells and cells[w].value is not None]
    n_missing = (part_value is None) + len(whole) - len(reported)
    bound = sum(reported) if reported else None
    small = f"{name(part)} ({_show(part_value)})"
    if len(whole) == 1:
        large = f"{name(whole[0])} ({_show(bound)})"
    else:
        large = f"{whole_name or ' + '.join(name(w) for w in whole)} ({_terms(whole, cells)} = {_show(bound)})"
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
    values = {name: cells[name].value if name in cells else None for name in (*left, *right)}
    n_missing = sum(value is None for value in values.values())
    left_sum = sum(values[n] for n in left if values[n] is not None)
    right_sum = sum(values[n] for n in right if values[n] is not None)
    shown_left = f"{_terms(left, cells)} = {_show(left_sum)}"
    shown_right = f"{_terms(right, cells)} = {_show(right_sum)}"
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


@functools.cache
def _rules(codebook: Codebook, template: str) -> tuple:
    """The rules of ``rules.csv`` for one template, in file order."""
    return tuple(rule for rule in codebook.rules if rule.template == template)


def run_checks(doc_id: str, table_number: int, template: str | None, observations: list[Observation],
               codebook: Codebook) -> list[CheckRow]:
    """Every rule of the table's template, applied to its observations."""
    if template is None:
        return []
    cells = _cells(observations)
    name = _namer(codebook, cells)
    results: list[CheckRow] = []
    for relation in _relations(codebook, template):
        indicator_id, others = relation.indicator_id, list(relation.others)
        if relation.kind == "cumulative" and others[0] not in cells:
            continue  # most tables have no 历年累计 column: no row for what is not there
        if relation.kind == "sum":
            status, actual, n_missing, message = check_sum(indicator_id, others, cells, name)
            expected = cells[indicator_id].value if indicator_id in cells else None
            results.append(_result(doc_id, table_number, f"sum:{indicator_id}", "sum", "error", indicator_id,
                                   [indicator_id, *others], expected, actual, n_missing, status, message, cells))
        else:
            compare = codebook.indicators[indicator_id].compare_id
            whole_name = f"the parts of {name(compare)}" if relation.kind == "dedup_total" and compare else None
            status, bound, part, n_missing, message = check_at_most(indicator_id, others, cells, name, whole_name)
            kind = "dedup_total" if relation.kind == "dedup_total" else "at_most"
            severity = "warning" if relation.kind == "cumulative" else "error"  # a local column, not the form
            results.append(_result(doc_id, table_number, f"{relation.kind}:{indicator_id}", kind, severity,
                                   indicator_id, [indicator_id, *others], bound, part, n_missing, status, message,
                                   cells))
    present = {obs.indicator_id for obs in observations if obs.indicator_id}
    for rule in _rules(codebook, template):
        involved = [*rule.left_ids, *rule.right_ids]
        if not present.intersection(involved):
            continue  # a rule about another table of the form
        if rule.kind == "at_most":
            status, bound, part, n_missing, message = check_at_most(rule.left_ids[0], list(rule.right_ids), cells,
                                                                    name)
            expected, actual = bound, part
            message = f"{message} ({rule.description})"
        elif rule.kind == "sum":
            status, actual, n_missing, message = check_sum(rule.left_ids[0], list(rule.right_ids), cells, name)
            expected = cells[rule.left_ids[0]].value if rule.left_ids[0] in cells else None
            message = f"{message} ({rule.description})"
        else:
            status, expected, actual, n_missing, message = check_equal_sums(list(rule.left_ids), list(rule.right_ids),
                                                                           cells, rule.description)
        results.append(_result(doc_id, table_number, rule.rule_id, rule.kind, rule.severity, rule.left_ids[0],
                               involved, expected, actual, n_missing, status, message, cells))
    for obs in observations:
        indicator_id = obs.indicator_id
        negative = indicator_id and obs.value is not None and obs.value < 0
        if negative and not codebook.indicators[indicator_id].allow_negative:
            results.append(_result(doc_id, table_number, f"non_negative:{indicator_id}", "non_negative",
                                   "error", indicator_id, [indicator_id], 0.0, obs.value, 0, "fail",
                                   f"{name(indicator_id)} ({_show(obs.value)}) is negative, but the form "
                                   "counts things", cells))
    return results
