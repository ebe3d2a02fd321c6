"""Split a glued run of digits (21710000218) into a row's cells only where the form's own identities force it.

Scraped page text glues a row's cells together without separators. Counting alone splits a run only when every
cell is one digit. Often the identities printed on the form leave exactly one reading: in table 3 the 总计 column
is the sum of the six applicant columns, 一 + 二 = （七）总计 + 四 in every column, and the outcome rows sum to
（七）总计; in table 4 each 总计 is the sum of its four outcomes. The identities are the rules of the codebook
(rules.csv, kinds ``sum`` and ``equal_sums``), so a rule added there constrains splits too.

For each glued row every split is enumerated (no part with a leading zero except a lone 0, at most
``max_split_cell_digits`` digits a cell, at most ``max_split_candidates`` splits: bounded work), and the splits
are narrowed by every identity whose other cells are known or are themselves candidates. A row is split only
when exactly one reading survives; otherwise it stays unrecoverable with the number of readings left. When the
table's known cells already break an identity, the identities are no evidence, and nothing is split.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

Cell = tuple[str, str]  # (row key, column key)


@dataclass(frozen=True)
class Identity:
    """sum(left) == sum(right) over cells of one table."""

    name: str
    left: tuple[Cell, ...]
    right: tuple[Cell, ...]


@dataclass
class Glued:
    """A row whose values came as runs of digits (one, or a few that spaces separate) over ``columns``."""

    row: str
    digits: str | tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What became of a glued row: the values taken (None: not split) and why."""

    values: tuple[int, ...] | None
    n_candidates: int | None  # readings left (None: too many to enumerate)
    reason: str


def splits(digits: str | tuple[str, ...], width: int, max_digits: int, limit: int) -> list[tuple[int, ...]] | None:
    """Every way to cut ``digits`` into ``width`` numbers (no leading zeros but a lone 0, at most
    ``max_digits`` digits each), or None when there are more than ``limit`` (work stays bounded). Several runs
    (``("500000", "5")``: digits that a space separated) are cut apart: no number spans two runs."""
    runs = (digits,) if isinstance(digits, str) else tuple(digits)
    text = "".join(runs)
    ends = list(itertools.accumulate(len(run) for run in runs))  # a number never crosses one of these
    found: list[tuple[int, ...]] = []
    if not all(run.isdigit() for run in runs) or not len(runs) <= width <= len(text) \
            or len(text) > width * max_digits:
        return found
    steps = 0

    def walk(start: int, parts: list[int]) -> Iterator[tuple[int, ...]]:
        nonlocal steps
        steps += 1
        if steps > limit * 4:
            raise _TooMany
        left = width - len(parts)
        boundary = next(end for end in ends if end > start)
        if left == 1:
            piece = text[start:]
            if boundary == len(text) and len(piece) <= max_digits and (piece == "0" or not piece.startswith("0")):
                yield (*parts, int(piece))
            return
        rest = len(text) - start
        for size in range(1, min(max_digits, boundary - start, rest - (left - 1)) + 1):
            if rest - size > (left - 1) * max_digits:
                continue
            piece = text[start:start + size]
            if size > 1 and piece.startswith("0"):
                break
            yield from walk(start + size, [*parts, int(piece)])

    try:
        for candidate in walk(0, []):
            found.append(candidate)
            if len(found) > limit:
                return None
    except _TooMany:
        return None
    return found


class _TooMany(Exception):
    pass


def resolve(glued: list[Glued], known: dict[Cell, float], identities: list[Identity], max_digits: int,
            limit: int) -> dict[str, Outcome]:
    """The outcome of every glued row of one table, given its known cells and the form's identities."""
    candidates: dict[str, list[tuple[int, ...]] | None] = {
        g.row: splits(g.digits, len(g.columns), max_digits, limit) for g in glued}
    columns = {g.row: g.columns for g in glued}
    broken = [i.name for i in identities if _evaluable(i, known) and not _holds(i, known)]
    if broken:
        return {g.row: Outcome(None, _count(candidates[g.row]),
                               f"the table's known cells break its own identities ({', '.join(broken[:3])}), "
                               "so they cannot decide a split") for g in glued}
    tested: set[str] = set()  # rows that at least one identity was evaluated on
    own = {row: _narrow_alone(row, known, candidates, columns, identities, limit) for row in candidates}
    changed = True
    while changed:
        changed = False
        for identity in identities:
            narrowed = _narrow(identity, known, candidates, columns, limit)
            tested.update(narrowed)
            for row, kept in narrowed.items():
                if len(kept) < len(candidates[row] or ()):
                    candidates[row], changed = kept, True
    taken = {g.row: candidates[g.row][0] for g in glued
             if g.row in tested and candidates[g.row] is not None and len(candidates[g.row]) == 1}
    values = dict(known)
    for g in glued:
        if g.row in taken:
            values.update(((g.row, column), value) for column, value in zip(g.columns, taken[g.row], strict=True))
    broken = [i.name for i in identities if _evaluable(i, values) and not _holds(i, values)]
    if broken:  # the readings left one by one do not fit together: the table contradicts itself
        return {g.row: Outcome(None, _count(candidates[g.row]),
                               f"no reading of the glued rows satisfies every identity ({', '.join(broken[:3])})")
                for g in glued}
    outcomes: dict[str, Outcome] = {}
    for g in glued:
        left = candidates[g.row]
        if g.row in taken:
            outcomes[g.row] = Outcome(taken[g.row], 1, "the only split that satisfies every identity of the form")
        elif left is not None and g.row not in tested:
            outcomes[g.row] = Outcome(None, len(left), f"{len(left)} splits, and no identity of the form "
                                      "could be checked on this row")
        elif left is None:
            outcomes[g.row] = Outcome(None, None, f"more than {limit:,} splits: too many to weigh")
        elif not left and own[g.row]:
            outcomes[g.row] = Outcome(None, 0, f"{own[g.row]} splits fit the row's own identities, none fits the "
                                      "rest of the table: the table contradicts its identities")
        else:
            outcomes[g.row] = Outcome(None, len(left), f"{len(left)} splits satisfy the form's identities")
    return outcomes


def _narrow_alone(row: str, known: dict[Cell, float], candidates: dict[str, list[tuple[int, ...]] | None],
                  columns: dict[str, tuple[str, ...]], identities: list[Identity], limit: int) -> int:
    """How many readings of the row satisfy the identities that involve no other glued row."""
    left = candidates[row]
    if left is None:
        return 0
    for identity in identities:
        others = {cell[0] for cell in (*identity.left, *identity.right) if cell not in known}
        if others == {row}:
            left = _narrow(identity, known, {row: left}, columns, limit).get(row, left)
    return len(left)


def _count(found: list[tuple[int, ...]] | None) -> int | None:
    return None if found is None else len(found)


def _evaluable(identity: Identity, known: dict[Cell, float]) -> bool:
    return all(cell in known for cell in (*identity.left, *identity.right))


def _holds(identity: Identity, values: dict[Cell, float]) -> bool:
    return abs(sum(values[c] for c in identity.left) - sum(values[c] for c in identity.right)) < 1e-6


def _narrow(identity: Identity, known: dict[Cell, float], candidates: dict[str, list[tuple[int, ...]] | None],
            columns: dict[str, tuple[str, ...]], limit: int) -> dict[str, list[tuple[int, ...]]]:
    """The candidates of the glued rows in the identity that take part in at least one way to satisfy it;
    nothing when a cell it needs is neither known nor a candidate, or when the combinations are too many."""
    rows: list[str] = []
    for cell in (*identity.left, *identity.right):
        if cell in known:
            continue
        row, column = cell
        if row not in candidates or candidates[row] is None or column not in columns[row]:
            return {}
        if row not in rows:
            rows.append(row)
    if not rows:
        return {}
    pools = [candidates[row] or [] for row in rows]
    total = 1
    for pool in pools:
        total *= max(len(pool), 1)
    if total > limit:
        return {}
    kept: list[set[tuple[int, ...]]] = [set() for _ in rows]
    position = {row: i for i, row in enumerate(rows)}
    for combination in itertools.product(*pools):
        def value(cell: Cell, combination=combination) -> float:
            if cell in known:
                return known[cell]
            row, column = cell
            return combination[position[row]][columns[row].index(column)]
        if abs(sum(map(value, identity.left)) - sum(map(value, identity.right))) < 1e-6:
            for i, chosen in enumerate(combination):
                kept[i].add(chosen)
    return {row: [c for c in pools[i] if c in kept[i]] for i, row in enumerate(rows)}
