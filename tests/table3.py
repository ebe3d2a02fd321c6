"""A generated table 3 that satisfies every identity of the form (shared by the property tests)."""

from __future__ import annotations

from hypothesis import strategies as st


def consistent_table3(draw, row_codes: list[str], value: st.SearchStrategy[int]) -> dict[str, tuple[int, ...]]:
    """Outcomes drawn per applicant column, then the totals derived from them; the 总计 column sums the six."""
    outcomes = [code for code in row_codes if code.startswith("result.") and code != "result.total"]
    table: dict[str, list[int]] = {code: [] for code in row_codes}
    for _ in range(6):  # 自然人 and the five 法人或其他组织 columns
        parts = [draw(value) for _ in outcomes]
        for code, part in zip(outcomes, parts, strict=True):
            table[code].append(part)
        total, carried_out = sum(parts), draw(value)
        carried_in = draw(st.integers(0, total + carried_out))
        table["result.total"].append(total)
        table["apply.carried_out"].append(carried_out)
        table["apply.carried_in"].append(carried_in)
        table["apply.new"].append(total + carried_out - carried_in)
    return {code: (*cells, sum(cells)) for code, cells in table.items()}
