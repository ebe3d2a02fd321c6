"""Check semantics under missing data: a pass must be proven, a fail must be certain."""

from __future__ import annotations

import pytest

from govstats.checks import _Cell, check_at_most, check_sum, run_checks
from govstats.pipeline import build
from govstats.records import Observation


def cells(**values):
    return {name: _Cell(value, number, name) for number, (name, value) in enumerate(values.items(), start=1)}


@pytest.mark.parametrize(("values", "status"), [
    ({"p": 22, "a": 2, "b": 20}, "pass"),
    ({"p": 22, "a": 2, "b": 19}, "fail"),
    ({"p": 22, "a": 2, "b": None, "c": 20}, "pass"),          # reported addends already make the total
    ({"p": 22, "a": 2, "b": None, "c": 19}, "not_assessable"),  # the blank could be 1
    ({"p": 22, "a": 2, "b": None, "c": 30}, "fail"),          # too much whatever the blank holds
    ({"p": None, "a": 2, "b": 3, "c": 4}, "not_assessable"),  # a blank total is never a pass
    ({"p": 0, "a": None, "b": None, "c": None}, "not_assessable"),
])
def test_sum(values, status):
    addends = [name for name in values if name != "p"]
    assert check_sum("p", addends, cells(**values))[0] == status


@pytest.mark.parametrize(("part", "whole", "status"), [
    (6, [20], "pass"), (21, [20], "fail"), (None, [20], "not_assessable"), (6, [None], "not_assessable"),
    (19, [2, None, 17], "pass"), (20, [2, None, 1], "not_assessable"), (20, [2, 1, 1], "fail"),
])
def test_at_most(part, whole, status):
    names = [f"w{i}" for i in range(len(whole))]
    found = cells(part=part, **dict(zip(names, whole, strict=True)))
    assert check_at_most("part", names, found)[0] == status


def test_negative_counts_fail(codebook):
    observations = [Observation(doc_id="d", table_number=1, row_number=1, column_number=1,
                                indicator_id="t2014.training.classes", row_label="(二)举办各类培训班数",
                                column_label="统计数", raw_value="-3", value=-3.0, value_base=-3.0,
                                status="reported", source_line=9)]
    results = run_checks("d", 1, "t2014", observations, codebook)
    negative = [r for r in results if r.rule_kind == "non_negative"]
    assert len(negative) == 1 and negative[0].status == "fail" and negative[0].source_lines == "9"


def test_every_rule_of_the_template_gives_one_row(codebook):
    results = run_checks("d", 1, "t2014", [], codebook)
    assert len({r["check_id"] for r in results}) == len(results)
    assert {r["status"] for r in results} == {"not_assessable"}
    assert run_checks("d", 1, None, [], codebook) == []


def test_an_unexpected_error_is_isolated_to_its_document(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 5 |\n", encoding="utf-8")
    original = build.normalize_table

    def fragile(table, doc_id, year, matcher):
        if doc_id == "a":
            raise RuntimeError("boom")
        return original(table, doc_id, year, matcher)

    monkeypatch.setattr(build, "normalize_table", fragile)
    result = build.run([tmp_path])
    documents = {d["doc_id"]: d for d in result.records["documents"]}
    assert documents["a"]["status"] == "error"
    assert documents["a"]["status_message"] == "normalize: RuntimeError: boom"
    assert documents["b"]["status"] == "ok" and documents["b"]["n_observations"] == 1
    rejection = next(r for r in result.records["rejections"] if r["doc_id"] == "a")
    assert rejection["reason_code"] == "processing_error" and rejection["stage"] == "normalize"


def _seed_checks(seed_build):
    return {c["check_id"]: c for r in seed_build[0].results for c in r.checks}


def test_messages_are_sentences_naming_both_sides(seed_build):
    checks = _seed_checks(seed_build)
    assert checks["sum:t2014.active.channel"]["message"] == (
        "(二) disclosure by channel: 2 + 2 + blank + 1 + 17 = 22 equals its total 22 (the blank parts add nothing)")
    assert checks["plausible:t2014.active.normative_disclosed"]["message"].startswith(
        "normative documents proactively disclosed (6) exceed normative documents issued (1)")
    assert checks["dedup_total:t2014.active.total"]["message"].endswith(
        "(20) do not exceed the parts of (二) disclosure by channel (2 + 2 + blank + 1 + 17 = 22)")
    assert not [c for c in checks.values() if "<=" in c["message"]]


@pytest.mark.parametrize(("values", "phrase"), [
    ({"p": 22, "a": 2, "b": 19}, "p: 2 + 19 = 21 does not equal its total 22"),
    ({"p": 22, "a": 2, "b": None, "c": 30}, "p: 2 + blank + 30 = 32 exceeds its total 22 whatever the blank parts hold"),
    ({"p": None, "a": 2, "b": 3}, "p: its total is blank, so its parts 2 + 3 = 5 cannot be checked against it"),
    ({"p": 22, "a": 2, "b": None}, "p: 2 + blank = 2 is below its total 22; the blank parts could make up"),
])
def test_sum_messages(values, phrase):
    addends = [name for name in values if name != "p"]
    assert phrase in check_sum("p", addends, cells(**values))[3]


def test_at_most_messages_say_which_side_is_which():
    found = cells(part=21, whole=20)
    assert check_at_most("part", ["whole"], found, str.upper)[4] == "PART (21) exceed WHOLE (20)"
    assert check_at_most("part", ["whole"], cells(part=None, whole=20))[4] == \
        "part is blank, so it cannot be compared with whole (20)"
