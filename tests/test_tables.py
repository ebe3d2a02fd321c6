"""Table recovery and normalization on small tables shaped like the ones real pages produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstats.observations.matching import LabelMatcher
from govstats.pipeline.build import process_document
from govstats.readers.text import read_text, split_cells
from govstats.tables.t2014 import find_tables
from tests.conftest import CORPUS_RAW


@pytest.fixture(scope="module")
def matcher(codebook):
    return LabelMatcher(codebook)


def parse(tmp_path: Path, text: str, codebook, matcher, encoding: str = "utf-8", name: str = "doc.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return process_document(path, path.stem, codebook, matcher)


def test_split_cells_keeps_trailing_empties_and_drops_a_leading_pipe():
    assert split_cells("一、主动公开情况 | 42 | |") == (("一、主动公开情况", "42", "", ""), 4)
    assert split_cells("| a | b |") == (("a", "b", ""), 3)


def test_header_with_spaces_inside_labels(codebook):
    scan = find_tables(read_text("统 计 指 标 | 单 位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |", 10**6).units(),
                       codebook)
    tables = scan.tables
    assert scan.rejected == [] and scan.n_pipe_lines == 2
    assert tables[0].label_index == 0 and tables[0].unit_index == 1
    assert [c.label for c in tables[0].value_columns] == ["统计数"]


def test_ragged_rows_are_read_and_flagged(tmp_path, codebook, matcher):
    result = parse(tmp_path, "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2\n2.兼职人员数 | 人 |\n", codebook, matcher)
    first, second = result.observations
    assert first["value"] == 2 and first["flag_codes"] == "ragged_row"
    assert second["status"] == "blank" and "ragged_row" in second["flag_codes"]


def test_page_metadata_pipe_lines_are_rejected_not_observed(codebook, matcher):
    path = CORPUS_RAW / "017_liangzhou_zhangyizhen_2008_prose.txt"
    result = process_document(path, path.stem, codebook, matcher)
    assert result.observations == [] and result.document["n_tables"] == 0
    assert [(r["source_line"], r["reason_code"]) for r in result.rejections] == [
        (1, "not_a_statistics_table"), (2, "not_a_statistics_table")]


def test_metadata_rows_inside_a_table_are_rejected(tmp_path, codebook, matcher):
    result = parse(tmp_path, "统计指标 | 单位 | 统计数 |\n索 引 号 | 0001/2017-01 | |\n(三)接受培训人员数 | 人次 | 2 |\n",
                   codebook, matcher)
    assert [o["source_line"] for o in result.observations] == [3]
    assert result.rejections[0]["reason_code"] == "page_metadata" and result.rejections[0]["source_line"] == 2


def test_unmatched_labels_are_kept_without_an_indicator(tmp_path, codebook, matcher):
    result = parse(tmp_path, "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n6.政务抖音公开政府信息数 | 条 | 9 |\n",
                   codebook, matcher)
    unknown = result.observations[1]
    assert unknown["indicator_id"] is None and unknown["value"] == 9
    assert unknown["flag_codes"] == "unmatched_label"


def test_repeated_labels_without_context_are_ambiguous(tmp_path, codebook, matcher):
    result = parse(tmp_path, "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n(三)其他情形数 | 件 | 1 |\n",
                   codebook, matcher)
    assert result.observations[1]["indicator_id"] is None
    assert result.observations[1]["flag_codes"] == "ambiguous_label"


def test_placeholders_and_unparsable_text_are_missing(tmp_path, codebook, matcher):
    text = ("统计指标 | 单位 | 统计数 |\n1.当面申请数 | 件 | — |\n2.传真申请数 | 件 | 无 |\n3.网络申请数 | 件 | 见附件 |\n"
            "4.信函申请数 | 件 | 0 |\n")
    observations = parse(tmp_path, text, codebook, matcher).observations
    assert [o["status"] for o in observations] == ["placeholder", "placeholder", "unparsable", "reported"]
    assert [o["value"] for o in observations] == [None, None, None, 0]
    assert observations[2]["raw_value"] == "见附件"


def test_unit_in_value_cell_and_unit_conversion(tmp_path, codebook, matcher):
    text = "统计指标 | 单位 | 统计数 |\n八、依申请公开信息收取的费用 | 元 | 300元 |\n(四)政府信息公开专项经费 | | 1.5 |\n"
    fee, budget = parse(tmp_path, text, codebook, matcher).observations
    assert fee["value"] == 300 and fee["unit_code"] == "cny" and fee["value_base"] == 300
    assert set(fee["flag_codes"].split(";")) == {"unit_in_value_cell", "unit_differs_from_codebook"}
    assert budget["unit"] == "万元" and budget["value_base"] == 15000 and budget["flag_codes"] == "unit_from_codebook"


def test_extra_cells_are_rejected_with_their_line(tmp_path, codebook, matcher):
    result = parse(tmp_path, "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 | 3 |\n", codebook, matcher)
    assert result.observations[0]["value"] == 2
    assert "extra_cells" in result.observations[0]["flag_codes"]
    assert [(r["reason_code"], r["raw_text"], r["source_line"]) for r in result.rejections] == [("extra_cell", "3", 2)]


def test_several_value_columns_map_by_header(tmp_path, codebook, matcher):
    text = "指标名称 | 计量单位 | 2014年度 | 历年累计 | 上年数\n(三)接受培训人员数 | 人次 | 2 | 40 | 5\n"
    year, cumulative, local = parse(tmp_path, text, codebook, matcher).observations
    assert year["indicator_id"] == "t2014.training.trainees" and year["column_label"] == "2014年度"
    assert cumulative["indicator_id"] == "t2014.training.trainees.cumulative" and cumulative["value"] == 40
    assert local["indicator_id"] is None and local["flag_codes"] == "unknown_column" and local["value"] == 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path, codebook, matcher, encoding):
    text = "单位名称:某县科技局联系人及电话:1234\n统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n"
    result = parse(tmp_path, text, codebook, matcher, encoding=encoding)
    assert result.document["encoding"] == encoding
    assert result.document["agency"] == "某县科技局" and result.document["contact"] == "1234"
    assert result.observations[0]["value"] == 2


def test_binary_and_missing_files_are_reported_not_raised(tmp_path, codebook, matcher):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x00")
    result = process_document(binary, "image", codebook, matcher)
    assert result.document["status"] == "error" and "NUL" in result.document["status_message"]
    assert result.rejections[0]["reason_code"] == "unreadable_document"
