"""Accounting checks derived from the codebook relations, one result row per rule and table.

Sound under missing data: a rule passes only if the reported cells prove it, fails only if they disprove
it whatever the blanks hide (counts are non-negative), and is ``not_assessable`` otherwise.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from govstats.codebook import Codebook


@dataclass(frozen=True)
class _Cell:
    value: float | None
    line: int | None
    label: str


def _cells(observations: list[dict]) -> dict[str, _Cell]:
    cells: dict[str, _Cell] = {}
    for obs in observations:
        if obs["indicator_id"]:
            amount = obs["value_base"] if obs["value_base"] is not None else obs["value"]
            cells[obs["indicator_id"]] = _Cell(amount, obs["source_line"], obs["row_label"] or "")
    return cells


def _show(value: float | None) -> str:
    if value is None:
        return "blank"
    return f"{value:.15g}"


def _result(doc_id: str, table_number: int, check_id: str, kind: str, severity: str, indicator_id: str,
            involved: list[str], expected: float | None, actual: float | None, n_missing: int, status: str,
            message: str, cells: dict[str, _Cell]) -> dict:
    lines = sorted({cells[i].line for i in involved if i in cells and cells[i].line is not None})
    return {
        "doc_id": doc_id, "table_number": table_number, "check_id": check_id, "rule_kind": kind,
        "severity": severity, "indicator_id": indicator_id, "involved_ids": " ".join(involved),
        "expected": expected, "actual": actual, "n_missing": n_missing, "status": status, "message": message,
        "source_lines": " ".join(str(line) for line in lines) or None,
    }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check_sum(parent: str, addends: list[str], cells: dict[str, _Cell]) -> tuple[str, float | None, int, str]:
    """parent = Σ addends. Returns (status, sum of reported addends, number missing, message)."""
    total = cells.get(parent)
    reported = [cells[a].value for a in addends if a in cells and cells[a].value is not None]
    n_missing = len(addends) - len(reported) + (0 if total and total.value is not None else 1)
    actual = sum(reported) if reported else None
    terms = " + ".join(_show(cells[a].value if a in cells else None) for a in addends)
    if total is None or total.value is None:
        return "not_assessable", actual, n_missing, f"{terms} = {_show(actual)}; the total is blank"
    if actual is None:
        return "not_assessable", None, n_missing, f"total {_show(total.value)}; every addend is blank"
    text = f"{terms} = {_show(actual)}; total {_show(total.value)}"
    if len(reported) == len(addends):
        return ("pass" if _close(actual, total.value) else "fail"), actual, n_missing, text
    if actual > total.value and not _close(actual, total.value):
        return "fail", actual, n_missing, text + " (reported addends alone exceed the total)"
    if _close(actual, total.value):
        return "pass", actual, n_missing, text + " (reported addends make the total; the blank ones add nothing)"
    return "not_assessable", actual, n_missing, text + " (blank addends could make up the difference)"


# (status, expected, actual, number of missing cells, message)
_Comparison = tuple[str, float | None, float | None, int, str]


def check_at_most(part: str, whole: list[str], cells: dict[str, _Cell]) -> _Comparison:
    """part ≤ Σ whole. Returns (status, bound, part value, number missing, message)."""
    part_cell = cells.get(part)
    part_value = part_cell.value if part_cell else None
    reported = [cells[w].value for w in whole if w in cells and cells[w].value is not None]
    n_missing = (part_value is None) + len(whole) - len(reported)
    bound = sum(reported) if reported else None
    text = f"{_show(part_value)} <= {_show(bound)}"
    if part_value is None or bound is None:
        return "not_assessable", bound, part_value, n_missing, text + " (a cell the rule needs is blank)"
    if part_value <= bound or _close(part_value, bound):
        return "pass", bound, part_value, n_missing, text
    if len(reported) == len(whole):
        return "fail", bound, part_value, n_missing, text
    return "not_assessable", bound, part_value, n_missing, text + " (blank cells could raise the bound)"


def check_equal_sums(left: list[str], right: list[str], cells: dict[str, _Cell]) -> _Comparison:
    """Σ left = Σ right; assessable only when every cell is reported. Returns (status, Σ left, Σ right, …)."""
    values = {name: cells[name].value if name in cells else None for name in (*left, *right)}
    n_missing = sum(value is None for value in values.values())
    left_sum = sum(values[n] for n in left if values[n] is not None)
    right_sum = sum(values[n] for n in right if values[n] is not None)
    text = (" + ".join(_show(values[n]) for n in left) + " = " + _show(left_sum) + "; "
            + " + ".join(_show(values[n]) for n in right) + " = " + _show(right_sum))
    if n_missing:
        return "not_assessable", left_sum, right_sum, n_missing, text + " (a cell the rule needs is blank)"
    return ("pass" if _close(left_sum, right_sum) else "fail"), left_sum, right_sum, 0, text


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


def run_checks(doc_id: str, table_number: int, template: str | None, observations: list[dict],
               codebook: Codebook) -> list[dict]:
    """Every rule of the table's template, applied to its observations."""
    if template is None:
        return []
    cells = _cells(observations)
    results: list[dict] = []
    for relation in _relations(codebook, template):
        indicator_id, others = relation.indicator_id, list(relation.others)
        if relation.kind == "cumulative" and others[0] not in cells:
            continue  # most tables have no 历年累计 column: no row for what is not there
        if relation.kind == "sum":
            status, actual, n_missing, message = check_sum(indicator_id, others, cells)
            expected = cells[indicator_id].value if indicator_id in cells else None
            results.append(_result(doc_id, table_number, f"sum:{indicator_id}", "sum", "error", indicator_id,
                                   [indicator_id, *others], expected, actual, n_missing, status, message, cells))
        else:
            status, bound, part, n_missing, message = check_at_most(indicator_id, others, cells)
            kind = "dedup_total" if relation.kind == "dedup_total" else "at_most"
            severity = "warning" if relation.kind == "cumulative" else "error"  # a local column, not the form
            results.append(_result(doc_id, table_number, f"{relation.kind}:{indicator_id}", kind, severity,
                                   indicator_id, [indicator_id, *others], bound, part, n_missing, status, message,
                                   cells))
    present = {obs["indicator_id"] for obs in observations if obs["indicator_id"]}
    for rule in codebook.rules:
        involved = [*rule.left_ids, *rule.right_ids]
        if rule.template != template or not present.intersection(involved):
            continue  # a rule about another table of the form
        if rule.kind == "at_most":
            status, bound, part, n_missing, message = check_at_most(rule.left_ids[0], list(rule.right_ids), cells)
            expected, actual = bound, part
        elif rule.kind == "sum":
            status, actual, n_missing, message = check_sum(rule.left_ids[0], list(rule.right_ids), cells)
            expected = cells[rule.left_ids[0]].value if rule.left_ids[0] in cells else None
        else:
            status, expected, actual, n_missing, message = check_equal_sums(list(rule.left_ids), list(rule.right_ids),
                                                                           cells)
        results.append(_result(doc_id, table_number, rule.rule_id, rule.kind, rule.severity, rule.left_ids[0],
                               involved, expected, actual, n_missing, status, f"{message}: {rule.description}", cells))
    for obs in observations:
        indicator_id = obs["indicator_id"]
        negative = indicator_id and obs["value"] is not None and obs["value"] < 0
        if negative and not codebook.indicators[indicator_id].allow_negative:
            results.append(_result(doc_id, table_number, f"non_negative:{indicator_id}", "non_negative",
                                   "error", indicator_id, [indicator_id], 0.0, obs["value"], 0, "fail",
                                   f"{_show(obs['value'])} is negative; the form counts things", cells))
    return results
