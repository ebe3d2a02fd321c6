"""The codebook is the single source of truth: every derived schema must agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govstats.output import schemas
from govstats.text.keys import label_key

REFERENCE = Path(__file__).parent / "fixtures" / "ogi-templates.md"


@pytest.mark.parametrize("resource", schemas.RESOURCES)
def test_derived_schemas_agree_with_fields(codebook, resource):
    names = [f.name for f in codebook.fields[resource]]
    assert list(schemas.pandera_schema(codebook, resource).columns) == names
    assert [f["name"] for f in schemas.frictionless_schema(codebook, resource)["fields"]] == names
    assert schemas.arrow_schema(codebook, resource).names == names
    dictionary = [r["name"] for r in schemas.dictionary_rows(codebook)
                  if r["section"] == "field" and r["resource"] == resource]
    assert dictionary == names


@pytest.mark.parametrize("resource", schemas.RESOURCES)
def test_every_field_is_described_and_keys_exist(codebook, resource):
    names = {f.name for f in codebook.fields[resource]}
    assert all(f.description for f in codebook.fields[resource])
    assert set(schemas.primary_key(codebook, resource)) <= names


def test_contract_field_names_are_kept(codebook):
    contract = {
        "observations": ["doc_id", "indicator_id", "row_label", "row_note", "column_label", "raw_value", "value",
                         "unit", "unit_code", "value_base", "status", "flag_codes", "source_line"],
        "indicators": ["indicator_id", "template", "parent_id", "row_label_zh", "column_label_zh", "label_en",
                       "form_unit", "relation"],
        "documents": ["doc_id", "source_file", "sha256", "title", "agency", "report_year", "published_date",
                      "template", "n_tables", "status"],
    }
    for resource, names in contract.items():
        assert set(names) <= {f.name for f in codebook.fields[resource]}


def test_every_official_2014_row_is_in_the_codebook(codebook):
    """Each t2014 id of ogi-templates.md §3 exists, with the same parent and unit."""
    text = REFERENCE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (t2014\.[a-z_.]+) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|", text, flags=re.M)
    assert len(rows) == 71
    for indicator_id, parent, label, unit in rows:
        indicator = codebook.indicators[indicator_id]
        assert (indicator.parent_id or "–") == parent.strip()
        assert label_key(indicator.row_label_zh) == label_key(label.strip())
        assert (indicator.unit or "–") == unit.strip()


def test_labels_are_unique_within_their_parent(codebook):
    seen = set()
    for indicator in codebook.indicators.values():
        key = (indicator.template, indicator.parent_id, label_key(indicator.row_label_zh), indicator.column_label_zh)
        assert key not in seen, indicator.indicator_id
        seen.add(key)


def test_units_and_relations_are_declared(codebook):
    relation_enum = next(f.enum for f in codebook.fields["indicators"] if f.name == "relation")
    for indicator in codebook.indicators.values():
        assert indicator.relation in relation_enum
        assert indicator.unit is None or codebook.unit_by_zh(indicator.unit) is not None
        if indicator.relation == "heading":
            assert indicator.unit is None, indicator.indicator_id


def test_sum_children_share_the_parent_unit(codebook):
    for indicator in codebook.indicators.values():
        if indicator.relation == "sum" and codebook.indicators[indicator.parent_id].unit:
            assert codebook.indicators[indicator.parent_id].unit == indicator.unit, indicator.indicator_id


def test_blank_is_a_missing_token_and_zero_is_not(codebook):
    assert codebook.missing_tokens[""] == "blank"
    assert "0" not in codebook.missing_tokens
    assert {"-", "—", "/", "无"} <= {t for t, s in codebook.missing_tokens.items() if s == "placeholder"}


def test_national_formats_have_every_cell(codebook):
    """Table 3 has 23 (2019) and 25 (2021) data rows of 7 columns; table 4 has 15 cells; table 2 as §4.1/§5.1."""
    def cells(template, table):
        return [i for i in codebook.indicators.values()
                if i.template == template and i.table_code == table and i.relation != "heading"]
    assert len(cells("t2019", "t3")) == 161 and len(cells("t2021", "t3")) == 175
    assert len(cells("t2019", "t4")) == 15 and len(cells("t2021", "t4")) == 15
    assert len(cells("t2019", "t2")) == 22 and len(cells("t2021", "t2")) == 10
    assert codebook.indicators["t2021.t2.a20_8.fee.amount"].unit == "万元"
    assert codebook.indicators["t2019.t2.a20_5.license.delta_items"].allow_negative


def test_the_fee_items_of_2019_are_never_the_fee_money_of_2021(codebook):
    fee = [row for row in codebook.crosswalk if row["from_id"] == "t2019.t2.a20_8.fee.prev_items"]
    assert fee == [{"from_id": "t2019.t2.a20_8.fee.prev_items", "to_id": "t2021.t2.a20_8.fee.amount",
                    "relation": "not_comparable", "note": fee[0]["note"]}]
    comparable = {row["to_id"] for row in codebook.crosswalk if row["relation"] != "not_comparable"}
    assert "t2021.t2.a20_8.fee.amount" not in comparable


def test_rules_cover_the_printed_identity_and_the_totals(codebook):
    kinds = {}
    for rule in codebook.rules:
        kinds.setdefault((rule.template, rule.kind), []).append(rule.rule_id)
    for template in ("t2019", "t2021"):
        assert len(kinds[(template, "equal_sums")]) == 7  # 一 + 二 = （七） + 四, per column
    identity = next(r for r in codebook.rules if r.rule_id == "identity:t2021.t3.total")
    assert identity.left_ids == ("t2021.t3.apply.new.total", "t2021.t3.apply.carried_in.total")
    assert identity.right_ids == ("t2021.t3.result.total.total", "t2021.t3.apply.carried_out.total")
    outcomes = next(r for r in codebook.rules if r.rule_id == "outcomes:t2021.t3.np")
    assert len(outcomes.right_ids) == 21  # （一）（二） + 8 + 3 + 5 + 3: every outcome row but （七）总计


def test_applicant_and_outcome_dimensions_can_be_grouped(codebook):
    """Table 3: every row has the seven applicant columns; codes are shared by both formats."""
    t3 = [i for i in codebook.indicators.values() if i.table_code == "t3" and i.relation != "heading"]
    by_row: dict[tuple[str, str], set[str]] = {}
    for indicator in t3:
        assert indicator.indicator_id == f"{indicator.template}.t3.{indicator.row_code}.{indicator.column_code}"
        by_row.setdefault((indicator.template, indicator.row_code), set()).add(indicator.column_code)
    columns = {"np", "lp.business", "lp.research", "lp.public_interest", "lp.legal_service", "lp.other", "total"}
    assert all(found == columns for found in by_row.values())
    assert {row for template, row in by_row if template == "t2019"} - {row for t, row in by_row if t == "t2021"} == {
        "result.other"}
