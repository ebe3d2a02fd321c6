"""The evaluation harness: gold cells against build records (synthetic inputs), and the CLI command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govstats import cli
from govstats.evaluate import DocumentScore, evaluate, format_report
from govstats.records import DocumentRow, Observation, RejectionRow
from govstats.text.keys import cell_key, label_key
from tests.conftest import CORPUS_RAW, FIXTURES, ROOT, SEEDS

GOLD_DIR = FIXTURES / "corpus" / "gold"
ACTIVE_TOTAL = "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"


def indicator_id(codebook, template: str, table: str, row: str, column: str = "统计数") -> str:
    [found] = [i.indicator_id for i in codebook.indicators.values()
               if i.template == template and i.table_code == table and label_key(i.row_label_zh) == label_key(row)
               and cell_key(i.column_label_zh) == cell_key(column)]
    return found


def obs(doc_id: str, row_label: str, value: float | None = None, *, indicator: str | None = None,
        column: str = "统计数", status: str | None = None, line: int = 1, raw: str | None = None) -> Observation:
    status = status or ("reported" if value is not None else "blank")
    return Observation(doc_id=doc_id, table_number=1, row_number=line, column_number=1, indicator_id=indicator,
                       row_label=row_label, column_label=column, status=status, source_line=line,
                       raw_value=raw if value is None else str(value), value=value)


def document(doc_id: str, status: str) -> DocumentRow:
    return DocumentRow(doc_id=doc_id, source_file=f"{doc_id}.txt", sha256="0" * 64, n_bytes=0, n_undecodable=0,
                       doc_kind="annual_report", template="none", n_tables=0, n_pipe_lines=0, n_table_lines=0,
                       n_observations=0, n_rejections=0, status=status)


def rejection(doc_id: str, reason_code: str, line: int) -> RejectionRow:
    return RejectionRow(doc_id=doc_id, rejection_number=line, source_line=line, stage="tables",
                        reason_code=reason_code, message="")


def records(*documents: tuple[str, list[Observation]], rejections: list[RejectionRow] | None = None,
            status: str = "ok") -> dict[str, list]:
    return {"documents": [document(doc_id, status) for doc_id, _ in documents],
            "observations": [o for _, observations in documents for o in observations],
            "checks": [], "rejections": rejections or []}


def write_gold(folder: Path, doc_id: str, cells: list[dict], template: str = "t2014", complete: bool = True,
               suffix: str = ".txt") -> None:
    folder.mkdir(exist_ok=True)
    data = {"source": doc_id + suffix, "template": template, "complete": complete, "cells": cells}
    (folder / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def cell(row: str, value: float | None, column: str | None = None, table: str = "t2014", **extra) -> dict:
    return {"table": table, "row": row, "column": column, "value": value,
            "raw": "" if value is None else str(value), **extra}


def score_one(tmp_path, codebook, cells, observations, **kwargs) -> DocumentScore:
    write_gold(tmp_path / "gold", "doc", cells, **kwargs)
    [score] = evaluate(records(("doc", observations)), tmp_path / "gold", codebook)
    return score


def counts(score: DocumentScore) -> tuple[int, int, int, int, int]:
    return score.n_gold, score.correct, score.wrong, score.missed, score.spurious


def test_correct_and_wrong_value(tmp_path, codebook):
    total = indicator_id(codebook, "t2014", "t2014", ACTIVE_TOTAL)
    website = indicator_id(codebook, "t2014", "t2014", "2.政府网站公开政府信息数")
    score = score_one(tmp_path, codebook,
                      [cell(ACTIVE_TOTAL, 20), cell("2.政府网站公开政府信息数", 5)],
                      [obs("doc", "(一)主动公开政府信息数", 20.0, indicator=total, line=3),
                       obs("doc", "2.政府网站公开政府信息数", 6.0, indicator=website, line=7)])
    assert counts(score) == (2, 1, 1, 0, 0)
    [detail] = score.details
    assert detail.startswith("wrong") and "expected 5" in detail and "found 6" in detail and "line 7" in detail


def test_numbers_equal_within_tolerance(tmp_path, codebook):
    total = indicator_id(codebook, "t2014", "t2014", ACTIVE_TOTAL)
    score = score_one(tmp_path, codebook, [cell(ACTIVE_TOTAL, 5949.088667)],
                      [obs("doc", "主动公开政府信息数", 5949.088667 + 1e-12, indicator=total)])
    assert counts(score) == (1, 1, 0, 0, 0)


def test_blank_against_blank_or_placeholder_is_correct(tmp_path, codebook):
    weibo = indicator_id(codebook, "t2014", "t2014", "3.政务微博公开政府信息数")
    weixin = indicator_id(codebook, "t2014", "t2014", "4.政务微信公开政府信息数")
    score = score_one(tmp_path, codebook,
                      [cell("3.政务微博公开政府信息数", None), cell("4.政务微信公开政府信息数", None)],
                      [obs("doc", "3.政务微博公开政府信息数", indicator=weibo),
                       obs("doc", "4.政务微信公开政府信息数", indicator=weixin, status="placeholder", raw="—")])
    assert counts(score) == (2, 2, 0, 0, 0)
    assert score.details == []


def test_blank_against_number_is_wrong_both_ways(tmp_path, codebook):
    weibo = indicator_id(codebook, "t2014", "t2014", "3.政务微博公开政府信息数")
    weixin = indicator_id(codebook, "t2014", "t2014", "4.政务微信公开政府信息数")
    other = indicator_id(codebook, "t2014", "t2014", "5.其他方式公开政府信息数")
    score = score_one(tmp_path, codebook,
                      [cell("3.政务微博公开政府信息数", None), cell("4.政务微信公开政府信息数", 0),
                       cell("5.其他方式公开政府信息数", 3)],
                      [obs("doc", "3.政务微博公开政府信息数", 0.0, indicator=weibo),
                       obs("doc", "4.政务微信公开政府信息数", indicator=weixin),
                       obs("doc", "5.其他方式公开政府信息数", indicator=other, status="unparsable", raw="三条左右")])
    assert counts(score) == (3, 0, 3, 0, 0)
    assert "expected blank" in score.details[0] and "found 0" in score.details[0]
    assert "expected 0" in score.details[1] and "found blank" in score.details[1]
    assert "unparsable '三条左右'" in score.details[2]


def test_missed_and_spurious(tmp_path, codebook):
    total = indicator_id(codebook, "t2014", "t2014", ACTIVE_TOTAL)
    score = score_one(tmp_path, codebook,
                      [cell(ACTIVE_TOTAL, 20), cell("（一）收到申请数", 4)],
                      [obs("doc", "(一)主动公开政府信息数", 20.0, indicator=total, line=3),
                       obs("doc", "（二）依申请公开情况", 9.0, line=10),  # reported, claimed by no gold cell
                       obs("doc", "备注", None, line=11)])  # blank and unclaimed: not spurious
    assert counts(score) == (2, 1, 0, 1, 1)
    missed, spurious = score.details
    assert missed.startswith("missed") and "收到申请数" in missed and "found -" in missed
    assert spurious.startswith("spurious") and "依申请公开情况" in spurious and "found 9" in spurious
    assert "line 10" in spurious


def test_an_observation_under_another_indicator_is_missed_not_matched_by_label(tmp_path, codebook):
    """Official cells are found through the indicator the build gave them, not through their printed label."""
    score = score_one(tmp_path, codebook, [cell(ACTIVE_TOTAL, 20)],
                      [obs("doc", "(一)主动公开政府信息数", 20.0, indicator=None)])
    assert counts(score) == (1, 0, 0, 1, 1)


def test_cross_table_cells_of_the_2021_format(tmp_path, codebook):
    rules = indicator_id(codebook, "t2021", "t2", "规章", "本年制发件数")
    score = score_one(tmp_path, codebook,
                      [cell("规章", 3, "本年制发件数", table="t2"), cell("规章", 5, "本年废止件数", table="t2")],
                      [obs("doc", "规章", 3.0, indicator=rules, column="本年新制发件数")],
                      template="t2021", complete=False)
    assert counts(score) == (2, 1, 0, 1, 0)
    assert score.template == "t2021" and score.complete is False


def test_variant_rows_and_local_columns_fall_back_to_printed_labels(tmp_path, codebook):
    """Rows and columns the codebook does not declare (a local 上年数 column, 短信申请数) are found by label."""
    total = indicator_id(codebook, "t2014", "t2014", ACTIVE_TOTAL)
    cells = [
        cell(ACTIVE_TOTAL, 72804, doc_row="主动公开信息数", doc_column="2013年度"),
        cell(ACTIVE_TOTAL, 76424, "上年数", doc_row="主动公开信息数", doc_column="上年数", variant=True),
        cell("3、短信申请数", 0, doc_row="3、短信申请数", doc_column="2013年度", variant=True),
        cell("3、短信申请数", 7, "上年数", doc_row="3、短信申请数", doc_column="上年数", variant=True),
        cell("行政投诉、信访数", None, variant=True),  # no doc_column: a null column is any year column
    ]
    observations = [
        obs("doc", "主动公开信息数", 72804.0, indicator=total, column="2013年度", line=5),
        obs("doc", "主动公开信息数", 76424.0, column="上年数", line=5),
        obs("doc", "3、短信申请数", 0.0, column="2013年度", line=9),
        obs("doc", "3、短信申请数", 8.0, column="上年数", line=9),
        obs("doc", "行政投诉、信访数", column="2013年度", line=12),
        obs("doc", "行政投诉、信访数", 1.0, column="上年数", line=12),
    ]
    score = score_one(tmp_path, codebook, cells, observations)
    assert counts(score) == (5, 4, 1, 0, 1)
    wrong, spurious = score.details
    assert wrong.startswith("wrong") and "短信申请数 | 上年数" in wrong and "found 8" in wrong
    assert spurious.startswith("spurious") and "行政投诉、信访数 | 上年数" in spurious


def test_repeated_labels_are_taken_in_document_order(tmp_path, codebook):
    upheld = [i.indicator_id for i in codebook.indicators.values()
              if i.template == "t2014" and label_key(i.row_label_zh) == "维持具体行政行为数"
              and i.relation != "cumulative"]
    assert len(upheld) == 2
    score = score_one(tmp_path, codebook,
                      [cell("（一）维持具体行政行为数", 1), cell("（一）维持具体行政行为数", 2)],
                      [obs("doc", "(一)维持具体行政行为数", 1.0, indicator=upheld[0], line=40),
                       obs("doc", "(一)维持具体行政行为数", 2.0, indicator=upheld[1], line=50)])
    assert counts(score) == (2, 2, 0, 0, 0)


def test_gold_for_a_document_not_built(tmp_path, codebook):
    write_gold(tmp_path / "gold", "a_doc", [cell(ACTIVE_TOTAL, 1)])
    write_gold(tmp_path / "gold", "b_other", [cell(ACTIVE_TOTAL, 1), cell("（一）收到申请数", 2)], suffix=".html")
    total = indicator_id(codebook, "t2014", "t2014", ACTIVE_TOTAL)
    scores = evaluate(records(("a_doc", [obs("a_doc", "主动公开政府信息数", 1.0, indicator=total)])),
                      tmp_path / "gold", codebook)
    assert [(s.doc_id, s.built) for s in scores] == [("a_doc", True), ("b_other", False)]
    report = format_report(scores)
    [line] = [line for line in report.splitlines() if line.startswith("b_other")]
    assert "not built" in line
    [total_line] = [line for line in report.splitlines() if line.startswith("TOTAL")]
    assert total_line.startswith("TOTAL (1 document)") and total_line.split()[3:6] == ["1", "1", "0"]
    assert total_line.endswith("100.0%")


def test_failed_and_unrecoverable_documents_are_still_scored(tmp_path, codebook):
    write_gold(tmp_path / "gold", "doc", [cell(ACTIVE_TOTAL, 1), cell("（一）收到申请数", 2)])
    rejections = [rejection("doc", "unrecoverable_glued_cells", 4), rejection("doc", "unrecoverable_glued_cells", 5),
                  rejection("doc", "not_a_statistics_table", 9), rejection("other", "unrecoverable_glued_cells", 1)]
    built = records(("doc", []), ("other", []), rejections=rejections, status="error")
    [score] = evaluate(built, tmp_path / "gold", codebook)
    assert counts(score) == (2, 0, 0, 2, 0) and score.unrecoverable == 2
    [line] = [line for line in format_report([score]).splitlines() if line.startswith("doc ")]
    assert line.split()[3:] == ["2", "0", "0", "2", "0", "2", "0.0%"]


def test_report_lists_details_only_when_verbose(tmp_path, codebook):
    score = score_one(tmp_path, codebook, [cell(ACTIVE_TOTAL, 20)], [])
    plain, verbose = format_report([score]), format_report([score], verbose=True)
    assert "expected 20" not in plain and "doc:" not in plain
    assert verbose.startswith(plain) and "missed    t2014" in verbose.split("doc:")[1]
    assert len({len(line) for line in plain.splitlines()[:2]}) == 1  # header and rule line up


def test_a_malformed_gold_file_names_itself(tmp_path, codebook):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "bad.json").write_text("{\"source\": \"x.txt\"}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json"):
        evaluate(records(), tmp_path / "gold", codebook)
    write_gold(tmp_path / "gold", "bad", [{"table": "t2014", "row": ACTIVE_TOTAL, "value": "12"}])
    with pytest.raises(ValueError, match=r"bad\.json.*cell 1"):
        evaluate(records(), tmp_path / "gold", codebook)


def test_cli_on_the_corpus(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.main(["evaluate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    gold_files = sorted(GOLD_DIR.glob("*.json"))
    assert len(gold_files) >= 1
    for path in gold_files:
        assert sum(line.startswith(path.stem + " ") for line in lines) == 1, path.stem
    assert sum(line.startswith("TOTAL") for line in lines) == 1
    assert not any("not built" in line for line in lines)


def test_cli_strict_and_explicit_folders(tmp_path, capsys, codebook):
    shutil.copy(SEEDS / "001_e30e2049e38d0093.txt", tmp_path / "seed.txt")
    write_gold(tmp_path / "gold", "seed", [cell(ACTIVE_TOTAL, 20)])
    args = ["evaluate", "--gold", str(tmp_path / "gold"), "--input", str(tmp_path / "seed.txt"), "--strict"]
    assert cli.main(args) == 0
    assert "100.0%" in capsys.readouterr().out
    write_gold(tmp_path / "gold", "seed", [cell(ACTIVE_TOTAL, 21)])
    assert cli.main(args) == 1
    assert cli.main([*args[:-1], "--verbose"]) == 0
    assert "expected 21" in capsys.readouterr().out
    assert cli.main(["evaluate", "--gold", str(tmp_path / "nope"), "--input", str(CORPUS_RAW)]) == 2
    assert "gold folder not found" in capsys.readouterr().err
    (tmp_path / "gold" / "seed.json").write_text("not json", encoding="utf-8")
    assert cli.main(args) == 2
    assert "seed.json" in capsys.readouterr().err
