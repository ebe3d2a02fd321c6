"""Splits forced by the form's identities: generated tables (hypothesis), the reader end to end, bounded work."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build
from govstats.tables.identity_split import Glued, resolve, splits
from govstats.tables.national import form_identities
from govstats.text.keys import cell_key, label_key
from tests.table3 import consistent_table3

MAX_DIGITS, LIMIT = 9, 20_000


@pytest.fixture(scope="module")
def form(codebook):
    """Table 3 of the 2021 form: its rows (form order), columns and identities, as the reader keys them."""
    rows: dict[str, str] = {}
    columns: list[str] = []
    for indicator in codebook.indicators.values():
        if indicator.template == "t2021" and indicator.table_code == "t3" and indicator.relation != "heading":
            rows.setdefault(indicator.row_code, label_key(indicator.row_label_zh))
            if cell_key(indicator.column_label_zh) not in columns:
                columns.append(cell_key(indicator.column_label_zh))
    return rows, tuple(columns), form_identities(codebook, "t2021", "t3")


values = st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(0, 400))


@st.composite
def consistent_tables(draw, form):
    """A table 3 that satisfies every identity of the form: outcomes per applicant, totals derived."""
    rows, columns, _ = form
    assert len(columns) == 7
    return {rows[code]: cells for code, cells in consistent_table3(draw, list(rows), values).items()}


def _glue(table, columns, glued_rows, spaces=()):
    """Known cells of the other rows, and the glued rows; a row may keep a space at a cell boundary
    (``spaces``: (row, boundary) pairs), as page text sometimes does (500000 5)."""
    known = {(row, column): value for row, cells in table.items() if row not in glued_rows
             for column, value in zip(columns, cells, strict=True)}
    glued = []
    for row in glued_rows:
        cut = next((b for r, b in spaces if r == row), None)
        text = [str(v) for v in table[row]]
        runs = ("".join(text),) if cut is None else ("".join(text[:cut]), "".join(text[cut:]))
        glued.append(Glued(row, runs, columns))
    return known, glued


def _glued_rows(draw, table):
    return draw(st.lists(st.sampled_from(sorted(table)), min_size=1, max_size=6, unique=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_split_taken_equals_the_original(form, data):
    table = data.draw(consistent_tables(form))
    rows = _glued_rows(data.draw, table)
    spaces = data.draw(st.lists(st.tuples(st.sampled_from(rows), st.integers(1, len(form[1]) - 1)), max_size=2))
    known, glued = _glue(table, form[1], rows, spaces)
    for row, outcome in resolve(glued, known, form[2], MAX_DIGITS, LIMIT).items():
        assert outcome.values is None or outcome.values == table[row]


def _naive_readings(digits: str, width: int) -> list[tuple[int, ...]]:
    """Every split of the run, by cutting it at every choice of positions (no leading zeros but a lone 0)."""
    found = []
    for cuts in itertools.combinations(range(1, len(digits)), width - 1):
        parts = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
        if all((p == "0" or not p.startswith("0")) and len(p) <= MAX_DIGITS for p in parts):
            found.append(tuple(map(int, parts)))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_row_is_split_only_when_exactly_one_reading_fits(form, data):
    """One glued row, nothing else known: the row's own identity (总计 = the six others) decides, or nothing."""
    rows, columns, identities = form
    parts = [data.draw(values) for _ in columns[:-1]]
    row = next(iter(rows.values()))
    digits = "".join(map(str, (*parts, sum(parts))))
    fitting = [r for r in _naive_readings(digits, len(columns)) if r[-1] == sum(r[:-1])]
    assert (*parts, sum(parts)) in fitting
    found = splits(digits, len(columns), MAX_DIGITS, LIMIT)
    outcome = resolve([Glued(row, digits, columns)], {}, identities, MAX_DIGITS, LIMIT)[row]
    if found is None:  # more readings than the limit: bounded work decides nothing
        assert len(_naive_readings(digits, len(columns))) > LIMIT and outcome.values is None
        return
    assert len(found) == len(_naive_readings(digits, len(columns)))
    if len(fitting) == 1:
        assert outcome.values == fitting[0]
    else:  # ambiguous: never split, and the count of readings is reported
        assert outcome.values is None and outcome.n_candidates == len(fitting)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_inconsistent_table_is_never_repaired(form, data):
    """A wrong cell among the known rows: the identities are no evidence, nothing is split. A wrong cell in the
    one glued row (every other row known): no reading of its text is taken."""
    _, columns, identities = form
    table = data.draw(consistent_tables(form))
    glued_rows = _glued_rows(data.draw, table)
    wrong_row = data.draw(st.sampled_from(sorted(table)))
    column = data.draw(st.integers(0, len(columns) - 1))
    delta = data.draw(st.integers(1, 50))
    perturbed = dict(table)
    perturbed[wrong_row] = tuple(v + delta if i == column else v for i, v in enumerate(table[wrong_row]))
    if wrong_row not in glued_rows:
        known, glued = _glue(perturbed, columns, glued_rows)
        assert all(o.values is None for o in resolve(glued, known, identities, MAX_DIGITS, LIMIT).values())
    known, glued = _glue(perturbed, columns, [wrong_row])
    assume("".join(map(str, perturbed[wrong_row])) != "".join(map(str, table[wrong_row])))
    assert resolve(glued, known, identities, MAX_DIGITS, LIMIT)[wrong_row].values is None


def test_splits_are_bounded():
    assert splits("0" * 40, 7, MAX_DIGITS, LIMIT) == []  # leading zeros: only lone 0s, too many digits
    assert splits("1" * 60, 15, MAX_DIGITS, 1000) is None  # too many to enumerate: nothing decided
    assert splits("1234567890", 1, MAX_DIGITS, LIMIT) == []  # one cell beyond max_split_cell_digits
    assert splits("105", 2, MAX_DIGITS, LIMIT) == [(10, 5)]  # 1|05 has a leading zero
    assert splits(("500000", "5"), 7, MAX_DIGITS, LIMIT) == [(5, 0, 0, 0, 0, 0, 5)]  # no number crosses a space
    assert splits(("12", "3"), 2, MAX_DIGITS, LIMIT) == [(12, 3)]


def _parse(tmp_path: Path, text: str, codebook):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return build.process_document(path, path.stem, codebook, LabelMatcher(codebook))


GLUED_T3 = ("2022年度政府信息公开工作年度报告\n二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数"
            "现行有效件数规章000行政规范性文件000三、收到和处理政府信息公开申请情况 申请人情况 自然人 法人或其他组织 总计 "
            "商业企业 科研机构 社会公益 组织 法律服务 机构 其他 一、本年新收政府信息公开申请数量 {new}"
            "二、上年结转政府信息公开申请数量 0000000\n")


def test_the_reader_splits_a_forced_row_and_flags_it(tmp_path, codebook):
    result = _parse(tmp_path, GLUED_T3.format(new="21710000218"), codebook)
    new = {o["indicator_id"]: o for o in result.observations if o["indicator_id"].startswith("t2021.t3.apply.new")}
    assert [new[f"t2021.t3.apply.new.{c}"]["value"] for c in
            ("np", "lp.business", "lp.research", "lp.public_interest", "lp.legal_service", "lp.other", "total")] \
        == [217, 1, 0, 0, 0, 0, 218]
    assert all("split_by_identity" in o["flag_codes"] for o in new.values())
    t3 = [o["row_number"] for o in result.observations if o["indicator_id"].startswith("t2021.t3")]
    assert t3[::7] == [1, 2]  # the split row keeps its place, before 二


def test_the_reader_rejects_an_ambiguous_row_with_its_count(tmp_path, codebook):
    ambiguous = _parse(tmp_path, GLUED_T3.format(new="110000011"), codebook)  # 1/10/…/11 and 11/0/…/11
    [rejection] = [r for r in ambiguous.rejections if r["reason_code"] == "unrecoverable_row"]
    assert rejection["raw_text"].endswith("| 110000011") and "2 splits satisfy" in rejection["message"]


# Table 3 of the Pingtan 2020 report as its page text prints it (changwu/pingtan-gov-zwgk-archive @ 12f00b42,
# zfxxgknb/202103/80595_…/page.txt): the outcome rows add up to 26 for 自然人 while 一 and （七） say 20.
PINGTAN_2020_T3 = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他一、本年新收政府信息"
    "公开申请数量200 000121二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开6000017（二）部分公开（区分处理的，只计这一情形，不计其他情形）6000006（三）"
    "不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”00000004.保护第三方合法权益00000005.属于三类内部事务信息00000006.属于"
    "四类过程性信息00000007.属于行政执法案卷00000008.属于行政查询事项0000000三、本年度办理结果（四）无法提供1.本机关不掌握相关政府信息40000042.没有现成信息需要另行制作0"
    "0000003.补正后申请内容仍不明确3000003（五）不予处理1.信访举报投诉类申请00000002.重复申请30000033.要求提供公开出版物00000004.无正当理由大量反复申请00000"
    "005.要求行政机关确认或重新出具已获取信息0000000（六）其他处理4 0 0 0 0 0 4（七）总计20 0 00 0 121四、结转下年度继续办理 0 0 00 00 0 "
)


def test_a_real_inconsistent_table_is_not_repaired(tmp_path, codebook):
    result = _parse(tmp_path, "平潭综合实验区2020年度政府信息公开工作年度报告\n二、主动公开政府信息情况 第二十条第（一）项"
                    "信息内容本年新制作数量本年新公开数量对外公开总数量规章007" + PINGTAN_2020_T3 + "\n", codebook)
    assert not [o for o in result.observations if "split_by_identity" in o["flag_codes"]]
    glued = [r["raw_text"] for r in result.rejections if "values glued together" in r["message"]]
    assert glued == ["一、本年新收政府信息公开申请数量 | 200 | 000121", "(七)总计 | 20 | 0 | 00 | 0 | 121",
                     "四、结转下年度继续办理 | 0 | 0 | 00 | 00 | 0"]
    granted = {o["indicator_id"]: o["value"] for o in result.observations if ".result.granted." in o["indicator_id"]}
    assert granted["t2019.t3.result.granted.np"] == 6 and granted["t2019.t3.result.granted.total"] == 7  # 6000017


# Table 3 of the Pingtan 2019 report as its page text prints it (same archive, zfxxgknb/202001/80576_…/page.txt):
# runs glued and broken by spaces (230 000023, 23 0 00 0 023), consistent with its identities.
PINGTAN_2019_T3 = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他一、本年新收政府信息"
    "公开申请数量230 000023二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开7000007（二）部分公开（区分处理的，只计这一情形，不计其他情形）1000001（三）"
    "不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”00000004.保护第三方合法权益00000005.属于三类内部事务信息00000006.属于"
    "四类过程性信息00000007.属于行政执法案卷00000008.属于行政查询事项0000000三、本年度办理结果（四）无法提供1.本机关不掌握相关政府信息70000072.没有现成信息需要另行制作0"
    "0000003.补正后申请内容仍不明确5000005（五）不予处理1.信访举报投诉类申请00000002.重复申请30000033.要求提供公开出版物00000004.无正当理由大量反复申请00000"
    "005.要求行政机关确认或重新出具已获取信息0000000（六）其他处理0 0 0 0 0 00（七）总计23 0 00 0 023四、结转下年度继续办理 0 0 00 00 0 "
)


def test_a_real_consistent_table_broken_by_spaces_is_split_where_forced(tmp_path, codebook):
    result = _parse(tmp_path, "平潭综合实验区2019年度政府信息公开工作年度报告\n二、主动公开政府信息情况 第二十条第（一）项"
                    "信息内容本年新制作数量本年新公开数量对外公开总数量规章000" + PINGTAN_2019_T3 + "\n", codebook)
    split = {o["indicator_id"].removeprefix("t2019.t3."): o["value"] for o in result.observations
             if "split_by_identity" in o["flag_codes"]}
    assert {k: v for k, v in split.items() if v} == {"apply.new.np": 23, "apply.new.total": 23,
                                                     "result.total.np": 23, "result.total.total": 23}
    assert len(split) == 28  # 一, （六）, （七）, 四: seven cells each
    assert not [r for r in result.rejections if r["reason_code"] == "unrecoverable_row"]
