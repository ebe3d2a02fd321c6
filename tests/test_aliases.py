"""Labels from data: one row in aliases.csv teaches a new spelling to the reader of every template, and the
local rows and columns of pre-2019 tables are declared indicators of the codebook."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from govstats.codebook import Alias
from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build


def _with_alias_row(codebook, line: str):
    """The codebook as if ``line`` (kind,template,alias,target,reason) were appended to aliases.csv."""
    header = "kind,template,alias,target,reason\n"
    rows = [Alias(**row) for row in csv.DictReader(io.StringIO(header + line + "\n"))]
    return dataclasses.replace(codebook, aliases=(*codebook.aliases, *rows))


def _ids(tmp_path: Path, text: str, codebook) -> dict[str, float | None]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    result = build.process_document(path, path.stem, codebook, LabelMatcher(codebook))
    return {o["indicator_id"]: o["value"] for o in result.observations if o["indicator_id"]}


T2014 = "统计指标 | 单位 | 统计数\n三、依申请公开情况 | — | —\n（一）收到申请数 | 件 | 9\n网上受理申请数 | 件 | 4\n"
T2019 = ("二、主动公开政府信息情况\n第二十条第(一)项 | | | |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
         "部门规章 | 1 | 2 | 3 |\n")
T3_HEADER = ("三、收到和处理政府信息公开申请情况\n"
             "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n"
             "{np} | 法人或其他组织 | 总计 |\n商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n")
T2021 = ("2021年度政府信息公开工作年度报告\n" + T3_HEADER.format(np="自然人")
         + "一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n(一)全部公开 | 4 | 1 | 0 | 0 | 0 | 0 | 5 |\n")


@pytest.mark.parametrize(("text", "alias", "taught", "value"), [
    (T2014, "row,t2014,网上受理申请数,t2014.apply.received.online,test", "t2014.apply.received.online", 4),
    (T2019, "row,t2019,部门规章,t2019.t2.a20_1.regulation.new_made,test", "t2019.t2.a20_1.regulation.new_published", 2),
    (T2021, "row,t2021,（一）全部公开,t2021.t3.result.granted.np,test", "t2021.t3.result.granted.total", 5),
])
def test_one_alias_row_teaches_a_new_row_spelling(tmp_path, codebook, text, alias, taught, value):
    before = _ids(tmp_path, text, codebook)
    assert taught not in before  # unknown spelling: kept unmatched or unassigned, never forced onto an id
    after = _ids(tmp_path, text, _with_alias_row(codebook, alias))
    assert after[taught] == value
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else moves


def test_one_alias_row_teaches_a_new_column_spelling(tmp_path, codebook):
    text = ("2021年度政府信息公开工作年度报告\n" + T3_HEADER.format(np="公民")
            + "一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n")
    before = _ids(tmp_path, text, codebook)
    after = _ids(tmp_path, text, _with_alias_row(codebook, "column,t2021,公民,自然人,test"))
    assert after["t2021.t3.apply.new.np"] == 5 and after["t2021.t3.apply.new.lp.business"] == 1
    assert before.get("t2021.t3.apply.new.np") in (None, 5)  # without the alias: form order at best, flagged


def test_local_rows_and_the_cumulative_column_are_declared_indicators(tmp_path, codebook):
    text = ("指标名称 | 计量单位 | 2015年度 | 历年累计\n受理依申请公开信息总数 | 件 | 3 | 40\n"
            "信函、传真申请数 | 件 | 1 | 7\n其他类型答复数 | 件 | 0 | 2\n政府信息公开收费减免金额 | 元 | 0 | 15\n")
    values = _ids(tmp_path, text, codebook)
    assert values == {"t2014.apply.received": 3, "t2014.apply.received.cumulative": 40,
                      "t2014.apply.received.letter_fax": 1, "t2014.apply.received.letter_fax.cumulative": 7,
                      "t2014.apply.answered.other_type": 0, "t2014.apply.answered.other_type.cumulative": 2,
                      "t2014.fees_waived": 0, "t2014.fees_waived.cumulative": 15}
    for indicator_id in values:
        indicator = codebook.indicators[indicator_id]
        if indicator_id.endswith(".cumulative"):  # linked to the annual measure it accumulates
            annual = codebook.indicators[indicator.compare_id]
            assert indicator.relation == "cumulative" and annual.indicator_id == indicator_id[:-len(".cumulative")]
            assert (annual.row_label_zh, annual.parent_id, annual.unit) == (
                indicator.row_label_zh, indicator.parent_id, indicator.unit)
    assert codebook.indicators["t2014.fees_waived"].is_variant


def test_every_annual_2014_indicator_has_its_cumulative(codebook):
    t2014 = [i for i in codebook.indicators.values() if i.template == "t2014" and i.relation != "heading"]
    annual = {i.indicator_id for i in t2014 if i.relation != "cumulative"}
    cumulative = {i.compare_id for i in t2014 if i.relation == "cumulative"}
    assert annual == cumulative


def test_a_running_total_below_the_years_count_is_flagged(tmp_path, codebook):
    path = tmp_path / "doc.txt"
    path.write_text("指标名称 | 计量单位 | 2015年度 | 历年累计\n受理依申请公开信息总数 | 件 | 3 | 40\n"
                    "行政复议数 | 件 | 5 | 2\n", encoding="utf-8")
    result = build.process_document(path, path.stem, codebook, LabelMatcher(codebook))
    checks = {c["check_id"]: (c["status"], c["severity"]) for c in result.checks if c["check_id"].startswith("cum")}
    assert checks == {"cumulative:t2014.apply.received": ("pass", "warning"),
                      "cumulative:t2014.review": ("fail", "warning")}  # 5 this year, 2 since reporting began
