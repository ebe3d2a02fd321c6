"""The seed documents against hand-checked golden values (tests/golden/seed_001.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLDEN = json.loads((Path(__file__).parent / "golden" / "seed_001.json").read_text(encoding="utf-8"))
SEED_ID = "001_e30e2049e38d0093"


@pytest.fixture(scope="module")
def records(seed_build):
    return seed_build[0].records


@pytest.fixture(scope="module")
def seed_observations(records):
    return [o for o in records["observations"] if o["doc_id"] == SEED_ID]


def test_every_table_row_is_one_observation_with_its_line(seed_observations):
    lines = [o["source_line"] for o in seed_observations]
    assert len(seed_observations) == GOLDEN["n_table_rows"] == 72
    assert lines == list(range(GOLDEN["first_row_line"], GOLDEN["last_row_line"] + 1))


def test_every_row_matches_an_indicator_once(seed_observations, codebook):
    ids = [o["indicator_id"] for o in seed_observations]
    assert None not in ids
    assert len(set(ids)) == 72
    official = {i.indicator_id for i in codebook.indicators.values()
                if i.template == "t2014" and not i.is_variant and i.relation != "cumulative"}
    assert set(ids) == official | {"t2014.apply.received.other"}  # the seed's one local row (5.其他形式)


def test_exactly_the_twelve_reported_values(seed_observations):
    reported = {o["source_line"]: o for o in seed_observations if o["status"] == "reported"}
    assert sorted(reported) == [g["source_line"] for g in GOLDEN["reported"]]
    for golden in GOLDEN["reported"]:
        observation = reported[golden["source_line"]]
        assert observation["indicator_id"] == golden["indicator_id"]
        assert observation["value"] == golden["value"]
        assert observation["unit"] == golden["unit"]
        assert observation["value_base"] == golden["value_base"]
        if "row_note" in golden:
            assert observation["row_note"] == golden["row_note"]


def test_blank_cells_are_missing_never_zero(seed_observations):
    blanks = [o for o in seed_observations if o["status"] != "reported"]
    assert len(blanks) == 60
    assert all(o["status"] == "blank" and o["value"] is None and o["value_base"] is None for o in blanks)
    assert all(o["raw_value"] is None for o in blanks)


def test_context_decides_repeated_labels(seed_observations):
    by_line = {str(o["source_line"]): o["indicator_id"] for o in seed_observations}
    for line, indicator_id in GOLDEN["line_indicators"].items():
        assert by_line[line] == indicator_id


def test_misplaced_values_are_flagged(seed_observations):
    by_line = {o["source_line"]: o for o in seed_observations}
    assert by_line[20]["flag_codes"] == "unit_from_section;value_in_unit_column;value_on_heading"
    assert by_line[20]["warning_codes"] == "unit_from_section;value_on_heading"  # the reading note is not a warning
    assert by_line[20]["raw_value"] == "42"
    budget = by_line[81]
    assert budget["raw_value"] == "0.5万元"
    assert budget["unit_code"] == "cny_10k" and budget["base_unit_code"] == "cny"
    assert set(budget["flag_codes"].split(";")) == {"value_in_unit_column", "unit_in_value_cell",
                                                "unit_differs_from_codebook", "value_on_heading"}
    assert by_line[21]["flag_codes"] is None and by_line[21]["warning_codes"] is None


def test_labels_keep_numbering_and_split_notes(seed_observations):
    by_line = {o["source_line"]: o for o in seed_observations}
    assert by_line[21]["row_label"] == "(一)主动公开政府信息数"
    assert by_line[21]["row_prefix"] == "(一)" and by_line[21]["row_level"] == 2
    assert by_line[22]["row_prefix"] == "其中:" and by_line[22]["row_level"] == 3
    assert by_line[85]["row_note"] == "不包括政府公报及政府网站工作人员数"
    assert by_line[20]["row_level"] == 1 and by_line[25]["row_level"] == 3


def test_seed_document_metadata(records):
    document = next(d for d in records["documents"] if d["doc_id"] == SEED_ID)
    for key, value in GOLDEN["document"].items():
        shown = document[key].isoformat() if key == "published_date" else document[key]
        assert shown == value, key
    assert document["source_file"] == GOLDEN["source_file"]
    assert document["n_observations"] == 72 and document["n_rejections"] == 0


def test_checks_on_the_seed_table(records):
    checks = {c["check_id"]: c for c in records["checks"] if c["doc_id"] == SEED_ID}
    for check_id, golden in GOLDEN["checks"].items():
        for key, value in golden.items():
            assert checks[check_id][key] == value, (check_id, key)
    sums = [c for c in checks.values() if c["rule_kind"] == "sum"]
    assert sum(c["status"] == "not_assessable" for c in sums) >= 8
    assert all(c["status"] != "pass" or c["expected"] is not None for c in checks.values())


def test_seed_002_is_read_through_its_glosses_and_says_what_it_could_not_repair(records):
    document = next(d for d in records["documents"] if d["doc_id"] == "002_ae705f9549aaa622")
    assert document["doc_kind"] == "work_plan" and document["report_year"] == 2018
    assert "116 inline pinyin glosses" in document["status_message"]
    assert "mojibake) on line(s) 1, 29" in document["status_message"]
    assert document["title"] is None  # the title's bytes are lost ("?guī)砹丝萍季?018"): not guessed


def test_prose_seeds_are_catalogued_not_dropped(records):
    documents = {d["doc_id"]: d for d in records["documents"]}
    assert len(documents) == 5
    for doc_id, golden in GOLDEN["prose_seeds"].items():
        document = documents[doc_id]
        assert document["n_tables"] == 0 and document["status"] == "no_table" and document["template"] == "none"
        for key, value in golden.items():
            shown = document[key].isoformat() if key == "published_date" and document[key] else document[key]
            assert shown == value, (doc_id, key)
