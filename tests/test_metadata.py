"""Metadata the text states: statistic periods, spaced years, the agency of 由…编制 and of a closing signature
at the end of a flattened page; nothing where the text is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build


def _document(tmp_path: Path, text: str, codebook) -> dict:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return build.process_document(path, path.stem, codebook, LabelMatcher(codebook)).document


@pytest.mark.parametrize(("text", "year"), [
    ("本报告所列数据统计期限为2025年1月1日至2025年12月31日。", 2025),
    ("本报告中所列数据统计期限为 2024 年 1 月 1 日至 12 月 31 日。", 2024),  # spaced, closing year left out
    ("本年度报告中所列数据的统计周期\n为 2023 年 1 月 1 日至 12 月 31 日。", 2023),  # broken over two lines
    ("本报告所列数据统计期限为2024年1月1日至2024年6月30日。", None),  # half a year: not a report year
    ("统计期限为2023年1月1日至2024年12月31日。", None),  # two years: not stated as one
    ("本报告介绍政务公开工作情况。", None),
])
def test_the_statistic_period_gives_the_report_year(tmp_path, codebook, text, year):
    assert _document(tmp_path, "政务公开情况\n" + text + "\n", codebook)["report_year"] == year


BODY = "一、总体情况。全年主动公开政府信息1200条，办理申请12件，均在法定期限内答复。六、其他需要报告的事项。无。"


@pytest.mark.parametrize(("text", "agency"), [
    ("本报告由平潭综合实验区管委会办公室编制。", "平潭综合实验区管委会办公室"),
    ("本报告是根据《条例》要求，由两城镇人民政府党政办公室编制。", "两城镇人民政府党政办公室"),
    ("本报告由XX根据有关统计数据编制。", None),  # not an agency name: nothing taken
    (BODY + "平潭县人民政府 2025年3月10日", "平潭县人民政府"),
    (BODY, None),
])
def test_the_agency_of_compiled_by_and_of_the_closing_signature(tmp_path, codebook, text, agency):
    assert _document(tmp_path, "政务公开情况\n" + text + "\n", codebook)["agency"] == agency


@pytest.mark.parametrize(("text", "year"), [
    ("现将我局2020年度政府信息公开情况报告如下。", 2020),
    ("現將我局2020年度政府信息公開情況報告如下。", 2020),  # traditional characters
    ("六个方面汇报我镇2023年政府信息公开工作。", 2023),
    # a notice cited by its title names a year of its own: it does not count
    ("根据《关于做好2019年政府信息公开工作的通知》要求，现将有关情况报告如下。", None),
    ("2021年政府信息公开工作好于2020年政府信息公开工作。", None),  # two years: none is taken
    ("一、总体情况\n2019年，新华街道办事处高度重视政务公开。", 2019),  # the first words under 一、总体情况
    ("一、总体情况\n近年来，新华街道办事处高度重视政务公开。", None),
])
def test_the_opening_sentence_gives_the_report_year(tmp_path, codebook, text, year):
    assert _document(tmp_path, "政务公开情况说明\n" + text + "\n", codebook)["report_year"] == year


def test_the_agency_of_the_sentence_that_publishes_the_report(tmp_path, codebook):
    text = "政务公开\n根据要求，现公布荷塘区桂花街道办事处2019年政府信息公开工作年度报告。\n"
    assert _document(tmp_path, text, codebook)["agency"] == "荷塘区桂花街道办事处"
    vague = "政务公开\n根据要求，现公布我单位2019年政府信息公开工作年度报告。\n"
    assert _document(tmp_path, vague, codebook)["agency"] is None  # not an agency's name: nothing taken


def test_a_breadcrumb_is_not_the_title(tmp_path, codebook):
    text = "您当前的位置:首页 > 云林街道 > 政府信息公开 > 年度报告\n\n云林街道2019年度政府信息公开工作报告\n一、总体情况\n"
    document = _document(tmp_path, text, codebook)
    assert (document["title"], document["report_year"]) == ("云林街道2019年度政府信息公开工作报告", 2019)
