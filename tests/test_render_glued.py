"""Rendering invariance for the page-text layouts: one consistent table 3, printed as pipe rows, as text from a
PDF (cells separated by spaces) and as scraped page text (the whole table on one line, cells glued). The first
two read every cell; the glued one reads a subset, and every value it reads is the printed one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govstats.codebook import load
from govstats.observations.matching import LabelMatcher
from govstats.pipeline.build import process_document
from govstats.text.keys import cell_key
from tests.table3 import consistent_table3

CODEBOOK = load()
MATCHER = LabelMatcher(CODEBOOK)
ROWS: list[tuple[str, str]] = []  # (row code, printed label) of the 2021 form's data rows, in form order
for _indicator in CODEBOOK.indicators.values():
    if (_indicator.template, _indicator.table_code) == ("t2021", "t3") and _indicator.relation != "heading" \
            and _indicator.row_code not in dict(ROWS):
        ROWS.append((_indicator.row_code, _indicator.row_label_zh))
TITLE = "2021年度政府信息公开工作年度报告\n"
T2 = "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件000"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


@st.composite
def tables(draw) -> dict[str, tuple[int, ...]]:
    """A table 3 that satisfies every identity of the form."""
    value = st.one_of(st.just(0), st.just(0), st.just(0), st.integers(1, 9), st.integers(10, 300))
    return consistent_table3(draw, [code for code, _ in ROWS], value)


def _pipe(table) -> str:
    header = (f"三、收到和处理政府信息公开申请情况\n{NOTE} | 申请人情况 |\n自然人 | 法人或其他组织 | 总计 |\n"
              "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n")
    return TITLE + header + "".join(f"{label} | {' | '.join(map(str, table[code]))} |\n" for code, label in ROWS)


def _pdf_text(table) -> str:
    header = f"三、收到和处理政府信息公开申请情况\n{NOTE}\n申请人情况\n自然人 法人或其他组织 总计\n商业 企业 科研 机构 社会公益 组织 法律服务 机构 其他\n"
    return TITLE + header + "".join(f"{label} {' '.join(map(str, table[code]))}\n" for code, label in ROWS)


def _glued(table) -> str:
    header = "三、收到和处理政府信息公开申请情况" + NOTE + "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    body = "".join(label + "".join(map(str, table[code])) for code, label in ROWS)
    return TITLE + T2 + header + body + "五、存在的主要问题及改进情况无。\n"


def _cells(text: str) -> dict[tuple[str, str], float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.txt"
        path.write_text(text, encoding="utf-8")
        result = process_document(path, path.stem, CODEBOOK, MATCHER)
    found = {}
    for o in result.observations:
        indicator = CODEBOOK.indicators.get(o["indicator_id"] or "")
        if indicator is not None and indicator.table_code == "t3" and o["status"] == "reported":
            found[(indicator.row_code, cell_key(indicator.column_label_zh))] = o["value"]
    return found


@settings(max_examples=40, deadline=None)
@given(table=tables())
def test_pipe_pdf_text_and_glued_page_text_agree(table):
    printed = {(code, cell_key(column)): value for code, cells in table.items()
               for column, value in zip(COLUMNS, cells, strict=True)}
    assert _cells(_pipe(table)) == printed
    assert _cells(_pdf_text(table)) == printed
    glued = _cells(_glued(table))
    assert {key: printed[key] for key in glued} == glued  # every value read from glued text is the printed one
    one_digit_rows = {code for code, cells in table.items() if all(v < 10 for v in cells)}
    assert all(key in glued for key in printed if key[0] in one_digit_rows)  # forced by count: always read


def test_a_long_pdf_text_row_is_a_row_not_a_sentence():
    """A row of text from a PDF longer than a heading (a long label and three-digit values) stays in the table."""
    table = {code: (0,) * 7 for code, _ in ROWS}
    table["apply.new"] = table["result.other.fee_unpaid"] = table["result.total"] = (100, 0, 100, 100, 0, 100, 400)
    found = _cells(_pdf_text(table))
    assert found[("apply.carried_out", cell_key("总计"))] == 0 and found[("result.total", cell_key("总计"))] == 400
    assert len(found) == 7 * len(ROWS)
