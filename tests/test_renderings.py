"""PDF-text renderings of the national tables: table 4 without its header, page footers inside a table, notes
beside values, labels broken by spaces and line breaks."""

from __future__ import annotations

from pathlib import Path

from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build


def _parse(tmp_path: Path, text: str, codebook):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return build.process_document(path, path.stem, codebook, LabelMatcher(codebook))


T4 = "2021年度政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n{header}{values}\n五、存在的主要问题及改进情况\n"
VALUES = "2 1 0 0 3 1 0 0 0 1 0 0 0 0 0"


def test_table_4_without_column_headers_takes_the_form_order(tmp_path, codebook):
    for header in ("", "行政复议 行政诉讼\n"):
        result = _parse(tmp_path, T4.format(header=header, values=VALUES), codebook)
        cells = {o["indicator_id"]: o for o in result.observations}
        assert len(cells) == 15
        assert [cells[f"t2021.t4.review.{c}"]["value"] for c in ("upheld", "corrected", "total")] == [2, 1, 3]
        assert cells["t2021.t4.lit.direct.total"]["value"] == 1 and cells["t2021.t4.lit.after_review.total"]["value"] == 0
        assert all("columns_from_form_order" in o["flag_codes"] for o in cells.values())
        assert all(c["status"] == "pass" for c in result.checks if c["check_id"].startswith("sum:t2021.t4"))


def test_table_4_with_another_count_of_numbers_is_unrecoverable(tmp_path, codebook):
    for values in (VALUES[:-2], VALUES + " 0"):
        result = _parse(tmp_path, T4.format(header="", values=values), codebook)
        assert result.observations == []
        [rejection] = result.rejections
        assert rejection["reason_code"] == "unrecoverable_row" and "for 15 columns" in rejection["message"]


PDF_TEXT = """2021年度政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 0 0
— 4 —
1
行政规范性文件 8 55 698
（含自然失效 29 件）
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 120
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人 法人或其他组织 总计
商 业 企
业 科研机
构 社会公益 组织 法律服务 机构 其他
一、本年新收政府信息公开申请数量 5 1 0 0 0 0 6
三、本年度办 理结果
（一）予以公开 5 1 0 0 0 0 6
五、存在的主要问题及改进情况
"""


def test_page_footers_and_notes_are_set_aside_never_values(tmp_path, codebook):
    result = _parse(tmp_path, PDF_TEXT, codebook)
    values = {o["indicator_id"].removeprefix("t2021."): o["value"] for o in result.observations}
    assert [values[f"t2.a20_1.regulation.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 1]
    assert [values[f"t2.a20_1.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [8, 55, 698]
    assert 4 not in values.values() and 29 not in values.values()
    rejections = {r["reason_code"]: r for r in result.rejections}
    assert set(rejections) == {"page_furniture", "note_beside_value"}
    assert (rejections["page_furniture"]["source_line"], rejections["page_furniture"]["raw_text"]) == (6, "— 4 —")
    assert rejections["note_beside_value"]["raw_text"] == "(含自然失效 29 件)"  # width-folded by the stream


def test_labels_broken_by_spaces_and_line_breaks_match(tmp_path, codebook):
    result = _parse(tmp_path, PDF_TEXT, codebook)
    values = {o["indicator_id"].removeprefix("t2021.t3."): o["value"] for o in result.observations
              if o["indicator_id"].startswith("t2021.t3.")}
    assert values["apply.new.lp.business"] == 1 and values["apply.new.total"] == 6  # 商 业 企 / 业 … joined
    assert values["result.granted.np"] == 5  # under 三、本年度办 / 理结果
    assert not [o for o in result.observations if "columns_from_form_order" in o["flag_codes"]]


GLUED_2014 = ("2015年政府信息公开工作年度报告\n六、统计表 指标名称计量单位2015年度历年累计主动公开信息数条4251516其中：1.网站公开条"
              "41815092.政府公报公开条77受理依申请公开信息总数件00政府信息公开收费减免金额元0.50.5行政复议数件12\n")


def test_a_glued_2014_table_is_cut_at_its_units_and_split_only_when_forced(tmp_path, codebook):
    result = _parse(tmp_path, GLUED_2014, codebook)
    values = {o["indicator_id"]: (o["value"], o["flag_codes"]) for o in result.observations}
    assert values["t2014.active.channel.gazette"] == (7, "split_glued_digits")  # 77: one digit a column
    assert values["t2014.active.channel.gazette.cumulative"][0] == 7
    assert values["t2014.apply.received"][0] == 0 and values["t2014.review"][0] == 1
    assert values["t2014.review.cumulative"][0] == 2
    assert "t2014.active.total" not in values and "t2014.active.channel.website" not in values
    unrecoverable = [r["raw_text"] for r in result.rejections if r["reason_code"] == "unrecoverable_row"]
    # 4251516 and 4181509 (the 2 of 2.政府公报公开 goes with its label) cannot be split, nor can 0.50.5
    assert unrecoverable == ["主动公开信息数条4251516", "其中:1.网站公开条4181509", "政府信息公开收费减免金额元0.50.5"]


INTERLEAVED = """2021年度政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人 法人或其他组织 总计
法律服 科研机 社会公 商业企 其他
业 构 益组织 务机构
一、本年新收政府信息公开申请数量 5 1 2 3 4 0 15
五、存在的主要问题及改进情况
"""


def test_header_words_broken_column_by_column_over_two_lines_are_joined(tmp_path, codebook):
    """法律服 / 务机构 … printed first here: the columns follow the printed header, not the form's order."""
    result = _parse(tmp_path, INTERLEAVED, codebook)
    values = {o["indicator_id"].removeprefix("t2021.t3.apply.new."): o for o in result.observations}
    assert {k: o["value"] for k, o in values.items()} == {"np": 5, "lp.legal_service": 1, "lp.research": 2,
                                                         "lp.public_interest": 3, "lp.business": 4, "lp.other": 0,
                                                         "total": 15}
    assert not [o for o in values.values() if "columns_from_form_order" in o["flag_codes"]]
    assert not result.rejections
