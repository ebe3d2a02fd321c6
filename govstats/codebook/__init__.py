"""Load the codebook: indicators, units, missing-value tokens, fields and rules, declared once as data files.

Everything else (pandera and Frictionless schemas, Parquet types, the XLSX data dictionary, the label matcher)
is derived from what this module loads, so the CSV files beside it are the single source of truth.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

CODEBOOK_DIR = Path(__file__).parent
_FILES = (
    "indicators.csv",
    "units.csv",
    "missing_values.csv",
    "rules.csv",
    "aliases.csv",
    "label_columns.csv",
    "ignored_labels.csv",
    "fields.csv",
    "issue_codes.csv",
    "limits.csv",
    "crosswalk.csv",
    "package.json",
    "divisions.csv",
)


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    template: str
    table_code: str
    parent_id: str | None
    row_code: str | None
    column_code: str | None
    level: int
    sort_order: int
    row_label_zh: str
    column_label_zh: str
    label_en: str
    unit: str | None
    unit_code: str | None
    relation: str
    compare_id: str | None
    is_variant: bool
    allow_negative: bool
    evidence: str | None


@dataclass(frozen=True)
class Unit:
    unit_code: str
    unit_zh: str
    label_en: str
    quantity: str
    base_unit_code: str
    multiplier: int


@dataclass(frozen=True)
class Field:
    resource: str
    name: str
    type: str
    required: bool
    enum: tuple[str, ...]
    minimum: int | None
    pattern: str | None
    description: str


@dataclass(frozen=True)
class Rule:
    """A check beyond the parent/child relations: sum (left = Σ right), equal_sums (Σ left = Σ right) or
    at_most (left ≤ Σ right)."""

    rule_id: str
    template: str
    kind: str
    left_ids: tuple[str, ...]
    right_ids: tuple[str, ...]
    severity: str
    description: str


@dataclass(frozen=True)
class Alias:
    kind: str
    template: str
    alias: str
    target: str
    reason: str


@dataclass(frozen=True, eq=False)
class Codebook:
    indicators: dict[str, Indicator]
    units: dict[str, Unit]
    missing_tokens: dict[str, str]
    missing_meanings: dict[str, str]
    rules: tuple[Rule, ...]
    aliases: tuple[Alias, ...]
    header_roles: dict[str, str]
    ignored_labels: dict[str, str]
    fields: dict[str, tuple[Field, ...]]
    issue_codes: dict[str, tuple[str, str]]
    issue_scopes: dict[str, str]
    flag_kinds: dict[str, str]  # flag code → note (how a value was read) or warning (what to look at)
    limits: dict[str, int]
    crosswalk: tuple[dict[str, str], ...]
    package: dict
    version: str

    units_by_zh: dict[str, Unit]
    children_of: dict[str, tuple[Indicator, ...]]

    def unit_by_zh(self, unit_zh: str) -> Unit | None:
        return self.units_by_zh.get(unit_zh)

    def children(self, indicator_id: str) -> tuple[Indicator, ...]:
        return self.children_of.get(indicator_id, ())

    def ancestors(self, indicator_id: str) -> tuple[str, ...]:
        """Ids from the top-level section down to the indicator itself."""
        chain: list[str] = []
        current: str | None = indicator_id
        while current:
            chain.append(current)
            current = self.indicators[current].parent_id
        return tuple(reversed(chain))

    def templates(self) -> list[str]:
        return sorted({indicator.template for indicator in self.indicators.values()})

    def flags(self) -> dict[str, str]:
        return {code: meaning for code, (kind, meaning) in self.issue_codes.items() if kind == "flag"}

    @cached_property
    def warnings(self) -> frozenset[str]:
        """The flags a user should look at (the others are reading notes: how a value was found)."""
        return frozenset(code for code, kind in self.flag_kinds.items() if kind == "warning")


def _rows(name: str) -> list[dict[str, str]]:
    with open(CODEBOOK_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"expected true or false, found {text!r}")
    return text == "true"


def _version() -> str:
    digest = hashlib.sha256()
    for name in _FILES:
        digest.update(name.encode())
        digest.update((CODEBOOK_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


@cache
def load() -> Codebook:
    """Read and cross-check every codebook file once per process."""
    units = {row["unit_code"]: Unit(row["unit_code"], row["unit_zh"], row["label_en"], row["quantity"],
                                    row["base_unit_code"], int(row["multiplier"])) for row in _rows("units.csv")}
    units_by_zh = {unit.unit_zh: unit for unit in units.values()}
    raw_indicators = _rows("indicators.csv")
    parents = {row["indicator_id"]: row["parent_id"] or None for row in raw_indicators}

    def level(indicator_id: str) -> int:
        depth, current = 0, indicator_id
        while current:
            depth, current = depth + 1, parents[current]
        return depth

    indicators: dict[str, Indicator] = {}
    for order, row in enumerate(raw_indicators, start=1):
        unit = row["unit"] or None
        if unit and unit not in units_by_zh:
            raise ValueError(f"indicators.csv: {row['indicator_id']}: unit {unit!r} is not in units.csv")
        indicators[row["indicator_id"]] = Indicator(
            indicator_id=row["indicator_id"], template=row["template"], table_code=row["table_code"],
            parent_id=row["parent_id"] or None, row_code=row["row_code"] or None,
            column_code=row["column_code"] or None, level=level(row["indicator_id"]), sort_order=order,
            row_label_zh=row["row_label_zh"], column_label_zh=row["column_label_zh"], label_en=row["label_en"],
            unit=unit, unit_code=units_by_zh[unit].unit_code if unit else None, relation=row["relation"],
            compare_id=row["compare_id"] or None, is_variant=_bool(row["is_variant"]),
            allow_negative=_bool(row["allow_negative"]), evidence=row["evidence"] or None,
        )
    missing = _rows("missing_values.csv")
    fields: dict[str, list[Field]] = {}
    for row in _rows("fields.csv"):
        fields.setdefault(row["resource"], []).append(Field(
            resource=row["resource"], name=row["name"], type=row["type"], required=_bool(row["required"]),
            enum=tuple(row["enum"].split("|")) if row["enum"] else (),
            minimum=int(row["minimum"]) if row["minimum"] else None, pattern=row["pattern"] or None,
            description=row["description"],
        ))
    codebook = Codebook(
        indicators=indicators,
        units=units,
        missing_tokens={row["token"]: row["status"] for row in missing},
        missing_meanings={row["token"]: row["meaning"] for row in missing},
        rules=tuple(Rule(row["rule_id"], row["template"], row["kind"], tuple(row["left_ids"].split()),
                         tuple(row["right_ids"].split()), row["severity"], row["description"])
                    for row in _rows("rules.csv")),
        aliases=tuple(Alias(**row) for row in _rows("aliases.csv")),
        header_roles={row["header"]: row["role"] for row in _rows("label_columns.csv")},
        ignored_labels={row["label"]: row["reason"] for row in _rows("ignored_labels.csv")},
        fields={name: tuple(items) for name, items in fields.items()},
        issue_codes={row["code"]: (row["kind"], row["meaning"]) for row in _rows("issue_codes.csv")},
        issue_scopes={row["code"]: row["scope"] for row in _rows("issue_codes.csv")},
        flag_kinds={row["code"]: row["flag_kind"] for row in _rows("issue_codes.csv") if row["kind"] == "flag"},
        limits={row["name"]: int(row["value"]) for row in _rows("limits.csv")},
        crosswalk=tuple(_rows("crosswalk.csv")),
        package=json.loads((CODEBOOK_DIR / "package.json").read_text(encoding="utf-8")),
        version=_version(),
        units_by_zh=units_by_zh,
        children_of=_children_of(indicators),
    )
    _cross_check(codebook)
    return codebook


def _children_of(indicators: dict[str, Indicator]) -> dict[str, tuple[Indicator, ...]]:
    children: dict[str, list[Indicator]] = {}
    for indicator in indicators.values():
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator)
    return {parent: tuple(items) for parent, items in children.items()}


def _cross_check(codebook: Codebook) -> None:
    """Fail loudly at load time on codebook inconsistencies instead of producing wrong data later."""
    ids = codebook.indicators
    for indicator in ids.values():
        if indicator.parent_id and indicator.parent_id not in ids:
            raise ValueError(f"indicators.csv: {indicator.indicator_id}: unknown parent {indicator.parent_id}")
        if indicator.compare_id and indicator.compare_id not in ids:
            raise ValueError(f"indicators.csv: {indicator.indicator_id}: unknown compare_id {indicator.compare_id}")
        if (indicator.relation in ("dedup_total", "cumulative")) != bool(indicator.compare_id):
            raise ValueError(f"indicators.csv: {indicator.indicator_id}: compare_id goes with dedup_total and "
                             "cumulative only")
    relation_field = next(f for f in codebook.fields["indicators"] if f.name == "relation")
    for indicator in ids.values():
        if indicator.relation not in relation_field.enum:
            raise ValueError(f"indicators.csv: {indicator.indicator_id}: unknown relation {indicator.relation}")
    for row in codebook.crosswalk:
        for key in ("from_id", "to_id"):
            if row[key] not in ids:
                raise ValueError(f"crosswalk.csv: unknown indicator {row[key]}")
    rule_ids = [rule.rule_id for rule in codebook.rules]
    if len(set(rule_ids)) != len(rule_ids):
        raise ValueError("rules.csv: rule ids are not unique")
    for rule in codebook.rules:
        if rule.kind not in ("sum", "equal_sums", "at_most"):
            raise ValueError(f"rules.csv: {rule.rule_id}: unknown kind {rule.kind}")
        if rule.kind == "sum" and len(rule.left_ids) != 1:
            raise ValueError(f"rules.csv: {rule.rule_id}: a sum has one left-hand indicator")
        for indicator_id in (*rule.left_ids, *rule.right_ids):
            if indicator_id not in ids:
                raise ValueError(f"rules.csv: {rule.rule_id}: unknown indicator {indicator_id}")
    for alias in codebook.aliases:
        if alias.kind == "row" and alias.target not in ids:
            raise ValueError(f"aliases.csv: {alias.alias}: unknown indicator {alias.target}")
    for code, kind in codebook.flag_kinds.items():
        if kind not in ("note", "warning"):
            raise ValueError(f"issue_codes.csv: flag {code}: flag_kind must be note or warning, not {kind!r}")
    for status in codebook.missing_tokens.values():
        if status not in ("blank", "placeholder"):
            raise ValueError(f"missing_values.csv: unknown status {status}")
