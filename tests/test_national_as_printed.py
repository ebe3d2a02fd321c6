"""Table 2 of the 2019/2021 formats as real pages print it: local rows the form does not have, headings over local
sub-rows, column headers with notes, mirror spellings, and a label cut by the end of the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build
from govstats.tables.national_labels import Vocabulary
from govstats.text.keys import label_key

BLOCK_1 = "二、主动公开政府信息情况\n第二十条第(一)项 | | | |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
BLOCK_5 = "第二十条第(五)项 | | | |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
OFFICIAL_1 = "规章 | 0 | 0 | 0 |\n规范性文件 | 1 | 2 | 3 |\n"


def _parse(tmp_path: Path, text: str, codebook, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return build.process_document(path, path.stem, codebook, LabelMatcher(codebook))


def _official(result) -> dict[str, tuple[str, float | None]]:
    return {o["indicator_id"]: (o["status"], o["value"]) for o in result.observations if o["indicator_id"]}


def _local(result) -> list[tuple[str, str, str, float | None]]:
    """(row label, column label, status, value) of the observations read from local rows."""
    return [(o["row_label"], o["column_label"], o["status"], o["value"]) for o in result.observations
            if "local_row" in (o["flag_codes"] or "")]


def _reasons(result) -> list[tuple[str, str]]:
    return [(r["reason_code"], r["raw_text"]) for r in result.rejections]


# -- column headers with notes, and a mirror's spelling ----------------------------------------------------------------

HUBEI_5 = ("第二十条第(五)项 | | | |\n信息内容 | 上一年项目数量(指2019年事项数) | 本年增/减(指2020年增加或减少的事项数,减用负值表示,如-8) "
           "| 处理决定数量(指2020年办件量) |\n行政许可 | 8 | -5 | 93 |\n")


def test_a_note_in_a_column_header_does_not_stop_it_matching(tmp_path, codebook):
    """143 (Hubei's form): the columns are read; each keeps its header as printed, note included."""
    result = _parse(tmp_path, HUBEI_5, codebook)
    cells = {o["indicator_id"]: (o["value"], o["column_label"]) for o in result.observations}
    assert cells == {"t2019.t2.a20_5.license.prev_items": (8, "上一年项目数量(指2019年事项数)"),
                     "t2019.t2.a20_5.license.delta_items": (-5, "本年增/减(指2020年增加或减少的事项数,减用负值表示,如-8)"),
                     "t2019.t2.a20_5.license.decisions": (93, "处理决定数量(指2020年办件量)")}
    plain = _parse(tmp_path, BLOCK_5 + "行政许可 | 8 | -5 | 93 |\n", codebook)
    assert [o["column_label"] for o in plain.observations] == ["上一年项目数量", "本年增/减", "处理决定数量"]


def test_a_header_note_broken_across_cells_or_cut_by_the_end_of_the_text(tmp_path, codebook):
    broken = ("第二十条第(五)项 | | | |\n信息内容 | 上一年项目数量(指2019 | 年事项数) | 本年增/减 | 处理决定数量 |\n"
              "行政许可 | 8 | 5 | 93 |\n")
    result = _parse(tmp_path, broken, codebook)
    assert [o["column_label"] for o in result.observations] == ["上一年项目数量(指2019年事项数)", "本年增/减", "处理决定数量"]
    assert [o["value"] for o in result.observations] == [8, 5, 93]
    cut = _parse(tmp_path, HUBEI_5 + "第二十条第(九)项 | | |\n信息内容 | 采购项目数量(指202", codebook)
    assert [o["value"] for o in cut.observations] == [8, -5, 93]
    assert cut.rejections == []  # the cut header is a header whose note the text cut short, not a stray cell


@pytest.mark.parametrize("header", ["本年收费金额(单位:元)", "本年收费金额(元)"])
def test_a_note_that_names_a_unit_is_never_dropped(tmp_path, codebook, header):
    """The 2021 fee column counts 万元: a header in 元 is not that column, so its value is not read as 万元."""
    text = f"2021年度政府信息公开工作年度报告\n第二十条第(八)项 | |\n信息内容 | {header} |\n行政事业性收费 | 25000 |\n"
    result = _parse(tmp_path, text, codebook)
    assert not any(o["indicator_id"] == "t2021.t2.a20_8.fee.amount" for o in result.observations)
    assert not any(o["value"] == 25000 for o in result.observations)
    ok = _parse(tmp_path, text.replace(header, "本年收费金额(单位:万元)").replace("25000", "2.5"), codebook)
    assert _official(ok) == {"t2021.t2.a20_8.fee.amount": ("reported", 2.5)}


def test_dangan_is_not_folded_into_wenjian(codebook):
    """档案 stays 档案 in keys (档案馆 is a word of its own): only the normative rows of the national forms, the only
    labels there that hold 文件, are taught the mirror spelling, as aliases."""
    assert label_key("規範性檔案") == "规范性档案" != label_key("规范性文件")
    taught = {codebook.indicators[a.target].row_label_zh for a in codebook.aliases if "档案" in a.alias}
    assert taught == {"规范性文件", "行政规范性文件"}
    national = [i for i in codebook.indicators.values() if i.template in ("t2019", "t2021")]
    assert {i.row_label_zh for i in national if "文件" in i.row_label_zh} == {"规范性文件", "行政规范性文件"}


# -- labels cut by the end of the text, or printed apart from their values ---------------------------------------------

def test_the_numbering_of_a_cut_label_is_never_a_value(codebook):
    segment = Vocabulary(codebook).segment
    assert segment("6.属于四类过程性信") == ["6.属于四类过程性信"]
    assert segment("3、其他情形")[0] == "3、"  # cut at the label 其他 after it, but never a value 3
    assert segment("00000002.其他法律行政法规禁止公开") == ["0000000", "2.其他法律行政法规禁止公开"]  # a known label
    assert segment("02.其他法律行政法规禁止公开") == ["0", "2.其他法律行政法规禁止公开"]
    assert segment("0.5万元") == ["0.5", "万元"] and segment("12.5") == ["12.5"]


def test_a_table_cut_inside_a_numbered_label_keeps_the_row_above(tmp_path, codebook):
    """144: every cell and every | on a line of its own; the excerpt ends in 6.属于四类过程性信."""
    header = ("三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n"
              "自然人 | 法人或其他组织 | 总计 |\n商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n")
    row = "5.属于三类内部事务信息\n" + "".join(f"|\n{v}\n" for v in (1, 0, 0, 0, 0, 0, 1)) + "|\n"
    result = _parse(tmp_path, "2023年度政府信息公开工作年度报告\n" + header + "(三)不予公开\n" + row + "6.属于四类过程性信\n",
                    codebook)
    values = {o["indicator_id"].removeprefix("t2021.t3.result.denied."): o["value"] for o in result.observations}
    assert values == {f"internal_affairs.{c}": v for c, v in zip(
        ("np", "lp.business", "lp.research", "lp.public_interest", "lp.legal_service", "lp.other", "total"),
        (1, 0, 0, 0, 0, 0, 1), strict=True)}
    assert _reasons(result) == [("unassigned_cell", "6.属于四类过程性信")]


def test_labels_printed_apart_from_their_values_are_never_paired_by_position(tmp_path, codebook):
    """032 (PDF → markdown): two labels stacked on lines of their own, then a row of values without a label. With
    the numbering kept in the labels both are recognized, but the values may be either's: neither is read."""
    header = ("三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n"
              "自然人 | 法人或其他组织 | 总计 |\n商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n")
    stacked = ("5.属于三类内部事务信\n息\n1.本机关不掌握相关政\n府信息\n| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
               "| 6.属于四类过程性信息 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n")
    result = _parse(tmp_path, "2024年度政府信息公开工作年度报告\n" + header + "(三)不予公开\n" + stacked, codebook)
    read = {o["indicator_id"].removeprefix("t2021.t3.result."): o["value"] for o in result.observations}
    assert not any(k.startswith(("denied.internal_affairs", "unable.not_held")) for k in read)
    assert read["denied.process_info.np"] == 2  # a label in the row of its values is read as always
    rows = [(r["source_line"], r["message"][:40]) for r in result.rejections if r["reason_code"] == "unrecoverable_row"]
    assert rows == [(7, "0 cells (0 with a value) for 7 columns: "), (9, "the row's label follows another row labe")]
    inline = _parse(tmp_path, BLOCK_5 + "行政许可 |\n其他对外管理服务事项 | 1 | 2 | 3 |\n", codebook)
    assert _official(inline)["t2019.t2.a20_5.other_service.decisions"] == ("reported", 3)  # label and values share a row


# -- local rows --------------------------------------------------------------------------------------------------------

def test_a_local_row_is_read_without_an_indicator_and_flagged(tmp_path, codebook):
    """121: 其他主动公开文件 | 9 | 9 | 9 under 第二十条第（一）项."""
    result = _parse(tmp_path, BLOCK_1 + OFFICIAL_1 + "其他主动公开文件 | 9 | 9 | 9 |\n" + BLOCK_5 + "行政许可 | 1 | 0 | 4 |\n",
                    codebook)
    local = [o for o in result.observations if "local_row" in (o["flag_codes"] or "")]
    assert [(o["row_label"], o["column_label"], o["value"]) for o in local] == [
        ("其他主动公开文件", "本年新制作数量", 9), ("其他主动公开文件", "本年新公开数量", 9), ("其他主动公开文件", "对外公开总数量", 9)]
    assert all(o["indicator_id"] is None and "local_row" in o["warning_codes"] for o in local)
    assert [o["source_line"] for o in local] == [6, 6, 6]
    official = _official(result)
    assert official["t2019.t2.a20_1.normative.total_published"] == ("reported", 3)
    assert official["t2019.t2.a20_5.license.decisions"] == ("reported", 4)
    assert len(official) == 9 and result.rejections == []
    assert codebook.flag_kinds["local_row"] == "warning"


SUB_ROWS = {
    "pipes": BLOCK_5 + "行政许可 | 0 | 0 | 0 |\n其他对外管理服务事项 |\n行政检查 | 1 | 0 | 2 |\n行政确认 | 3 | -1 | 5 |\n",
    "group in front": BLOCK_5 + "行政许可 | 0 | 0 | 0 |\n其他对外管理服务事项 | 行政检查 | 1 | 0 | 2 |\n行政确认 | 3 | -1 | 5 |\n",
    # 141: every cell on its own line, ending in " |", and empty-cell marker lines
    "cell per line": BLOCK_5 + "行政许可 |\n0 |\n0 |\n0 |\n||\n其他对外管理服务事项 |\n行政检查 |\n1 |\n0 |\n2 |\n|\n"
                     "行政确认 |\n3 |\n-1 |\n5 |\n||\n",
    "html rowspan": "<html><body><table><tr><td colspan=4>第二十条第(五)项</td></tr><tr><td>信息内容</td>"
                    "<td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr><tr><td>行政许可</td><td>0</td>"
                    "<td>0</td><td>0</td></tr><tr><td rowspan=2>其他对外管理服务事项</td><td>行政检查</td><td>1</td>"
                    "<td>0</td><td>2</td></tr><tr><td>行政确认</td><td>3</td><td>-1</td><td>5</td></tr>"
                    "</table></body></html>",
}


@pytest.mark.parametrize("layout", sorted(SUB_ROWS))
def test_a_heading_over_local_sub_rows_has_no_cells_of_its_own(tmp_path, codebook, layout):
    """141: 其他对外管理服务事项 printed with no values, then 行政检查 and 行政确认 with three each. The official row's
    cells are not printed: no observation for them, and no rejection (its label is a label)."""
    name = "doc.html" if layout.startswith("html") else "doc.txt"
    result = _parse(tmp_path, "2019年政府信息公开工作年度报告\n" * (name == "doc.txt") + SUB_ROWS[layout], codebook, name)
    assert _local(result) == [
        ("行政检查", "上一年项目数量", "reported", 1), ("行政检查", "本年增/减", "reported", 0),
        ("行政检查", "处理决定数量", "reported", 2), ("行政确认", "上一年项目数量", "reported", 3),
        ("行政确认", "本年增/减", "reported", -1), ("行政确认", "处理决定数量", "reported", 5)]
    assert not any(o["indicator_id"] for o in result.observations if o["row_label"] in ("行政检查", "行政确认"))
    assert set(_official(result)) == {f"t2019.t2.a20_5.license.{c}" for c in ("prev_items", "delta_items", "decisions")}
    assert result.rejections == []
    assert "the row 其他对外管理服务事项 (line " in result.document["status_message"]


def test_a_heading_printed_with_empty_cells_keeps_them_as_blanks(tmp_path, codebook):
    """Where the page prints the official row's cells (empty), they are blank observations, never sums."""
    text = BLOCK_5 + "其他对外管理服务事项 | | | |\n行政检查 | 1 | 0 | 2 |\n"
    result = _parse(tmp_path, text, codebook)
    assert {k: v for k, v in _official(result).items() if ".other_service." in k} == {
        f"t2019.t2.a20_5.other_service.{c}": ("blank", None) for c in ("prev_items", "delta_items", "decisions")}
    assert [value for *_, value in _local(result)] == [1, 0, 2]
    assert "prints no cells of its own" not in (result.document["status_message"] or "")


def test_an_official_row_without_values_and_no_sub_rows_stays_unrecoverable(tmp_path, codebook):
    for after in ("其他事项 | 1 | 2 |\n", "以下为说明文字\n", ""):
        result = _parse(tmp_path, BLOCK_5 + "其他对外管理服务事项 |\n" + after, codebook)
        assert ("unrecoverable_row", "其他对外管理服务事项") in _reasons(result), after
        assert _local(result) == []


def test_local_rows_in_a_2021_block_of_one_column(tmp_path, codebook):
    text = ("2021年度政府信息公开工作年度报告\n第二十条第(五)项 | |\n信息内容 | 本年处理决定数量 |\n行政许可 | 12 |\n"
            "行政确认 | 3 |\n行政备案 | 4 |\n")
    result = _parse(tmp_path, text, codebook)
    assert _official(result) == {"t2021.t2.a20_5.license.decisions": ("reported", 12)}
    assert _local(result) == [("行政确认", "本年处理决定数量", "reported", 3), ("行政备案", "本年处理决定数量", "reported", 4)]


def test_a_local_row_printed_twice_is_read_once_or_not_at_all(tmp_path, codebook):
    same = _parse(tmp_path, BLOCK_1 + OFFICIAL_1 + "其他文件 | 1 | 1 | 1 |\n其他文件 | 1 | 1 | 1 |\n", codebook)
    assert len(_local(same)) == 3
    assert [(r["reason_code"], r["source_line"]) for r in same.rejections] == [("unrecoverable_row", 7)]
    other = _parse(tmp_path, BLOCK_1 + OFFICIAL_1 + "其他文件 | 1 | 1 | 1 |\n其他文件 | 2 | 2 | 2 |\n", codebook)
    assert _local(other) == [] and len(_official(other)) == 6
    assert [(r["reason_code"], r["source_line"]) for r in other.rejections] == [("unrecoverable_row", 6),
                                                                                 ("unrecoverable_row", 7)]


def test_a_mirror_that_writes_dangan_for_wenjian(tmp_path, codebook):
    """143: a zh-TW phrase conversion turned 文件 into 檔案: 規範性檔案 is the form's 规范性文件 (an alias),
    其他主動公開檔案 a local row."""
    text = ("第二十條第(一)項 | |||||\n信息內容 | 本年新 製作數量 | 本年新 公開數量 | 對外公開總數量 | ||\n"
            "規章(設區的市、自治州人民政府應提供相關數據) | 0 | 0 | 0 | ||\n"
            "規範性檔案(行政機關制定發布的決定、公告,一般情況下屬於規範性檔案) | 2 | 2 | 19 | ||\n"
            "其他主動公開檔案(含以本單位名義正式簽發的、除規範性檔案以外的主動公開檔案) | 186 | 86 | 255 | ||\n")
    result = _parse(tmp_path, text, codebook)
    assert _official(result)["t2019.t2.a20_1.normative.total_published"] == ("reported", 19)
    assert [(label, value) for label, _, _, value in _local(result)] == [("其他主動公開檔案", 186), ("其他主動公開檔案", 86),
                                                                        ("其他主動公開檔案", 255)]
    assert result.rejections == []


# -- what never becomes a local row ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "why"), [
    ("其他主动公开文件 9 9 9", "words of running text, not a table row's cells"),
    ("其他主动公开文件 | 9 | 9 |", "two values for three columns"),
    ("其他主动公开文件 | 9 | 9 | 9 | 9 |", "four values for three columns"),
    ("注:本表数据截至12月31日 | 1 | 2 | 3 |", "a note"),
    ("(含自然失效文件) | 1 | 2 | 3 |", "a bracketed note"),
    ("本年度共公开文件171条,其中规章0件。 | 1 | 2 | 3 |", "a sentence"),
    ("单位:件 | 1 | 2 | 3 |", "a unit line"),
    ("索引号 | 1 | 2 | 3 |", "page metadata"),
    ("其他主动公开文件 | | | |", "no value at all"),
    ("本单位 | 其他主动公开文件 | 9 | 9 | 9 |", "a label after a cell left unassigned"),
    ("行政处罚 | 1 | 2 | 3 |", "a row of another block of the form"),
    ("本年新收政府信息公开申请数量 | 1 | 2 | 3 |", "a label of table 3"),
    ("上一年项目数量 | 1 | 2 | 3 |", "a column header of the form"),
])
def test_what_is_not_a_local_row(tmp_path, codebook, line, why):
    result = _parse(tmp_path, BLOCK_1 + OFFICIAL_1 + line + "\n", codebook)
    assert _local(result) == [], why
    assert set(_official(result)) == {f"t2019.t2.a20_1.{r}.{c}" for r in ("regulation", "normative")
                                      for c in ("new_made", "new_published", "total_published")}, why
    read = [o for o in result.observations if o["source_line"] == 6]
    assert read == [], why  # nothing of it is read: its text is rejected, never an observation
    assert any(r["source_line"] == 6 for r in result.rejections), why


def test_a_local_row_never_takes_an_official_rows_indicator(tmp_path, codebook):
    """行政处罚 under 第二十条第（五）项 is not block (六)'s row: neither its indicator nor a local row."""
    result = _parse(tmp_path, BLOCK_5 + "行政许可 | 1 | 0 | 4 |\n行政处罚 | 7 | 7 | 7 |\n", codebook)
    assert not any(".a20_6." in (o["indicator_id"] or "") for o in result.observations)
    assert [o["value"] for o in result.observations] == [1, 0, 4]


def test_for_now_cells_with_every_pipe_on_a_line_of_its_own_give_no_local_row(tmp_path, codebook):
    """144's layout (each cell a line, each | a line): its text lines are not table rows, so a local row there stays
    unassigned cells, as README.md says; the official rows are read."""
    cells = ["第二十条第(一)项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规章", "0", "0", "6",
             "其他主动公开文件", "9", "9", "9"]
    result = _parse(tmp_path, "二、主动公开政府信息情况\n" + "".join(f"{c}\n|\n" for c in cells), codebook)
    assert _official(result) == {"t2019.t2.a20_1.regulation.new_made": ("reported", 0),
                                 "t2019.t2.a20_1.regulation.new_published": ("reported", 0),
                                 "t2019.t2.a20_1.regulation.total_published": ("reported", 6)}
    assert _local(result) == [] and len(_reasons(result)) == 4
