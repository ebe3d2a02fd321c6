"""A corpus of hostile documents, made here, builds to a valid package: every document listed with the right
status and encoding, nothing executed, nothing lost, and bounded time on enormous input."""

from __future__ import annotations

import time

import pytest

from govstats.output import validate
from tests.conftest import build_into

TABLE = "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n2.兼职人员数 | 人 | 3 |\n"
TRADITIONAL = "政府信息公開工作年度報告\n統計指標 | 單位 | 統計數 |\n(三)接受培訓人員數 | 人次 | 2 |\n2.兼職人員數 | 人 | 3 |\n"


def _documents(folder):
    made = {
        "gb18030.txt": TABLE.encode("gb18030"),
        "big5.txt": TRADITIONAL.encode("big5"),
        "utf16le.txt": TABLE.encode("utf-16"),                       # with BOM
        "utf16be.txt": b"\xfe\xff" + TABLE.encode("utf-16-be"),
        "utf8bom.txt": TABLE.encode("utf-8-sig"),
        "truncated.txt": (TABLE + "(二)举办各类培训班数 | 次 | 4 |\n末尾").encode("utf-8")[:-2],
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50,
        "empty.txt": b"",
        "glosses.txt": "政務(wù)公開(kāi)工作年度報(bào)告\n統計指標 | 單位 | 統計數 |\n(三)接受培訓(xùn)人員數 | 人次 | 5 |\n"
                       .encode(),
        "markup.txt": ("统计指标 | 单位 | 统计数 |\n<!--[if !supportLists]-->(三)接受培训人员数&nbsp;| 人次 | 6 |\n"
                       "<span>2.兼职人员数</span> | 人 | &#51; |\n").encode(),
        "values.txt": ("统计指标 | 单位 | 统计数 |\n1.当面申请数 | 件 | 1,234 |\n2.传真申请数 | 件 | １２ |\n"
                       "3.网络申请数 | 件 | 约20 |\n4.信函申请数 | 件 | 二十 |\n(二)举办各类培训班数 | 次 | -3 |\n"
                       "(一)召开政府信息公开工作会议或专题会议数 | 次 | 1" + "0" * 40 + " |\n").encode("utf-8"),
        "formulas.txt": ("统计指标 | 单位 | 统计数 |\n=cmd|' /C calc'!A0 | 件 | 1 |\n@SUM(1+1) | 件 | +2 |\n"
                         "-2+3 | 件 | =1+1 |\n").encode(),
        "spam.txt": "2019年政务公开工作总结\n正文。\n365bet平台客户端_速发365网址_bei365官网科学技术局\n2019年7月22日\n"
                    .encode(),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    with open(folder / "enormous.txt", "wb") as handle:  # 50 MB: over the file-size limit
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    (folder / "long_line.txt").write_text(TABLE + "x|" * (2_500_000) + "\n", encoding="utf-8")  # one 5 MB line


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    _documents(folder)
    output = tmp_path_factory.mktemp("hostile_out")
    started = time.perf_counter()
    result = build_into([folder], output)
    return result, output, time.perf_counter() - started


def _doc(hostile, doc_id):
    return next(d for d in hostile[0].records["documents"] if d["doc_id"] == doc_id)


def _observations(hostile, doc_id):
    return [o for o in hostile[0].records["observations"] if o["doc_id"] == doc_id]


def test_the_package_is_valid(hostile):
    valid, messages = validate.frictionless_report(hostile[1])
    assert valid, messages


@pytest.mark.parametrize(("doc_id", "status", "encoding"), [
    ("gb18030", "ok", "gb18030"), ("big5", "ok", "big5"), ("utf16le", "ok", "utf-16"), ("utf16be", "ok", "utf-16"),
    ("utf8bom", "ok", "utf-8-sig"), ("truncated", "ok", "utf-8"), ("binary", "error", None),
    ("empty", "no_table", "utf-8"), ("enormous", "error", None), ("long_line", "ok", "utf-8"),
    ("glosses", "ok", "utf-8"), ("markup", "ok", "utf-8"), ("values", "ok", "utf-8"), ("spam", "no_table", "utf-8"),
])
def test_every_document_has_the_right_status_and_encoding(hostile, doc_id, status, encoding):
    document = _doc(hostile, doc_id)
    assert (document["status"], document["encoding"]) == (status, encoding)


@pytest.mark.parametrize("doc_id", ["gb18030", "big5", "utf16le", "utf16be", "utf8bom", "truncated", "long_line"])
def test_tables_read_in_any_encoding(hostile, doc_id):
    values = {o["indicator_id"]: o["value"] for o in _observations(hostile, doc_id)}
    assert values["t2014.training.trainees"] == 2 and values["t2014.org.staff.parttime"] == 3


def test_truncated_file_keeps_what_is_complete(hostile):
    document = _doc(hostile, "truncated")
    assert document["n_undecodable"] == 1
    assert "undecodable" in document["status_message"]


def test_errors_say_why(hostile):
    assert "NUL" in _doc(hostile, "binary")["status_message"]
    assert "over the limit" in _doc(hostile, "enormous")["status_message"]
    assert _doc(hostile, "enormous")["n_bytes"] == 50 * 1024 * 1024


def test_long_lines_are_rejected_in_bounded_time(hostile):
    rejected = [r for r in hostile[0].records["rejections"] if r["doc_id"] == "long_line"]
    assert [(r["source_line"], r["reason_code"]) for r in rejected] == [(4, "line_too_long")]
    assert len(rejected[0]["raw_text"]) == 200
    assert hostile[2] < 60  # the whole hostile build, 55 MB of input included


def test_glosses_and_markup_do_not_hide_labels(hostile):
    assert {o["indicator_id"]: o["value"] for o in _observations(hostile, "glosses")} == {
        "t2014.training.trainees": 5}
    assert _doc(hostile, "glosses")["title"] == "政务公开工作年度报告"
    assert {o["indicator_id"]: o["value"] for o in _observations(hostile, "markup")} == {
        "t2014.training.trainees": 6, "t2014.org.staff.parttime": 3}


def test_values_in_every_writing(hostile):
    by_id = {o["indicator_id"]: o for o in _observations(hostile, "values")}
    assert by_id["t2014.apply.received.in_person"]["value"] == 1234
    assert by_id["t2014.apply.received.fax"]["value"] == 12
    assert by_id["t2014.apply.received.online"]["value"] == 20
    assert by_id["t2014.apply.received.online"]["flag_codes"] == "approximate"
    assert by_id["t2014.apply.received.letter"]["value"] == 20
    assert by_id["t2014.apply.received.letter"]["flag_codes"] == "chinese_numeral"
    assert by_id["t2014.training.classes"]["value"] == -3
    absurd = by_id["t2014.training.meetings"]
    assert absurd["status"] == "unparsable" and absurd["value"] is None and absurd["flag_codes"] == "absurd_magnitude"
    negative = [c for c in hostile[0].records["checks"] if c["doc_id"] == "values" and c["rule_kind"] == "non_negative"]
    assert [(c["indicator_id"], c["status"]) for c in negative] == [("t2014.training.classes", "fail")]


def test_formula_text_stays_text(hostile):
    from openpyxl import load_workbook

    sheet = load_workbook(hostile[1] / "data" / "govstats.xlsx")["observations"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {"=cmd", "@SUM", "=1+1", "-2+3"} <= texts | {t.split("|")[0] for t in texts}


def test_spam_is_not_taken_for_an_agency(hostile):
    document = _doc(hostile, "spam")
    assert document["agency"] is None and "spam" in document["status_message"]


def test_accounting_balances(hostile, codebook):
    accounting = hostile[0].accounting()
    assert accounting["unbalanced"] == 0
    assert accounting["documents_rejected"] == 2 and accounting["long_lines_rejected"] == 1
